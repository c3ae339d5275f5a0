"""Figures of the covariates-and-effect-sizes notebook: slices, a covariate scatter, t and d."""

import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from course_utils.stats import effect_sizes
from course_utils.teaching import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _image(scale):
    values = np.zeros((20, 24, 20), dtype="float32")
    values[8:12, 8:12, 8:12] = scale
    values[2, 2, 2] = -scale / 2
    return nib.Nifti1Image(values, np.diag([-3.0, 3.0, 3.0, 1.0]))


def _signed_limits(fig):
    """Colour limits of the maps drawn (the anatomy's start at 0)."""
    return {im.get_clim() for ax in fig.axes for im in ax.images if im.get_clim()[0] < 0}


def test_t_slices_put_all_rows_on_one_symmetric_scale_with_labelled_colour_bars():
    maps = {"strong": _image(8.0), "weak": _image(2.0)}
    fig = plotting.plot_t_slices(
        maps, "Maps", cut_coords=[0, 6], threshold=1.0, colorbar_label=["t (9 df)", "t (7 df)"]
    )
    assert fig.get_suptitle() == "Maps" and fig.get_layout_engine() is None
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == ["strong", "weak"]
    assert _signed_limits(fig) == {(-8.0, 8.0)}
    labels = {ax.get_ylabel() for ax in fig.axes} | {ax.get_xlabel() for ax in fig.axes}
    assert {"t (9 df)", "t (7 df)"} <= labels
    fixed = plotting.plot_t_slices(maps, "Maps", cut_coords=[0], vmax=5.0)
    assert _signed_limits(fixed) == {(-5.0, 5.0)}
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_t_slices({}, "none")
    with pytest.raises(ValueError, match="one per map"):
        plotting.plot_t_slices(maps, "Maps", colorbar_label=["t"])


def test_covariate_scatter_draws_the_least_squares_line_and_colours_groups():
    age = np.array([18.0, 22, 25, 31, 40, 47])
    response = 2.0 - 0.05 * age + np.array([0.1, -0.1, 0.2, -0.2, 0.1, -0.1])
    sex = pd.Series(list("FMFMFF"), name="sex")
    fig = plotting.plot_against_covariate(age, {"ROI": response}, "Demo", groups=sex)
    ax = fig.axes[0]
    line = ax.lines[0]
    slope = np.polyfit(line.get_xdata(), line.get_ydata(), 1)[0]
    np.testing.assert_allclose(slope, np.polyfit(age, response, 1)[0], rtol=1e-6)
    assert "per year" in ax.get_title()
    assert ax.get_legend().get_title().get_text() == "sex"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["F", "M"]
    with pytest.raises(ValueError, match="one per subject"):
        plotting.plot_against_covariate(age, {"ROI": response[:3]}, "Demo")


def test_t_and_d_by_n_marks_all_subjects_d_and_its_sqrt_n_curve():
    rng = np.random.default_rng(1)
    values = rng.normal(1.0, 1.0, 30)
    table = effect_sizes.subsample_effects(values, [5, 10, 30], n_sim=50, seed=0)
    fig = plotting.plot_t_and_d_by_n(table, "Demo", highlight=10)
    t_ax, d_ax = fig.axes
    d_all = values.mean() / values.std(ddof=1)
    curve = next(line for line in t_ax.lines if line.get_linestyle() == "--")
    np.testing.assert_allclose(curve.get_ydata(), d_all * np.sqrt(curve.get_xdata()))
    level = next(line for line in d_ax.lines if line.get_linestyle() == "--")
    np.testing.assert_allclose(level.get_ydata(), d_all)
    assert t_ax.get_ylabel() == "one-sample t" and d_ax.get_xlabel() == "number of subjects"
    with pytest.raises(ValueError, match="lacks the column"):
        plotting.plot_t_and_d_by_n(table.drop(columns="d"), "Demo")
