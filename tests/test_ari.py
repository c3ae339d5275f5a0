"""All-resolution inference: nilearn's bounds for both signs, calibrated, consistent; bad input."""

import warnings

import nibabel as nib
import numpy as np
import pytest
from nilearn.glm import cluster_level_inference
from scipy import ndimage, stats

from course_utils.experiments import nulldata
from course_utils.stats import ari, thresholds


@pytest.fixture(scope="module")
def mask_img():
    return nulldata.ellipsoid_mask((14, 16, 12), voxel_mm=3.0)


def _blob_map(mask_img, seed=0):
    """A smooth null t-map (df 19) with one positive and one negative planted blob."""
    mask = np.asarray(mask_img.dataobj).astype(bool)
    Y = nulldata.smooth_null_maps(20, mask_img=mask_img, fwhm_mm=6.0, seed=seed)
    coords = np.argwhere(mask)
    centre = np.array(mask.shape) // 2
    near = np.linalg.norm(coords - (centre - [3, 0, 0]), axis=1) <= 2.5
    far = np.linalg.norm(coords - (centre + [3, 0, 0]), axis=1) <= 2.0
    Y[:, near] += 1.5
    Y[:, far] -= 1.2
    return stats.ttest_1samp(Y, 0).statistic, near, far


def test_positive_bounds_are_nilearns_on_z_and_negative_ones_come_from_minus_z(mask_img):
    t, near, far = _blob_map(mask_img)
    mask = np.asarray(mask_img.dataobj).astype(bool)
    res = ari.cluster_tdp(t, 19, mask_img=mask_img, cluster_p=0.001, alpha=0.05)
    z = thresholds.t_to_z(t, 19)
    for sign in (1, -1):
        volume = np.zeros(mask.shape)
        volume[mask] = sign * z
        ref = np.asarray(
            cluster_level_inference(
                nib.Nifti1Image(volume, mask_img.affine),
                mask_img=mask_img,
                threshold=float(stats.norm.isf(0.0005)),
                alpha=0.025,
            ).dataobj
        )[mask]
        mine = np.where(np.sign(t) == sign, res.tdp, 0.0)
        np.testing.assert_allclose(mine, ref, atol=1e-6)
    assert set(res.table.sign) == {1, -1}
    assert res.table.tdp_bound.between(0, 1).all()
    # the planted blobs are found and most of each is bounded as active
    assert res.tdp[near].max() > 0.5 and res.tdp[far].max() > 0


def test_clusters_are_the_clusters_of_the_t_threshold_with_the_same_p(mask_img):
    t, _, _ = _blob_map(mask_img, seed=1)
    mask = np.asarray(mask_img.dataobj).astype(bool)
    res = ari.cluster_tdp(t, 19, mask_img=mask_img, cluster_p=0.001)
    t_thr = stats.t.isf(0.0005, 19)
    sizes = []
    for sign in (1, -1):
        volume = np.zeros(mask.shape, bool)
        volume[mask] = sign * t > t_thr
        labels, count = ndimage.label(volume, ndimage.generate_binary_structure(3, 1))
        sizes += np.bincount(labels[mask])[1:].tolist()
    assert sorted(sizes, reverse=True) == res.table.size_voxels.tolist()
    assert ((res.labels > 0) == (np.abs(t) > t_thr)).all()


def test_active_bound_is_never_below_the_bonferroni_survivors_in_the_cluster(mask_img):
    for seed in range(3):
        t, _, _ = _blob_map(mask_img, seed)
        res = ari.cluster_tdp(t, 19, mask_img=mask_img)
        bonferroni = np.abs(t) > thresholds.bonferroni_threshold(0.05, t.size, df=19)
        for row in res.table.itertuples():
            assert row.active_bound >= bonferroni[res.labels == row.cluster].sum()


def test_no_cluster_is_claimed_active_in_more_than_alpha_of_null_analyses(mask_img):
    rng = np.random.default_rng(7)
    n_sets, claims = 200, 0
    for _ in range(n_sets):
        Y = nulldata.smooth_null_maps(15, mask_img=mask_img, fwhm_mm=6.0, seed=rng)
        t = stats.ttest_1samp(Y, 0).statistic
        res = ari.cluster_tdp(t, 14, mask_img=mask_img, cluster_p=0.01)
        claims += bool((res.table.active_bound > 0).any())
    low, high = thresholds.binomial_interval(claims, n_sets, 0.999)
    assert low <= 0.05, claims  # valid: not above alpha (ARI may be conservative)


def test_no_future_warning_and_clear_errors(mask_img):
    t, _, _ = _blob_map(mask_img)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ari.cluster_tdp(t, 19, mask_img=mask_img)
    with pytest.raises(ValueError, match="voxels"):
        ari.cluster_tdp(t[:-1], 19, mask_img=mask_img)
    bad = t.copy()
    bad[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ari.cluster_tdp(bad, 19, mask_img=mask_img)
    with pytest.raises(ValueError, match="alpha"):
        ari.cluster_tdp(t, 19, mask_img=mask_img, alpha=5)
