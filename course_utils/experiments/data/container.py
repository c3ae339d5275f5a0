"""The dataset container (:class:`LocalizerData`), masking images into arrays and back, grids.

The group analyses in this course never keep a stack of full 3D volumes in memory. Each image is
read once, the voxels inside the analysis mask are kept as float32, and results are put back into
an image only to plot or save them:

- :func:`mask_images` reads images into a ``(n_images, n_voxels)`` float32 array;
- :func:`unmask` puts one or more rows back into NIfTI images on the mask's grid;
- :func:`brain_mask` is nilearn's MNI152 brain mask on a given grid (cached).

Both refuse images whose grid (shape or affine) differs from the mask's, rather than mixing voxels
that are not the same place in the brain.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import nibabel as nib
import numpy as np
import pandas as pd

from course_utils import config
from course_utils.experiments.data.manifest import (
    LOCALIZER_AFFINE,
    LOCALIZER_SHAPE,
    _as_weights,
    check_names,
)

if TYPE_CHECKING:  # the stand-in's ground truth; imported for type hints only
    from course_utils.experiments.data.standin import GroundTruth


ImageLike = str | os.PathLike[str] | nib.spatialimages.SpatialImage


def _load(img: ImageLike) -> nib.spatialimages.SpatialImage:
    if isinstance(img, nib.spatialimages.SpatialImage):
        return img
    path = os.fspath(img)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No image at {path!r}: check the file name and folder.")
    return nib.load(path)


def _describe(img: ImageLike, index: int) -> str:
    if isinstance(img, str | os.PathLike):
        return f"image {index} ({os.path.basename(os.fspath(img))})"
    return f"image {index}"


def check_same_grid(
    img: ImageLike, mask_img: ImageLike, what: str = "the image", atol: float = 1e-3
) -> None:
    """Raise ValueError unless ``img`` lies on the same voxel grid as ``mask_img``.

    Parameters
    ----------
    img, mask_img : str, path or nibabel image
        The image to check and the reference (usually the analysis mask).
    what : str
        How to name ``img`` in the error message.
    atol : float
        Tolerance on the affines, in millimetres.

    Raises
    ------
    ValueError
        When the 3D shapes or the affines differ; the message says how to resample.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> a = nib.Nifti1Image(np.zeros((4, 4, 4), "float32"), np.eye(4))
    >>> b = nib.Nifti1Image(np.zeros((4, 4, 4), "float32"), np.diag([2, 2, 2, 1]))
    >>> check_same_grid(a, a)
    >>> check_same_grid(b, a, what="subject S01")
    Traceback (most recent call last):
    ...
    ValueError: subject S01 has a different affine from the mask ...
    """
    img, mask_img = _load(img), _load(mask_img)
    shape, ref_shape = img.shape[:3], mask_img.shape[:3]
    fix = (
        "Resample it on purpose first, e.g. nilearn.image.resample_to_img(img, mask_img, "
        "interpolation='continuous'), so that every voxel means the same place in the brain."
    )
    if shape != ref_shape:
        raise ValueError(f"{what} has shape {shape} but the mask has shape {ref_shape}. {fix}")
    if not np.allclose(img.affine, mask_img.affine, atol=atol):
        raise ValueError(
            f"{what} has a different affine from the mask (voxel-to-world mapping):\n"
            f"{np.round(img.affine, 3)}\nvs\n{np.round(mask_img.affine, 3)}.\n{fix}"
        )


def mask_images(
    imgs: Sequence[ImageLike] | ImageLike, mask_img: ImageLike, dtype: np.dtype | type = np.float32
) -> np.ndarray:
    """Read images and keep the voxels inside a mask, as a ``(n_images, n_voxels)`` array.

    Images are read one at a time, so the peak memory is one volume plus the result. A 4D image
    counts as one image per volume.

    Parameters
    ----------
    imgs : sequence of str, path or nibabel image, or one image
        3D images (or 4D images) on the mask's grid.
    mask_img : str, path or nibabel image
        Analysis mask; voxels with a non-zero value are kept, in C order.
    dtype : numpy dtype, default float32
        Storage type of the result.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n_images, n_voxels)``.

    Raises
    ------
    ValueError
        When an image is not on the mask's grid (see :func:`check_same_grid`).

    See Also
    --------
    unmask : the inverse, rows back to images.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> mask = nib.Nifti1Image(np.pad(np.ones((2, 2, 2), "uint8"), 1), np.eye(4))
    >>> imgs = [nib.Nifti1Image(np.full((4, 4, 4), k, "float32"), np.eye(4)) for k in (1, 2, 3)]
    >>> Y = mask_images(imgs, mask)
    >>> Y.shape, Y.dtype, Y[:, 0]
    ((3, 8), dtype('float32'), array([1., 2., 3.], dtype=float32))
    """
    mask_img = _load(mask_img)
    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    if mask.ndim != 3:
        raise ValueError(f"The mask must be a 3D image; it has shape {mask.shape}.")
    if isinstance(imgs, str | os.PathLike | nib.spatialimages.SpatialImage):
        imgs = [imgs]
    loaded = [_load(item) for item in imgs]  # headers only: voxel data is read below, one by one
    if not loaded:
        raise ValueError("No images given: pass a list of image files or images.")
    n_rows = 0
    for index, (item, img) in enumerate(zip(imgs, loaded, strict=True)):
        check_same_grid(img, mask_img, what=_describe(item, index))
        if len(img.shape) not in (3, 4):
            raise ValueError(
                f"{_describe(item, index)} has {len(img.shape)} dimensions; expected 3 or 4."
            )
        n_rows += 1 if len(img.shape) == 3 else img.shape[3]
    # Flat indices and np.take are several times faster than boolean indexing of each volume.
    flat = np.flatnonzero(mask)
    out = np.empty((n_rows, flat.size), dtype=dtype)
    row = 0
    for img in loaded:
        data = np.asanyarray(img.dataobj)
        if data.ndim == 3:
            out[row] = np.take(data.reshape(-1), flat)
            row += 1
        else:
            volumes = data.reshape(-1, data.shape[3])
            out[row : row + data.shape[3]] = np.take(volumes, flat, axis=0).T
            row += data.shape[3]
    return out


def unmask(
    values: np.ndarray | Iterable[float], mask_img: ImageLike, fill: float = 0.0
) -> nib.Nifti1Image:
    """Put masked values back into a NIfTI image on the mask's grid.

    Parameters
    ----------
    values : array-like, shape (n_voxels,) or (n_maps, n_voxels)
        One map (3D result) or several maps (4D result), in the order :func:`mask_images` uses.
    mask_img : str, path or nibabel image
        The mask the values were taken from.
    fill : float, default 0.0
        Value outside the mask (use ``np.nan`` to mark "not analysed").

    Returns
    -------
    nibabel.Nifti1Image
        float32 image with the mask's affine.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> mask = nib.Nifti1Image(np.pad(np.ones((2, 2, 2), "uint8"), 1), np.eye(4))
    >>> img = unmask(np.arange(8), mask)
    >>> img.shape, float(img.get_fdata().sum())
    ((4, 4, 4), 28.0)
    >>> np.array_equal(mask_images(img, mask)[0], np.arange(8))
    True
    """
    mask_img = _load(mask_img)
    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    values = np.asarray(values)
    n_voxels = int(mask.sum())
    if values.shape[-1] != n_voxels:
        raise ValueError(
            f"values have {values.shape[-1]} voxels in their last axis but the mask has "
            f"{n_voxels}: were they masked with a different mask?"
        )
    if values.ndim == 1:
        out = np.full(mask.shape, fill, dtype=np.float32)
        out[mask] = values
    elif values.ndim == 2:
        out = np.full(mask.shape + (values.shape[0],), fill, dtype=np.float32)
        out[mask] = values.T
    else:
        raise ValueError(f"values must be 1D or 2D; got shape {values.shape}.")
    header = nib.Nifti1Header()
    header.set_data_dtype(np.float32)
    return nib.Nifti1Image(out, mask_img.affine, header)


def _grid_mask(shape: tuple[int, ...], affine: np.ndarray) -> np.ndarray:
    """nilearn's MNI152 brain mask resampled (nearest neighbour) to a grid: bool volume."""
    from nilearn.datasets import load_mni152_brain_mask
    from nilearn.image import resample_img

    mni = load_mni152_brain_mask(resolution=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = resample_img(
            mni,
            target_affine=affine,
            target_shape=shape,
            interpolation="nearest",
            force_resample=True,
            copy_header=True,
        )
    return np.asanyarray(out.dataobj).astype(bool)


@lru_cache(maxsize=8)
def _mask_for_grid(
    shape: tuple[int, ...], affine_key: tuple[float, ...], folder: str | None
) -> nib.Nifti1Image:
    affine = np.array(affine_key).reshape(4, 4)
    name = (
        "x".join(map(str, shape))
        + "_"
        + hashlib.sha256(np.asarray(affine_key).tobytes()).hexdigest()[:10]
    )
    cached = None if folder is None else Path(folder) / "grid" / f"mni_brain_mask_v1_{name}.npz"
    mask = None
    if cached is not None and cached.is_file():
        try:
            with np.load(cached, allow_pickle=False) as npz:
                mask = npz["mask"]
        except (OSError, ValueError, KeyError):
            mask = None
    if mask is None or mask.shape != tuple(shape):
        mask = _grid_mask(tuple(shape), affine)
        if cached is not None:
            _save_npz(cached, mask=mask)
    return nib.Nifti1Image(mask.astype(np.uint8), affine)


def brain_mask(
    shape: Sequence[int] = LOCALIZER_SHAPE,
    affine: np.ndarray = LOCALIZER_AFFINE,
    cache: bool = True,
) -> nib.Nifti1Image:
    """Return nilearn's MNI152 brain mask resampled (nearest neighbour) to a voxel grid.

    The result is cached in the data folder, so only the first call reads the template.

    Parameters
    ----------
    shape : sequence of 3 int, default the Localizer grid (53, 63, 46)
    affine : (4, 4) array, default the Localizer affine (3 mm, x from right to left)
    cache : bool, default True
        Keep the resampled mask in the data cache (``COURSE_DATA_DIR``).

    Returns
    -------
    nibabel.Nifti1Image
        uint8 mask on that grid (about 67,000 voxels on the Localizer grid).

    Examples
    --------
    >>> mask = brain_mask(cache=False)
    >>> mask.shape, 60_000 < int(mask.get_fdata().sum()) < 75_000
    ((53, 63, 46), True)
    """
    affine = np.asarray(affine, dtype=np.float64)
    folder = str(config.data_dir()) if cache else None
    return _mask_for_grid(tuple(int(n) for n in shape[:3]), tuple(affine.ravel().tolist()), folder)


def _save_npy(path: Path, array: np.ndarray) -> bool:
    """Write one array atomically as ``.npy`` (to be memory-mapped); False when not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npy")
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, np.ascontiguousarray(array))
        os.replace(tmp, path)
        return True
    except OSError:
        return False


def _save_npz(path: Path, **arrays) -> bool:
    """Write arrays atomically; return False (and warn) when the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
        return True
    except OSError as err:
        warnings.warn(
            f"Could not cache {path.name} in {path.parent} ({err}); "
            "set COURSE_DATA_DIR to a writable folder to make the next load faster.",
            stacklevel=3,
        )
        return False


@dataclass(eq=False)
class LocalizerData:
    """Per-subject, per-condition maps of the Localizer (real or stand-in), masked.

    Attributes
    ----------
    maps : pandas.DataFrame
        One row per subject and condition: ``subject``, ``condition``, ``image`` (file, or None
        for generated maps), ``tmap`` (file or None), ``row`` (row of :meth:`array`) and
        ``has_variance``.
    participants : pandas.DataFrame
        One row per subject, in the order of :attr:`subjects`: ``subject``, then what the source
        knows: ``sex`` ('F'/'M') and ``age`` for the stand-in; also ``site``, ``language`` and
        the behavioural scores for the nilearn copy; nothing more for a copy without a
        participant table. A covariate the source lacks is an absent column, never a column of
        missing values (see :meth:`covariates`).
    mask_img : nibabel.Nifti1Image
        The analysis mask; columns of :meth:`array` are its voxels in C order.
    source : str
        Label for figure titles (see ``plotting.source_title``).
    is_synthetic : bool
    truth : GroundTruth or None
        Ground truth of the stand-in; None for real data.
    """

    maps: pd.DataFrame
    participants: pd.DataFrame
    mask_img: nib.Nifti1Image
    source: str
    is_synthetic: bool
    truth: GroundTruth | None = None
    _values: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _variances: dict[str, np.ndarray | None] = field(default_factory=dict, repr=False)
    _variance_columns: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_arrays(
        cls,
        values: Mapping[str, np.ndarray],
        subjects: Sequence[str],
        participants: pd.DataFrame,
        mask_img: nib.Nifti1Image,
        source: str,
        is_synthetic: bool,
        truth: GroundTruth | None = None,
        variances: Mapping[str, np.ndarray | None] | None = None,
        subject_variances: Mapping[str, np.ndarray] | None = None,
        variance_columns: np.ndarray | None = None,
        images: Mapping[str, Sequence[str | None]] | None = None,
        tmaps: Mapping[str, Sequence[str | None]] | None = None,
    ) -> LocalizerData:
        """Assemble from ``{condition: (n_subjects, n_voxels)}`` arrays (rows in ``subjects``).

        ``variances`` gives full variance arrays per condition (they may be memory-mapped);
        ``subject_variances`` one value per subject (uniform over voxels), expanded on demand by
        :meth:`variance`. ``variance_columns`` selects the columns of ``variances`` that match
        the voxels of ``values`` (when voxels were dropped after the variances were stored).
        """
        subjects = [str(s) for s in subjects]
        rows = []
        stored_var: dict[str, np.ndarray | None] = {}
        for condition, array in values.items():
            if array.shape[0] != len(subjects):
                raise ValueError(
                    f"{condition}: {array.shape[0]} rows for {len(subjects)} subjects."
                )
            var = None
            if variances is not None and variances.get(condition) is not None:
                var = variances[condition]
            elif subject_variances is not None and condition in subject_variances:
                var = np.asarray(subject_variances[condition], dtype=np.float64)
            stored_var[condition] = var
            for k, subject in enumerate(subjects):
                rows.append(
                    {
                        "subject": subject,
                        "condition": condition,
                        "image": None if images is None else images[condition][k],
                        "tmap": None if tmaps is None else tmaps[condition][k],
                        "row": k,
                        "has_variance": var is not None,
                    }
                )
        participants = participants.set_index("subject").reindex(subjects).reset_index()
        return cls(
            maps=pd.DataFrame(rows),
            participants=participants,
            mask_img=mask_img,
            source=source,
            is_synthetic=is_synthetic,
            truth=truth,
            _values=dict(values),
            _variances=stored_var,
            _variance_columns=variance_columns,
        )

    @property
    def subjects(self) -> list[str]:
        """Subject IDs, in the row order of :meth:`array`."""
        return list(self.participants["subject"])

    @property
    def conditions(self) -> list[str]:
        """Conditions loaded."""
        return list(self._values)

    @property
    def affine(self) -> np.ndarray:
        """Voxel-to-MNI affine of the maps."""
        return self.mask_img.affine

    @property
    def n_voxels(self) -> int:
        """Number of voxels in the mask (columns of :meth:`array`)."""
        return int(next(iter(self._values.values())).shape[1])

    def _rows(self, subjects: Sequence[str] | str | None) -> np.ndarray | None:
        if subjects is None:
            return None
        names = check_names(subjects, self.subjects, "subject")
        index = {s: k for k, s in enumerate(self.subjects)}
        return np.array([index[s] for s in names], dtype=np.intp)

    def array(self, condition: str, subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """Maps of one condition as a float32 ``(n_subjects, n_voxels)`` array.

        Parameters
        ----------
        condition : str
        subjects : sequence of str, optional
            Subjects, in the order wanted; default :attr:`subjects`.

        Returns
        -------
        numpy.ndarray
            float32; rows in the order of ``subjects`` (do not modify in place: it may be
            shared with later calls).

        Raises
        ------
        ValueError
            For an unknown condition or subject (the message suggests the closest name).
        """
        check_names(condition, self.conditions, "condition")
        rows = self._rows(subjects)
        values = self._values[condition]
        return values if rows is None else values[rows]

    def variance(self, condition: str, subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """First-level variances of one condition, float32 ``(n_subjects, n_voxels)``.

        Raises
        ------
        ValueError
            For an unknown name, or when the source has no first-level variances.
        """
        check_names(condition, self.conditions, "condition")
        var = self._variances.get(condition)
        if var is None:
            raise ValueError(
                f"{self.source} has no first-level variances for {condition!r} "
                "(no t-maps): use a method that needs only the maps."
            )
        rows = self._rows(subjects)
        if var.ndim == 1:  # one value per subject, the same in every voxel
            picked = var if rows is None else var[rows]
            return np.repeat(picked.astype(np.float32)[:, None], self.n_voxels, axis=1)
        picked = var if rows is None else var[rows]
        if self._variance_columns is not None:
            picked = picked[:, self._variance_columns]
        return np.asarray(picked, dtype=np.float32)

    def covariates(
        self, *names: str, purpose: str = "this analysis", verbose: bool = True
    ) -> pd.DataFrame | None:
        """The named covariates of the subjects that have all of them, or None if the source
        has none.

        Real tables are incomplete: the nilearn copy lacks the age of 4 of its 94 subjects,
        and the DartBrains copy has no participant table at all. A model with covariates can
        only use the subjects whose values are all known (complete cases).

        Parameters
        ----------
        *names : str
            Column names of :attr:`participants`, e.g. ``"age", "sex"``.
        purpose : str
            What the covariates are for, to name in the message.
        verbose : bool, default True
            Print one sentence when subjects are dropped or the covariates are absent.

        Returns
        -------
        pandas.DataFrame or None
            Indexed by subject (complete cases, in :attr:`subjects` order), one column per
            name; None when a covariate is absent from the source or no subject has them all.

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["S1", "S2", "S3"], "age": [20, None, 31]})
        >>> ds = LocalizerData.from_arrays({"x": np.zeros((3, 2), "float32")}, people["subject"],
        ...                                people, mask, "demo", False)
        >>> ds.covariates("age", purpose="the age model")
        S2 has no age: the age model uses the other 2 subjects.
                 age
        subject
        S1      20.0
        S3      31.0
        >>> ds.covariates("age", "sex", purpose="the age model") is None
        demo has no sex for its subjects, so the age model is skipped (it runs on the
        nilearn copy of the Localizer and on the stand-in).
        True
        """
        if not names:
            raise ValueError("Name at least one covariate, e.g. covariates('age', 'sex').")
        absent = [name for name in names if name not in self.participants.columns]
        if absent:
            if verbose:
                print(
                    f"{self.source} has no {' or '.join(absent)} for its subjects, so "
                    f"{purpose} is skipped (it runs on the nilearn copy of the Localizer and "
                    "on the stand-in)."
                )
            return None
        table = self.participants.set_index("subject")[list(names)]
        complete = table.notna().all(axis=1)
        if verbose and not complete.all():
            lacking = list(table.index[~complete])
            shown = ", ".join(lacking[:6]) + (", ..." if len(lacking) > 6 else "")
            missing = " or ".join(n for n in names if table.loc[lacking, n].isna().any())
            verb = "has" if len(lacking) == 1 else "have"
            print(
                f"{shown} {verb} no {missing}: {purpose} uses the other "
                f"{int(complete.sum())} subjects."
            )
        if not complete.any():
            return None
        return table[complete]

    def contrast(
        self, weights: Mapping[str, float], subjects: Sequence[str] | str | None = None
    ) -> np.ndarray:
        """Each subject's contrast map ``sum_c w_c * array(c)`` (float32; sums in float64)."""
        weights = _as_weights(weights, self.conditions)
        out = None
        for condition, w in weights.items():
            term = w * self.array(condition, subjects).astype(np.float64)
            out = term if out is None else out + term
        return out.astype(np.float32)

    def to_image(self, values: np.ndarray) -> nib.Nifti1Image:
        """Put one map (n_voxels,) or several (n_maps, n_voxels) back on the brain grid."""
        return unmask(values, self.mask_img)

    def __repr__(self) -> str:
        return (
            f"LocalizerData({self.source!r}: {len(self.subjects)} subjects x "
            f"{len(self.conditions)} conditions x {self.n_voxels} voxels)"
        )
