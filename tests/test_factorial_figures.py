"""The factorial notebook's F glass brains and error-mean-square ratio histogram."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
import pytest

from course_utils.teaching import plotting


def _img(peak):
    values = np.zeros((20, 24, 18), dtype="float32")
    values[8:12, 8:12, 8:12] = np.linspace(10, peak, 64).reshape(4, 4, 4)
    return nib.Nifti1Image(values, np.diag([-3.0, 3.0, 3.0, 1.0]))


def test_f_glass_brains_scale_each_panel_from_its_threshold_to_its_max():
    images = {"a: F(1, 9)": _img(200.0), "b: F(2, 18)": _img(20.0)}
    fig = plotting.plot_f_glass_brains(
        images, {"a: F(1, 9)": 12.0, "b: F(2, 18)": 8.0}, title="F", cbar_labels={}
    )
    bars = [ax for ax in fig.axes if ax.get_ylabel() == "F"]  # the labelled colour bars
    limits = sorted(tuple(round(v) for v in ax.get_ylim()) for ax in bars)
    assert limits == [(8, 20), (12, 200)]
    plt.close(fig)


def test_f_glass_brains_need_every_threshold():
    with pytest.raises(ValueError, match="vmin lacks"):
        plotting.plot_f_glass_brains({"a": _img(20.0)}, {}, title="F")


def test_ratio_histogram_marks_values_and_rejects_nothing_positive():
    ax = plotting.plot_ratio_histogram(np.exp(np.linspace(-1, 1, 100)), {"median": 1.0})
    assert ax.get_xscale() == "log" and len(ax.lines) == 2
    with pytest.raises(ValueError, match="positive"):
        plotting.plot_ratio_histogram([0.0, -1.0], {})
    plt.close("all")
