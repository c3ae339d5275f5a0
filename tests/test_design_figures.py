"""Figures of two-group designs: the regression line of y on a group code."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.stats import designs, glm
from course_utils.teaching import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_coded_groups_line_joins_the_group_means():
    rng = np.random.default_rng(0)
    first, second = rng.normal(1.0, 0.5, 40), rng.normal(0.6, 0.5, 20)
    dummy, effect = plotting.plot_coded_groups(first, second)
    m1, m2 = first.mean(), second.mean()
    np.testing.assert_allclose(dummy.lines[0].get_xydata(), [[0, m2], [1, m1]])
    np.testing.assert_allclose(effect.lines[0].get_xydata(), [[-1, m2], [1, m1]])


def test_coded_groups_intercepts_are_the_regression_intercepts():
    rng = np.random.default_rng(1)
    first, second = rng.normal(1.0, 0.5, 30), rng.normal(0.6, 0.5, 10)
    y = np.r_[first, second]
    axes = plotting.plot_coded_groups(first, second, labels=("patients", "controls"))
    for ax, coding in zip(axes, ("treatment", "effect"), strict=True):
        fit = glm.regress(designs.two_sample(30, 10, coding, labels=("patients", "controls")), y)
        np.testing.assert_allclose(ax.lines[2].get_ydata(), [fit.coef("intercept")])
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [y.mean(), y.mean()])
    # Unequal groups: the effect-coded intercept is the midpoint, not the mean of all values.
    assert abs(axes[1].lines[2].get_ydata()[0] - y.mean()) > 1e-3
    np.testing.assert_allclose(axes[1].lines[2].get_ydata(), [(first.mean() + second.mean()) / 2])


def test_coded_groups_labels_titles_and_seed():
    a = plotting.plot_coded_groups([1.0, 2.0], [0.0, 1.0], ylabel="y (%)", title="t", seed=3)
    b = plotting.plot_coded_groups([1.0, 2.0], [0.0, 1.0], ylabel="y (%)", title="t", seed=3)
    assert a[0].get_ylabel() == "y (%)"
    assert "is_group1" in a[0].get_xlabel() and "group1_vs_group2" in a[1].get_xlabel()
    assert all(ax.get_title() for ax in a)
    assert a[0].figure._suptitle.get_text() == "t"
    np.testing.assert_array_equal(
        a[1].collections[0].get_offsets(), b[1].collections[0].get_offsets()
    )


def test_design_ones_are_not_the_background_and_rows_start_at_one():
    ax = plotting.plot_design(designs.one_sample(20))
    image = ax.images[0]
    ones = np.array(image.cmap(image.norm(1.0))[:3])
    background = np.array(matplotlib.colors.to_rgb(ax.get_facecolor()))
    assert np.abs(ones - background).sum() > 0.5
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "1" and all(label.isdigit() for label in labels)
    assert labels[-1] == "20"
    assert len(ax.figure.axes) == 2  # the colour bar


def test_small_designs_show_values_and_large_ones_do_not():
    small = plotting.plot_design(designs.two_sample(3, 2, "effect"))
    assert sorted({t.get_text() for t in small.texts}) == ["-1", "1"]
    large = plotting.plot_design(designs.two_sample(20, 20, "effect"))
    assert not large.texts
    ticks = large.get_yticks()
    np.testing.assert_array_equal(ticks, np.round(ticks))  # whole rows only


def test_design_keeps_its_signature_and_draws_on_a_given_axis():
    fig, ax = plt.subplots()
    out = plotting.plot_design(designs.one_sample(4), ax, "my title")
    assert out is ax and ax.get_title() == "my title"


def test_covariate_fit_draws_the_true_lines():
    age = np.array([20.0, 25.0, 60.0, 70.0])
    ax = plotting.plot_covariate_fit(
        age,
        [1.0, 1.1, 1.6, 1.9],
        ["young", "young", "old", "old"],
        {"young": (0.4, 0.02), "old": (0.3, 0.02)},
        truth=({"young": 0.5, "old": 0.2}, 0.02),
    )
    grey = [line for line in ax.lines if line.get_color() == "grey"]
    assert len(grey) == 2
    for line, intercept in zip(grey, (0.5, 0.2), strict=True):
        np.testing.assert_allclose(line.get_ydata(), intercept + 0.02 * line.get_xdata())
    assert "true lines (simulation)" in [t.get_text() for t in ax.get_legend().get_texts()]
    without = plotting.plot_covariate_fit(
        age,
        [1.0, 1.1, 1.6, 1.9],
        ["young", "young", "old", "old"],
        {"young": (0.4, 0.02), "old": (0.3, 0.02)},
    )
    assert not [line for line in without.lines if line.get_color() == "grey"]


def test_covariate_fit_names_the_true_lines_and_keeps_the_legend_off_the_data():
    # Catches: true lines that cannot be told apart, or a small legend drawn on the points.
    import matplotlib.pyplot as plt

    ax = plotting.plot_covariate_fit(
        np.array([20.0, 25.0, 60.0, 70.0]),
        [1.0, 1.1, 1.6, 1.9],
        ["young", "young", "old", "old"],
        {"young": (0.4, 0.02), "old": (0.3, 0.02)},
        truth=({"young": 0.5, "old": 0.2}, 0.02),
    )
    assert [t.get_text() for t in ax.texts] == ["true: young", "true: old"]
    legend = ax.get_legend()
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 9
    ax.figure.canvas.draw()
    box = legend.get_window_extent()
    assert box.y1 <= ax.get_window_extent().y0  # below the axes, not on the data
    plt.close(ax.figure)


def test_coded_groups_share_one_readable_legend_and_title_their_fits():
    # Catches: a legend repeated under each panel, small legend text, or titles without the fit.
    axes = plotting.plot_coded_groups([1.0, 2.0, 3.0], [0.0, 1.0])
    figure = axes[0].figure
    assert all(ax.get_legend() is None for ax in axes)
    (legend,) = figure.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert len(texts) == len(set(texts)) == 6 and "group1" in texts
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 9
    figure.canvas.draw()
    assert legend.get_window_extent().y1 <= min(ax.get_window_extent().y0 for ax in axes)
    assert axes[0].get_title().endswith("fit: y = 0.50 + 1.50 × code")
    assert axes[1].get_title().endswith("fit: y = 1.25 + 0.75 × code")


def test_design_widen_draws_named_columns_wider():
    X = designs.two_sample(3, 2, "effect")
    ax = plotting.plot_design(X, widen={"group1_vs_group2": 4})
    drawn = ax.images[0].get_array()
    assert drawn.shape == (5, 5)
    np.testing.assert_array_equal(drawn[:, 1:], np.repeat(X.to_numpy()[:, 1:], 4, axis=1))
    np.testing.assert_allclose(ax.get_xticks(), [0.0, 2.5])
    np.testing.assert_allclose([t.get_position()[0] for t in ax.texts[:2]], [0.0, 2.5])
    with pytest.raises(ValueError, match="unknown"):
        plotting.plot_design(X, widen={"nope": 2})
