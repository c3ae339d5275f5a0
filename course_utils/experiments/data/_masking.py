"""Masking images into ``subjects x voxels`` arrays and back, grids, and the brain mask.

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
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import nibabel as nib
import numpy as np

from course_utils._utils import mask_array
from course_utils.config import paths
from course_utils.experiments.data._cache import load_npz, save_npz
from course_utils.experiments.data._manifest import LOCALIZER_AFFINE, LOCALIZER_SHAPE

#: What the masking functions accept as an image: a file name, a path or a nibabel image.
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
    img: ImageLike, *, mask_img: ImageLike, what: str = "the image", atol: float = 1e-3
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

    Returns
    -------
    None
        Nothing: the check passes silently.

    Raises
    ------
    ValueError
        When the 3D shapes or the affines differ; the message says how to resample.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> a = nib.Nifti1Image(np.zeros((4, 4, 4), "float32"), np.eye(4))
    >>> b = nib.Nifti1Image(np.zeros((4, 4, 4), "float32"), np.diag([2, 2, 2, 1]))
    >>> check_same_grid(a, mask_img=a)
    >>> check_same_grid(b, mask_img=a, what="subject S01")
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
    imgs: Sequence[ImageLike] | ImageLike,
    *,
    mask_img: ImageLike,
    dtype: np.dtype | type = np.float32,
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
    >>> Y = mask_images(imgs, mask_img=mask)
    >>> Y.shape, Y.dtype, Y[:, 0]
    ((3, 8), dtype('float32'), array([1., 2., 3.], dtype=float32))
    """
    mask_img = _load(mask_img)
    mask = mask_array(mask_img)
    if isinstance(imgs, str | os.PathLike | nib.spatialimages.SpatialImage):
        imgs = [imgs]
    loaded = [_load(item) for item in imgs]  # headers only: voxel data is read below, one by one
    if not loaded:
        raise ValueError("No images given: pass a list of image files or images.")
    n_rows = 0
    for index, (item, img) in enumerate(zip(imgs, loaded, strict=True)):
        check_same_grid(img, mask_img=mask_img, what=_describe(item, index))
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
    values: np.ndarray | Iterable[float], *, mask_img: ImageLike, fill: float = 0.0
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
    >>> img = unmask(np.arange(8), mask_img=mask)
    >>> img.shape, float(img.get_fdata().sum())
    ((4, 4, 4), 28.0)
    >>> np.array_equal(mask_images(img, mask_img=mask)[0], np.arange(8))
    True
    """
    mask_img = _load(mask_img)
    mask = mask_array(mask_img)
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
    return mask_array(out)


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
    stored = None if cached is None else load_npz(cached, "mask")
    mask = None if stored is None else stored["mask"]
    if mask is None or mask.shape != tuple(shape):
        mask = _grid_mask(tuple(shape), affine)
        if cached is not None:
            save_npz(cached, mask=mask)
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
    folder = str(paths.data_dir()) if cache else None
    return _mask_for_grid(tuple(int(n) for n in shape[:3]), tuple(affine.ravel().tolist()), folder)
