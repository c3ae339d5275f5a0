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
