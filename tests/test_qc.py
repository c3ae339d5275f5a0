"""Per-subject quality summaries: robust z against scipy, and the stand-in's planted outlier."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils.experiments import data, qc


def test_robust_z_matches_scipy_mad():
    x = np.random.default_rng(0).normal(size=25)
    x[4] = 9.0
    expected = (x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")
    np.testing.assert_allclose(qc.robust_z(x), expected, rtol=1e-12)
    np.testing.assert_allclose(qc.MAD_SCALE, 1 / stats.norm.ppf(0.75), rtol=1e-12)


def test_robust_z_is_not_fooled_by_the_outlier_it_looks_for():
    x = np.r_[np.linspace(-1, 1, 9), 8.0]
    ordinary = (x - x.mean()) / x.std(ddof=1)
    assert ordinary.max() < qc.DEFAULT_CUT < qc.robust_z(x).max()


def test_robust_z_with_zero_mad_and_bad_input():
    z = qc.robust_z([1.0, 1.0, 1.0, 5.0])
    assert z[:3].tolist() == [0.0, 0.0, 0.0] and z[3] == np.inf
    for bad in ([1.0, 2.0], [[1.0, 2.0, 3.0]], [1.0, np.nan, 2.0]):
        with pytest.raises(ValueError):
            qc.robust_z(bad)


def test_subject_summary_against_numpy():
    rng = np.random.default_rng(1)
    Y = rng.normal(0.5, 1.0, (6, 40_000)).astype(np.float32)  # more than one chunk of voxels
    table = qc.subject_summary(Y, [f"S{k}" for k in range(6)])
    np.testing.assert_allclose(table["mean"], Y.mean(1, dtype=np.float64), rtol=1e-6)
    np.testing.assert_allclose(table["spread"], Y.std(1, ddof=1, dtype=np.float64), rtol=1e-6)
    np.testing.assert_allclose(table["spread_z"], qc.robust_z(table["spread"].to_numpy()))
    assert table.index.name == "subject" and list(table.index) == [f"S{k}" for k in range(6)]


@pytest.mark.parametrize(
    "subjects, message", [(["S1", "S2"], "3 rows"), (["S1", "S1", "S2"], "repeat")]
)
def test_subject_summary_refuses_mismatched_ids(subjects, message):
    with pytest.raises(ValueError, match=message):
        qc.subject_summary(np.zeros((3, 10)), subjects)


def test_subject_summary_refuses_nan_and_1d():
    Y = np.zeros((3, 10))
    Y[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        qc.subject_summary(Y, ["a", "b", "c"])
    with pytest.raises(ValueError, match="subjects x voxels"):
        qc.subject_summary(np.zeros(10), ["a"])


def test_flags_the_planted_outlier_of_the_stand_in(standin):
    table = qc.subject_summary(standin.array("horizontal_checkerboard"), standin.subjects)
    flagged = qc.flag_subjects(table)
    assert flagged and flagged[0] == standin.truth.outlier
    clean = data.synthetic_localizer(
        seed=0, n_subjects=12, outlier=False, cache=False, conditions=["horizontal_checkerboard"]
    )
    assert (
        qc.flag_subjects(qc.subject_summary(clean.array("horizontal_checkerboard"), clean.subjects))
        == []
    )


def test_flag_subjects_orders_and_validates():
    table = pd.DataFrame(
        {"spread_z": [-4.0, 0.0, 6.0], "mean_z": [0.0, 0.0, 0.0]},
        index=pd.Index(["a", "b", "c"], name="subject"),
    )
    assert qc.flag_subjects(table) == ["c", "a"]
    assert qc.flag_subjects(table, cut=5) == ["c"]
    assert qc.flag_subjects(table, column="mean_z") == []
    with pytest.raises(ValueError, match="no column"):
        qc.flag_subjects(table, column="spread")
    with pytest.raises(ValueError, match="positive"):
        qc.flag_subjects(table, cut=0)


def test_subject_summary_needs_three_subjects_for_robust_z():
    with pytest.raises(ValueError, match="at least 3"):
        qc.subject_summary(np.zeros((2, 10)), ["a", "b"])
