"""Masking images into subjects x voxels arrays and back."""

import nibabel as nib
import numpy as np
import pytest

from course_utils.experiments.data import check_same_grid, mask_images, unmask


@pytest.fixture
def mask():
    data = np.zeros((5, 6, 7), dtype="uint8")
    data[1:4, 2:5, 1:6] = 1
    return nib.Nifti1Image(data, np.diag([3.0, 3.0, 3.0, 1.0]))


def _img(data, affine):
    return nib.Nifti1Image(np.asarray(data, dtype="float32"), affine)


def test_round_trip_keeps_values_and_grid(mask, tmp_path):
    rng = np.random.default_rng(0)
    volumes = rng.normal(size=(3, 5, 6, 7))
    paths = []
    for k, vol in enumerate(volumes):
        path = tmp_path / f"s{k}.nii.gz"
        _img(vol, mask.affine).to_filename(path)
        paths.append(path)
    Y = mask_images(paths, mask_img=mask)
    inside = mask.get_fdata().astype(bool)
    assert Y.dtype == np.float32 and Y.shape == (3, int(inside.sum()))
    np.testing.assert_allclose(Y, volumes[:, inside].astype("float32"))
    back = unmask(Y, mask_img=mask)
    assert back.shape == (5, 6, 7, 3)
    np.testing.assert_array_equal(back.affine, mask.affine)
    np.testing.assert_allclose(back.get_fdata()[..., 1][inside], Y[1])
    assert np.all(back.get_fdata()[~inside] == 0)


def test_a_4d_image_gives_one_row_per_volume(mask):
    vol4d = np.arange(5 * 6 * 7 * 2, dtype="float32").reshape(5, 6, 7, 2)
    Y = mask_images(_img(vol4d, mask.affine), mask_img=mask)
    assert Y.shape[0] == 2
    np.testing.assert_array_equal(Y[1], vol4d[..., 1][mask.get_fdata().astype(bool)])


def test_nan_fill_marks_voxels_outside_the_mask(mask):
    img = unmask(np.ones(int(mask.get_fdata().sum())), mask_img=mask, fill=np.nan)
    assert np.isnan(img.get_fdata()).sum() == 5 * 6 * 7 - mask.get_fdata().sum()


def test_images_on_another_grid_are_rejected_with_advice(mask):
    shifted = mask.affine.copy()
    shifted[0, 3] = 10.0
    with pytest.raises(ValueError, match="(?s)different affine.*resample_to_img"):
        mask_images([_img(np.zeros((5, 6, 7)), shifted)], mask_img=mask)
    with pytest.raises(ValueError, match=r"shape \(5, 6, 8\).*resample_to_img"):
        mask_images([_img(np.zeros((5, 6, 8)), mask.affine)], mask_img=mask)
    check_same_grid(_img(np.zeros((5, 6, 7)), mask.affine), mask_img=mask)


def test_bad_inputs_say_what_is_wrong(mask, tmp_path):
    with pytest.raises(FileNotFoundError, match="No image at"):
        mask_images([tmp_path / "missing.nii.gz"], mask_img=mask)
    with pytest.raises(ValueError, match="No images given"):
        mask_images([], mask_img=mask)
    with pytest.raises(ValueError, match="different mask"):
        unmask(np.ones(3), mask_img=mask)
