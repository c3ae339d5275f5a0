"""Tests of experiments.nulldata: the ellipsoid mask, smooth null maps and their smoothness."""

import nibabel as nib
import numpy as np
import pytest

from course_utils._utils import one_sample_t
from course_utils.experiments import nulldata


def test_ellipsoid_mask_is_a_centred_ellipsoid_on_its_own_grid():
    img = nulldata.ellipsoid_mask((24, 28, 24), voxel_mm=3.0)
    inside = np.asarray(img.dataobj).astype(bool)
    assert img.shape == (24, 28, 24) and int(inside.sum()) == 5688
    np.testing.assert_allclose(nib.affines.voxel_sizes(img.affine), [3.0, 3.0, 3.0])
    assert (inside == inside[::-1, ::-1, ::-1]).all()  # symmetric about the centre
    assert not inside[0].any() and not inside[:, :, -1].any()  # one voxel short of each face
    with pytest.raises(ValueError, match="shape"):
        nulldata.ellipsoid_mask((24, 28))
    with pytest.raises(ValueError, match="voxel_mm"):
        nulldata.ellipsoid_mask(voxel_mm=0.0)


def test_smooth_null_maps_are_smoothed_white_noise_in_mask_order():
    from scipy import ndimage

    from course_utils.experiments import data

    mask_img = nulldata.ellipsoid_mask((14, 16, 12), voxel_mm=3.0)
    inside = np.asarray(mask_img.dataobj).astype(bool)
    Y = nulldata.smooth_null_maps(5, mask_img=mask_img, fwhm_mm=9.0, seed=3)
    white = np.random.default_rng(3).standard_normal((5, *inside.shape), dtype=np.float32)
    sigma = 9.0 / np.sqrt(8 * np.log(2)) / 3.0
    expected = ndimage.gaussian_filter(white, sigma=(0, sigma, sigma, sigma))
    np.testing.assert_array_equal(Y, expected[:, inside])
    # columns in the order course_utils.experiments.data masks images (C order of the mask)
    back = np.asarray(data.unmask(Y[0], mask_img=mask_img).dataobj)
    np.testing.assert_array_equal(back[inside], Y[0])
    # fwhm 0 is the white noise itself; a generator is advanced, so data sets differ
    np.testing.assert_array_equal(
        nulldata.smooth_null_maps(5, mask_img=mask_img, fwhm_mm=0.0, seed=3), white[:, inside]
    )
    rng = np.random.default_rng(0)
    first, second = (nulldata.smooth_null_maps(4, mask_img=mask_img, seed=rng) for _ in range(2))
    assert not np.allclose(first, second)


def test_null_maps_have_no_effect_and_the_requested_smoothness():
    mask_img = nulldata.ellipsoid_mask((20, 20, 20), voxel_mm=3.0)
    Y = nulldata.smooth_null_maps(300, mask_img=mask_img, fwhm_mm=9.0, seed=1)
    # no effect: the voxel means are centred on 0 (t of the mean across voxels is small)
    t = one_sample_t(Y)
    assert abs(float(t.mean())) < 0.5
    # each voxel's values are Gaussian: the variance is the same everywhere in the mask
    var = Y.var(axis=0)
    assert var.std() / var.mean() < 0.15
    np.testing.assert_allclose(nulldata.estimate_fwhm(Y, mask_img=mask_img), 9.0, rtol=0.05)


@pytest.mark.parametrize("fwhm", [8.0, 12.0])  # at least two voxels along every axis
def test_estimate_fwhm_recovers_the_smoothing_with_anisotropic_voxels(fwhm):
    inside = np.ones((18, 16, 14), dtype=np.uint8)
    mask_img = nib.Nifti1Image(inside, np.diag([2.0, 3.0, 4.0, 1.0]))
    Y = nulldata.smooth_null_maps(200, mask_img=mask_img, fwhm_mm=fwhm, seed=7)
    np.testing.assert_allclose(nulldata.estimate_fwhm(Y, mask_img=mask_img), fwhm, rtol=0.08)


def test_estimate_fwhm_of_white_noise_is_below_a_voxel():
    mask_img = nulldata.ellipsoid_mask((16, 16, 16))
    Y = nulldata.smooth_null_maps(200, mask_img=mask_img, fwhm_mm=0.0, seed=2)
    assert (nulldata.estimate_fwhm(Y, mask_img=mask_img) < 2.0).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: nulldata.smooth_null_maps(0, mask_img=m), "n_subjects"),
        (lambda m: nulldata.smooth_null_maps(True, mask_img=m), "n_subjects"),
        (lambda m: nulldata.smooth_null_maps(3, mask_img=m, fwhm_mm=-1.0), "fwhm_mm"),
        (lambda m: nulldata.smooth_null_maps(3, mask_img="not an image"), "No such file|NIfTI"),
        (
            lambda m: nulldata.smooth_null_maps(
                3, mask_img=nib.Nifti1Image(np.zeros((4, 4, 4), np.uint8), np.eye(4))
            ),
            "non-empty",
        ),
        (lambda m: nulldata.estimate_fwhm(np.ones((5, 3)), mask_img=m), "voxels"),
        (
            lambda m: nulldata.estimate_fwhm(
                np.ones((5, 1)), mask_img=nib.Nifti1Image(np.ones((1, 1, 1), np.uint8), np.eye(4))
            ),
            "neighbouring",
        ),
    ],
)
def test_null_helpers_explain_bad_inputs(call, message):
    mask_img = nulldata.ellipsoid_mask((8, 8, 8))
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        call(mask_img)
