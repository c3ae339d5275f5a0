"""Permutation inference: exactness, calibration, agreement with nilearn, bad input."""

import itertools
import warnings

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils.stats import glm, inference, thresholds

#: Level of the binomial intervals in the calibration tests: a calibrated method fails 1 in 1000.
LEVEL = 0.999


def _smooth_null(rng, n_subjects, n_voxels, width=5):
    """Null data with spatial correlation along a line of voxels (a moving average)."""
    raw = rng.normal(size=(n_subjects, n_voxels + width - 1))
    kernel = np.ones(width) / np.sqrt(width)
    return np.stack([np.convolve(row, kernel, mode="valid") for row in raw])


def _mc_tolerance(p_a, p_b, n_perm):
    """Monte Carlo tolerance between two independent permutation p-values (n_perm each).

    Each estimate has standard error sqrt(p (1 - p) / n_perm), their difference sqrt(2) times
    that; allow 4 standard errors of the difference plus 2 / n_perm for the conventions
    (+1 counting, nilearn's clipping of cluster p-values).
    """
    p = np.clip((p_a + p_b) / 2, 1 / n_perm, 1)
    return 4 * np.sqrt(2 * p * (1 - p) / n_perm) + 2 / n_perm


# --- exactness -----------------------------------------------------------------------------------


def test_exact_enumeration_matches_brute_force_over_256_flips():
    rng = np.random.default_rng(0)
    Y = rng.normal(0.4, 1.0, (8, 30))
    res = inference.permutation_test(Y, n_perm=10_000, two_sided=True)
    assert res.exact and res.n_perm == 256 and res.method == "sign-flip" and res.df == 7
    t_obs = stats.ttest_1samp(Y, 0).statistic
    np.testing.assert_allclose(res.t, t_obs, rtol=1e-10)
    null = np.array(
        [
            stats.ttest_1samp(Y * np.array(s)[:, None], 0).statistic
            for s in itertools.product((1, -1), repeat=8)
        ]
    )  # (256, voxels)
    p_unc = (np.abs(null) >= np.abs(t_obs) - 1e-9).mean(axis=0)
    p_fwe = (np.abs(null).max(axis=1)[:, None] >= np.abs(t_obs) - 1e-9).mean(axis=0)
    np.testing.assert_allclose(res.p_uncorrected, p_unc)
    np.testing.assert_allclose(res.p_fwe, p_fwe)
    np.testing.assert_allclose(np.sort(res.max_null), np.sort(np.abs(null).max(axis=1)), rtol=1e-5)
    one = inference.permutation_test(Y, n_perm=10_000, two_sided=False)
    np.testing.assert_allclose(one.p_fwe, (null.max(axis=1)[:, None] >= t_obs - 1e-9).mean(0))
    np.testing.assert_allclose(one.p_uncorrected, (null >= t_obs - 1e-9).mean(axis=0))
    # A negative contrast tests a negative mean: the same as testing -Y.
    neg = inference.permutation_test(Y, contrast=-1, n_perm=10_000, two_sided=False)
    np.testing.assert_allclose(neg.t, -t_obs, rtol=1e-10)
    np.testing.assert_allclose(neg.p_fwe, ((-null).max(axis=1)[:, None] >= -t_obs - 1e-9).mean(0))


def _refit_t(X, c, Y):
    """Plain OLS contrast t of every column of Y (checked against course_utils.stats.glm below)."""
    X, c = np.asarray(X, dtype=float), np.asarray(c, dtype=float)
    beta, rss = np.linalg.lstsq(X, Y, rcond=None)[:2]
    df = X.shape[0] - X.shape[1]
    return c @ beta / np.sqrt(rss / df * (c @ np.linalg.inv(X.T @ X) @ c))


def test_freedman_lane_matches_brute_force_over_all_reorderings():
    """n = 7: all 5040 reorderings, each a plain refit of P R + H_Z Y by course_utils.stats.glm."""
    rng = np.random.default_rng(10)
    n = 7
    X = np.column_stack([np.ones(n), rng.normal(size=n), [0, 0, 0, 1, 1, 1, 1]])
    c = np.array([0.0, 0.0, 1.0])  # group effect; nuisance = intercept and covariate
    Y = rng.normal(size=(n, 12)) + 1.5 * X[:, 1:2]
    Y[:, :3] += 1.2 * X[:, 2:3]
    res = inference.permutation_test(Y, X, contrast=c, n_perm=6000, two_sided=True)
    assert res.exact and res.n_perm == 5040 and res.method == "freedman-lane"
    Z = X[:, :2]
    fitted = Z @ np.linalg.lstsq(Z, Y, rcond=None)[0]
    resid = Y - fitted
    null = np.array(
        [_refit_t(X, c, resid[list(order)] + fitted) for order in itertools.permutations(range(n))]
    )
    t_obs = _refit_t(X, c, Y)
    np.testing.assert_allclose(t_obs, glm.contrast(glm.regress(X, Y), c).t, rtol=1e-9)
    np.testing.assert_allclose(res.t, t_obs, rtol=1e-9)
    np.testing.assert_allclose(
        res.p_uncorrected, (np.abs(null) >= np.abs(t_obs) - 1e-8).mean(axis=0)
    )
    np.testing.assert_allclose(
        res.p_fwe, (np.abs(null).max(axis=1)[:, None] >= np.abs(t_obs) - 1e-8).mean(0)
    )
    np.testing.assert_allclose(np.sort(res.max_null), np.sort(np.abs(null).max(axis=1)), rtol=1e-9)


def test_freedman_lane_flips_signs_for_an_intercept_with_a_covariate():
    """Testing the mean (intercept) adjusted for age: all 2**8 flips of the age residuals."""
    rng = np.random.default_rng(11)
    n = 8
    age = rng.normal(size=n)
    X = pd.DataFrame({"intercept": np.ones(n), "age": age})
    Y = rng.normal(0.5, 1, size=(n, 10)) + 2 * age[:, None]
    res = inference.permutation_test(Y, X, contrast={"intercept": 1}, n_perm=1000, two_sided=False)
    assert res.exact and res.n_perm == 256 and res.method == "freedman-lane (sign flips)"
    Z = age[:, None]
    fitted = Z @ np.linalg.lstsq(Z, Y, rcond=None)[0]
    resid = Y - fitted
    null = np.array(
        [
            _refit_t(X, [1, 0], np.array(s)[:, None] * resid + fitted)
            for s in itertools.product((1, -1), repeat=n)
        ]
    )
    t_obs = _refit_t(X, [1, 0], Y)
    np.testing.assert_allclose(res.t, t_obs, rtol=1e-9)
    np.testing.assert_allclose(res.p_fwe, (null.max(axis=1)[:, None] >= t_obs - 1e-8).mean(0))
    np.testing.assert_allclose(res.p_uncorrected, (null >= t_obs - 1e-8).mean(axis=0))


def test_random_flips_count_the_observed_data_once():
    Y = np.random.default_rng(1).normal(size=(15, 40))
    res = inference.permutation_test(Y, n_perm=99, seed=3)
    assert not res.exact and res.n_perm == 99 and res.max_null.shape == (99,)
    counts = res.p_fwe * 100
    np.testing.assert_allclose(counts, np.round(counts))
    assert res.p_fwe.min() >= 1 / 100 and res.p_uncorrected.min() >= 1 / 100
    assert np.all(res.p_fwe >= res.p_uncorrected)
    again = inference.permutation_test(Y, n_perm=99, seed=3)
    np.testing.assert_array_equal(again.p_fwe, res.p_fwe)
    other = inference.permutation_test(Y, n_perm=99, seed=4)
    assert not np.array_equal(other.max_null, res.max_null)


def test_random_draws_never_include_the_identity():
    rng = np.random.default_rng(0)
    flips = inference._random_flips(3, 5000, rng)  # 1 in 8 draws would be the identity
    assert not (flips > 0).all(axis=1).any() and (np.abs(flips) == 1).all()
    orders, exact = inference._orders(4, 5000, rng)
    assert exact and len(orders) == 24  # 4! <= 5000: every reordering
    orders, exact = inference._orders(5, 100, rng)
    assert not exact and not (orders == np.arange(5)).all(axis=1).any()
    assert np.all(np.sort(orders, axis=1) == np.arange(5))


def test_chunk_size_and_precision_do_not_change_the_answer():
    rng = np.random.default_rng(12)
    Y = rng.normal(0.2, 1, (18, 700))
    ref = inference.permutation_test(Y, n_perm=600, seed=5)
    for chunk in (1, 7, 300, 600):  # 300 > 255 exercises the split hit counting
        res = inference.permutation_test(Y, n_perm=600, seed=5, chunk_size=chunk)
        np.testing.assert_array_equal(res.p_uncorrected, ref.p_uncorrected)
        np.testing.assert_array_equal(res.p_fwe, ref.p_fwe)
    res32 = inference.permutation_test(Y.astype(np.float32), n_perm=600, seed=5)
    np.testing.assert_allclose(res32.t, ref.t, rtol=1e-5)
    np.testing.assert_allclose(res32.max_null, ref.max_null, rtol=1e-5)
    assert np.abs(res32.p_fwe - ref.p_fwe).max() <= 2 / 601  # at most a near-tie apart
    X = np.column_stack([np.ones(18), np.repeat([0.0, 1.0], 9)])
    fl = inference.permutation_test(Y, X, [0, 1], n_perm=200, seed=1)
    for chunk in (1, 13):
        again = inference.permutation_test(Y, X, [0, 1], n_perm=200, seed=1, chunk_size=chunk)
        np.testing.assert_array_equal(again.p_fwe, fl.p_fwe)


def test_voxels_without_data_do_not_break_the_map():
    rng = np.random.default_rng(13)
    Y = rng.normal(0.5, 1, (12, 20))
    Y[:, 5] = 0.0
    res = inference.permutation_test(Y, n_perm=200, seed=0)
    assert res.t[5] == 0 and res.p_uncorrected[5] == 1 and np.isfinite(res.t).all()
    np.testing.assert_allclose(
        np.delete(res.t, 5), stats.ttest_1samp(np.delete(Y, 5, 1), 0).statistic, rtol=1e-10
    )
    X = np.column_stack([np.ones(12), np.repeat([0.0, 1.0], 6)])
    fl = inference.permutation_test(Y, X, [0, 1], n_perm=200, seed=0)
    assert fl.t[5] == 0 and fl.p_uncorrected[5] == 1 and np.isfinite(fl.max_null).all()


# --- calibration on null data ---------------------------------------------------------------


def _fwe_hits(make_result, n_sets, alpha=0.05):
    return sum(bool((make_result(k).p_fwe <= alpha).any()) for k in range(n_sets))


@pytest.mark.parametrize("two_sided", [True, False])
@pytest.mark.slow  # statistical calibration: many simulations
def test_sign_flip_fwe_rate_is_calibrated_on_smooth_null_data(two_sided):
    n_sets = 1000
    hits = _fwe_hits(
        lambda k: inference.permutation_test(
            _smooth_null(np.random.default_rng(100 + k), 20, 200),
            n_perm=200,
            seed=k,
            two_sided=two_sided,
        ),
        n_sets,
    )
    low, high = thresholds.binomial_interval(hits, n_sets, level=LEVEL)
    assert low <= 0.05 <= high, f"FWE rate {hits / n_sets:.3f} ({low:.3f}-{high:.3f})"


@pytest.mark.slow  # statistical calibration: many simulations
def test_freedman_lane_fwe_rate_is_calibrated():
    n_sets = 500
    group = np.r_[np.ones(10), np.zeros(10)]
    age = np.linspace(-1, 1, 20)
    X = np.column_stack([group, 1 - group, age])

    def run(k):
        rng = np.random.default_rng(500 + k)
        Y = _smooth_null(rng, 20, 100) + 2.0 * age[:, None]  # nuisance effect, no group effect
        return inference.permutation_test(Y, X, contrast=[1, -1, 0], n_perm=100, seed=k)

    hits = _fwe_hits(run, n_sets)
    low, high = thresholds.binomial_interval(hits, n_sets, level=LEVEL)
    assert low <= 0.05 <= high, f"FWE rate {hits / n_sets:.3f} ({low:.3f}-{high:.3f})"


# --- agreement with nilearn -----------------------------------------------------------------


def _images(maps, affine):
    return [nib.Nifti1Image(m.astype("float32"), affine) for m in maps]


@pytest.mark.parametrize("two_sided", [False, True])
def test_agrees_with_nilearn_non_parametric_inference(two_sided):
    from nilearn.glm.second_level import non_parametric_inference

    rng = np.random.default_rng(4)
    shape, affine = (6, 6, 5), np.diag([3.0, 3.0, 3.0, 1.0])
    mask = np.ones(shape, dtype="uint8")
    maps = rng.normal(0, 1, (14,) + shape)
    maps[:, 2:4, 2:4, 1:3] += 1.2
    maps[:, 0, 0, :2] -= 1.2
    n_perm = 2000
    out = non_parametric_inference(
        _images(maps, affine),
        design_matrix=pd.DataFrame({"intercept": np.ones(14)}),
        mask=nib.Nifti1Image(mask, affine),
        n_perm=n_perm,
        two_sided_test=two_sided,
        n_jobs=1,
        random_state=0,
        verbose=0,
    )
    p_nilearn = 10 ** -out.get_fdata()[mask.astype(bool)]
    Y = maps[:, mask.astype(bool)]
    ours = inference.permutation_test(Y, n_perm=n_perm, two_sided=two_sided, seed=1).p_fwe
    assert np.all(np.abs(ours - p_nilearn) <= _mc_tolerance(ours, p_nilearn, n_perm))
    assert ours.min() < 0.01 and ours.max() > 0.5  # the comparison covers a range of p


def test_freedman_lane_agrees_with_nilearn_for_a_group_difference():
    from nilearn.glm.second_level import non_parametric_inference

    rng = np.random.default_rng(15)
    shape, affine = (5, 5, 4), np.diag([3.0, 3.0, 3.0, 1.0])
    n = 24
    design = pd.DataFrame(
        {"patients": np.repeat([1.0, 0.0], 12), "intercept": np.ones(n), "age": rng.normal(size=n)}
    )
    maps = rng.normal(0, 1, (n,) + shape) + 0.5 * design["age"].to_numpy()[:, None, None, None]
    maps[:12, :2, :2, :2] += 2.0
    mask = np.ones(shape, dtype="uint8")
    n_perm = 2000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = non_parametric_inference(
            _images(maps, affine),
            design_matrix=design,
            second_level_contrast="patients",
            mask=nib.Nifti1Image(mask, affine),
            n_perm=n_perm,
            two_sided_test=True,
            n_jobs=1,
            random_state=0,
            verbose=0,
        )
    p_nilearn = 10 ** -out.get_fdata()[mask.astype(bool)]
    res = inference.permutation_test(
        maps.reshape(n, -1), design, contrast={"patients": 1}, n_perm=n_perm, seed=2
    )
    assert res.method == "freedman-lane"
    assert np.all(np.abs(res.p_fwe - p_nilearn) <= _mc_tolerance(res.p_fwe, p_nilearn, n_perm))
    assert res.p_fwe.min() < 0.01 and res.p_fwe.max() > 0.5


def test_cluster_p_values_agree_with_nilearn():
    from nilearn.glm.second_level import non_parametric_inference

    rng = np.random.default_rng(16)
    shape, affine = (9, 9, 6), np.diag([3.0, 3.0, 3.0, 1.0])
    mask = np.ones(shape, dtype="uint8")
    mask[0, 0, :] = 0  # not a full box: columns of Y follow the mask's C order
    inside = mask.astype(bool)
    n = 15
    maps = rng.normal(0, 1, (n,) + shape)
    maps[:, 3:6, 3:6, 2:4] += 1.3
    maps[:, 7:9, 0:2, 0:2] -= 1.3
    p_form, n_perm = 0.01, 1000
    with warnings.catch_warnings():  # nilearn warns about its own int64 cluster-size image
        warnings.simplefilter("ignore", UserWarning)
        out = non_parametric_inference(
            _images(maps, affine),
            design_matrix=pd.DataFrame({"intercept": np.ones(n)}),
            mask=nib.Nifti1Image(mask, affine),
            n_perm=n_perm,
            two_sided_test=True,
            threshold=p_form,
            n_jobs=1,
            random_state=0,
            verbose=0,
        )
    p_nilearn = 10 ** -out["logp_max_size"].get_fdata()[inside]
    size_nilearn = out["size"].get_fdata()[inside]
    thr = stats.t.isf(p_form / 2, n - 1)  # nilearn's two-sided cluster-forming threshold
    res = inference.permutation_test(
        maps[:, inside],
        n_perm=n_perm,
        seed=3,
        cluster_threshold=thr,
        mask_img=nib.Nifti1Image(mask, affine),
    )
    clusters = res.clusters
    assert clusters.sizes.size >= 2 and set(clusters.signs) == {1, -1}
    for k, (size, p) in enumerate(zip(clusters.sizes, clusters.p_fwe, strict=True), start=1):
        in_cluster = clusters.labels == k
        assert (size_nilearn[in_cluster] == size).all()
        p_theirs = p_nilearn[in_cluster][0]
        assert abs(p - p_theirs) <= _mc_tolerance(p, p_theirs, n_perm), (k, size, p, p_theirs)
    assert clusters.p_fwe[0] < 0.05
    table = clusters.table()
    assert list(table.columns) == ["cluster", "sign", "size_voxels", "p_fwe"]


def test_cluster_labels_and_null_on_a_planted_blob():
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
    np.testing.assert_array_equal(np.bincount(clusters.labels)[1:], clusters.sizes)
    assert clusters.max_size_null.shape == (300,) and clusters.connectivity == 6
    # The null of the largest cluster, recomputed for a few flips with scipy directly.
    from scipy import ndimage

    flips = inference._random_flips(20, 300, np.random.default_rng(0))
    for row in (0, 1, 2):
        tmap = stats.ttest_1samp(Y * flips[row][:, None], 0).statistic.reshape(shape)
        best = max(
            np.bincount(ndimage.label(s * tmap > thr)[0].ravel())[1:].max(initial=0)
            for s in (1, -1)
        )
        assert clusters.max_size_null[row] == best
    # Freedman-Lane clusters from the same permutations as its voxel p-values.
    X = np.column_stack([np.ones(20), np.repeat([0.0, 1.0], 10)])
    fl = inference.permutation_test(
        Y, X, [0, 1], n_perm=50, cluster_threshold=3.0, mask_img=mask_img
    )
    assert fl.clusters.max_size_null.shape == (50,)
    assert np.all(fl.clusters.p_fwe >= 1 / 51)


# --- thresholds and conversions -------------------------------------------------------------


def test_fwe_threshold_matches_p_values():
    Y = np.random.default_rng(6).normal(0.3, 1, (12, 300))
    res = inference.permutation_test(Y, n_perm=999, seed=0)
    thr = inference.fwe_threshold(res, 0.05)
    assert thr == res.fwe_threshold(0.05)
    np.testing.assert_array_equal(np.abs(res.t) > thr + 1e-6, res.p_fwe <= 0.05)
    np.testing.assert_array_equal(res.significant(0.05), res.p_fwe <= 0.05)
    assert 0.5 < (np.sort(res.max_null) < thr).mean() < 0.99  # about the 95th percentile
    exact = inference.permutation_test(Y[:8], n_perm=1000, two_sided=False)
    thr = inference.fwe_threshold(exact, 0.1)
    np.testing.assert_array_equal(exact.t > thr + 1e-6, exact.p_fwe <= 0.1)
    # Correlated voxels: max-T needs a lower threshold than Bonferroni, which ignores correlation.
    smooth = _smooth_null(np.random.default_rng(8), 20, 400, width=30)
    res = inference.permutation_test(smooth, n_perm=1000, seed=0)
    assert inference.fwe_threshold(res) < thresholds.bonferroni_threshold(0.05, 400, df=19) - 0.3
    few = inference.permutation_test(Y, n_perm=10, seed=0)  # p_fwe >= 1/11 > 0.05
    assert inference.fwe_threshold(few, 0.05) == np.inf


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"Y": np.ones((2, 5))}, "at least 3"),
        ({"Y": np.r_[np.ones((4, 1)), [[np.nan]]]}, "NaN"),
        ({"Y": np.ones((4, 3, 2))}, "subjects, voxels"),
        ({"Y": np.ones((4, 0))}, "no voxels"),
        ({"Y": np.ones((5, 3)), "n_perm": 0}, "n_perm"),
        ({"Y": np.ones((5, 3)), "n_perm": 10.5}, "n_perm"),
        ({"Y": np.ones((5, 3)), "chunk_size": 0}, "chunk_size"),
        ({"Y": np.ones((5, 3)), "seed": "a"}, "seed"),
        ({"Y": np.ones((5, 3)), "contrast": [1, 0]}, "one number"),
        ({"Y": np.ones((5, 3)), "contrast": 0}, "non-zero"),
        ({"Y": np.ones((5, 3)), "X": np.ones((5, 2))}, "give a contrast"),
        (
            {"Y": np.ones((5, 3)), "X": np.c_[np.ones(5), np.arange(5.0)], "contrast": [1]},
            "weights",
        ),
        (
            {"Y": np.ones((5, 3)), "X": np.c_[np.ones(5), np.arange(5.0)], "contrast": [0, 0]},
            "all zeros",
        ),
        (
            {
                "Y": np.ones((5, 3)),
                "X": pd.DataFrame({"a": np.ones(5), "b": np.arange(5.0)}),
                "contrast": {"c": 1},
            },
            "No design column",
        ),
        ({"Y": np.ones((5, 3)), "X": np.ones((4, 1))}, "rows"),
        ({"Y": np.ones((5, 3)), "X": np.arange(5.0)}, "constant"),
        (
            {
                "Y": np.ones((5, 3)),
                "X": np.c_[np.ones(5), [0, 1, np.nan, 1, 0]],
                "contrast": [0, 1],
            },
            "NaN",
        ),
        (
            {
                "Y": np.ones((4, 3)),
                "X": np.c_[np.ones(4), np.arange(4.0), [0, 1, 1, 0.0], [1, 0, 0, 0.0]],
                "contrast": [0, 1, 0, 0],
            },
            "degrees of freedom",
        ),
        (
            {
                "Y": np.ones((6, 3)),
                "X": np.column_stack([np.ones(6), np.ones(6), np.arange(6.0)]),
                "contrast": [0, 0, 1],
            },
            "rank-deficient",
        ),
        ({"Y": np.ones((5, 3)), "cluster_threshold": 3.0}, "mask_img"),
        (
            {
                "Y": np.ones((5, 8)),
                "cluster_threshold": -1.0,
                "mask_img": nib.Nifti1Image(np.ones((2, 2, 2), "uint8"), np.eye(4)),
            },
            "positive",
        ),
        (
            {
                "Y": np.ones((5, 3)),
                "cluster_threshold": 3.0,
                "mask_img": nib.Nifti1Image(np.ones((2, 2, 2), "uint8"), np.eye(4)),
            },
            "8 voxels",
        ),
        ({"Y": np.ones((5, 3)), "cluster_threshold": 3.0, "mask_img": np.ones((3, 1, 1))}, "NIfTI"),
    ],
)
def test_bad_inputs_are_explained(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        inference.permutation_test(**kwargs)


# --- figures --------------------------------------------------------------------------------


def test_max_null_figure_marks_the_fwe_threshold():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    Y = np.random.default_rng(17).normal(0.2, 1, (14, 150))
    res = inference.permutation_test(Y, n_perm=500, seed=0)
    ax = plotting.plot_max_null(res, alpha=0.05, bonferroni=4.2)
    x_lines = [line.get_xdata()[0] for line in ax.lines]
    np.testing.assert_allclose(
        x_lines, [inference.fwe_threshold(res, 0.05), 4.2, np.abs(res.t).max()]
    )
    assert sum(patch.get_height() for patch in ax.patches) == 500
    assert ax.get_ylabel() == "number of permutations" and ax.get_title()
    one = inference.permutation_test(Y, n_perm=500, two_sided=False)
    ax = plotting.plot_max_null(one)
    assert "max t" in ax.get_xlabel().replace("largest t", "max t")
    plt.close("all")


def test_fwe_threshold_rejects_a_bad_alpha():
    with pytest.raises(ValueError, match="alpha"):
        inference.fwe_threshold(inference.permutation_test(np.eye(4), n_perm=5), 2)
