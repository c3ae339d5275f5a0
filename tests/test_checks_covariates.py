"""Tests of checks.covariates: d at a peak chosen in one half, estimated in the other."""

import numpy as np
import pytest
from scipy import stats

from course_utils.experiments import data
from course_utils.stats.effect_sizes import cohens_d_interval
from course_utils.teaching.checks import covariates

CONDITION = "horizontal_checkerboard"


@pytest.fixture(scope="module")
def ds():
    return data.synthetic_localizer(seed=3, n_subjects=12, conditions=[CONDITION], cache=False)


@pytest.fixture(scope="module")
def halves(ds):
    half_a = ["S09", "S02", "S11", "S05", "S07", "S01"]  # not in data order
    return half_a, [s for s in ds.subjects if s not in half_a]


def _d(y, ddof=1):
    return y.mean(0) / y.std(0, ddof=ddof)


def _t(y):
    return _d(y) * np.sqrt(y.shape[0])


def test_split_half_d_is_right_and_names_the_typical_mistakes(ds, halves):
    half_a, half_b = halves
    q = covariates.split_half_d_exercise(ds, CONDITION, half_a)
    a = ds.array(CONDITION, subjects=half_a).astype(float)
    b = ds.array(CONDITION, subjects=half_b).astype(float)
    y = ds.array(CONDITION).astype(float)
    peak = int(np.argmax(_t(a)))
    d = float(_d(b[:, peak]))
    low, high = cohens_d_interval(d, len(half_b))
    assert q.check((d, low, high)).correct
    assert q.check(np.array([d, low, high])).correct
    assert "same" in q.check(float(_d(a[:, peak]))).message  # selected and estimated on A
    assert "all subjects at the voxel" in q.check(float(_d(y[:, peak]))).message
    assert "half A only" in q.check(float(_d(b[:, int(np.argmax(_t(y)))]))).message
    assert "swapped" in q.check(float(_d(a[:, int(np.argmax(_t(b)))]))).message
    by_position = float(_d(y[6:, int(np.argmax(_t(y[:6])))]))
    assert "position" in q.check(by_position).message
    assert "t in half B" in q.check(d * np.sqrt(6)).message
    assert "not all 12" in q.check(d * np.sqrt(6) / np.sqrt(12)).message
    assert "ddof=0" in q.check(float(_d(b[:, peak], ddof=0))).message
    assert "sign" in q.check(-d).message
    assert "too large" in q.check(d + 5).message
    assert "interval" in q.check(d).message  # right d, no interval yet


def test_split_half_d_names_the_interval_mistakes(ds, halves):
    half_a, half_b = halves
    q = covariates.split_half_d_exercise(ds, CONDITION, half_a)
    b = ds.array(CONDITION, subjects=half_b).astype(float)
    peak = int(np.argmax(_t(ds.array(CONDITION, subjects=half_a).astype(float))))
    d, n_b = float(_d(b[:, peak])), len(half_b)
    margin = stats.norm.isf(0.025) * np.sqrt(1 / n_b + d**2 / (2 * n_b))
    assert "normal approximation" in q.check((d, d - margin, d + margin)).message
    of_mean = stats.t.isf(0.025, n_b - 1) / np.sqrt(n_b)
    assert "treats the SD as known" in q.check((d, d - of_mean, d + of_mean)).message
    assert "for 12 subjects" in q.check((d, *cohens_d_interval(d, 12))).message
    assert "is not" in q.check((d, d - 0.1, d + 0.1)).message


def test_split_half_d_rejects_odd_answers_and_bad_halves(ds, halves):
    q = covariates.split_half_d_exercise(ds, CONDITION, halves[0])
    assert q.check(...).status == "not attempted"
    assert q.check("big").status == "incorrect"
    assert "three numbers" in q.check([1.0, 2.0]).message
    assert "not finite" in q.check((np.nan, 0, 1)).message
    with pytest.raises(ValueError, match="Not subjects"):
        covariates.split_half_d_exercise(ds, CONDITION, ["S01", "nobody"])
    with pytest.raises(ValueError, match="Not subjects"):  # half A outside the analysis
        covariates.split_half_d_exercise(
            ds,
            CONDITION,
            ["S01", "S02", "S03"],
            subjects=["S02", "S03", "S04", "S05", "S06", "S07"],
        )
    with pytest.raises(ValueError, match="at least 3"):
        covariates.split_half_d_exercise(ds, CONDITION, ["S01", "S02"])


def test_split_half_d_uses_only_the_subjects_of_the_analysis(ds):
    kept = [s for s in ds.subjects if s != "S04"]  # one subject excluded
    half_a = ["S01", "S03", "S05", "S07", "S09"]
    half_b = [s for s in kept if s not in half_a]
    q = covariates.split_half_d_exercise(ds, CONDITION, half_a, subjects=kept)
    a = ds.array(CONDITION, subjects=half_a).astype(float)
    b = ds.array(CONDITION, subjects=half_b).astype(float)
    d = float(_d(b[:, int(np.argmax(_t(a)))]))
    assert q.check((d, *cohens_d_interval(d, len(half_b)))).correct
