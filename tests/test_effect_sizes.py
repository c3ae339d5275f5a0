"""course_utils.stats.effect_sizes: Cohen's d of a fit, and its noncentral-t interval."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils.stats import effect_sizes, glm, thresholds
from course_utils.stats.designs import one_sample

# R's datasets::mtcars: miles per gallon, and the transmission (0 automatic, 1 manual).
MTCARS_MPG = np.array(
    [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
     14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4]
)  # fmt: skip
MTCARS_AM = np.array(
    [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
)  # fmt: skip


def test_cohens_d_one_and_two_sample():
    rng = np.random.default_rng(8)
    Y = rng.normal(0.5, 2.0, (40, 6))
    fit = glm.regress(one_sample(40), Y)
    np.testing.assert_allclose(effect_sizes.cohens_d(fit), Y.mean(0) / Y.std(0, ddof=1))
    g1, g2 = rng.normal(1, 1, 12), rng.normal(0, 1, 9)
    cells = glm.regress(
        np.column_stack([np.r_[np.ones(12), np.zeros(9)], np.r_[np.zeros(12), np.ones(9)]]),
        np.r_[g1, g2],
    )
    pooled = np.sqrt((11 * g1.var(ddof=1) + 8 * g2.var(ddof=1)) / 19)
    expected = (g1.mean() - g2.mean()) / pooled
    np.testing.assert_allclose(effect_sizes.cohens_d(cells, [1, -1]), expected)
    np.testing.assert_allclose(effect_sizes.cohens_d(cells, {"x0": 1, "x1": -1}), expected)
    assert isinstance(effect_sizes.cohens_d(cells, [1, -1]), float)
    with pytest.raises(ValueError, match="single contrast"):
        effect_sizes.cohens_d(cells, np.eye(2))


def test_interval_matches_the_published_effectsize_case():
    # effectsize::cohens_d(mpg ~ am, data = mtcars): d = -1.48, 95% CI [-2.27, -0.67]
    # (the package's README and vignette; printed to two decimals).
    X = np.column_stack([MTCARS_AM == 0, MTCARS_AM == 1]).astype(float)
    d = effect_sizes.cohens_d(glm.regress(X, MTCARS_MPG), [1, -1])
    low, high = effect_sizes.cohens_d_interval(d, 19, n2=13)
    assert round(d, 2) == -1.48
    assert (round(low, 2), round(high, 2)) == (-2.27, -0.67)


@pytest.mark.parametrize(("d", "n", "n2"), [(0.0, 10, None), (0.8, 10, None), (-2.5, 25, None),
                                             (0.4, 12, 15), (1.0, 3, 2)])  # fmt: skip
def test_limits_put_the_observed_t_at_the_tail_quantiles(d, n, n2):
    low, high = effect_sizes.cohens_d_interval(d, n, n2=n2, level=0.9)
    scale, df = (1 / np.sqrt(n), n - 1) if n2 is None else (np.sqrt(1 / n + 1 / n2), n + n2 - 2)
    t = d / scale
    np.testing.assert_allclose(stats.nct.sf(t, df, low / scale), 0.05, rtol=1e-8)
    np.testing.assert_allclose(stats.nct.cdf(t, df, high / scale), 0.05, rtol=1e-8)
    assert low < d < high


def test_interval_is_not_the_normal_approximation_nor_symmetric():
    low, high = effect_sizes.cohens_d_interval(1.2, 8)
    margin = stats.norm.isf(0.025) * np.sqrt(1 / 8 + 1.2**2 / (2 * 8))
    assert abs(low - (1.2 - margin)) > 0.03
    assert 1.2 - low > high - 1.2  # reaches further towards zero (d is biased upwards)


def test_interval_arrays_keep_their_shape_and_symmetry():
    d = np.array([[0.5, -0.5], [0.0, 1.5]])
    low, high = effect_sizes.cohens_d_interval(d, 20)
    assert low.shape == high.shape == (2, 2)
    np.testing.assert_allclose(low[0, 1], -high[0, 0], rtol=1e-10)
    np.testing.assert_allclose(low[1, 0], -high[1, 0], rtol=1e-10)
    one = effect_sizes.cohens_d_interval(1.5, 20)
    np.testing.assert_allclose((low[1, 1], high[1, 1]), one, rtol=1e-12)


def test_interval_narrows_with_more_subjects():
    widths = [np.subtract(*effect_sizes.cohens_d_interval(0.5, n)[::-1]) for n in (10, 40, 160)]
    assert widths[0] > widths[1] > widths[2]
    np.testing.assert_allclose(widths[1] / widths[2], 2.0, rtol=0.05)  # ~ 1 / sqrt(n)


def test_interval_covers_the_true_d_at_its_level():
    rng = np.random.default_rng(4)
    n, n_sim, delta = 10, 4000, 0.6
    samples = rng.normal(delta, 1.0, (n_sim, n))
    d = samples.mean(1) / samples.std(1, ddof=1)
    low, high = effect_sizes.cohens_d_interval(d, n)
    hits = int(np.count_nonzero((low <= delta) & (delta <= high)))
    lower, upper = thresholds.binomial_interval(hits, n_sim, level=0.999)
    assert lower <= 0.95 <= upper


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d": 0.5, "n": 1}, "n must be an integer >= 2"),
        ({"d": 0.5, "n": 2.5}, "n must be an integer"),
        ({"d": 0.5, "n": 1, "n2": 1}, "at least 3 subjects"),
        ({"d": 0.5, "n": 10, "level": 95}, "level must lie between 0 and 1"),
        ({"d": np.nan, "n": 10}, "not finite"),
    ],
)
def test_interval_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        effect_sizes.cohens_d_interval(**kwargs)


def test_subsample_effects_t_grows_d_does_not():
    rng = np.random.default_rng(5)
    values = rng.normal(0.7, 1.0, 60)
    table = effect_sizes.subsample_effects(values, [10, 30, 60], n_sim=400, seed=2)
    assert table.groupby("n_subjects").size().to_dict() == {10: 400, 30: 400, 60: 1}
    medians = table.groupby("n_subjects").median()
    assert medians.loc[10, "t"] < medians.loc[30, "t"] < medians.loc[60, "t"]
    np.testing.assert_allclose(medians["d"], medians.loc[60, "d"], rtol=0.15)
    everyone = table[table["n_subjects"] == 60].iloc[0]
    np.testing.assert_allclose(everyone["t"], stats.ttest_1samp(values, 0.0).statistic)
    np.testing.assert_allclose(table["t"], table["d"] * np.sqrt(table["n_subjects"]))
    spread = table.groupby("n_subjects")["d"].std()
    assert spread.loc[10] > spread.loc[30]


def test_subsample_effects_draws_subsets_of_the_subjects_without_replacement():
    values = np.arange(1.0, 9.0)  # distinct values: a repeated subject would show
    table = effect_sizes.subsample_effects(values, [8], n_sim=3)
    np.testing.assert_allclose(table["d"], values.mean() / values.std(ddof=1))
    again = effect_sizes.subsample_effects(values, [4], n_sim=50, seed=7)
    pd.testing.assert_frame_equal(
        again, effect_sizes.subsample_effects(values, [4], n_sim=50, seed=7)
    )


@pytest.mark.parametrize(
    ("values", "sizes", "match"),
    [([1.0], [1], "at least 2"), ([1.0, np.nan, 2.0], [2], "finite"),
     ([1.0, 2.0, 3.0], [4], "larger than the 3"), ([1.0, 2.0, 3.0], [1], ">= 2")],
)  # fmt: skip
def test_subsample_effects_rejects_bad_input(values, sizes, match):
    with pytest.raises(ValueError, match=match):
        effect_sizes.subsample_effects(values, sizes)
