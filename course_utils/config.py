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

#: JupyterLab setting that makes a double click on a ``.md`` notebook open it as a notebook.
LAB_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    }
}


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
        rows.append(
            {"package": name, "installed": installed, "tested": tested, "status": status}
        )
    return pd.DataFrame(rows)


def install_lab_settings(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Make JupyterLab open the course's ``.md`` notebooks as notebooks on a double click.

    Writes (or merges into) ``{prefix}/share/jupyter/lab/settings/overrides.json``, the file
    JupyterLab reads for environment-wide default settings. Settings already in the file are
    kept; only the default viewers for Markdown and MyST files are set.

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
    >>> json.loads(path.read_text())["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    {'markdown': 'Jupytext Notebook', 'myst': 'Jupytext Notebook'}
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
    for plugin, values in LAB_OVERRIDES.items():
        merged = dict(settings.get(plugin, {}))
        viewers = dict(merged.get("defaultViewers", {}))
        viewers.update(values["defaultViewers"])
        merged["defaultViewers"] = viewers
        settings[plugin] = merged
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(settings, indent=2) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m course_utils.config [paths | check | lab-settings]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_utils.config", description=__doc__)
    parser.add_argument("command", choices=["paths", "check", "lab-settings"], nargs="?",
                        default="paths")
    args = parser.parse_args(argv)
    with pd.option_context("display.width", 120, "display.max_colwidth", 80):
        if args.command == "paths":
            print(paths_report().to_string(index=False))
        elif args.command == "check":
            print(check_environment().to_string(index=False))
        else:
            print(f"JupyterLab default viewers set in {install_lab_settings()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
