"""Downloads of the real Localizer: nilearn's fetcher for the OSF copy, pooch for DartBrains.

Both fail within seconds without a network, never leave a half-written file where a complete
one is expected, and are verified by the course after they finish (nilearn checks no hashes for
the Localizer's files).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from course_utils import config
from course_utils.data.files import (
    _INDEX,
    _PARTICIPANTS,
    _check_files,
    _expected_hashes,
    _gzip_intact,
    _index_files,
    _read_index,
    _write_text_atomic,
)
from course_utils.data.manifest import (
    CONDITIONS,
    REAL_DATASETS,
    DataUnavailableError,
    check_names,
    load_manifest,
)


class _Progress:
    """A minimal text progress bar with the interface pooch expects (total/update/reset/close)."""

    def __init__(self, label: str, stream=None):
        self.label, self.stream = label, stream or sys.stderr
        self.total, self.n, self._shown = 0, 0, -1

    def update(self, k: int) -> None:
        self.n += k
        pct = int(100 * min(self.n, self.total) / self.total) if self.total else 0
        if pct // 10 != self._shown // 10:
            self._shown = pct
            size = f"{self.total / 1e6:.1f} MB" if self.total else "size unknown"
            self.stream.write(f"\r  {self.label}: {pct:3d}% of {size}")
            self.stream.flush()

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _downloads_allowed() -> bool:
    return os.environ.get("COURSE_DATA_OFFLINE", "").strip().lower() not in ("1", "true", "yes")


def _require_network(url: str, timeout: float) -> None:
    """Fail within ``timeout`` seconds when the server of ``url`` cannot be reached."""
    parsed = urlparse(url if "://" in url else f"https://{url}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            pass
    except OSError as err:
        raise DataUnavailableError(
            f"no network: cannot reach {parsed.hostname}:{port} ({err.__class__.__name__})"
        ) from None


def _write_index(folder: Path, rows: pd.DataFrame, participants: pd.DataFrame | None) -> None:
    old = _read_index(folder)
    if old is not None:
        rows = pd.concat([old, rows]).drop_duplicates(["subject", "condition"], keep="last")
    rows = rows.sort_values(["subject", "condition"]).reset_index(drop=True)
    _write_text_atomic(folder / _INDEX, rows[["subject", "condition", "image", "tmap"]].to_csv(
        index=False))
    if participants is not None:
        path = folder / _PARTICIPANTS
        if path.is_file():
            previous = pd.read_csv(path, sep="\t", dtype={"subject": str})
            participants = pd.concat([previous, participants]).drop_duplicates(
                "subject", keep="last")
        _write_text_atomic(path, participants.sort_values("subject").to_csv(sep="\t",
                                                                               index=False))


def _fetch_dartbrains(folder: Path, n_subjects: int | None, conditions: Sequence[str],
                      manifest: Mapping, retries: int, timeout: float, progress: bool) -> None:
    import pooch

    entry = manifest["datasets"]["localizer_dartbrains"]
    spec = entry["subjects"]
    last = spec["last"] if n_subjects is None else min(spec["last"],
                                                        spec["first"] + n_subjects - 1)
    subjects = [f"{spec['prefix']}{k:0{spec['width']}d}" for k in range(spec["first"], last + 1)]
    base_url = entry["source"]["base_url"]
    expected = _expected_hashes("localizer_dartbrains", folder, manifest)
    rows, registry = [], {}
    for subject in subjects:
        for condition in conditions:
            rel = entry["file_pattern"].format(subject=subject, condition=condition)
            registry[rel] = f"sha256:{expected[rel]}" if rel in expected else None
            rows.append({"subject": subject, "condition": condition, "image": rel, "tmap": ""})
    # damaged files whose checksum is unknown would be kept by pooch: remove them first
    for rel in registry:
        if registry[rel] is None and (folder / rel).is_file() and not _gzip_intact(folder / rel):
            (folder / rel).unlink()
    store = pooch.create(path=folder, base_url=base_url, registry=registry,
                         retry_if_failed=retries)
    for rel in registry:
        downloader = pooch.HTTPDownloader(
            progressbar=_Progress(Path(rel).name) if progress else False, timeout=timeout)
        try:
            store.fetch(rel, downloader=downloader)
        except Exception as err:  # requests, checksum and file errors all mean "not available"
            raise DataUnavailableError(
                f"download of {rel} from {base_url} failed ({err.__class__.__name__}: "
                f"{str(err).splitlines()[0][:200] if str(err) else ''}); files already "
                f"downloaded are kept in {folder}") from None
        if not _gzip_intact(folder / rel):
            (folder / rel).unlink()
            raise DataUnavailableError(f"download of {rel} from {base_url} is damaged "
                                       "(truncated gzip); it was removed: try again later.")
    table = pd.DataFrame({"subject": subjects, "sex": pd.NA, "age": pd.NA})
    _write_index(folder, pd.DataFrame(rows), table)


def _fetch_nilearn(folder: Path, n_subjects: int | None, conditions: Sequence[str],
                   manifest: Mapping, retries: int, timeout: float, progress: bool) -> None:
    from nilearn import datasets as nilearn_datasets
    from nilearn.datasets.func import CONTRAST_NAME_WRAPPER

    entry = manifest["datasets"]["localizer_nilearn"]
    names = [entry["contrasts"][c] for c in conditions]
    by_file_name = {CONTRAST_NAME_WRAPPER.get(n, n): c for n, c in zip(names, conditions,
                                                                        strict=True)}
    n = entry["n_subjects"] if n_subjects is None else min(n_subjects, entry["n_subjects"])
    last_error = None
    for attempt in range(retries + 1):
        try:
            bunch = nilearn_datasets.fetch_localizer_contrasts(
                names, n_subjects=n, data_dir=str(folder / "nilearn"),
                verbose=1 if progress else 0, **entry.get("fetcher_args", {}))
            break
        except Exception as err:  # nilearn raises many kinds of network and file errors
            last_error = err
            time.sleep(min(attempt + 1, 3) if attempt < retries else 0)
    else:
        raise DataUnavailableError(f"nilearn's Localizer download failed ({last_error})")

    def parse(paths, kind):
        out = {}
        for path in map(Path, paths):
            key = path.name[len(kind) + 1:].removesuffix(".nii.gz")
            if key in by_file_name:
                out[(path.parent.name, by_file_name[key])] = path.relative_to(folder).as_posix()
        return out

    cmaps = parse(bunch.get("cmaps", []), "cmaps")
    tmaps = parse(bunch.get("tmaps", []), "tmaps")
    rows = pd.DataFrame([{"subject": s, "condition": c, "image": rel, "tmap": tmaps.get((s, c), "")}
                         for (s, c), rel in cmaps.items()])
    if rows.empty:
        raise DataUnavailableError("nilearn's Localizer fetcher returned no maps.")
    ext = bunch.get("ext_vars")
    participants = None
    if ext is not None and "participant_id" in ext:
        participants = pd.DataFrame({
            "subject": ext["participant_id"].astype(str),
            "sex": ext["sex"] if "sex" in ext else pd.NA,
            "age": ext["age"] if "age" in ext else pd.NA})
    _write_index(folder, rows, participants)


def fetch(dataset: str = "localizer_nilearn", n_subjects: int | None = None,
          conditions: Sequence[str] | None = None, root: str | os.PathLike[str] | None = None,
          *, retries: int = 2, timeout: float = 10.0, progress: bool = True) -> Path:
    """Download a real copy of the Localizer into a folder (the user's cache by default).

    Files are verified against recorded checksums where known (the manifest or a
    ``SHA256SUMS`` written by :func:`lock`), written atomically (an interrupted download leaves
    no partial file), retried ``retries`` times, and the attempt fails within a few seconds when
    the server cannot be reached. Files already present and intact are not downloaded again.

    Parameters
    ----------
    dataset : {"localizer_nilearn", "localizer_dartbrains"}
        The nilearn/OSF copy (94 subjects, with t-maps) or the DartBrains copy (20 subjects).
    n_subjects : int, optional
        First ``n_subjects`` subjects; default all.
    conditions : sequence of str, optional
        Default all ten.
    root : path-like, optional
        Where to put the data set's folder; default ``COURSE_DATA_DIR``.
    retries : int, default 2
    timeout : float, default 10.0
        Seconds to wait for a server.
    progress : bool, default True
        Show a progress bar per file.

    Returns
    -------
    pathlib.Path
        The data set's folder (with ``index.csv`` listing its files).

    Raises
    ------
    DataUnavailableError
        No network, a server error, or a file that fails its checksum.

    Examples
    --------
    >>> fetch("localizer_unknown")
    Traceback (most recent call last):
    ...
    ValueError: Unknown data set 'localizer_unknown'. Did you mean 'localizer_nilearn'? ...
    """
    check_names(dataset, REAL_DATASETS, "data set")
    conditions = list(CONDITIONS) if conditions is None else check_names(
        conditions, CONDITIONS, "condition")
    if n_subjects is not None and (not isinstance(n_subjects, int) or n_subjects < 1):
        raise ValueError(f"n_subjects must be a positive whole number, got {n_subjects!r}.")
    folder = Path(config.data_dir() if root is None else root) / dataset
    manifest = load_manifest()
    source = manifest["datasets"][dataset]["source"]
    _require_network(source.get("base_url") or source["host"], min(timeout, 5.0))
    # damaged files: remove them (only them) so that they are downloaded again
    index = _read_index(folder)
    if index is not None:
        report = _check_files(folder, _index_files(index),
                              _expected_hashes(dataset, folder, manifest))
        for rel in report.loc[report["status"].isin(["bad checksum", "corrupt"]), "file"]:
            (folder / rel).unlink()
    getter = _fetch_nilearn if dataset == "localizer_nilearn" else _fetch_dartbrains
    getter(folder, n_subjects, conditions, manifest, retries, timeout, progress)
    index = _read_index(folder)
    report = _check_files(folder, _index_files(index), _expected_hashes(dataset, folder, manifest))
    bad = report[report["status"] != "ok"]
    if not bad.empty:
        raise DataUnavailableError(f"{len(bad)} downloaded file(s) failed verification, e.g. "
                                   f"{bad['file'].iloc[0]}: {bad['detail'].iloc[0]}.")
    return folder


