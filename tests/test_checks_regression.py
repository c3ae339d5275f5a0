"""The exercise of the t-tests-as-regressions notebook: right answers, and each typical mistake."""

import numpy as np
import pandas as pd
import pytest

from course_utils.stats import designs, glm
from course_utils.teaching.checks import regression


@pytest.fixture
def groups():
    rng = np.random.default_rng(0)
    return rng.normal(5, 2, 20), rng.normal(10, 2, 40)  # plus (group 2), minus (group 1)


@pytest.fixture
def q(groups):
    plus, minus = groups
    return regression.effect_coded_betas_exercise(
        plus=plus, minus=minus, column="group2_vs_group1", names=("group 2", "group 1")
    )


def _means(groups):
    plus, minus = groups
    return plus.mean(), minus.mean(), np.r_[plus, minus].mean()


def test_public_names():
    assert regression.__all__ == [
        "dummy_code_exercise",
        "effect_coded_betas_exercise",
        "two_group_design_exercise",
    ]


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
    q = regression.effect_coded_betas_exercise([1.0, 3.0], [5.0, 7.0])
    assert q.check([4.0, -2.0]).correct
    assert "grand mean" not in q.check([4.5, -2.0]).message


def test_hint_and_solution_do_not_give_the_answer_away(q):
    assert "intercept + slope" in q.hint()
    assert "/ 2" not in q.hint() and "/ 2" not in q.solution()  # the notebook holds it


def test_empty_groups_are_refused():
    with pytest.raises(ValueError, match="at least one value"):
        regression.effect_coded_betas_exercise([], [1.0])


def test_dummy_code_exercise():
    q = regression.dummy_code_exercise(10.0)
    statuses = [q.check(a).status for a in (..., [0, 1], [1, 1])]
    assert statuses == ["not attempted", "incorrect", "correct"]
    assert "reference" in q.check([1, 0]).message


def test_two_group_design_checker():
    import pandas as pd

    sex = np.array(["M", "F", "F", "M", "F"])
    want = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    q = regression.two_group_design_exercise(want, "design")
    assert q.check(want).status == "correct"
    assert q.check(np.column_stack([np.ones(5), np.where(sex == "M", 1, -1)])).correct
    assert "one column per subject" in q.check(np.eye(5)).message
    assert "linearly dependent" in q.check(np.column_stack([np.ones(5), want])).message
    assert "one row per subject (5)" in q.check(want.iloc[:4]).message
    assert "does not separate" in q.check(np.column_stack([np.ones(5), np.arange(5.0)])).message


def test_two_group_design_names_the_typical_mistakes():
    import pandas as pd

    sex = np.array(["M", "F", "F", "M", "F", "M"])
    want = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    q = regression.two_group_design_exercise(want, "design")
    male_only = q.check(pd.DataFrame({"male": (sex == "M") * 1.0})).message
    assert "0/1 column for the male group alone" in male_only
    assert "no intercept" in male_only and "female" in male_only
    female_only = q.check(pd.DataFrame({"female": (sex == "F") * 1.0})).message
    assert "0/1 column for the female group alone" in female_only
    assert "one-sample design" in q.check(np.ones(6)).message
    assert "+1/-1 group column alone" in q.check(np.where(sex == "M", 1.0, -1.0)).message
    sorted_rows = want.sort_values("male").reset_index(drop=True)
    assert "not in the order of the subjects" in q.check(sorted_rows).message
    text = pd.DataFrame({"sex": sex})
    assert "holds text" in q.check(text).message
    assert q.check("male, female").status == "incorrect"
    assert (
        "NaN" in q.check(np.column_stack([want["male"], np.r_[want["female"][:5], np.nan]])).message
    )
