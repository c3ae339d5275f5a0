"""Layer 1: the plumbing every other module shares (validation, seeds, masks, blocks, files).

One home for what used to be written in several modules: turning a seed into a generator,
checking ``alpha`` and contrasts, reading a 3D mask, the ``subjects x voxels`` array a test
takes, the voxel blocks that bound float64 temporaries, the one-sample t, and writing a file so
that a crash never leaves half of it. Nothing here imports another module of the package.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import nibabel as nib
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "CHUNK_VOXELS",
    "FACES",
    "as_design",
    "as_generator",
    "as_subjects_by_voxels",
    "atomic_write",
    "check_alpha",
    "check_contrast",
    "check_count",
    "check_positive",
    "load_mask",
    "mask_array",
    "one_sample_t",
    "voxel_blocks",
]

#: Voxels per block when a computation makes float64 temporaries of ``subjects x voxels``
#: float32 data: 16,384 voxels of 94 subjects are 12 MiB of float64.
CHUNK_VOXELS = 16_384

#: The 3 x 3 x 3 face-connectivity structure (a voxel and its 6 face neighbours) with which
#: clusters and TFCE extents are labelled: ``scipy.ndimage.generate_binary_structure(3, 1)``.
FACES = np.abs(np.indices((3, 3, 3)) - 1).sum(axis=0) <= 1
FACES.flags.writeable = False


def as_generator(seed: int | np.random.Generator, *, name: str = "seed") -> np.random.Generator:
    """The random generator of ``seed``: an int seed, or a generator used as it is.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        An int (``numpy.random.default_rng(seed)``) or a generator to draw from.
    name : str, default "seed"
        The argument's name, for the error message.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        ``seed`` is None, a bool or another type: results must repeat, so every generator is
        seeded.

    Examples
    --------
    >>> float(as_generator(0).random()) == float(np.random.default_rng(0).random())
    True
    >>> rng = np.random.default_rng(1)
    >>> as_generator(rng) is rng
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"{name} must be an int seed or a numpy.random.Generator; got {seed!r}. "
            f"Pass e.g. {name}=0, so that the result repeats."
        )
    return np.random.default_rng(int(seed))


def check_alpha(alpha: npt.ArrayLike, *, name: str = "alpha") -> np.ndarray:
    """``alpha`` as a float64 array (any shape), every value strictly between 0 and 1.

    Parameters
    ----------
    alpha : float or array-like
        Error rate(s).
    name : str, default "alpha"
        The argument's name, for the error message.

    Returns
    -------
    numpy.ndarray
        ``alpha`` as float64 (0-d for a number: ``float(check_alpha(a))`` gives the number).

    Raises
    ------
    ValueError
        A value is not a number in (0, 1).

    Examples
    --------
    >>> float(check_alpha(0.05))
    0.05
    >>> check_alpha([0.05, 0.01]).tolist()
    [0.05, 0.01]
    """
    try:
        values = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError):
        values = np.asarray(np.nan)
    if values.size == 0 or not np.all((values > 0) & (values < 1)):
        raise ValueError(f"{name} must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}.")
    return values


def as_design(X: pd.DataFrame | npt.ArrayLike) -> tuple[np.ndarray, tuple[str, ...]]:
    """A design matrix as a finite float64 2D array, with its column names.

    Parameters
    ----------
    X : pandas.DataFrame or array-like, shape (n,) or (n, k)
        The design: a DataFrame keeps its column names; an array's columns are named
        ``x0, x1, ...``; a vector is one column.

    Returns
    -------
    values : numpy.ndarray, shape (n, k)
    columns : tuple of str

    Raises
    ------
    ValueError
        Not 1D or 2D, or NaN or infinite values.

    Examples
    --------
    >>> values, columns = as_design([[1.0, 0.5], [1.0, -0.5]])
    >>> values.shape, columns
    ((2, 2), ('x0', 'x1'))
    """
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # a pandas DataFrame
        columns = tuple(str(c) for c in X.columns)
        values = X.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(X, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        columns = tuple(f"x{j}" for j in range(values.shape[1]) if values.ndim == 2)
    if values.ndim != 2:
        raise ValueError(f"The design X must be 2D (observations x columns); got {values.ndim}D.")
    if not np.isfinite(values).all():
        raise ValueError("The design X contains NaN or infinite values; fill or drop those rows.")
    return values, columns


def check_contrast(
    contrast: npt.ArrayLike, n_columns: int, *, columns: Sequence[str] | None = None
) -> np.ndarray:
    """A contrast vector as float64, checked against a design of ``n_columns`` columns.

    Parameters
    ----------
    contrast : array-like
        One weight per design column.
    n_columns : int
        Number of columns of the design.
    columns : sequence of str, optional
        The design's column names, to name them in the error message.

    Returns
    -------
    numpy.ndarray, shape (n_columns,)

    Raises
    ------
    ValueError
        Wrong length, a weight that is not finite, or all weights zero (such a contrast tests
        nothing: its t is 0 / 0).

    Examples
    --------
    >>> check_contrast([1, -1], 2).tolist()
    [1.0, -1.0]
    >>> check_contrast([0, 0], 2)
    Traceback (most recent call last):
    ...
    ValueError: The contrast [0. 0.] is all zeros: it tests nothing. Put a non-zero weight on \
the column(s) whose effect you want to test.
    """
    vector = np.asarray(contrast, dtype=np.float64)
    if vector.ndim != 1 or vector.size != n_columns:
        names = f" ({', '.join(map(str, columns))})" if columns is not None else ""
        raise ValueError(
            f"The contrast has {vector.size} weights but the design has {n_columns} "
            f"columns{names}: give one weight per column."
        )
    if not np.isfinite(vector).all():
        raise ValueError(f"The contrast {vector} has a weight that is not a finite number.")
    if not vector.any():
        raise ValueError(
            f"The contrast {vector} is all zeros: it tests nothing. Put a non-zero weight on "
            "the column(s) whose effect you want to test."
        )
    return vector


def check_positive(value: float, name: str, allow_zero: bool = False) -> float:
    """``value`` as a float, finite and > 0 (or >= 0 with ``allow_zero``).

    Parameters
    ----------
    value : float
        The number to check.
    name : str
        The argument's name, for the error message.
    allow_zero : bool, default False
        Accept 0 too.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``value`` is not finite, negative, or 0 without ``allow_zero``.

    Examples
    --------
    >>> check_positive(2, "t_r")
    2.0
    >>> check_positive(0.0, "sigma")
    Traceback (most recent call last):
    ...
    ValueError: sigma must be a finite number > 0; got 0.0.
    """
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}; got {value}.")
    return value


def check_count(value: int, name: str, minimum: int = 1) -> int:
    """``value`` as an int, an integer (not a bool) of at least ``minimum``.

    Parameters
    ----------
    value : int
        The count to check.
    name : str
        The argument's name, for the error message.
    minimum : int, default 1
        Smallest allowed value.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``value`` is not an integer or is below ``minimum``.

    Examples
    --------
    >>> check_count(np.int64(5), "n_tr")
    5
    >>> check_count(2.5, "n_trials")
    Traceback (most recent call last):
    ...
    ValueError: n_trials must be an integer >= 1; got 2.5.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def as_subjects_by_voxels(Y: npt.ArrayLike, *, min_subjects: int = 2) -> np.ndarray:
    """``Y`` as a finite ``(subjects, voxels)`` float array (float32 stays float32).

    Parameters
    ----------
    Y : array-like, shape (n_subjects,) or (n_subjects, n_voxels)
        One row per subject; a vector is one voxel.
    min_subjects : int, default 2
        Fewest rows the caller's test needs.

    Returns
    -------
    numpy.ndarray, shape (n_subjects, n_voxels)

    Raises
    ------
    ValueError
        Not 1D or 2D (a 3D/4D image must be masked first), too few subjects, no voxels, or NaN
        or infinite values (the message counts the voxels).

    Examples
    --------
    >>> as_subjects_by_voxels([1.0, 2.0, 3.0]).shape
    (3, 1)
    """
    data = np.asarray(Y)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise ValueError(
            f"Y must be (subjects, voxels); got shape {data.shape}. Mask 3D/4D "
            "images first (course_utils.experiments.data.mask_images)."
        )
    if data.shape[0] < min_subjects:
        raise ValueError(
            f"Y has {data.shape[0]} subjects; this needs at least {min_subjects} "
            "(rows are subjects, columns voxels)."
        )
    if data.shape[1] < 1:
        raise ValueError("Y has no voxels (0 columns).")
    if not np.issubdtype(data.dtype, np.floating):
        data = data.astype(np.float64)
    bad = np.zeros(data.shape[1], dtype=bool)
    for block in voxel_blocks(data.shape[1]):
        bad[block] = ~np.isfinite(data[:, block]).all(axis=0)
    if bad.any():
        raise ValueError(
            f"Y has NaN or infinite values in {int(bad.sum())} voxels; mask them out "
            "(or use a mask where every subject has data) before testing."
        )
    return data


def voxel_blocks(n_voxels: int, size: int = CHUNK_VOXELS) -> Iterator[slice]:
    """Consecutive slices of at most ``size`` voxels that cover ``range(n_voxels)``.

    Parameters
    ----------
    n_voxels : int
    size : int, default CHUNK_VOXELS

    Yields
    ------
    slice

    Examples
    --------
    >>> [(b.start, b.stop) for b in voxel_blocks(5, size=2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    if size < 1:
        raise ValueError(f"size must be at least 1; got {size}.")
    for start in range(0, int(n_voxels), int(size)):
        yield slice(start, min(start + int(size), int(n_voxels)))


def one_sample_t(Y: npt.ArrayLike, axis: int = 0) -> np.ndarray:
    """One-sample t statistics along ``axis`` (float64 sums; blocks of voxels for 2D data).

    ``t = mean / (sd / sqrt(n))`` with the sample standard deviation (``ddof=1``); a column
    without variance gives ``inf`` or ``nan`` (callers decide what that means for them).

    Parameters
    ----------
    Y : array-like
        The observations, ``n`` of them along ``axis`` (subjects in rows by default).
    axis : int, default 0
        The axis of the observations.

    Returns
    -------
    numpy.ndarray
        float64, the shape of ``Y`` without ``axis``.

    Examples
    --------
    >>> np.round(one_sample_t([[1.0, 2.0], [2.0, -1.0], [3.0, 0.5]]), 4).tolist()
    [3.4641, 0.5774]
    >>> np.round(one_sample_t([[1.0, 2.0, 3.0]], axis=1), 4).tolist()
    [3.4641]
    """
    values = np.asarray(Y)
    if values.ndim == 2 and axis == 0:
        t = np.empty(values.shape[1])
        for block in voxel_blocks(values.shape[1]):
            t[block] = _t(values[:, block].astype(np.float64), 0)
        return t
    return _t(values, axis)


def _t(values: np.ndarray, axis: int) -> np.ndarray:
    n = values.shape[axis]
    mean = values.mean(axis=axis, dtype=np.float64)
    sd = values.std(axis=axis, ddof=1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return mean / (sd / np.sqrt(n))


def mask_array(
    mask_img: nib.Nifti1Image | str | os.PathLike, *, purpose: str = "This"
) -> np.ndarray:
    """The boolean 3D array of a mask image (or a path to one): :func:`load_mask` without affine.

    Parameters
    ----------
    mask_img : nibabel image or path
        A 3D mask.
    purpose : str, default "This"
        Who needs the mask, for the error message (e.g. ``"TFCE"``).

    Returns
    -------
    numpy.ndarray of bool, 3D

    Raises
    ------
    ValueError
        No mask, not an image, or not 3D.

    Examples
    --------
    >>> import nibabel as nib
    >>> mask_array(nib.Nifti1Image(np.ones((2, 1, 1), dtype="uint8"), np.eye(4))).tolist()
    [[[True]], [[True]]]
    """
    return load_mask(mask_img, purpose=purpose)[0]


def load_mask(
    mask_img: nib.Nifti1Image | str | os.PathLike, *, purpose: str = "This"
) -> tuple[np.ndarray, np.ndarray]:
    """The boolean 3D array and the affine of a mask image, loaded first if given a path.

    Parameters
    ----------
    mask_img : nibabel image or path
        A 3D mask.
    purpose : str, default "This"
        Who needs the mask, for the error message (e.g. ``"TFCE"``).

    Returns
    -------
    mask : numpy.ndarray of bool, 3D
    affine : numpy.ndarray, shape (4, 4)
        Voxel indices to millimetres.

    Raises
    ------
    ValueError
        No mask, not an image, or not 3D.

    Examples
    --------
    >>> import nibabel as nib
    >>> mask, affine = load_mask(nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), 2 * np.eye(4)))
    >>> mask.shape, affine[0, 0]
    ((2, 1, 1), np.float64(2.0))
    """
    if mask_img is None:
        raise ValueError(
            f"{purpose} needs to know which voxels are neighbours: pass mask_img, the 3D "
            "mask the map's voxels were taken from (e.g. ds.mask_img)."
        )
    if isinstance(mask_img, str | os.PathLike):
        import nibabel as nib

        mask_img = nib.load(os.fspath(mask_img))
    if not hasattr(mask_img, "dataobj"):
        raise ValueError(
            "mask_img must be a NIfTI image (or a path to one): the 3D mask the map "
            f"was taken from; got {type(mask_img).__name__}."
        )
    mask = np.asarray(mask_img.dataobj)
    if mask.ndim != 3:
        raise ValueError(f"mask_img must be a 3D image; got shape {mask.shape}.")
    return mask.astype(bool), np.asarray(mask_img.affine, dtype=np.float64)


def atomic_write(
    path: str | os.PathLike, write: Callable[[str], object], *, suffix: str | None = None
) -> Path:
    """Write ``path`` through a temporary file in its folder, then rename it into place.

    A crash or an error while writing leaves the old file (or none), never half a file; the
    temporary file is removed. Parent folders are created.

    Parameters
    ----------
    path : str or os.PathLike
        Where the file goes.
    write : callable
        Called with the temporary file's path (a str) to write the content there.
    suffix : str, optional
        Ending of the temporary name (some writers choose the format by it, e.g. ``.nii.gz``);
        by default the ending of ``path``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write(folder / "a.txt", lambda tmp: Path(tmp).write_text("hi")).read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix is None:
        suffix = ".nii.gz" if path.name.endswith(".nii.gz") else path.suffix
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.part-", suffix=suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
