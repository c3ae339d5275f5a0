"""TFCE: equal to nilearn's calculate_tfce, exact under full enumeration, calibrated; bad input."""

import itertools

import nibabel as nib
import numpy as np
import pytest
from nilearn.mass_univariate._utils import calculate_tfce
from scipy import ndimage, stats

from course_utils.experiments import nulldata
from course_utils.stats import inference, tfce, thresholds

FACES = ndimage.generate_binary_structure(3, 1)


def _nilearn_tfce(values, mask, two_sided=True, dh="auto"):
    """nilearn's TFCE of a masked map, back as a masked vector."""
    volume = np.zeros(mask.shape)
    volume[mask] = values
    return calculate_tfce(volume[..., None], FACES, dh=dh, two_sided_test=two_sided)[..., 0][mask]


def _smooth_map(mask, seed, sigma=1.5, scale=3.0):
    rng = np.random.default_rng(seed)
    volume = ndimage.gaussian_filter(rng.normal(size=mask.shape), sigma)
    values = volume[mask]
    return scale * values / values.std()


@pytest.fixture(scope="module")
def mask_img():
    return nulldata.ellipsoid_mask((16, 18, 14), voxel_mm=3.0)


@pytest.mark.parametrize("two_sided", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tfce_equals_nilearn_on_random_smooth_maps(mask_img, seed, two_sided):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    values = _smooth_map(mask, seed)
    ours = tfce.tfce(values, mask_img=mask_img, two_sided=two_sided)
    ref = _nilearn_tfce(values, mask, two_sided)
    assert np.count_nonzero(ref) > 100
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())
    if not two_sided:
        assert (ours >= 0).all()
    else:
        assert np.array_equal(np.sign(ours[ours != 0]), np.sign(values[ours != 0]))


def test_tfce_with_a_fixed_step_equals_nilearn_and_warns_as_nilearn_does(mask_img):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    values = _smooth_map(mask, 5)
    np.testing.assert_allclose(
        tfce.tfce(values, mask_img=mask_img, dh=0.1), _nilearn_tfce(values, mask, dh=0.1), rtol=1e-6
    )
    with pytest.warns(UserWarning, match="10 .*nilearn's limits"):
        few = tfce.tfce(values, mask_img=mask_img, dh=5.0)
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(few, _nilearn_tfce(values, mask, dh=5.0), rtol=1e-6)


def test_tfce_image_is_an_image_tfce_always_a_vector_and_max_tfce_the_largest(mask_img):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    values = _smooth_map(mask, 3)
    volume = np.zeros(mask.shape)
    volume[mask] = values
    t_img = nib.Nifti1Image(volume, mask_img.affine)
    img = tfce.tfce_image(t_img, mask_img=mask_img)
    assert isinstance(img, nib.Nifti1Image) and np.allclose(img.affine, mask_img.affine)
    vector = tfce.tfce(values, mask_img=mask_img)
    np.testing.assert_allclose(np.asarray(img.dataobj)[mask], vector)
    for same in (t_img, volume):  # an image or a 3D array in: the same vector out
        np.testing.assert_array_equal(tfce.tfce(same, mask_img=mask_img), vector)
    assert not np.asarray(img.dataobj)[~mask].any()
    with pytest.raises(ValueError, match="use tfce"):
        tfce.tfce_image(values, mask_img=mask_img)
    with pytest.raises(TypeError):
        tfce.tfce(values, mask_img)  # mask_img is keyword-only
    maps = np.stack([_smooth_map(mask, s) for s in range(4)])
    table = tfce.neighbours(mask_img=mask_img)
    expected = [np.abs(_nilearn_tfce(m, mask)).max() for m in maps]
    np.testing.assert_allclose(tfce.max_tfce(maps, table), expected, rtol=1e-6)


def test_neighbours_match_scipy_face_connectivity(mask_img):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    table = tfce.neighbours(mask_img=mask_img)
    coords = np.argwhere(mask)
    for voxel in (0, 77, len(coords) - 1):
        found = {tuple(coords[j]) for j in table[voxel] if j >= 0}
        expected = {
            tuple(coords[voxel] + d)
            for d in np.argwhere(FACES) - 1
            if (d != 0).any()
            and mask[tuple(np.clip(coords[voxel] + d, 0, np.array(mask.shape) - 1))]
            and ((coords[voxel] + d) >= 0).all()
            and ((coords[voxel] + d) < mask.shape).all()
        }
        assert found == expected


def test_support_curve_adds_up_to_the_voxels_tfce(mask_img):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    values = _smooth_map(mask, 4)
    peak = int(np.argmax(np.abs(values)))
    ref = _nilearn_tfce(values, mask)
    curve = tfce.support_curve(values, mask_img=mask_img, voxel=peak)
    assert len(curve) == 100 and curve.extent.is_monotonic_decreasing
    assert curve.extent.iloc[-1] == 1  # at the top height only the peak itself is left
    np.testing.assert_allclose(curve.term.sum(), abs(ref[peak]), rtol=1e-9)
    other = int(np.argmax(-np.sign(values[peak]) * values))  # the extreme of the other sign
    curve = tfce.support_curve(values, mask_img=mask_img, voxel=other)
    assert 0 < len(curve) < 100
    np.testing.assert_allclose(curve.term.sum(), abs(ref[other]), rtol=1e-9)


def test_permutation_tfce_matches_brute_force_over_all_256_flips():
    mask_img = nulldata.ellipsoid_mask((8, 9, 7), voxel_mm=3.0)
    mask = np.asarray(mask_img.dataobj).astype(bool)
    rng = np.random.default_rng(0)
    smooth = np.stack([_smooth_map(mask, s, sigma=1.0, scale=1.0) for s in range(8)])
    Y = smooth + rng.normal(0, 0.3, smooth.shape)
    Y[:, :20] += 2.0
    for two_sided in (True, False):
        res = inference.permutation_test(
            Y, n_perm=1000, two_sided=two_sided, tfce=True, mask_img=mask_img
        )
        assert res.exact and res.n_perm == 256
        t_obs = stats.ttest_1samp(Y, 0).statistic
        observed = _nilearn_tfce(t_obs, mask, two_sided)
        np.testing.assert_allclose(res.tfce, observed, rtol=1e-6)
        null = np.array(
            [
                np.abs(
                    _nilearn_tfce(
                        stats.ttest_1samp(Y * np.array(s)[:, None], 0).statistic, mask, two_sided
                    )
                ).max()
                for s in itertools.product((1, -1), repeat=8)
            ]
        )
        np.testing.assert_allclose(np.sort(res.max_tfce_null), np.sort(null), rtol=1e-4)
        expected = (null[:, None] >= np.abs(observed) * (1 - 1e-3)).mean(axis=0)
        np.testing.assert_allclose(res.p_fwe_tfce, expected)
        assert res.p_fwe_tfce.min() <= 0.05  # the planted effect is found


def test_freedman_lane_tfce_uses_the_observed_map_and_whole_permuted_maps():
    mask_img = nulldata.ellipsoid_mask((8, 9, 7), voxel_mm=3.0)
    mask = np.asarray(mask_img.dataobj).astype(bool)
    rng = np.random.default_rng(1)
    Y = np.stack([_smooth_map(mask, s, sigma=1.0, scale=1.0) for s in range(12)])
    group = np.repeat([1.0, 0.0], 6)
    Y[group == 1, :25] += 1.5
    X = np.column_stack([np.ones(12), group])
    res = inference.permutation_test(
        Y, X, contrast=[0, 1], n_perm=200, tfce=True, mask_img=mask_img, seed=rng
    )
    assert res.method == "freedman-lane" and res.max_tfce_null.shape == (200,)
    np.testing.assert_allclose(res.tfce, _nilearn_tfce(res.t, mask), rtol=1e-6)
    expected = (1 + (res.max_tfce_null[:, None] >= np.abs(res.tfce) * (1 - 1e-3)).sum(0)) / 201
    np.testing.assert_allclose(res.p_fwe_tfce, expected)
    assert res.p_fwe_tfce[:25].min() <= 0.05


@pytest.mark.slow  # statistical calibration: many simulations
def test_max_tfce_fwe_is_calibrated_on_smooth_null_data():
    """300 null studies (smooth noise, 12 subjects): studies with any p_FWE(TFCE) <= 0.05."""
    mask_img = nulldata.ellipsoid_mask((10, 11, 9), voxel_mm=3.0)
    rng = np.random.default_rng(2026)
    n_sets, hits_tfce, hits_t = 300, 0, 0
    for _ in range(n_sets):
        Y = nulldata.smooth_null_maps(12, mask_img=mask_img, fwhm_mm=6.0, seed=rng)
        res = inference.permutation_test(Y, n_perm=199, tfce=True, mask_img=mask_img, seed=rng)
        hits_tfce += bool((res.p_fwe_tfce <= 0.05).any())
        hits_t += bool((res.p_fwe <= 0.05).any())
    for hits in (hits_tfce, hits_t):
        low, high = thresholds.binomial_interval(hits, n_sets, 0.999)
        assert low <= 0.05 <= high, hits


def test_tfce_errors_say_what_is_missing(mask_img):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    values = _smooth_map(mask, 0)
    with pytest.raises(ValueError, match="pass mask_img"):
        tfce.tfce(values, mask_img=None)
    with pytest.raises(ValueError, match="TFCE needs .*mask_img"):
        inference.permutation_test(np.ones((5, 3)) + np.arange(15).reshape(5, 3), tfce=True)
    with pytest.raises(ValueError, match="voxels"):
        tfce.tfce(values[:-1], mask_img=mask_img)
    bad = values.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        tfce.tfce(bad, mask_img=mask_img)
    with pytest.raises(ValueError, match="E and H"):
        tfce.tfce(values, mask_img=mask_img, E=0)
    with pytest.raises(ValueError, match="dh"):
        tfce.tfce(values, mask_img=mask_img, dh="fine")
    with pytest.raises(ValueError, match="3D"):
        tfce.tfce(values, mask_img=nib.Nifti1Image(np.ones((2, 2, 2, 2), "uint8"), np.eye(4)))
    assert not tfce.tfce(
        np.zeros(mask.sum()), mask_img=mask_img
    ).any()  # nothing above zero: all zero


def test_numba_cache_goes_to_a_writable_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    assert tfce.cache_folder() == tmp_path / "data" / "numba"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert tfce.cache_folder() == tmp_path / "mine"


def test_largest_cluster_sizes_equal_scipy_labelling(mask_img):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    maps = np.stack([_smooth_map(mask, s) for s in range(6)])
    table = tfce.neighbours(mask_img=mask_img)
    for two_sided in (True, False):
        for threshold in (0.5, 2.0, 4.0):
            expected = []
            for row in maps:
                best = 0
                for sign in (1, -1) if two_sided else (1,):
                    volume = np.zeros(mask.shape, bool)
                    volume[mask] = sign * row > threshold
                    labels, count = ndimage.label(volume, FACES)
                    if count:
                        best = max(best, int(np.bincount(labels.ravel())[1:].max()))
                expected.append(best)
            found = tfce.max_cluster_sizes(maps, table, threshold, two_sided)
            assert found.tolist() == expected, (two_sided, threshold)
