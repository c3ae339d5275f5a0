"""Null data for error-rate experiments: a small ellipsoidal brain, smooth noise maps and their
smoothness.

- :func:`ellipsoid_mask`: a small "brain" on its own grid, for fast null simulations;
- :func:`smooth_null_maps`: smooth Gaussian noise maps with no effect anywhere;
- :func:`estimate_fwhm`: the smoothness of such maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import nibabel as nib
import numpy as np
from scipy import ndimage

from course_utils._utils import as_generator, as_subjects_by_voxels, check_count, load_mask

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["ellipsoid_mask", "estimate_fwhm", "smooth_null_maps"]


def ellipsoid_mask(shape: Sequence[int] = (24, 28, 24), voxel_mm: float = 3.0) -> nib.Nifti1Image:
    """A small ellipsoidal "brain" mask on its own grid, for fast null simulations.

    The ellipsoid fills the box, one voxel short of each face: voxel ``ijk`` is inside when
    ``sum(((ijk - c) / (c - 1))**2) <= 1`` with ``c = (shape - 1) / 2``.

    Parameters
    ----------
    shape : sequence of 3 int, default (24, 28, 24)
        Grid size in voxels, each at least 4.
    voxel_mm : float, default 3.0
        Voxel size in millimetres (isotropic); the affine is ``diag(voxel_mm, ..., 1)``.

    Returns
    -------
    nibabel.Nifti1Image
        uint8 mask, 1 inside the ellipsoid.

    Raises
    ------
    ValueError
        When ``shape`` is not three sizes of at least 4 or ``voxel_mm`` is not positive.

    See Also
    --------
    smooth_null_maps : smooth Gaussian noise maps inside a mask.

    Examples
    --------
    >>> mask_img = ellipsoid_mask()
    >>> mask_img.shape, int(np.asarray(mask_img.dataobj).sum())
    ((24, 28, 24), 5688)
    """
    size = tuple(int(s) for s in shape)
    if len(size) != 3 or min(size) < 4:
        raise ValueError(f"shape must be three grid sizes of at least 4 voxels; got {shape!r}.")
    if not np.isfinite(voxel_mm) or voxel_mm <= 0:
        raise ValueError(f"voxel_mm must be a positive size in mm; got {voxel_mm!r}.")
    centre = (np.array(size) - 1) / 2
    ijk = np.indices(size).reshape(3, -1).T
    inside = (((ijk - centre) / (centre - 1)) ** 2).sum(axis=1).reshape(size) <= 1
    return nib.Nifti1Image(inside.astype(np.uint8), np.diag([float(voxel_mm)] * 3 + [1.0]))


def smooth_null_maps(
    n_subjects: int,
    *,
    mask_img: nib.Nifti1Image,
    fwhm_mm: float = 9.0,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """One null group data set: smooth Gaussian noise maps with no effect anywhere.

    White noise fills the mask's whole grid (so voxels at the edge of the mask are as smooth
    as the others), is smoothed in 3D by a Gaussian kernel of full width at half maximum
    ``fwhm_mm`` (``sigma = fwhm / sqrt(8 ln 2)``, in voxels along each axis), and the mask's
    voxels are kept, in the mask's C order (as :func:`course_utils.experiments.data.mask_images`
    orders
    them, so the result suits :func:`~course_utils.stats.inference.permutation_test` with
    ``mask_img``).

    Parameters
    ----------
    n_subjects : int
        Number of maps (rows), at least 1.
    mask_img : nibabel image
        3D mask, e.g. from :func:`ellipsoid_mask`; its affine gives the voxel size.
    fwhm_mm : float, default 9.0
        Smoothness of the noise in millimetres; 0 gives white noise.
    seed : int or numpy.random.Generator, default 0
        Seed or generator of the noise (a generator is advanced, so successive calls give
        independent data sets).

    Returns
    -------
    numpy.ndarray of float32, shape (n_subjects, n_mask_voxels)

    Raises
    ------
    ValueError
        When ``n_subjects < 1``, ``fwhm_mm < 0``, or the mask is not 3D or is empty.

    See Also
    --------
    estimate_fwhm : measure the smoothness of such maps.

    Examples
    --------
    >>> mask_img = ellipsoid_mask((10, 12, 10))
    >>> Y = smooth_null_maps(20, mask_img=mask_img, fwhm_mm=9.0, seed=0)
    >>> Y.shape, Y.dtype
    ((20, 208), dtype('float32'))
    >>> maps = smooth_null_maps(200, mask_img=mask_img)
    >>> float(np.round(estimate_fwhm(maps, mask_img=mask_img).mean()))
    9.0
    """
    check_count(n_subjects, "n_subjects")
    if not np.isfinite(fwhm_mm) or fwhm_mm < 0:
        raise ValueError(f"fwhm_mm must be a smoothness in mm, 0 or more; got {fwhm_mm!r}.")
    inside, sizes = _null_grid(mask_img)
    rng = as_generator(seed)
    white = rng.standard_normal((int(n_subjects), *inside.shape), dtype=np.float32)
    sigma = fwhm_mm / np.sqrt(8 * np.log(2)) / sizes  # per axis, in voxels
    return ndimage.gaussian_filter(white, sigma=(0, *sigma))[:, inside]


def estimate_fwhm(Y: npt.ArrayLike, *, mask_img: nib.Nifti1Image) -> np.ndarray:
    """Smoothness (FWHM in mm, per axis) of noise maps, from the correlation of neighbours.

    Each voxel's values are centred and scaled over the maps (rows); the correlation ``rho``
    of neighbouring voxels inside the mask along each axis then gives, for Gaussian-shaped
    smoothness, ``FWHM = voxel_size * sqrt(-2 ln 2 / ln rho)`` (Forman et al., 1995; Kiebel
    et al., 1999). Give it noise or residual maps: an effect shared by all maps is removed
    with the mean. The estimate is close (within a few percent) when the FWHM spans at least
    about two voxels; for smoothness below that the voxel grid biases it.

    Parameters
    ----------
    Y : array-like, shape (n_maps, n_voxels)
        At least 3 maps, voxels in the mask's C order.
    mask_img : nibabel image
        The 3D mask the voxels come from.

    Returns
    -------
    numpy.ndarray, shape (3,)
        FWHM in mm along the three axes of the grid (0 for uncorrelated neighbours).

    Raises
    ------
    ValueError
        Bad shapes, or no two neighbouring voxels in the mask along some axis.

    Examples
    --------
    >>> mask_img = ellipsoid_mask((16, 16, 16))
    >>> maps = smooth_null_maps(100, mask_img=mask_img, fwhm_mm=6.0, seed=0)
    >>> np.round(estimate_fwhm(maps, mask_img=mask_img)).tolist()
    [6.0, 6.0, 6.0]
    >>> white = smooth_null_maps(100, mask_img=mask_img, fwhm_mm=0.0, seed=0)
    >>> bool((estimate_fwhm(white, mask_img=mask_img) < 2.0).all())    # less than a voxel
    True
    """
    data = as_subjects_by_voxels(Y, min_subjects=3).astype(np.float64)
    inside, sizes = _null_grid(mask_img)
    if int(inside.sum()) != data.shape[1]:
        raise ValueError(
            f"mask_img has {int(inside.sum())} voxels but Y has {data.shape[1]}: "
            "use the mask the maps were taken from."
        )
    data = data - data.mean(axis=0)
    norm = np.sqrt(np.einsum("ij,ij->j", data, data))
    data /= np.where(norm > 0, norm, np.inf)
    volume = np.zeros((data.shape[0], *inside.shape))
    volume[:, inside] = data
    fwhm = np.zeros(3)
    for axis in range(3):
        lead = [slice(None)] * 3
        lag = [slice(None)] * 3
        lead[axis], lag[axis] = slice(1, None), slice(None, -1)
        pairs = inside[tuple(lead)] & inside[tuple(lag)]
        if not pairs.any():
            raise ValueError(f"The mask has no two neighbouring voxels along axis {axis}.")
        products = volume[(slice(None), *lead)] * volume[(slice(None), *lag)]
        rho = float(products.sum(axis=0)[pairs].mean())
        if 0 < rho < 1:
            fwhm[axis] = sizes[axis] * np.sqrt(-2 * np.log(2) / np.log(rho))
    return fwhm


def _null_grid(mask_img: nib.Nifti1Image) -> tuple[np.ndarray, np.ndarray]:
    """The mask as a 3D boolean array and its voxel sizes in mm."""
    inside, affine = load_mask(mask_img, purpose="Null maps")
    if not inside.any():
        raise ValueError(f"mask_img must be a non-empty 3D mask; got shape {inside.shape}.")
    return inside, np.asarray(nib.affines.voxel_sizes(affine), dtype=np.float64)
