"""Tests of stats.error_rates: the false-positive-rate experiment and the rate layout."""

import numpy as np
import pytest
from scipy import stats

from course_utils.stats import error_rates, inference, thresholds

#: Level of the binomial intervals in the calibration tests: a calibrated method fails 1 in 1000.
LEVEL = 0.999


def _smooth_null(rng, n_subjects, n_voxels, width=5):
    """Null data with spatial correlation along a line of voxels (a moving average)."""
    raw = rng.normal(size=(n_subjects, n_voxels + width - 1))
    kernel = np.ones(width) / np.sqrt(width)
    return np.stack([np.convolve(row, kernel, mode="valid") for row in raw])


def test_rate_table_layout():
    table = error_rates.rate_table({"a": 5, "b": 0}, 100, level=0.95, extra=[1.0, 2.0])
    assert table.index.name == "method" and list(table.index) == ["a", "b"]
    assert list(table.columns) == [*error_rates.RATE_COLUMNS[1:], "extra"]
    assert table["rate"].tolist() == [0.05, 0.0] and table["n_sim"].tolist() == [100, 100]
    assert (table.loc["a", "ci_low"], table.loc["a", "ci_high"]) == thresholds.binomial_interval(
        5, 100, 0.95
    )


@pytest.mark.slow  # statistical calibration: many simulations
def test_familywise_error_rate_of_the_four_methods():
    n_sets = 400
    datasets = [_smooth_null(np.random.default_rng(900 + k), 20, 200) for k in range(n_sets)]
    table = error_rates.familywise_error_rate(datasets, alpha=0.05, level=LEVEL, n_perm=200)
    assert list(table.index) == list(error_rates.METHODS)
    assert (table["n_sim"] == n_sets).all()
    # Same counts as a plain loop over the data sets.
    for method in ("uncorrected", "bonferroni", "fdr"):
        hits = sum(bool(error_rates.significant_voxels(Y, method).any()) for Y in datasets)
        assert table.loc[method, "hits"] == hits
    assert table.loc["uncorrected", "rate"] > 0.9  # 200 tests at 5%: almost always one
    assert table.loc["uncorrected", "mean_false_positives"] == pytest.approx(10, rel=0.15)
    assert table.loc["max-t", "ci_low"] <= 0.05 <= table.loc["max-t", "ci_high"]
    # Bonferroni and FDR (= FWE under the complete null) control the rate, conservatively here.
    assert table.loc["bonferroni", "ci_low"] <= 0.05
    assert table.loc["fdr", "ci_low"] <= 0.05
    low, high = thresholds.binomial_interval(table.loc["fdr", "hits"], n_sets, LEVEL)
    assert (table.loc["fdr", "ci_low"], table.loc["fdr", "ci_high"]) == (low, high)
    custom = error_rates.familywise_error_rate(
        iter(datasets[:30]), {"t>3": lambda Y: np.abs(Y.mean(0)) > 3}
    )
    assert custom.loc["t>3", "hits"] == 0


def test_significant_voxels_agrees_with_scipy_and_the_permutation_test():
    rng = np.random.default_rng(14)
    Y = rng.normal(size=(16, 300))
    Y[:, :10] += 1.5
    p = stats.ttest_1samp(Y, 0).pvalue
    np.testing.assert_array_equal(error_rates.significant_voxels(Y, "uncorrected"), p <= 0.05)
    np.testing.assert_array_equal(error_rates.significant_voxels(Y, "bonferroni"), p <= 0.05 / 300)
    np.testing.assert_array_equal(
        error_rates.significant_voxels(Y, "fdr"), stats.false_discovery_control(p) <= 0.05
    )
    p_one = stats.ttest_1samp(Y, 0, alternative="greater").pvalue
    np.testing.assert_array_equal(
        error_rates.significant_voxels(Y, "uncorrected", two_sided=False), p_one <= 0.05
    )
    np.testing.assert_array_equal(
        error_rates.significant_voxels(Y, "max-t", n_perm=300, seed=2),
        inference.permutation_test(Y, n_perm=300, seed=2).p_fwe <= 0.05,
    )


def test_error_rate_figure_shows_each_method_with_its_interval():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    datasets = [np.random.default_rng(k).normal(size=(10, 50)) for k in range(40)]
    table = error_rates.familywise_error_rate(datasets, ["uncorrected", "bonferroni"])
    ax = plotting.plot_error_rates(table, alpha=0.05)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["uncorrected", "bonferroni"]
    points = ax.lines[0].get_xdata()
    np.testing.assert_allclose(points, table["rate"])
    assert ax.lines[-1].get_xdata()[0] == 0.05 and "40 null studies" in ax.get_title()
    plt.close("all")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: error_rates.significant_voxels(np.ones((5, 3)), "holm"), "Unknown method"),
        (lambda: error_rates.significant_voxels(np.ones((2, 3)), "fdr"), "at least 3"),
        (lambda: error_rates.familywise_error_rate([], ["fdr"]), "empty"),
        (lambda: error_rates.familywise_error_rate([np.ones((5, 3))], ["sidak"]), "Unknown"),
        (lambda: error_rates.familywise_error_rate([np.ones((5, 3))], {}), "No methods"),
        (lambda: error_rates.familywise_error_rate([np.ones((5, 3))], level=2), "level"),
    ],
)
def test_bad_inputs_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
