"""Permutation inference: exactness, calibration, agreement with nilearn; thresholds; bad input."""

import itertools

import nibabel as nib
import numpy as np
import pytest
from scipy import stats

from course_utils import glm, inference


def _smooth_null(rng, n_subjects, n_voxels, width=5):
    """Null data with spatial correlation along a line of voxels (a moving average)."""
    raw = rng.normal(size=(n_subjects, n_voxels + width - 1))
    kernel = np.ones(width) / np.sqrt(width)
    return np.stack([np.convolve(row, kernel, mode="valid") for row in raw])


def test_exact_enumeration_matches_brute_force_over_256_flips():
    rng = np.random.default_rng(0)
    Y = rng.normal(0.4, 1.0, (8, 30))
    res = inference.permutation_test(Y, n_perm=10_000, two_sided=True)
    assert res.exact and res.n_perm == 256
    t_obs = stats.ttest_1samp(Y, 0).statistic
    np.testing.assert_allclose(res.t, t_obs, rtol=1e-10)
    null = np.array([stats.ttest_1samp(Y * np.array(s)[:, None], 0).statistic
                     for s in itertools.product((1, -1), repeat=8)])  # (256, voxels)
    p_unc = (np.abs(null) >= np.abs(t_obs) - 1e-9).mean(axis=0)
    p_fwe = (np.abs(null).max(axis=1)[:, None] >= np.abs(t_obs) - 1e-9).mean(axis=0)
    np.testing.assert_allclose(res.p_uncorrected, p_unc)
    np.testing.assert_allclose(res.p_fwe, p_fwe)
    np.testing.assert_allclose(np.sort(res.max_null), np.sort(np.abs(null).max(axis=1)),
                               rtol=1e-5)
    one = inference.permutation_test(Y, n_perm=10_000, two_sided=False)
    np.testing.assert_allclose(one.p_fwe, (null.max(axis=1)[:, None] >= t_obs - 1e-9).mean(0))


def test_random_flips_count_the_observed_data_once():
    Y = np.random.default_rng(1).normal(size=(15, 40))
    res = inference.permutation_test(Y, n_perm=99, seed=3)
    assert not res.exact and res.n_perm == 99
    counts = res.p_fwe * 100
    np.testing.assert_allclose(counts, np.round(counts))
    assert res.p_fwe.min() >= 1 / 100 and res.p_uncorrected.min() >= 1 / 100
    assert np.all(res.p_fwe >= res.p_uncorrected)
    again = inference.permutation_test(Y, n_perm=99, seed=3)
    np.testing.assert_array_equal(again.p_fwe, res.p_fwe)


def _fwe_rate(make_result, n_sets, alpha=0.05):
    hits = sum(bool((make_result(k).p_fwe <= alpha).any()) for k in range(n_sets))
    return hits, inference.binomial_interval(hits, n_sets, level=0.999)


def test_sign_flip_fwe_rate_is_calibrated_on_smooth_null_data():
    n_sets = 500
    hits, (low, high) = _fwe_rate(lambda k: inference.permutation_test(
        _smooth_null(np.random.default_rng(100 + k), 20, 200), n_perm=200, seed=k), n_sets)
    assert low <= 0.05 <= high, f"FWE rate {hits / n_sets:.3f} ({low:.3f}-{high:.3f})"


def test_freedman_lane_fwe_rate_is_calibrated():
    n_sets = 300
    group = np.r_[np.ones(10), np.zeros(10)]
    age = np.linspace(-1, 1, 20)
    X = np.column_stack([group, 1 - group, age])

    def run(k):
        rng = np.random.default_rng(500 + k)
        Y = _smooth_null(rng, 20, 100) + 2.0 * age[:, None]  # nuisance effect, no group effect
        return inference.permutation_test(Y, X, contrast=[1, -1, 0], n_perm=100, seed=k)

    hits, (low, high) = _fwe_rate(run, n_sets)
    assert low <= 0.05 <= high, f"FWE rate {hits / n_sets:.3f} ({low:.3f}-{high:.3f})"


def test_freedman_lane_observed_t_is_the_glm_contrast():
    rng = np.random.default_rng(2)
    X = np.column_stack([np.ones(16), rng.normal(size=16)])
    Y = rng.normal(size=(16, 25)) + 0.8 * X[:, 1:2]
    res = inference.permutation_test(Y, X, contrast=[0, 1], n_perm=2000, seed=0)
    parametric = glm.contrast(glm.regress(X, Y), [0, 1])
    np.testing.assert_allclose(res.t, parametric.t, rtol=1e-8)
    assert res.method == "freedman-lane"
    # With normal errors, permutation p-values approximate the parametric ones.
    assert np.max(np.abs(res.p_uncorrected - parametric.p)) < 0.03
    assert np.corrcoef(np.log(res.p_uncorrected), np.log(parametric.p))[0, 1] > 0.95
    mean_test = inference.permutation_test(Y, X, contrast=[1, 0], n_perm=200, seed=0)
    assert mean_test.method == "freedman-lane (sign flips)"


def test_agrees_with_nilearn_non_parametric_inference():
    from nilearn.glm.second_level import non_parametric_inference

    rng = np.random.default_rng(4)
    shape, affine = (6, 6, 5), np.diag([3.0, 3.0, 3.0, 1.0])
    mask = np.ones(shape, dtype="uint8")
    maps = rng.normal(0, 1, (14,) + shape)
    maps[:, 2:4, 2:4, 1:3] += 1.2
    imgs = [nib.Nifti1Image(m.astype("float32"), affine) for m in maps]
    import pandas as pd

    n_perm = 2000
    out = non_parametric_inference(imgs, design_matrix=pd.DataFrame({"intercept": np.ones(14)}),
                                   mask=nib.Nifti1Image(mask, affine), n_perm=n_perm,
                                   two_sided_test=False, n_jobs=1, random_state=0, verbose=0)
    p_nilearn = 10 ** -out.get_fdata()[mask.astype(bool)]
    Y = maps[:, mask.astype(bool)]
    ours = inference.permutation_test(Y, n_perm=n_perm, two_sided=False, seed=1).p_fwe
    p = np.clip((ours + p_nilearn) / 2, 1 / n_perm, 1)
    tolerance = 4 * np.sqrt(p * (1 - p) / n_perm) + 2 / n_perm  # Monte Carlo error of both
    assert np.all(np.abs(ours - p_nilearn) <= tolerance)


def test_cluster_inference_finds_a_planted_blob():
    rng = np.random.default_rng(5)
    shape = (10, 10, 6)
    mask = np.ones(shape, dtype="uint8")
    mask_img = nib.Nifti1Image(mask, np.eye(4))
    maps = rng.normal(0, 1, (20,) + shape)
    maps[:, 3:6, 3:6, 2:4] += 1.5
    Y = maps.reshape(20, -1)
    thr = stats.t.isf(0.001, 19)
    res = inference.permutation_test(Y, n_perm=300, cluster_threshold=thr, mask_img=mask_img)
    clusters = res.clusters
    assert clusters.sizes[0] >= 8 and clusters.p_fwe[0] <= 0.05
    assert np.all(np.diff(clusters.sizes) <= 0)
    blob = np.zeros(shape, bool)
    blob[3:6, 3:6, 2:4] = True
    assert (clusters.labels.reshape(shape)[blob] == 1).mean() > 0.5
    assert clusters.max_size_null.shape == (300,)


def test_fwe_threshold_matches_p_values():
    Y = np.random.default_rng(6).normal(0.3, 1, (12, 300))
    res = inference.permutation_test(Y, n_perm=999, seed=0)
    thr = res.fwe_threshold(0.05)
    np.testing.assert_array_equal(np.abs(res.t) > thr + 1e-6, res.p_fwe <= 0.05)


def test_thresholds_and_conversions_agree_with_scipy():
    t = np.array([-3.0, 0.5, 2.0, 12.0])
    np.testing.assert_allclose(inference.t_to_z(t[:3], 15),
                               np.sign(t[:3]) * stats.norm.isf(stats.t.sf(np.abs(t[:3]), 15)))
    assert np.isfinite(inference.t_to_z(60.0, 29))
    p = np.random.default_rng(7).uniform(size=500) ** 3
    cut = inference.fdr_threshold(p, 0.05)
    adjusted = stats.false_discovery_control(p)
    np.testing.assert_array_equal(p <= cut, adjusted <= 0.05)
    assert inference.fdr_threshold([0.9, 0.8], 0.05) == 0.0
    np.testing.assert_allclose(inference.bonferroni_threshold(0.05, 100, df=20),
                               stats.t.isf(0.05 / 200, 20))
    from statsmodels.stats.proportion import proportion_confint

    np.testing.assert_allclose(inference.binomial_interval(7, 120),
                               proportion_confint(7, 120, alpha=0.05, method="beta"))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"Y": np.ones((2, 5))}, "at least 3"),
    ({"Y": np.r_[np.ones((4, 1)), [[np.nan]]]}, "NaN"),
    ({"Y": np.ones((4, 3, 2))}, "subjects, voxels"),
    ({"Y": np.ones((5, 3)), "n_perm": 0}, "n_perm"),
    ({"Y": np.ones((5, 3)), "X": np.ones((5, 2))}, "give a contrast"),
    ({"Y": np.ones((5, 3)), "X": np.ones((5, 2)), "contrast": [1]}, "weights"),
    ({"Y": np.ones((5, 3)), "X": np.ones((4, 1))}, "rows"),
    ({"Y": np.ones((5, 3)), "X": np.arange(5.0)}, "constant"),
    ({"Y": np.ones((6, 3)), "X": np.column_stack([np.ones(6), np.ones(6), np.arange(6.0)]),
      "contrast": [0, 0, 1]}, "rank-deficient"),
    ({"Y": np.ones((5, 3)), "cluster_threshold": 3.0}, "mask_img"),
])
def test_bad_inputs_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        inference.permutation_test(**kwargs)
