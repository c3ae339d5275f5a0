"""The script that measures the t-tests-as-regressions notebook's random claims."""

import numpy as np

from tools import measure_regression_claims as claims


def test_paired_ratio_centres_on_theory():
    out = claims.measure(n_sim=4_000, seed=0)
    theory = np.sqrt(1 + 0.5**2 / 0.2**2)
    np.testing.assert_allclose(out["paired_ratio_theory"], theory)
    assert abs(out["paired_ratio_median"] - theory) < 0.1
    assert out["paired_ratio_q_low"] < out["paired_ratio_median"] < out["paired_ratio_q_high"]


def test_claims_hold_in_nearly_every_draw():
    out = claims.measure(n_sim=4_000, seed=1)
    assert out["ages_plain_negative_rate"] == 1.0
    assert out["ages_vif_below_5_rate"] == 0.0
    assert out["overlap_age_se_shrinks_rate"] > 0.99
    assert out["overlap_motion_se_grows_rate"] > 0.99
    assert out["overlap_age_vif_max"] < 5 < out["ages_vif_min"]
    # The adjusted young-minus-old estimate: a standard error of the order of the true effect.
    assert out["ages_adjusted_se_over_effect_min"] > 0.5
    assert 0.55 < out["ages_adjusted_positive_rate"] < 0.85
    # An unbalanced covariate makes the estimate itself noisier.
    assert out["overlap_motion_estimate_sd_ratio"] > 1.3


def test_batched_ols_matches_lstsq():
    rng = np.random.default_rng(2)
    X = np.stack([np.ones((3, 10)), rng.normal(size=(3, 10))], axis=2)
    y = rng.normal(size=(3, 10))
    beta, se, _ = claims._ols(X, y)
    for s in range(3):
        np.testing.assert_allclose(beta[s], np.linalg.lstsq(X[s], y[s], rcond=None)[0])
    vif = claims._vif(X, 1)
    np.testing.assert_allclose(vif, 1.0)  # one regressor beside the intercept


def test_main_prints_every_quantity(capsys):
    claims.main(["--n-sim", "500"])
    printed = capsys.readouterr().out
    assert "paired_ratio_theory" in printed and "overlap_motion_se_grows_rate" in printed


def test_age_slope_and_adjusted_se_bounds_are_reported():
    out = claims.measure(n_sim=4_000, seed=3)
    # The adjusted group beta's se: above 0.7 times the true effect in (nearly) every draw.
    assert out["ages_adjusted_se_below_0.7_effect_rate"] < 1e-3
    assert out["ages_adjusted_se_over_effect_q_low"] > 0.7
    # The age slope, learnt within the groups' narrow ages, is itself uncertain.
    assert out["ages_slope_se_over_truth_min"] > 0.2
