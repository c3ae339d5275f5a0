"""The folders the course reads data from and writes outputs to.

Every folder the course uses comes from this module, so that no notebook holds a personal or
hard-coded path. Each folder has an environment-variable override:

===========================  ===============================================================
``COURSE_SHARED_DATA``       read-only folder with the data, shared by everyone on a hub
``COURSE_DATA_DIR``          the user's own data cache (downloads and cached arrays)
``COURSE_OUTPUT_DIR``        where notebooks write result maps and tables
===========================  ===============================================================

Defaults are per-user folders: the operating system's cache folder for data, and
``~/fmri_course_outputs`` for outputs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["APP_NAME", "data_dir", "output_dir", "paths_report", "shared_data_dir"]

#: Name of the course's folder in the operating system's per-user cache folder.
APP_NAME = "fmri-group-course"


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
    >>> saved = os.environ.pop("COURSE_DATA_DIR", None)
    >>> os.environ["COURSE_DATA_DIR"] = "/tmp/my-course-data"
    >>> data_dir().as_posix()
    '/tmp/my-course-data'
    >>> del os.environ["COURSE_DATA_DIR"]
    >>> data_dir().name
    'fmri-group-course'
    >>> if saved is not None:
    ...     os.environ["COURSE_DATA_DIR"] = saved
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
    >>> saved = os.environ.pop("COURSE_OUTPUT_DIR", None)
    >>> os.environ["COURSE_OUTPUT_DIR"] = "/tmp/my-results"
    >>> output_dir().as_posix()
    '/tmp/my-results'
    >>> del os.environ["COURSE_OUTPUT_DIR"]
    >>> output_dir().name
    'fmri_course_outputs'
    >>> if saved is not None:
    ...     os.environ["COURSE_OUTPUT_DIR"] = saved
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
