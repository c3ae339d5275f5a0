"""The data cache's files: arrays written atomically, read back or ignored when unreadable.

Masked arrays of the stand-in and of real copies, and resampled brain masks, are cached in the
user's data folder (``COURSE_DATA_DIR``) so the next load is fast. A cache is only ever a
shortcut: a file that cannot be written or read is skipped (the arrays are computed again), and
a write never leaves half a file (:func:`course_utils._utils.atomic_write`).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from course_utils._utils import atomic_write


def save_npz(path: str | os.PathLike[str], **arrays: np.ndarray) -> bool:
    """Write arrays to an ``.npz`` file atomically; warn instead of failing when not writable.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file (its folders are created).
    **arrays : numpy.ndarray
        The arrays, by name.

    Returns
    -------
    bool
        True when written, False (with a warning) when the folder is not writable.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a" / "x.npz"
    >>> save_npz(path, values=np.arange(3))
    True
    >>> load_npz(path, "values")["values"].tolist()
    [0, 1, 2]
    """
    path = Path(path)

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    try:
        atomic_write(path, write)
    except OSError as err:
        warnings.warn(
            f"Could not cache {path.name} in {path.parent} ({err}); "
            "set COURSE_DATA_DIR to a writable folder to make the next load faster.",
            stacklevel=3,
        )
        return False
    return True


def save_npy(path: str | os.PathLike[str], array: np.ndarray) -> bool:
    """Write one array atomically as ``.npy`` (to be memory-mapped); False when not writable.

    Parameters
    ----------
    path : path-like
        The ``.npy`` file (its folders are created).
    array : numpy.ndarray
        Written C-contiguous.

    Returns
    -------
    bool
        True when written, False when the folder is not writable (silently: the caller keeps
        the array in memory).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "v.npy"
    >>> save_npy(path, np.ones((2, 2), "float32"))
    True
    >>> np.load(path, mmap_mode="r").shape
    (2, 2)
    """

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.save(handle, np.ascontiguousarray(array))

    try:
        atomic_write(path, write)
    except OSError:
        return False
    return True


def load_npz(path: str | os.PathLike[str], *keys: str) -> dict[str, np.ndarray] | None:
    """The named arrays of a cached ``.npz`` file, or None when it is absent or unreadable.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file.
    *keys : str
        The arrays to read (each read whole into memory).

    Returns
    -------
    dict of str to numpy.ndarray or None
        None when the file does not exist, is damaged or lacks one of ``keys``.

    Examples
    --------
    >>> import tempfile
    >>> load_npz(Path(tempfile.mkdtemp()) / "absent.npz", "values") is None
    True
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in keys}
    except (OSError, ValueError, KeyError):
        return None
