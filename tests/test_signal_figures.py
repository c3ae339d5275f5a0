"""Figures of signals over time: summed responses, fits with residuals, null t histograms."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.experiments import signals  # noqa: E402
from course_utils.teaching import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_event_sum_draws_each_response_and_the_sum():
    onsets = [10.0, 13.0, 15.5]
    parts = [signals.event_regressor([o], 400, 0.1) for o in onsets]
    total = signals.event_regressor(onsets, 400, 0.1)
    times = np.arange(400) * 0.1
    ax = plotting.plot_event_sum(times, parts, total, events=onsets, title="three events")
    for line, part in zip(ax.lines[:3], parts, strict=True):  # one thin line per event
        np.testing.assert_allclose(line.get_ydata(), part)
    thick = [line for line in ax.lines if line.get_linewidth() > 2.0]
    assert len(thick) == 1
    np.testing.assert_allclose(thick[0].get_ydata(), np.sum(parts, axis=0))
    assert ax.get_title() == "three events"
    assert "(s)" in ax.get_xlabel() and ax.get_ylabel()


def test_fit_and_residuals_draws_data_minus_fit():
    times = np.arange(5) * 2.0
    data = np.array([0.1, 1.2, 0.4, -0.3, 0.0])
    fitted = np.array([0.0, 1.0, 0.5, 0.0, 0.0])
    top, bottom = plotting.plot_fit_and_residuals(times, data, fitted, events=[2.0])
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), data - fitted)
    np.testing.assert_allclose(top.lines[1].get_ydata(), fitted)
    assert "(%)" in top.get_ylabel() and bottom.get_xlabel() == "time (s)"
    assert top.figure._suptitle.get_text()
    top, _ = plotting.plot_fit_and_residuals(times, data, fitted, truth=fitted * 0.9)
    assert [t.get_text() for t in top.get_legend().get_texts()][-1] == "true response"


def test_hrf_drawn_over_another_keeps_its_title():
    times, hrf = signals.canonical_hrf()
    ax = plotting.plot_hrf(times, hrf, title="the course's HRF")
    spm_like = signals.double_gamma_hrf(
        times, undershoot=16.0, dispersion=1.0, u_dispersion=1.0, ratio=1 / 6
    )
    plotting.plot_hrf(times, spm_like, ax=ax, label="SPM's values")
    assert ax.get_title() == "the course's HRF"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["peak, 5.1 s", "SPM's values (peak, 5.0 s)"]  # the dashed line named
    assert plotting.plot_hrf(times, hrf).get_title() == "Haemodynamic response function"


def test_design_and_regressor_draws_the_column_in_its_units():
    import pandas as pd

    times = np.arange(50) * 2.0
    regressor = signals.event_regressor([10.0, 40.0], 50, 2.0)
    X = pd.DataFrame({"event": regressor, "constant": 1.0})
    image_ax, curve_ax = plotting.plot_design_and_regressor(X, times, "event", title="run")
    np.testing.assert_allclose(curve_ax.lines[0].get_ydata(), regressor)
    np.testing.assert_allclose(curve_ax.lines[0].get_xdata(), times)  # horizontal, in s
    assert curve_ax.get_xlabel() == "scan time (s)" and "event" in curve_ax.get_ylabel()
    assert "norm" in image_ax.get_title() and image_ax.get_ylabel() == "scan number"
    assert len(curve_ax.figure.axes) == 3  # the matrix, the curve and a colour bar
    assert curve_ax.figure._suptitle.get_text() == "run"
    with pytest.raises(KeyError, match="constant"):
        plotting.plot_design_and_regressor(X, times, "evnt")


def test_se_ratio_marks_interpolated_points():
    phis = np.linspace(0, 0.8, 9)
    ratio = 1 - 0.5 * phis
    ax = plotting.plot_se_ratio(phis, ratio, marks=[0.25], title="ratio")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ratio)
    (dot,) = [line for line in ax.lines if line.get_marker() == "o"]
    np.testing.assert_allclose(dot.get_ydata(), [0.875])
    assert ax.texts[0].get_text() == f"{0.875:.2f}"
    assert ax.get_title() == "ratio" and ax.get_ylim()[0] <= ratio.min()
