"""Figures of the two-levels-of-variance notebook added with the null-rate section."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from course_utils.teaching import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_null_statistics_draws_histograms_curves_and_thresholds():
    rng = np.random.default_rng(0)
    ax = plotting.plot_null_statistics(
        {"fixed effects z": rng.normal(0, 2, 2000), "OLS t": rng.standard_t(19, 2000)},
        z_variance=4.0,
        title="demo",
    )
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["N(0, 1): what the test assumes", "N(0, 4): theory"]
    standard, theory = ax.lines[0].get_ydata(), ax.lines[1].get_ydata()
    assert standard.max() == pytest.approx(stats.norm.pdf(0), rel=1e-3)
    assert theory.max() == pytest.approx(stats.norm.pdf(0, scale=2), rel=1e-3)
    verticals = [line.get_xdata()[0] for line in ax.lines[2:]]
    np.testing.assert_allclose(sorted(verticals), [-1.959964, 1.959964], rtol=1e-5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fixed effects z" in legend and "OLS t" in legend
    assert ax.get_ylabel() == "density" and ax.get_title() == "demo"


def test_plot_null_statistics_without_theory():
    ax = plotting.plot_null_statistics({"z": np.zeros(10)})
    assert [line.get_label() for line in ax.lines][0].startswith("N(0, 1)")
    assert not any("theory" in line.get_label() for line in ax.lines)
    assert ax.get_title() == "Group statistics of null studies"


def test_plot_rates_against_one_series_per_method_and_theory():
    table = pd.DataFrame(
        {
            "method": ["fixed effects", "OLS (t-test)"] * 3,
            "n_runs": [1, 1, 4, 4, 16, 16],
            "rate": [0.4, 0.05, 0.6, 0.05, 0.8, 0.05],
            "ci_low": [0.38, 0.04, 0.58, 0.04, 0.78, 0.04],
            "ci_high": [0.42, 0.06, 0.62, 0.06, 0.82, 0.06],
        }
    )
    ax = plotting.plot_rates_against(
        table, "n_runs", theory=[0.39, 0.61, 0.8], xlabel="runs per subject"
    )
    assert ax.get_xscale() == "log"
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["1", "4", "16"]
    theory = [line for line in ax.lines if line.get_label() == "fixed effects, theory"]
    np.testing.assert_allclose(theory[0].get_ydata(), [0.39, 0.61, 0.8])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"fixed effects", "OLS (t-test)", "nominal 0.05"} <= set(legend)
    assert ax.get_xlabel() == "runs per subject"
    assert ax.get_ylabel() == "false-positive rate" and ax.get_ylim() == (0.0, 1.0)
    assert ax.get_title() == "False-positive rate against n_runs"
