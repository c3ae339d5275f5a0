"""The command line: ``python -m course_utils.config [paths | check | lab-settings |
launch-link]`` (``postBuild`` and ``make venv`` run ``lab-settings``)."""

from __future__ import annotations

import argparse
import os
import sys

import pandas as pd

from course_utils.config import environment, lab, paths

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the configuration command line.

    ``paths`` (the default) prints :func:`~course_utils.config.paths.paths_report`, ``check``
    :func:`~course_utils.config.environment.check_environment`, ``lab-settings`` installs the
    JupyterLab settings (:func:`~course_utils.config.lab.install_lab_settings`) and
    ``launch-link`` prints the nbgitpuller link (:func:`~course_utils.config.lab.nbgitpuller_link`).

    Parameters
    ----------
    argv : list of str, optional
        The arguments; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0, or 1 when ``launch-link`` lacks a hub or a repository.

    Examples
    --------
    >>> main(["launch-link", "--hub", "https://hub.example.edu",
    ...       "--repo", "https://github.com/org/course"])
    https://hub.example.edu/hub/user-redirect/git-pull?repo=...&branch=main
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.config",
        description="Where the course reads and writes, the environment check, JupyterLab setup.",
    )
    parser.add_argument(
        "command",
        choices=["paths", "check", "lab-settings", "launch-link"],
        nargs="?",
        default="paths",
    )
    parser.add_argument(
        "--hub",
        default=os.environ.get("COURSE_HUB_URL"),
        help="JupyterHub address (default COURSE_HUB_URL)",
    )
    parser.add_argument(
        "--repo",
        default=os.environ.get("COURSE_REPO_URL"),
        help="git repository (default COURSE_REPO_URL)",
    )
    parser.add_argument("--branch", default=os.environ.get("COURSE_REPO_BRANCH", "main"))
    parser.add_argument("--path", default="notebooks/00_start_here.md")
    args = parser.parse_args(argv)
    if args.command == "launch-link":
        if not (args.hub and args.repo):
            print(
                "error: give --hub and --repo (or set COURSE_HUB_URL and COURSE_REPO_URL).",
                file=sys.stderr,
            )
            return 1
        print(lab.nbgitpuller_link(args.hub, args.repo, args.path, args.branch))
        return 0
    with pd.option_context("display.width", 120, "display.max_colwidth", 80):
        if args.command == "paths":
            print(paths.paths_report().to_string(index=False))
        elif args.command == "check":
            print(environment.check_environment().to_string(index=False))
        else:
            print(
                f"JupyterLab settings (.md opens as a notebook, no news pop-up) in "
                f"{lab.install_lab_settings()}"
            )
    return 0
