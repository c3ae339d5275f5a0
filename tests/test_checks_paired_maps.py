"""The paired t-map exercise: expected answer from the data, named mistakes, never a crash."""

import nibabel as nib
import numpy as np
import pytest
from scipy import stats

from course_utils.experiments import data
from course_utils.stats import designs, glm
from course_utils.teaching.checks import paired_maps

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
    return paired_maps.paired_tmap_exercise(ds, V, H, plus_subjects=shuffled)


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
    other = paired_maps.paired_tmap_exercise(ds, V, H)
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
        paired_maps.paired_tmap_exercise(ds, H, H)
    with pytest.raises(ValueError):
        paired_maps.paired_tmap_exercise(ds, H, "vertical_checkerbord")
    with pytest.raises(KeyError):
        paired_maps.paired_tmap_exercise(ds, H, V, plus_subjects=["nobody"] * len(ds.subjects))


def test_sums_of_conditions_and_condition_sum(ds):
    weights = {V: 1.0, H: 1.0}
    total = paired_maps.condition_sum(ds, weights)
    assert total.dtype == np.float32
    np.testing.assert_allclose(total, ds.contrast(weights), rtol=1e-5, atol=1e-5)
    q = paired_maps.paired_tmap_exercise(ds, weights, H)
    q.assert_correct(_t(ds.array(V)))  # (V + H) - H
    assert q.name == f"Paired t-map, {H} + {V} minus {H}"


# The leave-one-out exercise: how many voxels change status without the odd subject.
