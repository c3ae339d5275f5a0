"""Tests of experiments.simulation: simulated subjects, first-level fits, groups, pairs."""

import numpy as np
import pytest
from scipy import stats

from course_utils.experiments import simulation


def test_subject_betas_are_normal_with_given_mean_and_sd():
    b = simulation.simulate_subject_betas(4000, mean=2.0, sd=1.5, seed=7)
    assert stats.ttest_1samp(b, 2.0).pvalue > 0.01
    # variance test: (n-1) s^2 / sd^2 ~ chi2(n-1)
    chi = (b.size - 1) * b.var(ddof=1) / 1.5**2
    assert 0.005 < stats.chi2.cdf(chi, b.size - 1) < 0.995
    assert stats.kstest(b, stats.norm(2.0, 1.5).cdf).pvalue > 0.01
    assert (b < 0).any()  # a normal population, not a half-normal one


@pytest.mark.parametrize("kwargs", [{"n_subjects": 0}, {"sd": -1.0}, {"mean": np.nan}])
def test_subject_betas_bad_inputs(kwargs):
    args = {"n_subjects": 5, "mean": 0.0, "sd": 1.0, "seed": 0} | kwargs
    with pytest.raises(ValueError):
        simulation.simulate_subject_betas(**args)


def test_first_level_estimates_unbiased_with_right_variance():
    s = simulation.simulate_first_level(
        300, seed=2, group_mean=1.0, group_sd=0.5, sigma=1.0, n_runs=2
    )
    assert s.estimates.shape == (300, 2) and s.data.shape == (300, 2, 100)
    err = s.estimates - s.true_betas[:, None]
    assert abs(err.mean()) < 3 * err.std() / np.sqrt(err.size)
    # the reported variance matches the spread of the errors (white noise, OLS is right)
    np.testing.assert_allclose(err.var(), s.variances.mean(), rtol=0.15)
    X = s.design
    coef = np.linalg.lstsq(X, s.data[4, 1], rcond=None)[0]
    np.testing.assert_allclose(s.estimates[4, 1], coef[1])


def test_first_level_between_subject_spread():
    s = simulation.simulate_first_level(2000, seed=3, group_mean=0.5, group_sd=0.8, sigma=0.5)
    assert stats.ttest_1samp(s.true_betas, 0.5).pvalue > 0.01
    # Var(estimate) = sd^2 + first-level variance
    np.testing.assert_allclose(s.subject_estimates.var(), 0.8**2 + s.variances.mean(), rtol=0.1)


def test_first_level_per_subject_sigma():
    sigma = np.ones(10)
    sigma[0] = 10.0
    s = simulation.simulate_first_level(10, seed=0, sigma=sigma)
    assert s.variances[0, 0] > 20 * np.median(s.variances[1:, 0])


@pytest.mark.parametrize(
    "kwargs", [{"sigma": np.ones(3)}, {"sigma": 0.0}, {"n_runs": 0}, {"ar1": 2.0}]
)
def test_first_level_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        simulation.simulate_first_level(5, seed=0, **kwargs)


def test_two_groups_and_paired():
    g1, g2 = simulation.simulate_two_groups(3000, 2000, 1.0, -1.0, 2.0, seed=4)
    assert stats.ttest_1samp(g1, 1.0).pvalue > 0.01 and stats.ttest_1samp(g2, -1.0).pvalue > 0.01
    np.testing.assert_allclose([g1.std(), g2.std()], 2.0, rtol=0.05)
    a, b = simulation.simulate_paired(3000, 2.0, 1.5, subject_sd=3.0, within_sd=0.5, seed=5)
    d = a - b
    assert stats.ttest_1samp(d, 0.5).pvalue > 0.01
    np.testing.assert_allclose(d.std(), np.sqrt(2) * 0.5, rtol=0.05)
    np.testing.assert_allclose(a.std(), np.sqrt(3.0**2 + 0.5**2), rtol=0.05)
    with pytest.raises(ValueError):
        simulation.simulate_paired(10, 0, 0, subject_sd=-1.0, within_sd=1.0, seed=0)


@pytest.mark.parametrize(
    "args, error",
    [
        ((0, 5, 1.0, 0.0, 1.0, 0), ValueError),
        ((5, 5, 1.0, 0.0, -1.0, 0), ValueError),
        ((5, 5, 1.0, 0.0, 1.0, "seed"), TypeError),
    ],
)
def test_two_groups_bad_inputs(args, error):
    with pytest.raises(error):
        simulation.simulate_two_groups(*args[:5], seed=args[5])


def test_the_seed_repeats_the_draws_in_the_same_order():
    a = simulation.simulate_first_level(4, seed=3, n_runs=2)
    gen = np.random.default_rng(3)
    b = simulation.simulate_first_level(4, seed=gen, n_runs=2)
    np.testing.assert_array_equal(a.data, b.data)
    # the true amplitudes are drawn first, from the same generator
    truth = np.random.default_rng(3).normal(1.0, 0.5, 4)
    np.testing.assert_array_equal(a.true_betas, truth)


@pytest.mark.parametrize("seed", [None, 1.5, "0", True])
def test_a_seed_is_required(seed):
    with pytest.raises(TypeError, match="seed"):
        simulation.simulate_subject_betas(3, 0.0, 1.0, seed=seed)
    with pytest.raises(TypeError):
        simulation.simulate_first_level(3, 0)  # keyword-only


def test_typical_study_has_the_median_dl_tau2_of_its_studies():
    from course_utils.stats import mixed

    sigma = np.r_[5.0, np.ones(9)]
    chosen = simulation.typical_study(10, 101, seed=3, group_sd=0.5, sigma=sigma)
    every = simulation.simulate_first_level(1010, seed=3, group_sd=0.5, sigma=np.tile(sigma, 101))
    b = every.estimates[:, 0].reshape(101, 10).T
    v = every.variances[:, 0].reshape(101, 10).T
    tau2 = mixed.random_effects(b, v).tau2
    assert chosen.estimates.shape == (10, 1) and chosen.data.shape[:2] == (10, 1)
    np.testing.assert_allclose(
        mixed.random_effects(chosen.estimates[:, 0], chosen.variances[:, 0]).tau2,
        np.median(tau2),  # an odd number of studies: the median is one of them
    )
    assert chosen.variances[0, 0] > 5 * chosen.variances[1:, 0].max()  # sigma kept its order
