"""The paired t-map exercise: expected answer from the data, named mistakes, never a crash."""

import nibabel as nib
import numpy as np
import pytest
from scipy import stats

from course_utils.experiments import data
from course_utils.stats import designs, glm
from course_utils.teaching.checks import group_maps

H, V = "horizontal_checkerboard", "vertical_checkerboard"


@pytest.fixture(scope="module")
def ds():
    return data.synthetic_localizer(seed=3, n_subjects=8, conditions=[H, V], cache=False)


@pytest.fixture(scope="module")
def shuffled(ds):
    order = list(np.random.default_rng(0).permutation(ds.subjects))
    assert order != ds.subjects
    return order


@pytest.fixture(scope="module")
def q(ds, shuffled):
    return group_maps.paired_tmap_exercise(ds, V, H, plus_subjects=shuffled)


def _t(scores):
    return glm.regress(designs.one_sample(scores.shape[0]), scores, keep_residuals=False).t[0]


def _aligned(ds, shuffled):
    vertical = ds.array(V, subjects=shuffled)
    horizontal = ds.array(H)
    iv, ih, _ = designs.align_subjects(shuffled, ds.subjects)
    return vertical[iv], horizontal[ih]


def test_right_answers_from_glm_and_scipy_float32(ds, shuffled, q):
    vertical, horizontal = _aligned(ds, shuffled)
    q.assert_correct(_t(vertical - horizontal))
    q.assert_correct(stats.ttest_rel(vertical, horizontal).statistic)  # float32 arithmetic
    q.assert_correct(_t(vertical - horizontal)[None, :])  # fit.t[:1] keeps a leading axis


def test_expected_answer_ignores_the_orders_given(ds, shuffled):
    vertical, horizontal = _aligned(ds, shuffled)
    other = group_maps.paired_tmap_exercise(ds, V, H)
    other.assert_correct(_t(vertical - horizontal))


def test_named_mistakes(ds, shuffled, q):
    vertical, horizontal = _aligned(ds, shuffled)
    diff = (vertical - horizontal).astype(np.float64)
    n = diff.shape[0]
    cases = {
        "not the same subject": _t(ds.array(V, subjects=shuffled) - ds.array(H)),
        "two-sample": stats.ttest_ind(vertical, horizontal).statistic,
        "wrong sign": _t(horizontal - vertical),
        "mean difference (the effect)": diff.mean(0),
        "half the mean difference": diff.mean(0) / 2,
        "standard error": diff.std(0, ddof=1) / np.sqrt(n),
        "variance of the differences": diff.var(0, ddof=1),
        "standard deviation of the differences": diff.std(0, ddof=1),
        f"one-sample map of {V} alone": _t(vertical),
        f"one-sample map of {H} alone": _t(horizontal),
    }
    for phrase, answer in cases.items():
        feedback = q.check(answer)
        assert feedback.status == "incorrect", phrase
        assert phrase in feedback.message, (phrase, feedback.message)


def test_reversed_two_sample_says_both(ds, shuffled, q):
    vertical, horizontal = _aligned(ds, shuffled)
    message = q.check(stats.ttest_ind(horizontal, vertical).statistic).message
    assert "two-sample" in message and "reversed" in message


@pytest.mark.parametrize(
    "answer",
    [
        "t_map",
        3.0,
        [1.0, 2.0],
        {"t": 1},
        object(),
        np.zeros((2, 3, 4)),
        np.full(5, np.nan),
        nib.Nifti1Image(np.zeros((2, 2, 2), "float32"), np.eye(4)),
        [[1.0, 2.0], [3.0]],
    ],
)
def test_check_never_raises(q, answer):
    feedback = q.check(answer)
    assert feedback.status == "incorrect" and feedback.message


def test_whole_fit_and_scipy_result_and_subject_maps(ds, shuffled, q):
    vertical, horizontal = _aligned(ds, shuffled)
    fit = glm.regress(designs.one_sample(vertical.shape[0]), vertical - horizontal)
    assert "whole fit" in q.check(fit).message
    assert "statistic" in q.check(stats.ttest_rel(vertical, horizontal)).message
    assert "one map per subject" in q.check(vertical - horizontal).message
    assert "NaN" in q.check(np.full(ds.n_voxels, np.nan)).message


def test_placeholder_and_no_solution_text(q):
    assert q.check(...).status == "not attempted"
    assert not any(word in q.solution() for word in ("regress", "ttest", "index_", "t[0]"))
    assert "align" in q.hint().lower() or "order" in q.hint().lower()


def test_bad_arguments(ds):
    with pytest.raises(ValueError, match="different"):
        group_maps.paired_tmap_exercise(ds, H, H)
    with pytest.raises(ValueError):
        group_maps.paired_tmap_exercise(ds, H, "vertical_checkerbord")
    with pytest.raises(KeyError):
        group_maps.paired_tmap_exercise(ds, H, V, plus_subjects=["nobody"] * len(ds.subjects))


def test_sums_of_conditions_and_condition_sum(ds):
    weights = {V: 1.0, H: 1.0}
    total = group_maps.condition_sum(ds, weights)
    assert total.dtype == np.float32
    np.testing.assert_allclose(total, ds.contrast(weights), rtol=1e-5, atol=1e-5)
    q = group_maps.paired_tmap_exercise(ds, weights, H)
    q.assert_correct(_t(ds.array(V)))  # (V + H) - H
    assert q.name == f"Paired t-map, {H} + {V} minus {H}"


# The leave-one-out exercise: how many voxels change status without the odd subject.
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
