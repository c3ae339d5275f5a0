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
    assert ax.get_title() == "Statistics of null studies"


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


def test_plot_null_statistics_draws_the_t_density_of_the_t_test():
    rng = np.random.default_rng(1)
    ax = plotting.plot_null_statistics(
        {"z": rng.normal(0, 2, 500), "t": rng.standard_t(19, 500)}, z_variance=4.0, t_df=19
    )
    labels = [line.get_label() for line in ax.lines]
    assert labels[:3] == [
        "N(0, 1): what the z test assumes",
        "N(0, 4): theory",
        "t(19): what the t-test assumes",
    ]
    assert ax.lines[2].get_ydata().max() == pytest.approx(stats.t.pdf(0, 19), rel=1e-3)


def test_plot_method_comparison_marks_calibrated_power():
    from course_utils.stats import error_rates

    extra = {"estimate_sd": [0.24, 0.2], "sd_low": [0.23, 0.19], "sd_high": [0.25, 0.21]}
    null = error_rates.rate_table({"OLS": 100, "DL": 140}, 2000, **extra)
    power = error_rates.rate_table({"OLS": 1000, "DL": 1300}, 2000, **extra)
    axes = plotting.plot_method_comparison(null, power, calibrated_power=[0.5, 0.6])
    (marker,) = [line for line in axes[2].lines if "calibrated" in line.get_label()]
    np.testing.assert_allclose(marker.get_xdata(), [0.5, 0.6])
    np.testing.assert_allclose(marker.get_ydata(), [0, 1])  # the rows of the methods
    legend = [t.get_text() for t in axes[0].figure.legends[0].get_texts()]
    assert legend[-1] == "power at a calibrated 0.05"


def test_plot_session_spread_draws_se_spread_and_theory():
    table = pd.DataFrame(
        {
            "reported_se": [0.125, 0.125],
            "session_sd": [0.126, 0.18],
            "sd_low": [0.12, 0.17],
            "sd_high": [0.13, 0.19],
        },
        index=pd.Index([0.0, 0.25], name="run_sd"),
    )
    ax = plotting.plot_session_spread(table, theory=[0.125, 0.177], title="demo")
    se_line, theory_line = ax.lines[0], ax.lines[1]
    np.testing.assert_allclose(se_line.get_ydata(), [0.125, 0.125])
    np.testing.assert_allclose(theory_line.get_ydata(), [0.125, 0.177])
    dots = ax.containers[0].lines[0]
    np.testing.assert_allclose(dots.get_ydata(), [0.126, 0.18])
    assert "%" in ax.get_xlabel() and "%" in ax.get_ylabel() and ax.get_title() == "demo"


def test_plot_q_curve_marks_both_estimates_and_the_expectation():
    grid = np.linspace(0, 4, 41)
    ax = plotting.plot_q_curve(grid, 9 / (0.5 + grid), df=3, dl=2.5, pm=2.5, true_tau2=1.0)
    labels = [line.get_label() for line in ax.lines]
    assert labels[0].startswith("Q at each")
    assert ax.lines[1].get_ydata()[0] == 3  # K - 1
    pm = [line for line in ax.lines if line.get_label().startswith("PM")][0]
    assert (pm.get_xdata()[0], pm.get_ydata()[0]) == (2.5, 3)
    dl = [line for line in ax.lines if line.get_label().startswith("DL")][0]
    assert dl.get_ydata()[0] == pytest.approx(9 / 3.0)
    assert any(label.startswith("true") for label in labels)
    assert "tau" in ax.get_xlabel() and ax.get_ylim()[0] == 0


# --- readable legends and labels (>= 9 pt, off the data) ---------------------------------------


def _legend_points(legend):
    return min(text.get_fontsize() for text in legend.get_texts())


def test_legends_are_at_least_9_points():
    from course_utils.teaching.plotting import use_course_style

    use_course_style()
    rng = np.random.default_rng(1)
    hist = plotting.plot_true_and_estimated(rng.normal(1, 0.5, 500), rng.normal(1, 0.6, 500))
    table = pd.DataFrame(
        {
            "reported_se": [0.12, 0.12],
            "session_sd": [0.12, 0.18],
            "sd_low": [0.11, 0.17],
            "sd_high": [0.13, 0.19],
        },
        index=pd.Index([0.0, 0.25], name="run_sd"),
    )
    spread = plotting.plot_session_spread(table, theory=[0.125, 0.177])
    grid = np.linspace(0, 1, 50)
    q = plotting.plot_q_curve(grid, 80 / (1 + 20 * grid), 9, dl=0.3, pm=0.35)
    for ax in (hist, spread, q):
        assert _legend_points(ax.get_legend()) >= 9
    # the histogram leaves room above the bars for its legend
    tallest = max(bar.get_height() for bar in hist.containers[0])
    assert hist.get_ylim()[1] >= 1.3 * tallest


def test_q_curve_zooms_on_the_crossing_and_keeps_its_legend_beside_the_axes():
    grid = np.linspace(0, 1, 50)
    ax = plotting.plot_q_curve(grid, 80 / (1 + 20 * grid), 9, dl=0.3, pm=0.35)
    assert ax.get_ylim() == (0.0, 27.0)  # 3 (K - 1): Q(0) = 80 is cut, K - 1 is readable
    anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1.0  # right of the axes, not on the curve


def test_method_comparison_power_panel_has_no_nominal_line_and_shares_are_named():
    row = {
        "rate": 0.05,
        "ci_low": 0.04,
        "ci_high": 0.06,
        "n_sim": 2000,
        "estimate_sd": 0.2,
        "sd_low": 0.19,
        "sd_high": 0.21,
    }
    null = pd.DataFrame([row, row], index=pd.Index(["OLS", "DL"], name="method"))
    power = null.assign(rate=0.5, ci_low=0.45, ci_high=0.55)
    axes = plotting.plot_method_comparison(null, power, calibrated_power=[0.5, 0.6])
    labels = [line.get_label() for line in axes[2].lines]
    assert not [label for label in labels if label.startswith("nominal")]
    assert any(
        label.startswith("nominal") for label in [line.get_label() for line in axes[0].lines]
    )
    ax = plotting.plot_variance_components([0.1, 0.4], tau2=0.25)
    assert all(t.get_text().strip().startswith("share of weight") for t in ax.texts)


def test_null_statistics_against_t_marks_the_two_sided_thresholds():
    t = np.random.default_rng(0).standard_t(20, size=300)
    ax = plotting.plot_null_statistics(
        {"naive": t, "whitened": t / 2}, t_df=20, normal=False, alpha=0.05
    )
    edges = sorted(line.get_xdata()[0] for line in ax.lines[1:])
    np.testing.assert_allclose(edges, [-stats.t.isf(0.025, 20), stats.t.isf(0.025, 20)])
    assert len(ax.get_legend().get_texts()) == 3
    assert ax.get_xlabel() and ax.get_ylabel() == "density" and ax.get_title()


def test_null_statistics_bins_cover_the_axis_and_count_every_value():
    t = np.concatenate([np.random.default_rng(1).standard_t(40, size=1000), [7.0, -8.0]])
    ax = plotting.plot_null_statistics({"naive": t}, t_df=40, normal=False, limit=5.0, bins=40)
    assert ax.get_xlim() == (-5.0, 5.0)
    bars = ax.patches
    assert len(bars) == 40
    area = sum(bar.get_height() * bar.get_width() for bar in bars)
    np.testing.assert_allclose(area, 1000 / 1002, rtol=1e-9)  # the 2 beyond +/-5 count


def test_null_statistics_needs_t_df_without_the_normal():
    with pytest.raises(ValueError, match="needs t_df"):
        plotting.plot_null_statistics({"t": np.zeros(3)}, normal=False)


def test_null_statistics_with_a_t_test_marks_both_tests_thresholds():
    rng = np.random.default_rng(2)
    ax = plotting.plot_null_statistics(
        {"z": rng.normal(0, 2, 500), "t": rng.standard_t(19, 500)}, z_variance=4.0, t_df=19
    )
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    edges = sorted(line.get_xdata()[0] for line in dotted)
    z, t = stats.norm.isf(0.025), stats.t.isf(0.025, 19)
    np.testing.assert_allclose(edges, [-t, -z, z, t])
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "z test thresholds +-1.96" in legend and "t-test thresholds +-2.09" in legend
    assert "each test's thresholds" in ax.get_xlabel()
