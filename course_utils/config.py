"""Configuration: where the course reads data and writes outputs.

Every folder the course uses comes from this module, so that no notebook holds a personal or
hard-coded path. Each folder has an environment-variable override:

===========================  ===============================================================
``COURSE_SHARED_DATA``       read-only folder with the data, shared by everyone on a hub
``COURSE_DATA_DIR``          the user's own data cache (downloads and cached arrays)
``COURSE_OUTPUT_DIR``        where notebooks write result maps and tables
===========================  ===============================================================

Defaults are per-user folders: the operating system's cache folder for data, and
``~/fmri_course_outputs`` for outputs.

The module also checks the Python environment against the pinned versions
(:func:`check_environment`) and installs the JupyterLab setting that opens MyST ``.md``
notebooks as notebooks on a double click (:func:`install_lab_settings`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

APP_NAME = "fmri-group-course"

#: Packages the notebooks rely on, reported by :func:`check_environment`.
CORE_PACKAGES = (
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "seaborn",
    "nilearn",
    "nibabel",
    "statsmodels",
    "pooch",
    "jupytext",
)

#: JupyterLab settings the course installs: a double click on a ``.md`` notebook opens it as a
#: notebook, and no "get notified about official Jupyter news?" pop-up covers the first notebook
#: (JupyterLab reads ``fetchNews`` as a string).
LAB_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    },
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}


def _merge(current: dict, wanted: dict) -> dict:
    """``current`` with ``wanted`` written over it, nested mappings merged key by key."""
    merged = dict(current)
    for key, value in wanted.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def nbgitpuller_link(
    hub_url: str, repo_url: str, path: str = "notebooks/00_start_here.md", branch: str = "main"
) -> str:
    """The nbgitpuller link that puts the course on a JupyterHub and opens a notebook.

    One click clones the repository into the student's home (or updates it, keeping the
    student's own changes) and opens ``path`` in JupyterLab.

    Parameters
    ----------
    hub_url : str
        The hub, e.g. ``https://hub.example.edu``.
    repo_url : str
        The git repository to pull, e.g. ``https://github.com/org/course``.
    path : str
        The file to open, relative to the repository.
    branch : str, default "main"

    Returns
    -------
    str

    Examples
    --------
    >>> nbgitpuller_link("https://hub.example.edu/", "https://github.com/org/fmri-course.git",
    ...                  branch="student")  # doctest: +NORMALIZE_WHITESPACE
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Ffmri-course.git&urlpath=lab%2Ftree%2Ffmri-course%2Fnotebooks%2F00_start_here.md&branch=student'
    """
    from urllib.parse import urlencode

    for name, url in (("hub_url", hub_url), ("repo_url", repo_url)):
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"{name} must be an http(s) address, got {url!r}.")
    folder = repo_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = urlencode(
        {"repo": repo_url, "urlpath": f"lab/tree/{folder}/{path.lstrip('/')}", "branch": branch}
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def shared_data_dir() -> Path | None:
    """Return the read-only shared data folder, or None when none is configured.

    Set ``COURSE_SHARED_DATA`` on a hub where an instructor placed the data for everyone. The
    course only ever reads from this folder.

    Returns
    -------
    pathlib.Path or None
        The folder named by ``COURSE_SHARED_DATA``, or None when the variable is unset.

    Examples
    --------
    >>> import os
    >>> os.environ["COURSE_SHARED_DATA"] = "/srv/course-data"
    >>> str(shared_data_dir())
    '/srv/course-data'
    >>> del os.environ["COURSE_SHARED_DATA"]
    >>> shared_data_dir() is None
    True
    """
    return _env_path("COURSE_SHARED_DATA")


def data_dir(create: bool = False) -> Path:
    """Return the user's data cache folder.

    Parameters
    ----------
    create : bool, default False
        Create the folder (and its parents) when it does not exist.

    Returns
    -------
    pathlib.Path
        ``COURSE_DATA_DIR`` when set, otherwise the operating system's per-user cache folder
        (for example ``~/.cache/fmri-group-course`` on Linux).

    Examples
    --------
    >>> import os
    >>> os.environ["COURSE_DATA_DIR"] = "/tmp/my-course-data"
    >>> data_dir().as_posix()
    '/tmp/my-course-data'
    >>> del os.environ["COURSE_DATA_DIR"]
    >>> data_dir().name
    'fmri-group-course'
    """
    path = _env_path("COURSE_DATA_DIR")
    if path is None:
        import pooch

        path = Path(pooch.os_cache(APP_NAME))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def output_dir(create: bool = False) -> Path:
    """Return the folder where notebooks write their results.

    Parameters
    ----------
    create : bool, default False
        Create the folder (and its parents) when it does not exist.

    Returns
    -------
    pathlib.Path
        ``COURSE_OUTPUT_DIR`` when set, otherwise ``~/fmri_course_outputs``.

    Examples
    --------
    >>> import os
    >>> os.environ["COURSE_OUTPUT_DIR"] = "/tmp/my-results"
    >>> output_dir().as_posix()
    '/tmp/my-results'
    >>> del os.environ["COURSE_OUTPUT_DIR"]
    >>> output_dir().name
    'fmri_course_outputs'
    """
    path = _env_path("COURSE_OUTPUT_DIR")
    if path is None:
        path = Path.home() / "fmri_course_outputs"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def paths_report() -> pd.DataFrame:
    """Tabulate every folder the course uses, where it comes from, and whether it exists.

    Returns
    -------
    pandas.DataFrame
        One row per folder with columns ``folder``, ``path``, ``set_by`` and ``exists``.

    Examples
    --------
    >>> list(paths_report().columns)
    ['folder', 'path', 'set_by', 'exists']
    """
    shared = shared_data_dir()
    rows = [
        ("shared data (read-only)", shared, "COURSE_SHARED_DATA"),
        ("data cache", data_dir(), "COURSE_DATA_DIR"),
        ("outputs", output_dir(), "COURSE_OUTPUT_DIR"),
    ]
    return pd.DataFrame(
        [
            {
                "folder": name,
                "path": "(not configured)" if path is None else str(path),
                "set_by": var if os.environ.get(var) else "default",
                "exists": bool(path is not None and path.exists()),
            }
            for name, path, var in rows
        ]
    )


def _pinned_versions(lock_file: Path) -> dict[str, str]:
    pins = {}
    for line in lock_file.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def find_lock_file() -> Path | None:
    """Return the repository's ``constraints.txt`` when the package runs from a checkout.

    Returns
    -------
    pathlib.Path or None
        The lock file next to the package's source folder, or None for an installed copy.

    Examples
    --------
    >>> path = find_lock_file()
    >>> path is None or path.name == "constraints.txt"
    True
    """
    candidate = Path(__file__).resolve().parent.parent / "constraints.txt"
    return candidate if candidate.is_file() else None


def check_environment(packages: tuple[str, ...] = CORE_PACKAGES) -> pd.DataFrame:
    """Compare installed package versions with the versions the course was tested with.

    Parameters
    ----------
    packages : tuple of str
        Distribution names to report.

    Returns
    -------
    pandas.DataFrame
        One row per package with ``installed`` and ``tested`` versions and ``status``: ``ok``,
        ``different version`` (it may still work; the course was tested with ``tested``),
        ``missing`` or ``unknown`` (no lock file to compare with).

    Examples
    --------
    >>> report = check_environment(("numpy",))
    >>> report.loc[0, "package"]
    'numpy'
    >>> report.loc[0, "status"] in {"ok", "different version", "unknown"}
    True
    """
    lock = find_lock_file()
    pins = _pinned_versions(lock) if lock else {}
    rows = []
    for name in packages:
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        tested = pins.get(_normalise(name))
        if installed is None:
            status = "missing"
        elif tested is None:
            status = "unknown"
        elif installed == tested:
            status = "ok"
        else:
            status = "different version"
        rows.append({"package": name, "installed": installed, "tested": tested, "status": status})
    return pd.DataFrame(rows)


def install_lab_settings(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Make JupyterLab open the course's ``.md`` notebooks as notebooks on a double click.

    Writes (or merges into) ``{prefix}/share/jupyter/lab/settings/overrides.json``, the file
    JupyterLab reads for environment-wide default settings. Settings already in the file are
    kept (merged key by key); only :data:`LAB_OVERRIDES` is written: the default viewers for
    Markdown and MyST files, and no news pop-up.

    Parameters
    ----------
    prefix : path-like, optional
        Environment prefix; defaults to ``sys.prefix`` (the running environment).

    Returns
    -------
    pathlib.Path
        The overrides file that was written.

    Examples
    --------
    >>> import json, tempfile
    >>> path = install_lab_settings(tempfile.mkdtemp())
    >>> settings = json.loads(path.read_text())
    >>> settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    {'markdown': 'Jupytext Notebook', 'myst': 'Jupytext Notebook'}
    >>> settings["@jupyterlab/apputils-extension:notification"]
    {'fetchNews': 'false'}
    """
    root = Path(sys.prefix if prefix is None else prefix)
    path = root / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings: dict = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text() or "{}")
        except json.JSONDecodeError as err:
            raise ValueError(
                f"{path} is not valid JSON ({err}); fix or remove it, then run this again."
            ) from None
    settings = _merge(settings, LAB_OVERRIDES)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(settings, indent=2) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m course_utils.config [paths | check | lab-settings |
    launch-link]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_utils.config", description=__doc__)
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
        print(nbgitpuller_link(args.hub, args.repo, args.path, args.branch))
        return 0
    with pd.option_context("display.width", 120, "display.max_colwidth", 80):
        if args.command == "paths":
            print(paths_report().to_string(index=False))
        elif args.command == "check":
            print(check_environment().to_string(index=False))
        else:
            print(
                f"JupyterLab settings (.md opens as a notebook, no news pop-up) in "
                f"{install_lab_settings()}"
            )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
