"""Tests of stats.thresholds: Bonferroni, FDR, t to z and the interval of a rate."""

import numpy as np
import pytest
from scipy import stats

from course_utils.stats import thresholds


def test_thresholds_and_conversions_agree_with_scipy_and_statsmodels():
    t = np.array([-3.0, 0.5, 2.0, 12.0])
    np.testing.assert_allclose(
        thresholds.t_to_z(t[:3], 15), np.sign(t[:3]) * stats.norm.isf(stats.t.sf(np.abs(t[:3]), 15))
    )
    far = thresholds.t_to_z(np.array([60.0, -60.0]), 29)
    assert np.isfinite(far).all() and far[0] == -far[1] and far[0] > 10
    # Far tail: z from the log p matches the normal tail at the same log p.
    np.testing.assert_allclose(stats.norm.logsf(far[0]), stats.t.logsf(60.0, 29), rtol=1e-8)
    assert np.isnan(thresholds.t_to_z(np.nan, 10))
    np.testing.assert_allclose(thresholds.t_to_z(2.5, 1e7), 2.5, rtol=1e-5)
    p = np.random.default_rng(7).uniform(size=500) ** 3
    cut = thresholds.fdr_threshold(p, 0.05)
    np.testing.assert_array_equal(p <= cut, stats.false_discovery_control(p) <= 0.05)
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_array_equal(p <= cut, multipletests(p, 0.05, method="fdr_bh")[0])
    assert thresholds.fdr_threshold([0.9, 0.8], 0.05) == 0.0
    np.testing.assert_allclose(
        thresholds.bonferroni_threshold(0.05, 100, df=20), stats.t.isf(0.05 / 200, 20)
    )
    np.testing.assert_allclose(
        thresholds.bonferroni_threshold(0.05, 100, two_sided=False), stats.norm.isf(0.05 / 100)
    )
    from statsmodels.stats.proportion import proportion_confint

    np.testing.assert_allclose(
        thresholds.binomial_interval(7, 120), proportion_confint(7, 120, alpha=0.05, method="beta")
    )
    np.testing.assert_allclose(
        thresholds.binomial_interval(0, 50, 0.99),
        proportion_confint(0, 50, alpha=0.01, method="beta"),
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: thresholds.fdr_threshold([0.1, np.nan]), "without NaN"),
        (lambda: thresholds.fdr_threshold([]), "non-empty"),
        (lambda: thresholds.fdr_threshold([0.1, 1.5]), r"\[0, 1\]"),
        (lambda: thresholds.fdr_threshold([0.1], alpha=1.5), "alpha"),
        (lambda: thresholds.bonferroni_threshold(0.05, 0), "n_tests"),
        (lambda: thresholds.bonferroni_threshold(0.0, 10), "alpha"),
        (lambda: thresholds.binomial_interval(5, 3), "k <= n"),
        (lambda: thresholds.binomial_interval(1, 3, level=95), "level"),
        (lambda: thresholds.t_to_z(2.0, 0), "df"),
    ],
)
def test_bad_inputs_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
