"""The command line: ``course-data fetch|verify|lock|synthesize|info``."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from course_utils.config import paths
from course_utils.experiments.data._download import fetch
from course_utils.experiments.data._files import lock, verify
from course_utils.experiments.data._manifest import (
    REAL_DATASETS,
    DataUnavailableError,
    n_subjects_default,
)
from course_utils.experiments.data._sources import info
from course_utils.experiments.data._standin import synthetic_localizer


def main(argv: list[str] | None = None) -> int:
    """Command line: ``course-data fetch|verify|lock|synthesize|info``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0, or 1 after an error (printed to stderr) or a failed verification.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["COURSE_DATA_DIR"] = tempfile.mkdtemp()
    >>> main(["verify"])
    No real data found locally: nothing to verify.
    0
    """
    parser = argparse.ArgumentParser(
        prog="course-data",
        description="Get, check and describe the Localizer data used by the course.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_fetch = sub.add_parser("fetch", help="download a real copy into COURSE_DATA_DIR")
    p_fetch.add_argument("--dataset", default="localizer_nilearn", choices=REAL_DATASETS)
    p_fetch.add_argument("--n-subjects", type=int, default=None, help="default: all")
    p_fetch.add_argument("--root", default=None, help="folder to download into")
    p_verify = sub.add_parser("verify", help="check local files against their checksums")
    p_verify.add_argument("--dataset", default=None, choices=REAL_DATASETS)
    p_verify.add_argument("--root", default=None)
    p_lock = sub.add_parser("lock", help="record checksums of a trusted download")
    p_lock.add_argument("--dataset", default="localizer_nilearn", choices=REAL_DATASETS)
    p_lock.add_argument("--root", default=None)
    p_syn = sub.add_parser("synthesize", help="generate (and cache) the offline stand-in")
    p_syn.add_argument("--seed", type=int, default=0)
    p_syn.add_argument("--n-subjects", type=int, default=None)
    sub.add_parser("info", help="what is available where, and what notebooks will use")
    args = parser.parse_args(argv)
    try:
        with pd.option_context("display.width", 160, "display.max_colwidth", 90):
            if args.command == "fetch":
                folder = fetch(args.dataset, n_subjects=args.n_subjects, root=args.root)
                print(
                    f"{args.dataset} is in {folder}. Run `course-data lock` "
                    "once to record its checksums."
                )
            elif args.command == "verify":
                report = verify(args.dataset, args.root)
                if report.empty:
                    print("No real data found locally: nothing to verify.")
                    return 0
                bad = report[report["status"] != "ok"]
                print(report.groupby(["dataset", "location", "status"]).size().to_string())
                if not bad.empty:
                    print(bad[["dataset", "file", "status", "detail"]].to_string(index=False))
                    print("Run `course-data fetch` to download damaged or missing files again.")
                    return 1
                print("All files verified.")
            elif args.command == "lock":
                print(f"Checksums recorded in {lock(args.dataset, args.root)}.")
            elif args.command == "synthesize":
                n = args.n_subjects if args.n_subjects is not None else n_subjects_default()
                data = synthetic_localizer(seed=args.seed, n_subjects=n)
                print(f"{data!r}, cached in {paths.data_dir() / 'arrays' / 'synthetic'}.")
            else:
                table = info()
                print(table.to_string(index=False))
                print(table.attrs["plan"])
    except (DataUnavailableError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        if args.command == "fetch":
            print(
                "The download needs internet access. Offline, the notebooks use the synthetic "
                "stand-in (COURSE_DATA=synthetic).",
                file=sys.stderr,
            )
        return 1
    return 0
