"""Tests of course_utils.stats.mixed against scipy, statsmodels and nilearn."""

import warnings

import nibabel as nib
import numpy as np
import pytest
from nilearn.glm import compute_fixed_effects
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from course_utils.stats import mixed


def _data(k=12, n_vox=5, tau=0.8, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.05, 1.0, (k, n_vox))
    b = 1.0 + rng.normal(0, tau, (k, n_vox)) + rng.normal(0, np.sqrt(v))
    return b, v


def _combine(b, v, use_t=False):
    # statsmodels' DerSimonian-Laird ("chi2"); it warns about its per-sample intervals
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return combine_effects(b, v, method_re="chi2", use_t=use_t)


# --- random effects against statsmodels ----------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_random_effects_matches_statsmodels_per_voxel(seed):
    b, v = _data(n_vox=8, seed=seed)
    res = mixed.random_effects(b, v)
    assert res.estimate.shape == (8,)
    positive = 0
    for j in range(b.shape[1]):
        ref = _combine(b[:, j], v[:, j])
        if ref.tau2 > 0:  # the untruncated case: all numbers agree with statsmodels
            positive += 1
            np.testing.assert_allclose(res.tau2[j], ref.tau2)
            np.testing.assert_allclose(res.estimate[j], ref.mean_effect_re)
            np.testing.assert_allclose(res.se[j], ref.sd_eff_w_re)
        else:  # truncated at 0: random effects reduce to fixed effects
            assert res.tau2[j] == 0
            np.testing.assert_allclose(res.estimate[j], ref.mean_effect_fe)
    assert positive >= 6
    assert np.isinf(res.df)
    z = res.estimate / res.se
    np.testing.assert_allclose(res.stat, z)
    np.testing.assert_allclose(res.p, 2 * stats.norm.sf(np.abs(z)))


def test_random_effects_confidence_interval_matches_statsmodels():
    b, v = _data(k=8, n_vox=1, seed=2)
    b, v = b[:, 0], v[:, 0]
    for use_t in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = _combine(b, v, use_t=use_t).summary_frame()
        res = mixed.random_effects(b, v, use_t=use_t)
        crit = stats.t.ppf(0.975, 7) if use_t else stats.norm.ppf(0.975)
        np.testing.assert_allclose(
            [res.estimate - crit * res.se, res.estimate + crit * res.se],
            ref.loc["random effect", ["ci_low", "ci_upp"]].to_numpy(dtype=float),
        )
        assert res.df == (7 if use_t else np.inf)


def test_random_effects_truncates_negative_tau2_to_fixed_effects():
    # estimates much closer together than their variances allow: the raw DL value is negative
    b = np.array([1.0, 1.01, 0.99, 1.02, 0.98])
    v = np.array([0.5, 0.4, 0.6, 0.5, 0.3])
    ref = _combine(b, v)
    assert ref.tau2 < 0  # statsmodels does not truncate
    res = mixed.random_effects(b, v)
    assert res.tau2 == 0.0
    np.testing.assert_allclose(res.estimate, ref.mean_effect_fe)
    np.testing.assert_allclose(res.se, ref.sd_eff_w_fe)
    np.testing.assert_allclose(mixed.dersimonian_laird_tau2(b, v), 0.0)


def test_dl_formula_written_out():
    b, v = _data(k=10, n_vox=1, seed=9)
    b, v = b[:, 0], v[:, 0]
    w = 1 / v
    bw = (w * b).sum() / w.sum()
    q = (w * (b - bw) ** 2).sum()
    tau2 = max(0.0, (q - 9) / (w.sum() - (w**2).sum() / w.sum()))
    assert mixed.dersimonian_laird_tau2(b, v) == pytest.approx(tau2)
    one_voxel = mixed.dersimonian_laird_tau2(b, v)
    assert isinstance(one_voxel, np.ndarray) and one_voxel.shape == ()
    assert mixed.paule_mandel_tau2(b, v).shape == ()
    assert mixed.dersimonian_laird_tau2(b[:, None], v[:, None]).shape == (1,)


def test_random_effects_recovers_between_subject_variance():
    rng = np.random.default_rng(3)
    k, n_vox, tau = 200, 400, 0.7
    v = rng.uniform(0.1, 0.5, (k, n_vox))
    b = rng.normal(0, tau, (k, n_vox)) + rng.normal(0, np.sqrt(v))
    tau2 = mixed.dersimonian_laird_tau2(b, v)
    np.testing.assert_allclose(tau2.mean(), tau**2, rtol=0.05)


# --- Paule-Mandel -----------------------------------------------------------------------------


def _combine_pm(b, v):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return combine_effects(b, v, method_re="iterated")


@pytest.mark.parametrize("seed", range(3))
def test_paule_mandel_matches_statsmodels_iterated(seed):
    b, v = _data(k=10, n_vox=20, tau=0.6, seed=seed)
    tau2 = mixed.paule_mandel_tau2(b, v)
    res = mixed.random_effects(b, v, method="PM")
    assert res.method == "random effects (PM)"
    for j in range(b.shape[1]):
        ref = _combine_pm(b[:, j], v[:, j])
        # statsmodels stops at |Q - (K-1)| < 1e-5; ours iterates to 1e-10
        np.testing.assert_allclose(tau2[j], ref.tau2, rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(res.estimate[j], ref.mean_effect_re, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(res.se[j], ref.sd_eff_w_re, rtol=1e-4)
    np.testing.assert_allclose(res.tau2, tau2)


def test_paule_mandel_solves_its_estimating_equation():
    b, v = _data(k=15, n_vox=50, tau=1.0, seed=8)
    tau2 = mixed.paule_mandel_tau2(b, v)
    w = 1 / (v + tau2)
    q = (w * (b - (w * b).sum(0) / w.sum(0)) ** 2).sum(0)
    positive = tau2 > 0
    assert positive.sum() > 40
    np.testing.assert_allclose(q[positive], 14, rtol=1e-8)
    assert np.all(q[~positive] <= 14 * (1 + 1e-8))


def test_paule_mandel_equals_dl_with_equal_variances_and_zero_without_spread():
    rng = np.random.default_rng(1)
    b = rng.normal(0, 2, (8, 30))
    v = np.full_like(b, 0.5)
    np.testing.assert_allclose(mixed.paule_mandel_tau2(b, v), mixed.dersimonian_laird_tau2(b, v))
    assert mixed.paule_mandel_tau2([1.0, 1.01, 0.99], [1.0, 1.0, 1.0]) == 0.0


def test_paule_mandel_recovers_between_subject_variance():
    rng = np.random.default_rng(4)
    k, n_vox, tau = 100, 300, 0.7
    v = rng.uniform(0.05, 2.0, (k, n_vox))
    b = rng.normal(0, tau, (k, n_vox)) + rng.normal(0, np.sqrt(v))
    np.testing.assert_allclose(mixed.paule_mandel_tau2(b, v).mean(), tau**2, rtol=0.05)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"tol": 0.0}, "tol"), ({"max_iter": 0}, "max_iter"), ({"max_iter": 2.5}, "max_iter")],
)
def test_paule_mandel_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mixed.paule_mandel_tau2([1.0, 2.0, 4.0], [1.0, 1.0, 1.0], **kwargs)


def test_paule_mandel_reports_non_convergence():
    b, v = _data(k=10, n_vox=5, tau=2.0, seed=3)
    with pytest.raises(RuntimeError, match="did not converge"):
        mixed.paule_mandel_tau2(b, v, max_iter=1)


@pytest.mark.parametrize("method, match", [("dl", "did you mean 'DL'"), ("REML", "one of")])
def test_random_effects_bad_method(method, match):
    with pytest.raises(ValueError, match=match):
        mixed.random_effects([1.0, 2.0], [1.0, 1.0], method=method)


# --- OLS summary statistics ----------------------------------------------------------------------


def test_ols_summary_is_ttest_1samp():
    b, _ = _data(k=15, n_vox=6, seed=4)
    res = mixed.ols_summary(b)
    ref = stats.ttest_1samp(b, 0.0, axis=0)
    np.testing.assert_allclose(res.stat, ref.statistic)
    np.testing.assert_allclose(res.p, ref.pvalue)
    np.testing.assert_allclose(res.estimate, b.mean(axis=0))
    assert res.df == 14 and res.tau2 is None
    one = mixed.ols_summary(b[:, 0])
    assert isinstance(one.estimate, float)
    np.testing.assert_allclose(one.stat, ref.statistic[0])


# --- fixed effects against nilearn ---------------------------------------------------------------


def _images(arrays):
    affine = np.eye(4)
    return [nib.Nifti1Image(a.reshape(2, 3, 1).astype(np.float64), affine) for a in arrays]


@pytest.mark.parametrize("weighted", [True, False])
def test_fixed_effects_matches_nilearn(weighted):
    b, v = _data(k=4, n_vox=6, seed=5)
    dofs = [100, 90, 80, 120]
    mask = nib.Nifti1Image(np.ones((2, 3, 1), dtype=np.uint8), np.eye(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        con, var, stat, _ = compute_fixed_effects(
            _images(b), _images(v), mask=mask, precision_weighted=weighted, dofs=dofs
        )
    res = mixed.fixed_effects(b, v, precision_weighted=weighted, dofs=dofs)
    np.testing.assert_allclose(res.estimate, con.get_fdata().ravel(), rtol=1e-6)
    np.testing.assert_allclose(res.se**2, var.get_fdata().ravel(), rtol=1e-6)
    np.testing.assert_allclose(res.stat, stat.get_fdata().ravel(), rtol=1e-6)
    assert res.df == sum(dofs)
    np.testing.assert_allclose(res.p, 2 * stats.t.sf(np.abs(res.stat), sum(dofs)))


def test_fixed_effects_matches_statsmodels_fixed_part():
    b, v = _data(k=7, n_vox=1, seed=6)
    ref = _combine(b[:, 0], v[:, 0])
    res = mixed.fixed_effects(b[:, 0], v[:, 0])
    np.testing.assert_allclose(res.estimate, ref.mean_effect_fe)
    np.testing.assert_allclose(res.se, ref.sd_eff_w_fe)
    assert np.isinf(res.df)


def test_fixed_effects_understates_se_across_subjects():
    b, v = _data(k=20, n_vox=50, tau=1.0, seed=7)
    fx, rx = mixed.fixed_effects(b, v), mixed.random_effects(b, v)
    assert np.all(fx.se <= rx.se)


# --- bad inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "func",
    [
        mixed.fixed_effects,
        mixed.random_effects,
        mixed.dersimonian_laird_tau2,
        mixed.paule_mandel_tau2,
    ],
)
@pytest.mark.parametrize(
    "b, v, match",
    [
        ([1.0, 2.0], [1.0], "same shape"),
        ([1.0, 2.0], [1.0, 0.0], "> 0"),
        ([1.0, 2.0], [1.0, -1.0], "> 0"),
        ([1.0], [1.0], "at least 2"),
        ([1.0, np.nan], [1.0, 1.0], "NaN"),
        (np.ones((2, 2, 2)), np.ones((2, 2, 2)), "shape"),
    ],
)
def test_bad_inputs_with_variances(func, b, v, match):
    with pytest.raises(ValueError, match=match):
        func(b, v)


@pytest.mark.parametrize(
    "b, match", [([1.0], "at least 2"), ([1.0, np.inf], "NaN"), (np.ones((2, 2, 2)), "shape")]
)
def test_ols_bad_inputs(b, match):
    with pytest.raises(ValueError, match=match):
        mixed.ols_summary(b)


def test_fixed_effects_bad_dofs():
    with pytest.raises(ValueError, match="dofs"):
        mixed.fixed_effects([1.0, 2.0], [1.0, 1.0], dofs=[10])
    with pytest.raises(ValueError, match="dofs"):
        mixed.fixed_effects([1.0, 2.0], [1.0, 1.0], dofs=[10, 0])


# --- figures (course_utils.teaching.plotting, notebook 02)
# ------------------------------------------


def test_plot_beta_distribution_marks_mean():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    values = np.array([0.5, 1.0, 2.5])
    ax = plotting.plot_beta_distribution(values, true_mean=1.0)
    xs = sorted(line.get_xdata()[0] for line in ax.lines)
    np.testing.assert_allclose(xs, [0.0, 1.0, values.mean()])
    plt.close("all")


def test_plot_subject_intervals_rows_and_widths():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    ax = plotting.plot_subject_intervals(
        [1.0, 2.0, 3.0], [0.1, 0.2, 0.3], group={"RFX": (2.0, 0.5), "FFX": (2.1, 0.1)}
    )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["subject 1", "subject 2", "subject 3", "RFX", "FFX"]
    segments = ax.collections[0].get_segments()  # the subjects' error bars
    widths = [seg[1][0] - seg[0][0] for seg in segments]
    np.testing.assert_allclose(widths, 2 * 1.96 * np.array([0.1, 0.2, 0.3]))
    plt.close("all")


def test_plot_variance_components_bars_and_weights():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    s2 = np.array([0.1, 0.4, 1.5])
    ax = plotting.plot_variance_components(s2, tau2=0.3)
    between, first = ax.containers
    np.testing.assert_allclose([bar.get_width() for bar in between], 0.3)
    np.testing.assert_allclose([bar.get_width() for bar in first], s2)
    np.testing.assert_allclose([bar.get_x() for bar in first], 0.3)
    w = 1 / (0.3 + s2)
    shown = [float(t.get_text().split()[-1]) for t in ax.texts]
    np.testing.assert_allclose(shown, w / w.sum(), atol=0.005)
    assert "variance" in ax.get_xlabel()
    plt.close("all")


@pytest.mark.parametrize("weighted", [True, False])
def test_nilearn_fixed_effects_is_mixed_fixed_effects(weighted):
    b, v = _data(k=4, n_vox=3, seed=11)
    effect, variance = mixed.nilearn_fixed_effects(b, v, precision_weighted=weighted)
    ours = mixed.fixed_effects(b, v, precision_weighted=weighted)
    np.testing.assert_allclose(effect, ours.estimate)
    np.testing.assert_allclose(variance, ours.se**2)


def test_wald_test_is_the_t_or_z_test_of_estimate_over_se():
    stat, p = mixed.wald_test([1.0, -3.0], [0.5, 1.5], np.inf)
    np.testing.assert_allclose(stat, [2.0, -2.0])
    np.testing.assert_allclose(p, 2 * stats.norm.sf(2.0))
    stat, p = mixed.wald_test(2.0, 1.0, 5)
    assert isinstance(stat, np.ndarray) and stat.shape == ()
    assert float(p) == pytest.approx(2 * stats.t.sf(2.0, 5))
    with np.errstate(all="raise"):  # a zero or NaN standard error does not raise
        stat, p = mixed.wald_test([1.0, 1.0], [0.0, np.nan], 3)
    assert np.isinf(stat[0]) and np.isnan(stat[1]) and np.isnan(p[1])


def test_cochran_q_matches_statsmodels_and_paule_mandel():
    b, v = _data()
    for j in range(b.shape[1]):
        ref = combine_effects(b[:, j], v[:, j], method_re="chi2")
        assert mixed.cochran_q(b[:, j], v[:, j]) == pytest.approx(ref.q, rel=1e-10)
    # per voxel at once, and at each voxel's Paule-Mandel tau^2 it equals K - 1
    np.testing.assert_allclose(
        mixed.cochran_q(b, v), [mixed.cochran_q(b[:, j], v[:, j]) for j in range(5)]
    )
    pm = mixed.paule_mandel_tau2(b, v)
    q_pm = mixed.cochran_q(b, v, pm)
    assert (pm > 0).sum() >= 3
    np.testing.assert_allclose(q_pm[pm > 0], b.shape[0] - 1, rtol=1e-8)
    assert np.all(q_pm[pm == 0] <= b.shape[0] - 1)  # cut at 0: even tau^2 = 0 is too much
    # a grid of tau^2 for one study: falling, in the grid's shape
    grid = np.linspace(0, 2, 11)
    q = mixed.cochran_q(b[:, 0], v[:, 0], grid)
    assert q.shape == (11,) and np.all(np.diff(q) < 0)
    assert q[3] == pytest.approx(mixed.cochran_q(b[:, 0], v[:, 0], grid[3]))
    with pytest.raises(ValueError, match="tau2"):
        mixed.cochran_q(b[:, 0], v[:, 0], -1.0)


def test_plot_variance_components_labels_an_estimate_and_marks_the_truth():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    ax = plotting.plot_variance_components(
        [0.1, 0.4], tau2=0.3, tau2_label="DL estimate", true_tau2=0.25
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "DL estimate" in legend and any("true" in text for text in legend)
    assert ax.lines[0].get_xdata()[0] == 0.25
    plt.close("all")
