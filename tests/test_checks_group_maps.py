"""The drop-a-subject and pairing-gain exercises: answers from the data, named mistakes."""

import numpy as np
import pytest
from scipy import stats

from course_utils.experiments import data
from course_utils.teaching.checks import group_maps

H, V = "horizontal_checkerboard", "vertical_checkerboard"


@pytest.fixture(scope="module")
def ds():
    return data.synthetic_localizer(seed=3, n_subjects=8, conditions=[H, V], cache=False)


P = 0.01  # a loose threshold, so that 8 subjects give counts large enough to tell apart


@pytest.fixture(scope="module")
def leave_out(ds):
    """The counts a student computes (scipy, float32 data) and the checker."""
    Y = ds.array(H)
    n = Y.shape[0]
    drop = ds.truth.outlier
    keep = np.array(ds.subjects) != drop
    t_all = stats.ttest_1samp(Y, 0).statistic
    t_without = stats.ttest_1samp(Y[keep], 0).statistic
    before = np.abs(t_all) > stats.t.isf(P / 2, n - 1)
    after = np.abs(t_without) > stats.t.isf(P / 2, n - 2)
    counts = {
        "right": int((after != before).sum()),
        "old threshold": int(((np.abs(t_without) > stats.t.isf(P / 2, n - 1)) != before).sum()),
        "gained": int((after & ~before).sum()),
        "lost": int((before & ~after).sum()),
        "after": int(after.sum()),
        "one-sided both": int(
            (
                (np.abs(t_without) > stats.t.isf(P, n - 2))
                != (np.abs(t_all) > stats.t.isf(P, n - 1))
            ).sum()
        ),
        "positive one-sided": int(
            ((t_without > stats.t.isf(P, n - 2)) != (t_all > stats.t.isf(P, n - 1))).sum()
        ),
    }
    row = ds.subjects.index(drop)
    wrong_row = np.arange(n) != (row + 1) % n
    t_wrong = stats.ttest_1samp(Y[wrong_row], 0).statistic
    counts["wrong row"] = int(((np.abs(t_wrong) > stats.t.isf(P / 2, n - 2)) != before).sum())
    return counts, group_maps.drop_subject_exercise(ds, H, p_threshold=P)


def test_leave_out_drops_the_noisiest_subject_and_counts_both_directions(ds, leave_out):
    counts, q = leave_out
    assert ds.truth.outlier in q.name  # the stand-in's outlier has the largest spread
    assert counts["gained"] > 0 and counts["lost"] > 0  # so both directions matter
    q.assert_correct(counts["right"])
    q.assert_correct(np.int64(counts["right"]))
    q.assert_correct(float(counts["right"]))


def test_leave_out_names_the_mistakes(leave_out):
    counts, q = leave_out
    phrases = {
        "old threshold": "threshold of all",
        "gained": "only the voxels that became significant",
        "lost": "only the voxels that lost",
        "after": "how many voxels pass without",
        "wrong row": "select the rows by subject ID",
        "one-sided both": "both of your thresholds are one-sided",
        "positive one-sided": "one-sided test of positive t",
    }
    for key, phrase in phrases.items():
        assert counts[key] != counts["right"], key  # the fixture tells them apart
        feedback = q.check(counts[key])
        assert feedback.status == "incorrect" and phrase in feedback.message, (key, feedback)
    assert "change in the number" in q.check(counts["gained"] - counts["lost"]).message


def test_leave_out_other_answers(ds, leave_out):
    counts, q = leave_out
    assert q.check(...).status == "not attempted"
    assert "whole number" in q.check(counts["right"] + 0.5).message
    assert "a map" in q.check(np.zeros(ds.n_voxels, bool)).message
    far = q.check(counts["right"] + 10_000)
    assert far.status == "incorrect" and "too large" in far.message
    for answer in ("12", [1, 2], np.nan, object(), None):
        assert q.check(answer).status in ("incorrect", "not attempted")
    assert ds.truth.outlier in q.hint()


def test_leave_out_bad_arguments(ds):
    with pytest.raises(ValueError, match="p_threshold"):
        group_maps.drop_subject_exercise(ds, H, p_threshold=1.5)
    with pytest.raises(ValueError):
        group_maps.drop_subject_exercise(ds, "horizontal_checkerbord")
    small = data.synthetic_localizer(seed=1, n_subjects=3, conditions=[H], cache=False)
    with pytest.raises(ValueError, match="at least 4"):
        group_maps.drop_subject_exercise(small, H)


@pytest.fixture(scope="module")
def pairing(ds):
    """People per group from the student's correlations (np.corrcoef per voxel)."""
    a, b = ds.array(H).astype(float), ds.array(V).astype(float)
    r = np.array([np.corrcoef(a[:, k], b[:, k])[0, 1] for k in range(a.shape[1])])
    return a.shape[0], float(np.median(r)), group_maps.pairing_gain_exercise(ds, H, V)


def test_pairing_gain_right_answers(pairing):
    n, rho, q = pairing
    assert 0.1 < rho < 0.9  # the stand-in's maps share a subject effect
    q.assert_correct(n / (1 - rho))
    q.assert_correct(float(np.ceil(n / (1 - rho))))  # whole people, rounded up
    q.assert_correct(np.float32(n / (1 - rho)))


def test_pairing_gain_names_the_mistakes(ds, pairing):
    n, rho, q = pairing
    pooled = np.corrcoef(ds.array(H).ravel(), ds.array(V).ravel())[0, 1]
    answers = {
        "the ratio of the standard errors": n / np.sqrt(1 - rho),
        "both groups together": 2 * n / (1 - rho),
        "upside down": n * (1 - rho),
        "1 - r, not 1 + r": n / (1 + rho),
        "ignores the correlation": n,
        "pools all voxels": n / (1 - pooled),
    }
    for phrase, answer in answers.items():
        feedback = q.check(answer)
        assert feedback.status == "incorrect" and phrase in feedback.message, (phrase, feedback)
    far = q.check(10 * n)
    assert far.status == "incorrect" and "too large" in far.message
    for answer in (..., "12", [1, 2], np.nan, None):
        assert q.check(answer).status in ("incorrect", "not attempted")


def test_pairing_gain_bad_arguments(ds):
    with pytest.raises(ValueError, match="different"):
        group_maps.pairing_gain_exercise(ds, H, H)
    with pytest.raises(ValueError):
        group_maps.pairing_gain_exercise(ds, H, "vertical_checkerbord")
