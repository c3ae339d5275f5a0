"""course_utils._utils: the shared plumbing (seeds, checks, blocks, t, masks, atomic writes)."""

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from scipy import stats

from course_utils import _utils


def test_as_generator_takes_int_seeds_and_generators_only():
    assert _utils.as_generator(3).random() == np.random.default_rng(3).random()
    assert _utils.as_generator(np.int64(3)).random() == np.random.default_rng(3).random()
    rng = np.random.default_rng(0)
    assert _utils.as_generator(rng) is rng
    for bad in (None, True, 1.5, "0"):
        with pytest.raises(TypeError, match="seed=0"):
            _utils.as_generator(bad)
    with pytest.raises(TypeError, match="rng must be"):
        _utils.as_generator(None, name="rng")


def test_check_alpha_keeps_shape_and_refuses_values_outside_0_1():
    assert _utils.check_alpha(0.05).shape == ()
    np.testing.assert_array_equal(_utils.check_alpha([0.05, 0.5]), [0.05, 0.5])
    for bad in (0, 1, -0.1, np.nan, "a", [], [0.05, 1.0], None):
        with pytest.raises(ValueError, match="between 0 and 1"):
            _utils.check_alpha(bad)
    with pytest.raises(ValueError, match="level must"):
        _utils.check_alpha(2, name="level")


def test_check_contrast_wants_one_finite_weight_per_column_not_all_zero():
    out = _utils.check_contrast([1, -1, 0], 3)
    assert out.dtype == np.float64 and out.tolist() == [1.0, -1.0, 0.0]
    with pytest.raises(ValueError, match=r"2 weights but the design has 3 columns \(a, b, c\)"):
        _utils.check_contrast([1, -1], 3, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="one weight per column"):
        _utils.check_contrast([[1, -1]], 2)  # a matrix is not a contrast vector
    with pytest.raises(ValueError, match="not a finite number"):
        _utils.check_contrast([1, np.inf], 2)
    with pytest.raises(ValueError, match="all zeros"):
        _utils.check_contrast([0, 0], 2)


def test_as_subjects_by_voxels_shapes_types_and_messages():
    assert _utils.as_subjects_by_voxels([1.0, 2.0]).shape == (2, 1)
    f32 = np.ones((3, 4), dtype=np.float32)
    assert _utils.as_subjects_by_voxels(f32) is f32  # no copy, float32 stays float32
    assert _utils.as_subjects_by_voxels(np.ones((3, 4), dtype=int)).dtype == np.float64
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        _utils.as_subjects_by_voxels(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="at least 3"):
        _utils.as_subjects_by_voxels(np.ones((2, 4)), min_subjects=3)
    with pytest.raises(ValueError, match="no voxels"):
        _utils.as_subjects_by_voxels(np.ones((3, 0)))
    Y = np.ones((3, _utils.CHUNK_VOXELS + 5))
    Y[0, [1, -1]] = np.nan  # in the first block and in the last
    Y[2, 1] = np.inf
    with pytest.raises(ValueError, match="in 2 voxels"):
        _utils.as_subjects_by_voxels(Y)


@pytest.mark.parametrize("n, size", [(0, 4), (5, 2), (8, 4), (3, 10)])
def test_voxel_blocks_cover_every_voxel_once(n, size):
    blocks = list(_utils.voxel_blocks(n, size=size))
    covered = np.concatenate([np.arange(n)[b] for b in blocks]) if blocks else np.array([])
    assert covered.tolist() == list(range(n))
    assert all(b.stop - b.start <= size for b in blocks)


def test_voxel_blocks_refuses_a_size_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        list(_utils.voxel_blocks(5, size=0))


def test_one_sample_t_equals_scipy_across_blocks_and_axes():
    rng = np.random.default_rng(0)
    Y = rng.normal(0.2, 1.0, (9, _utils.CHUNK_VOXELS + 3)).astype(np.float32)
    expected = stats.ttest_1samp(Y.astype(np.float64), 0).statistic
    np.testing.assert_allclose(_utils.one_sample_t(Y), expected, rtol=1e-10)
    np.testing.assert_allclose(_utils.one_sample_t(Y.T[:5], axis=1), expected[:5], rtol=1e-10)
    flat = _utils.one_sample_t(np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert np.isinf(flat[0]) and np.isnan(flat[1])  # no variance: the caller decides


def test_mask_array_reads_images_and_paths_and_explains_bad_masks(tmp_path):
    volume = np.zeros((2, 3, 4), dtype="uint8")
    volume[0, 1, 2] = 1
    img = nib.Nifti1Image(volume, np.eye(4))
    mask = _utils.mask_array(img)
    assert mask.dtype == bool and mask.sum() == 1 and mask[0, 1, 2]
    nib.save(img, tmp_path / "mask.nii.gz")
    np.testing.assert_array_equal(_utils.mask_array(tmp_path / "mask.nii.gz"), mask)
    np.testing.assert_array_equal(_utils.mask_array(str(tmp_path / "mask.nii.gz")), mask)
    with pytest.raises(ValueError, match="^TFCE needs to know which voxels"):
        _utils.mask_array(None, purpose="TFCE")
    with pytest.raises(ValueError, match="got ndarray"):
        _utils.mask_array(volume)
    with pytest.raises(ValueError, match="3D"):
        _utils.mask_array(nib.Nifti1Image(np.ones((2, 2, 2, 2), "uint8"), np.eye(4)))


def test_load_mask_gives_the_mask_and_the_affine_of_an_image_or_a_path(tmp_path):
    affine = np.diag([2.0, 3.0, 4.0, 1.0])
    img = nib.Nifti1Image(np.ones((2, 3, 4), dtype="uint8"), affine)
    nib.save(img, tmp_path / "mask.nii.gz")
    for given in (img, tmp_path / "mask.nii.gz", str(tmp_path / "mask.nii.gz")):
        mask, got = _utils.load_mask(given)
        assert mask.dtype == bool and mask.shape == (2, 3, 4) and mask.all()
        np.testing.assert_array_equal(got, affine)
    with pytest.raises(ValueError, match="^ARI needs to know which voxels"):
        _utils.load_mask(None, purpose="ARI")


def test_faces_is_scipys_face_connectivity_and_read_only():
    from scipy import ndimage

    np.testing.assert_array_equal(_utils.FACES, ndimage.generate_binary_structure(3, 1))
    with pytest.raises(ValueError):
        _utils.FACES[0, 0, 0] = True


def test_atomic_write_replaces_whole_files_and_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    assert _utils.atomic_write(target, lambda tmp: Path(tmp).write_text("one")) == target
    assert target.read_text() == "one"

    def fail(tmp):
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _utils.atomic_write(target, fail)
    assert target.read_text() == "one"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_atomic_write_keeps_the_ending_nibabel_reads(tmp_path):
    img = nib.Nifti1Image(np.arange(8, dtype="float32").reshape(2, 2, 2), np.eye(4))
    seen = []

    def save(tmp):
        seen.append(tmp)
        nib.save(img, tmp)

    path = _utils.atomic_write(tmp_path / "map.nii.gz", save)
    assert seen[0].endswith(".nii.gz")
    np.testing.assert_array_equal(nib.load(path).get_fdata(), img.get_fdata())
    _utils.atomic_write(tmp_path / "x.bin", lambda tmp: seen.append(tmp), suffix=".tmp")
    assert seen[-1].endswith(".tmp")
