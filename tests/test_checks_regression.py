"""The exercise of the t-tests-as-regressions notebook: right answers, and each typical mistake."""

import numpy as np
import pandas as pd
import pytest

from course_utils.stats import designs, glm
from course_utils.teaching import checks
from course_utils.teaching.checks import regression


@pytest.fixture
def groups():
    rng = np.random.default_rng(0)
    return rng.normal(5, 2, 20), rng.normal(10, 2, 40)  # plus (group 2), minus (group 1)


@pytest.fixture
def q(groups):
    plus, minus = groups
    return checks.effect_coded_betas(
        plus=plus, minus=minus, column="group2_vs_group1", names=("group 2", "group 1")
    )


def _means(groups):
    plus, minus = groups
    return plus.mean(), minus.mean(), np.r_[plus, minus].mean()


def test_is_reexported_and_listed():
    assert checks.effect_coded_betas is regression.effect_coded_betas
    assert regression.__all__ == ["effect_coded_betas"]
    assert "effect_coded_betas" in checks.__all__


def test_the_right_answer_is_what_the_regression_gives(groups, q):
    plus, minus = groups
    X = designs.two_sample(plus.size, minus.size, "effect", labels=("group2", "group1"))
    fit = glm.regress(X, np.r_[plus, minus])
    answer = {"intercept": fit.coef("intercept"), "group2_vs_group1": fit.coef("group2_vs_group1")}
    q.assert_correct(answer)
    q.assert_correct([answer["intercept"], answer["group2_vs_group1"]])
    q.assert_correct(np.array(list(answer.values())))
    q.assert_correct(pd.Series(answer))  # a mapping too
    # Typed from a printout with three decimals.
    q.assert_correct({k: round(float(v), 3) for k, v in answer.items()})


def test_placeholder_is_not_attempted(q):
    assert q.check(...).status == "not attempted"
    assert q.check({"intercept": ..., "group2_vs_group1": ...}).status != "correct"


@pytest.mark.parametrize(
    "answer, words",
    [
        ("3.0", "give a dict"),
        ([1.0, 2.0, 3.0], "give two numbers"),
        ({"intercept": 1.0}, "lacks the keys ['group2_vs_group1']"),
        (["a", 1.0], "should be numbers"),
        ([np.nan, 1.0], "finite"),
    ],
)
def test_malformed_answers_are_explained(q, answer, words):
    feedback = q.check(answer)
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_grand_mean_intercept_is_recognised(groups, q):
    mp, mm, grand = _means(groups)
    feedback = q.check([grand, (mp - mm) / 2])
    assert feedback.status == "incorrect"
    assert "grand mean" in feedback.message and "group 1, 40 values" in feedback.message
    direction = "too high" if grand > (mp + mm) / 2 else "too low"
    assert f"{abs(grand - (mp + mm) / 2):.3f} {direction}" in feedback.message
    assert "group2_vs_group1" not in feedback.message  # the slope was right


def test_reference_group_intercept_is_recognised(groups, q):
    mp, mm, _ = _means(groups)
    for mean, name in ((mp, "group 2"), (mm, "group 1")):
        feedback = q.check([mean, (mp - mm) / 2])
        assert f"mean of {name}" in feedback.message and "treatment (dummy)" in feedback.message


def test_full_gap_slope_is_recognised(groups, q):
    mp, mm, _ = _means(groups)
    feedback = q.check([(mp + mm) / 2, mp - mm])
    assert "full difference group 2 minus group 1" in feedback.message
    assert "half the difference" in feedback.message
    # group 2 is lower here, so the full gap is further below zero than the right answer.
    assert f"{abs((mp - mm) / 2):.3f} too low" in feedback.message
    assert "intercept" not in feedback.message.split(":")[0]


def test_swapped_groups_are_recognised(groups, q):
    mp, mm, _ = _means(groups)
    feedback = q.check([(mp + mm) / 2, (mm - mp) / 2])
    assert "wrong sign" in feedback.message and "swapped" in feedback.message
    feedback = q.check([(mp + mm) / 2, mm - mp])
    assert "wrong way round" in feedback.message and "half the difference" in feedback.message


def test_two_mistakes_are_both_reported(groups, q):
    mp, mm, grand = _means(groups)
    feedback = q.check([grand, mp - mm])
    assert "grand mean" in feedback.message and "full difference" in feedback.message


def test_other_wrong_values_say_how_far_and_which_way(groups, q):
    mp, mm, _ = _means(groups)
    feedback = q.check([(mp + mm) / 2 + 1.0, (mp - mm) / 2 - 0.25])
    assert "1.000 too high" in feedback.message
    assert "0.250 too low" in feedback.message


def test_balanced_groups_do_not_call_the_midpoint_a_grand_mean():
    q = checks.effect_coded_betas([1.0, 3.0], [5.0, 7.0])
    assert q.check([4.0, -2.0]).correct
    assert "grand mean" not in q.check([4.5, -2.0]).message


def test_hint_and_solution_do_not_give_the_answer_away(q):
    assert "intercept + slope" in q.hint()
    assert "/ 2" not in q.hint() and "/ 2" not in q.solution()  # the notebook holds it


def test_empty_groups_are_refused():
    with pytest.raises(ValueError, match="at least one value"):
        checks.effect_coded_betas([], [1.0])
