"""Tests of experiments.two_levels: the full mixed model and the notebook's simulated studies."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils.experiments import simulation, two_levels
from course_utils.stats import error_rates, mixed


def _data(k=12, n_vox=5, tau=0.8, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.05, 1.0, (k, n_vox))
    b = 1.0 + rng.normal(0, tau, (k, n_vox)) + rng.normal(0, np.sqrt(v))
    return b, v


def _noisy_study(seed, n_subjects=10, n_tr=100):
    sigma = np.ones(n_subjects)
    sigma[0] = 5.0
    return simulation.simulate_first_level(
        n_subjects,
        seed=seed,
        group_mean=1.0,
        group_sd=0.5,
        sigma=sigma,
        n_tr=n_tr,
        n_trials=n_tr // 10,
    )


def _unscaled(sim):
    return np.linalg.inv(sim.design.T @ sim.design)[1, 1]


def test_fit_mixedlm_is_ols_when_the_moment_estimate_is_positive():
    sim = _noisy_study(2)  # variance of the estimates - mean s^2 = 0.25 > 0
    b, v = sim.estimates[:, 0], sim.variances[:, 0]
    moments = b.var(ddof=1) - v.mean()
    assert moments > 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes the helper
        fit = two_levels.fit_mixedlm(sim)
    assert isinstance(fit, mixed.GroupEstimate) and fit.warnings == () and not fit.on_boundary
    ols = mixed.ols_summary(b)
    np.testing.assert_allclose(fit.estimate, ols.estimate, rtol=1e-10)
    np.testing.assert_allclose(fit.se, ols.se, rtol=1e-3)
    np.testing.assert_allclose(fit.tau2, moments, rtol=1e-2)
    # REML's pooled noise variance gives the mean first-level variance
    np.testing.assert_allclose(fit.sigma2 * _unscaled(sim), v.mean(), rtol=1e-3)
    np.testing.assert_allclose(fit.p, 2 * stats.norm.sf(abs(fit.estimate / fit.se)))


def test_fit_mixedlm_on_the_boundary_warns_and_has_a_larger_se():
    sim = _noisy_study(0)  # the moment estimate is negative (-0.07)
    b, v = sim.estimates[:, 0], sim.variances[:, 0]
    assert b.var(ddof=1) - v.mean() < 0
    fit = two_levels.fit_mixedlm(sim)
    assert fit.on_boundary and any("ConvergenceWarning" in w for w in fit.warnings)
    assert len(set(fit.warnings)) == len(fit.warnings)  # each message once
    assert fit.se > 1.1 * mixed.ols_summary(b).se
    np.testing.assert_allclose(fit.se**2, (fit.tau2 + fit.sigma2 * _unscaled(sim)) / 10, rtol=1e-6)


def test_fit_mixedlm_keeps_every_warning_of_a_failed_fit():
    # 200 scans, seed 29: every optimiser fails; statsmodels even returns a wrong estimate
    sim = _noisy_study(29, n_tr=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the NaN standard error warns too: kept, not shown
        fit = two_levels.fit_mixedlm(sim)
    assert np.isnan(fit.se) and fit.estimate != pytest.approx(sim.estimates[:, 0].mean())
    assert any("Hessian" in w for w in fit.warnings)
    assert any(w.startswith("RuntimeWarning") for w in fit.warnings)


def test_fit_mixedlm_matches_statsmodels_and_takes_a_subset():
    import pandas as pd
    import statsmodels.formula.api as smf

    sim = _noisy_study(3, n_subjects=8)
    part = two_levels.fit_mixedlm(sim, subjects=slice(0, 6))
    n_tr = sim.data.shape[-1]
    long = pd.DataFrame(
        {
            "y": sim.data[:6, 0].ravel(),
            "x": np.tile(sim.design[:, 1], 6),
            "subject": np.repeat(np.arange(6), n_tr),
        }
    )
    ref = smf.mixedlm("y ~ 0 + C(subject) + x", long, groups="subject", re_formula="0 + x").fit(
        reml=True
    )
    np.testing.assert_allclose(
        [part.estimate, part.se, part.p], [ref.fe_params["x"], ref.bse_fe["x"], ref.pvalues["x"]]
    )
    np.testing.assert_allclose(part.estimate, sim.estimates[:6, 0].mean(), rtol=1e-10)


def test_simulate_summary_statistics_moments_and_first_level_fits():
    s2 = np.full((40, 5000), 0.3)
    b, v = two_levels.simulate_summary_statistics(
        s2, seed=np.random.default_rng(5), group_mean=1.0, group_sd=0.5, df=20
    )
    assert b.shape == v.shape == s2.shape
    np.testing.assert_allclose(b.mean(), 1.0, atol=0.01)
    np.testing.assert_allclose(b.var(), 0.25 + 0.3, rtol=0.01)
    np.testing.assert_allclose(v.mean(), 0.3, rtol=0.005)
    np.testing.assert_allclose(v.var(), 2 * 0.3**2 / 20, rtol=0.03)  # chi2(20) / 20
    # the same distribution as fitting simulated time series
    sim = simulation.simulate_first_level(3000, seed=6, group_mean=0.0, group_sd=0.5, sigma=2.0)
    fast_b, fast_v = two_levels.simulate_summary_statistics(
        np.full(3000, 4 * _unscaled(sim)), seed=7, group_mean=0.0, group_sd=0.5, df=sim.df
    )
    assert stats.ks_2samp(fast_b, sim.estimates[:, 0]).pvalue > 0.01
    assert stats.ks_2samp(fast_v, sim.variances[:, 0]).pvalue > 0.01


@pytest.mark.parametrize(
    "kwargs, match",
    [({"first_level_var": [1.0, 0.0]}, "> 0"), ({"first_level_var": [1.0], "df": 0}, "df")],
)
def test_simulate_summary_statistics_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        two_levels.simulate_summary_statistics(seed=0, **kwargs)


def test_method_table_rates_intervals_and_spread():
    b, v = _data(k=10, n_vox=400, tau=0.5, seed=12)
    results = {"OLS": mixed.ols_summary(b - 1.0), "RE": mixed.random_effects(b - 1.0, v)}
    table = two_levels.method_table(results, alpha=0.1, confidence=0.9)
    assert list(table.index) == ["OLS", "RE"]
    for name, result in results.items():
        hits = int((result.p < 0.1).sum())
        ci = stats.binomtest(hits, 400).proportion_ci(confidence_level=0.9)
        row = table.loc[name]
        assert (row["hits"], row["n_sim"]) == (hits, 400)
        # the Clopper-Pearson interval binomtest gave before rate_table computed it
        np.testing.assert_array_equal(
            row[["rate", "ci_low", "ci_high"]].to_numpy(dtype=float),
            [hits / 400, ci.low, ci.high],
        )
        sd = result.estimate.std(ddof=1)
        assert row["sd_low"] < sd == row["estimate_sd"] < row["sd_high"]
        # the chi-square interval of a standard deviation
        np.testing.assert_allclose(row["sd_high"] ** 2 * stats.chi2.ppf(0.05, 399) / 399, sd**2)


def test_the_helpers_take_a_keyword_only_seed():
    with pytest.raises(TypeError):
        two_levels.simulate_sessions(4, 10, 0, run_variance=1.0)
    with pytest.raises(TypeError):
        two_levels.simulate_summary_statistics(np.ones(3), 0)
    # an int seed and its generator give the same studies
    a = two_levels.simulate_summary_statistics(np.ones((3, 4)), seed=2)
    b = two_levels.simulate_summary_statistics(np.ones((3, 4)), seed=np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)


def test_method_table_is_a_rate_table():
    b, _ = _data(k=6, n_vox=50, seed=1)
    table = two_levels.method_table({"OLS": mixed.ols_summary(b)}, confidence=0.9)
    assert tuple(table.columns) == two_levels.COLUMNS
    assert table.index.name == error_rates.RATE_COLUMNS[0]
    common = list(error_rates.RATE_COLUMNS[1:])
    assert two_levels.COLUMNS[: len(common)] == tuple(common)
    hits = int(table.loc["OLS", "hits"])
    expected = error_rates.rate_table({"OLS": hits}, 50, 0.9)
    pd.testing.assert_frame_equal(table[common], expected)


def test_method_table_needs_studies_of_one_size():
    b, _ = _data(k=6, n_vox=50, seed=1)
    results = {"OLS": mixed.ols_summary(b), "fewer": mixed.ols_summary(b[:, :40])}
    with pytest.raises(ValueError, match=r"same number.*\[40, 50\]"):
        two_levels.method_table(results)
    with pytest.raises(ValueError, match="at least one method"):
        two_levels.method_table({})


# --- fixed effects under the null: theory, subject means of several runs, rates ----------------


def test_simulate_subject_means_variances_and_df():
    b, v = two_levels.simulate_subject_means(
        8, 20_000, seed=3, run_variance=0.4, n_runs=4, group_mean=1.0, group_sd=0.5
    )
    assert b.shape == v.shape == (8, 20_000)
    # tau^2 stays whole; the first-level part is one run's variance over the runs
    assert b.var(ddof=1) == pytest.approx(0.25 + 0.1, rel=0.03)
    assert b.mean() == pytest.approx(1.0, abs=0.01)
    # the estimated variance is 0.1 chi2(4 * 98) / (4 * 98): its relative variance 2 / 392
    assert v.mean() == pytest.approx(0.1, rel=0.01)
    assert (v / 0.1).var() == pytest.approx(2 / 392, rel=0.05)


def test_simulate_subject_means_seeds_and_inputs():
    a = two_levels.simulate_subject_means(3, 4, seed=2, run_variance=1.0)
    b = two_levels.simulate_subject_means(3, 4, seed=np.random.default_rng(2), run_variance=1.0)
    np.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="n_runs"):
        two_levels.simulate_subject_means(3, 4, seed=0, run_variance=1.0, n_runs=0)
    with pytest.raises(ValueError, match="first_level_var"):
        two_levels.simulate_subject_means(3, 4, seed=0, run_variance=-1.0)
    with pytest.raises(TypeError):
        two_levels.simulate_subject_means(3, 4, 0, run_variance=1.0)  # keyword-only seed


def test_fixed_effects_z_variance_formula_and_inputs():
    assert two_levels.fixed_effects_z_variance(0.0, 0.3) == 1.0  # tau^2 = 0: a valid z
    assert two_levels.fixed_effects_z_variance(0.3, 0.1) == pytest.approx(4.0)
    np.testing.assert_allclose(
        two_levels.fixed_effects_z_variance(0.25, [0.25, 0.125], df=[np.inf, 104]),
        [2.0, 3.0 * 104 / 100],
    )
    for bad in [dict(tau2=-1.0), dict(first_level_var=0.0), dict(df=4)]:
        with pytest.raises(ValueError):
            two_levels.fixed_effects_z_variance(**(dict(tau2=0.1, first_level_var=0.1) | bad))


@pytest.mark.slow  # statistical calibration: many simulated studies
def test_fixed_effects_z_variance_matches_simulation_at_every_k():
    for k in (5, 40):
        b, v = two_levels.simulate_subject_means(k, 20_000, seed=k, run_variance=0.06)
        z = mixed.fixed_effects(b, v).stat
        expected = two_levels.fixed_effects_z_variance(0.25, 0.06, df=98)
        # a sample variance of 20,000 values: relative SE sqrt(2 / 19,999) = 1 %
        assert z.var(ddof=1) == pytest.approx(expected, rel=0.05)
    from statsmodels.stats.meta_analysis import combine_effects

    # the fixed-effects z is statsmodels' (one study)
    res = combine_effects(b[:, 0], v[:, 0])
    assert z[0] == pytest.approx(res.mean_effect_fe / res.sd_eff_w_fe)


def test_null_rates_layout_and_levels():
    table = two_levels.null_rates([5, 20], [1, 4], seed=0, run_variance=0.06, n_sim=400)
    assert list(table.columns[: len(error_rates.RATE_COLUMNS)]) == list(error_rates.RATE_COLUMNS)
    assert table["method"].tolist() == ["fixed effects", "OLS (t-test)"] * 2
    assert table["n_subjects"].tolist() == [5, 5, 20, 20]
    np.testing.assert_allclose(table["first_level_var"], [0.06, 0.06, 0.015, 0.015])
    assert (table["n_sim"] == 400).all()
    np.testing.assert_allclose(table["rate"], table["hits"] / 400)
    assert (table["ci_low"] <= table["rate"]).all() and (table["rate"] <= table["ci_high"]).all()


@pytest.mark.slow  # statistical calibration: many simulated studies
def test_null_rates_fixed_effects_theory_and_valid_ols():
    table = two_levels.null_rates(
        [5, 80, 20], [1, 1, 8], seed=1, run_variance=0.06, n_sim=4000, level=0.999
    )
    fe = table[table["method"] == "fixed effects"]
    variance = two_levels.fixed_effects_z_variance(
        0.25, fe["first_level_var"], df=98 * fe["n_runs"]
    )
    theory = 2 * stats.norm.sf(stats.norm.isf(0.025) / np.sqrt(np.asarray(variance)))
    assert ((fe["ci_low"] <= theory) & (theory <= fe["ci_high"])).all()
    ols = table[table["method"] == "OLS (t-test)"]
    assert ((ols["ci_low"] <= 0.05) & (0.05 <= ols["ci_high"])).all()


def test_simulate_sessions_moments_and_shape():
    b, v = two_levels.simulate_sessions(
        4, 50_000, seed=3, run_variance=0.0625, run_sd=0.25, amplitude=1.0, df_run=20
    )
    assert b.shape == v.shape == (4, 50_000)
    np.testing.assert_allclose(b.mean(), 1.0, atol=0.005)
    np.testing.assert_allclose(b.var(), 0.0625 + 0.0625, rtol=0.02)  # run_sd^2 + s^2
    np.testing.assert_allclose(v.mean(), 0.0625, rtol=0.01)
    # each variance estimate is s^2 chi2(df) / df
    np.testing.assert_allclose(v.var(), 0.0625**2 * 2 / 20, rtol=0.05)
    # the runs of one session share nothing but the subject's amplitude
    assert abs(np.corrcoef(b[0], b[1])[0, 1]) < 0.02
    with pytest.raises(ValueError):
        two_levels.simulate_sessions(0, 10, seed=0, run_variance=1.0)


def test_session_spread_matches_theory_and_coverage():
    sds = np.array([0.0, 0.1, 0.3])
    table = two_levels.session_spread(
        sds, seed=1, run_variance=0.04, n_runs=4, n_sessions=20_000, confidence=0.95
    )
    assert table.index.name == "run_sd" and table.index.tolist() == sds.tolist()
    assert list(table.columns) == [
        "reported_se",
        "session_sd",
        "sd_low",
        "sd_high",
        "coverage",
        "n_sessions",
    ]
    theory_sd = np.sqrt((sds**2 + 0.04) / 4)
    np.testing.assert_allclose(table["session_sd"], theory_sd, rtol=0.02)
    np.testing.assert_allclose(table["reported_se"], np.sqrt(0.04 / 4), rtol=0.01)
    assert (table["sd_low"] < table["session_sd"]).all()
    assert (table["session_sd"] < table["sd_high"]).all()
    coverage = 2 * stats.norm.cdf(1.959964 * np.sqrt(0.04 / 4) / theory_sd) - 1
    np.testing.assert_allclose(table["coverage"], coverage, atol=0.01)
    # the same sessions as fixed effects on simulate_sessions' draws
    b, v = two_levels.simulate_sessions(4, 300, seed=2, run_variance=0.04, run_sd=0.2)
    one = two_levels.session_spread(0.2, seed=2, run_variance=0.04, n_sessions=300)
    fe = mixed.fixed_effects(b, v)
    np.testing.assert_allclose(one["session_sd"].iloc[0], np.std(fe.estimate, ddof=1))
    np.testing.assert_allclose(one["reported_se"].iloc[0], np.sqrt(np.mean(fe.se**2)))
    with pytest.raises(ValueError, match="run_sd"):
        two_levels.session_spread(-0.1, seed=0, run_variance=0.04)
