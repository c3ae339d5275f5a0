"""Tests of experiments.selection: sphere ROIs, circular ROI tests on null data, winner's curse."""

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from course_utils.experiments import power, selection
from course_utils.stats import error_rates, thresholds


def test_sphere_mask():
    mask_img = nib.Nifti1Image(np.ones((9, 9, 9), np.uint8), np.diag([3.0, 3.0, 3.0, 1.0]))
    assert int(selection.sphere_mask((12, 12, 12), 3.0, mask_img=mask_img).sum()) == 7
    assert int(selection.sphere_mask((12, 12, 12), 4.3, mask_img=mask_img).sum()) == 19
    with pytest.raises(ValueError, match="No voxel"):
        selection.sphere_mask((500, 0, 0), 3.0, mask_img=mask_img)
    with pytest.raises(ValueError, match="mask_img"):
        selection.sphere_mask((0, 0, 0), 3.0, mask_img=None)


def test_circularity_null():
    rng = np.random.default_rng(1)
    Y = (rng.normal(size=(24, 3000)) + 2.0).astype(np.float32)  # a large effect everywhere
    table = selection.circularity_null(Y, np.arange(3000) < 30, n_sim=600, seed=2)
    assert list(table.index) == ["anatomical", "split half", "circular"]
    assert table.index.name == "method"
    assert list(table.columns) == [*error_rates.RATE_COLUMNS[1:], "mean_d"]
    assert (table["n_sim"] == 600).all()
    for name in ("anatomical", "split half"):  # the group mean is removed first: a true null
        low, high = thresholds.binomial_interval(int(table.loc[name, "hits"]), 600, 0.999)
        assert low <= 0.05 <= high, name
    assert table.loc["circular", "rate"] > 0.9 and table.loc["circular", "mean_d"] > 0.5
    again = selection.circularity_null(Y, np.arange(3000) < 30, n_sim=600, seed=2)
    pd.testing.assert_frame_equal(table, again)
    with pytest.raises(ValueError, match="anatomical"):
        selection.circularity_null(Y, np.zeros(3000, bool))


@pytest.mark.slow  # statistical calibration: many simulations
def test_winners_curse():
    table = selection.winners_curse(0.5, [10, 30, 100], alpha=0.001, n_sim=4000, seed=0)
    assert table["inflation"].is_monotonic_decreasing and table.loc[10, "inflation"] > 2
    np.testing.assert_allclose(
        table["analytic_power"], power.analytic_power(0.5, [10, 30, 100], 0.001)
    )
    for n, row in table.iterrows():
        low, high = thresholds.binomial_interval(round(row["power"] * 4000), 4000, 0.999)
        assert low <= row["analytic_power"] <= high, n
