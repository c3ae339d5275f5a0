"""Tests of the power figures of plotting: labelled figures and the slider explorer."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from course_utils.experiments import power
from course_utils.teaching import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_t_distributions_shade_the_power():
    ax = plotting.plot_t_distributions(0.5, 20, 0.05)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"power = {power.analytic_power(0.5, 20):.3f}" in label for label in labels)
    assert ax.get_ylabel() == "probability density" and "20 subjects" in ax.get_title()


def test_power_curves_one_panel_per_threshold_with_the_80_percent_marks():
    levels = power.per_test_levels(67402)
    fig = plotting.plot_power_curves([0.5, 1.5], levels, n_max=200)
    assert [ax.get_title() for ax in fig.axes] == list(levels)
    dots = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert [int(dot.get_xdata()[0]) for dot in dots] == [34, power.n_for_power(1.5)]
    assert all(ax.get_xlabel() == "number of subjects N" for ax in fig.axes)


def test_power_at_marks_the_study_and_handles_an_unreachable_target():
    ax = plotting.plot_power_at(0.5, 30, 0.05, label="one test")
    assert ax.get_title() == "one test: N = 30, d = 0.5: power 0.75"
    assert any("from N = 34" in t.get_text() for t in ax.get_legend().get_texts())
    ax = plotting.plot_power_at(0.001, 30, 1e-9, n_max=50)  # 80% out of reach
    assert not any("from N" in t.get_text() for t in ax.get_legend().get_texts())


def test_power_explorer_redraws_when_a_slider_moves():
    box = plotting.power_explorer(67402)
    controls, summary, picture = box.children[0].children, box.children[1], box.children[2]
    first_picture = bytes(picture.value)
    assert first_picture.startswith(b"\x89PNG")
    controls[0].value = 60
    assert summary.value.startswith("N = 60, d = 0.5") and bytes(picture.value) != first_picture
    controls[1].value = 0.8
    controls[2].value = 0.001
    assert "per-test alpha 0.001" in summary.value
    assert summary.value.endswith(f"needs N = {power.n_for_power(0.8, 0.001)}")
    controls[3].value = "Bonferroni over the brain's voxels"
    assert summary.value.endswith(f"needs N = {power.n_for_power(0.8, 0.001 / 67402)}")


def test_power_explorer_rejects_an_unknown_correction():
    with pytest.raises(ValueError, match="correction"):
        plotting.power_explorer(1000, correction="FDR")


def test_whole_brain_and_inflation_figures():
    table = pd.DataFrame(
        {
            "n_subjects": [10, 10, 30],
            "replicate": [0, 1, 0],
            "share_max_t": [0.0, 0.1, 0.3],
            "share_cluster": [0.1, 0.2, 0.5],
            "strong_max_t": [0.2, 0.3, 1.0],
            "strong_cluster": [0.5, 0.4, 1.0],
            "d_est_max_t": [np.nan, 2.0, 1.1],
            "d_true_max_t": [np.nan, 1.2, 1.0],
        }
    )
    fig = plotting.plot_whole_brain_power(table, title="stand-in")
    assert fig.axes[1].get_title() == "voxels with true d >= 0.8" and fig._suptitle
    curse = pd.DataFrame(
        {"mean_d_significant": [1.1, 0.6], "mean_d_all": [0.5, 0.5]},
        index=pd.Index([10, 30], name="n_subjects"),
    )
    fig = plotting.plot_inflation(curse, 0.5, table)
    assert len(fig.axes) == 2 and fig.axes[1].get_xlabel() == "number of subjects N"
    assert len(plotting.plot_inflation(curse, 0.5).axes) == 1


def test_tradeoff_figure():
    budget = power.scan_tradeoff([10, 30], [300, 100])
    by_scans = power.scan_tradeoff([10, 10, 20, 20], [50, 100, 50, 100])
    fig = plotting.plot_tradeoff(budget, by_scans)
    assert fig.axes[0].get_title() == "3000 scans in all"
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["N = 10", "N = 20"]
