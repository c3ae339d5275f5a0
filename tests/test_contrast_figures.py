"""Figures of contrasts: weights drawn over the design's columns, subjects' level profiles."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from course_utils.stats import designs
from course_utils.teaching import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _loads_design(n_per_level=3, k=4):
    level = np.repeat(np.arange(k), n_per_level)
    return pd.DataFrame(np.eye(k)[level], columns=[f"load{j + 1}" for j in range(k)])


def test_contrast_bars_sit_above_their_columns():
    X = _loads_design()
    c = designs.linear_contrast(4)
    top, bottom = plotting.plot_design_with_contrast(X, c, title="design")
    heights = [bar.get_height() for bar in top.patches]
    centres = [bar.get_x() + bar.get_width() / 2 for bar in top.patches]
    np.testing.assert_allclose(heights, c)
    np.testing.assert_allclose(centres, bottom.get_xticks())
    assert [t.get_text() for t in bottom.get_xticklabels()] == list(X.columns)
    np.testing.assert_allclose(top.get_xlim(), bottom.get_xlim())
    assert bottom.get_title() == "design" and "-1.5" in top.get_title()
    # The two panels keep the same width, so each bar stays above its column.
    top.figure.canvas.draw()
    top_box, bottom_box = top.get_position(), bottom.get_position()
    np.testing.assert_allclose([top_box.x0, top_box.x1], [bottom_box.x0, bottom_box.x1], atol=0.02)


def test_f_contrast_is_drawn_row_by_row():
    X = _loads_design()
    rows = np.array([[-1, 1, 0, 0], [0, -1, 1, 0], [0, 0, -1, 1]])
    top, _ = plotting.plot_design_with_contrast(X, rows, contrast_title="F")
    np.testing.assert_allclose(top.images[0].get_array(), rows)
    assert [t.get_text() for t in top.get_yticklabels()] == ["row 1", "row 2", "row 3"]
    assert top.get_title() == "F"


def test_contrast_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="one weight per column"):
        plotting.plot_design_with_contrast(_loads_design(), [1, -1])


def test_level_profiles_raw_and_centred():
    rng = np.random.default_rng(0)
    values = np.array([0.3, 1.2, 1.1, 0.4]) + rng.normal(0, 1, (6, 1)) + rng.normal(0, 0.2, (6, 4))
    raw, centred = plotting.plot_level_profiles(
        values, [1, 2, 3, 4], xlabel="load (items)", ylabel="response (%)", title="t"
    )
    np.testing.assert_allclose([line.get_ydata() for line in raw.lines[:6]], values)
    np.testing.assert_allclose(
        [line.get_ydata() for line in centred.lines[:6]],
        values - values.mean(axis=1, keepdims=True),
    )
    # The mean line (seaborn) follows the subjects' lines.
    np.testing.assert_allclose(raw.lines[6].get_ydata(), values.mean(axis=0))
    np.testing.assert_allclose(centred.lines[6].get_ydata(), values.mean(axis=0) - values.mean())
    assert raw.get_xlabel() == "load (items)" and raw.get_ylabel() == "response (%)"
    assert "minus the subject's mean" in centred.get_ylabel()
    assert centred.yaxis.label.get_visible()
    assert raw.figure._suptitle.get_text() == "t"


def test_level_profiles_refuse_a_mismatch():
    with pytest.raises(ValueError, match="3 columns"):
        plotting.plot_level_profiles(np.ones((4, 2)), ["a", "b", "c"])


def test_contrast_signals_draw_the_design_times_the_weights():
    rng = np.random.default_rng(1)
    runs = {
        name: pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "const"])
        for name in ("fixed", "shuffled")
    }
    c = np.array([-1.0, 1.0, 0.0])
    trials = {name: ([2.0, 4.0, 200.0], [-1.0, 1.0, -1.0]) for name in runs}
    axes = plotting.plot_contrast_signals(runs, c, t_r=2.0, trials=trials, n_scans=30, title="t")
    assert axes.shape == (2, 2)
    for j, X in enumerate(runs.values()):
        top, bottom = axes[:, j]
        # Only the weighted columns are drawn, in order; the constant is left out.
        assert [line.get_label() for line in top.lines] == ["a", "b"]
        np.testing.assert_allclose(top.lines[1].get_ydata(), X["b"][:30])
        np.testing.assert_allclose(bottom.lines[0].get_ydata(), X.to_numpy()[:30] @ c)
        np.testing.assert_allclose(bottom.lines[0].get_xdata(), 2.0 * np.arange(30))
        # A trial after the shown window is not drawn.
        stems = [c for c in bottom.containers if hasattr(c, "markerline")]
        np.testing.assert_allclose(stems[0].markerline.get_ydata(), [-1.0, 1.0])
    assert axes[0, 0].figure._suptitle.get_text() == "t"
    with pytest.raises(ValueError, match="positive"):
        plotting.plot_contrast_signals(runs, c, t_r=0.0)
    with pytest.raises(ValueError):
        plotting.plot_contrast_signals(runs, [1.0, -1.0], t_r=2.0)


def test_contrast_scores_show_the_mean_and_its_t_interval():
    from scipy import stats

    scores = np.array([0.2, 0.5, 0.1, 0.9, 0.4])
    ax = plotting.plot_contrast_scores(scores, ylabel="slope (% per item)", title="linear")
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], scores)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [scores.mean()])
    low, high = stats.t.interval(0.95, 4, loc=scores.mean(), scale=stats.sem(scores))
    bar = ax.containers[0].lines[2][0].get_segments()[0]
    np.testing.assert_allclose(bar[:, 1], [low, high])
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "mean, 95 % CI" in labels and "zero (no effect)" in labels
    assert ax.get_ylabel() == "slope (% per item)" and ax.get_title() == "linear"
    with pytest.raises(ValueError, match="two finite"):
        plotting.plot_contrast_scores([1.0])
