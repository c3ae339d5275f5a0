"""The error mean squares of a within-subject ANOVA and the spread that sets their ratio."""

import numpy as np
import pytest

from course_utils.stats import anova, error_terms


def _cells(Y, f):
    return {
        (a, b): Y[(f["a"] == a) & (f["b"] == b)]
        for a in np.unique(f["a"])
        for b in np.unique(f["b"])
    }


def test_error_mean_squares_are_the_partitioned_f_denominators():
    rng = np.random.default_rng(0)
    Y, s, f = anova.simulate_null(9, {"a": 2, "b": 3}, {"b": (1.0, 0.5)}, n_sim=50, seed=rng)
    Y = Y + rng.normal(size=(Y.shape[0], 1)) * 3  # an effect so that F is not ~0
    maps, pooled = anova.rm_anova(Y, s, f), anova.pooled_anova(Y, s, f)
    ms = error_terms.error_mean_squares(_cells(Y, f), ("a", "b"))
    ms_pooled = (ms["a"] + 2 * ms["b"] + 2 * ms["a:b"]) / 5
    for effect in maps.effects:
        np.testing.assert_allclose(
            maps[effect]["F"] * ms[effect], pooled[effect]["F"] * ms_pooled, rtol=1e-8
        )


@pytest.mark.parametrize("ratio", [0.5, 1.0, 3.0])
def test_spread_for_ratio_gives_that_ratio_in_simulated_studies(ratio):
    spread = error_terms.spread_for_ratio(ratio, "b", "a")
    Y, _, f = anova.simulate_null(50, {"a": 2, "b": 3}, spread, n_sim=400, seed=1)
    ms = error_terms.error_mean_squares(_cells(Y, f), ("a", "b"))
    assert np.median(ms["b"]) / np.median(ms["a"]) == pytest.approx(ratio, rel=0.1)


def test_bad_input_raises():
    with pytest.raises(ValueError, match="positive"):
        error_terms.spread_for_ratio(0.0, "b", "a")
    with pytest.raises(ValueError, match="lacks"):
        error_terms.error_mean_squares({(0, 0): np.ones((3, 2)), (1, 1): np.ones((3, 2))}, "ab")
    with pytest.raises(ValueError, match="two subjects"):
        error_terms.error_mean_squares({(0,): np.ones((1, 2)), (1,): np.ones((1, 2))}, ("a",))
