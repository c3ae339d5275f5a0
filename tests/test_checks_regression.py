"""The exercise of the t-tests-as-regressions notebook: right answers, and each typical mistake."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils.stats import designs, glm
from course_utils.teaching.checks import regression


@pytest.fixture
def groups():
    rng = np.random.default_rng(0)
    return rng.normal(10, 2, 40), rng.normal(5, 2, 20)  # first (coded +0.5), second (-0.5)


@pytest.fixture
def q(groups):
    first, second = groups
    return regression.coded_betas_exercise(first, second)


def _means(groups):
    first, second = groups
    return first.mean(), second.mean(), np.r_[first, second].mean()


def _fit(first, second, codes):
    X = designs.two_sample(first.size, second.size, "treatment")
    X["group1_vs_group2"] = np.where(X.pop("is_group1") == 1, *codes)
    return glm.regress(X, np.r_[first, second])


def test_public_names():
    assert regression.__all__ == [
        "coded_betas_exercise",
        "dummy_code_exercise",
        "paired_beta_exercise",
        "two_group_design_exercise",
    ]


@pytest.mark.parametrize("codes", [(0.5, -0.5), (1.0, -1.0), (2.0, 1.0), (1.0, 0.0), (-1, 3)])
def test_the_right_answer_is_what_the_regression_gives(groups, codes):
    q = regression.coded_betas_exercise(*groups, codes=codes)
    fit = _fit(*groups, codes)
    answer = {"intercept": fit.coef("intercept"), "group1_vs_group2": fit.coef("group1_vs_group2")}
    q.assert_correct(answer)
    q.assert_correct([answer["intercept"], answer["group1_vs_group2"]])
    q.assert_correct(np.array(list(answer.values())))
    q.assert_correct(pd.Series(answer))  # a mapping too
    # Typed from a printout with three decimals.
    q.assert_correct({k: round(float(v), 3) for k, v in answer.items()})


def test_half_codes_give_the_midpoint_and_the_full_gap(groups, q):
    m1, m2, _ = _means(groups)
    q.assert_correct({"intercept": (m1 + m2) / 2, "group1_vs_group2": m1 - m2})


def test_placeholder_is_not_attempted(q):
    assert q.check(...).status == "not attempted"
    assert q.check({"intercept": ..., "group1_vs_group2": ...}).status != "correct"


@pytest.mark.parametrize(
    "answer, words",
    [
        ("3.0", "give a dict"),
        ([1.0, 2.0, 3.0], "give two numbers"),
        ({"intercept": 1.0}, "lacks the keys ['group1_vs_group2']"),
        (["a", 1.0], "should be numbers"),
        ([np.nan, 1.0], "finite"),
    ],
)
def test_malformed_answers_are_explained(q, answer, words):
    feedback = q.check(answer)
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_grand_mean_intercept_is_recognised(groups, q):
    m1, m2, grand = _means(groups)
    feedback = q.check([grand, m1 - m2])
    assert feedback.status == "incorrect"
    assert "grand mean" in feedback.message and "group 1, 40 values" in feedback.message
    assert "halfway between 0.5 and -0.5" in feedback.message
    direction = "too high" if grand > (m1 + m2) / 2 else "too low"
    assert f"{abs(grand - (m1 + m2) / 2):.3f} {direction}" in feedback.message
    assert "group1_vs_group2" not in feedback.message  # the slope was right


def test_reference_group_intercept_is_recognised(groups, q):
    m1, m2, _ = _means(groups)
    for mean, name in ((m1, "group 1"), (m2, "group 2")):
        feedback = q.check([mean, m1 - m2])
        assert f"mean of {name}" in feedback.message and "reference group" in feedback.message


def test_a_group_coded_zero_is_the_reference(groups):
    m1, m2, _ = _means(groups)
    q = regression.coded_betas_exercise(*groups, codes=(1.0, 0.0))
    assert q.check([m2, m1 - m2]).correct


def test_half_gap_slope_is_recognised(groups, q):
    m1, m2, _ = _means(groups)
    feedback = q.check([(m1 + m2) / 2, (m1 - m2) / 2])
    assert "half the difference group 1 minus group 2" in feedback.message
    assert "+1 / -1" in feedback.message and "1 unit apart" in feedback.message
    assert f"{abs(m1 - m2) / 2:.3f} too low" in feedback.message  # group 1 is higher
    assert not feedback.message.startswith("intercept")


def test_full_gap_slope_is_recognised_for_plus_minus_one(groups):
    m1, m2, _ = _means(groups)
    q = regression.coded_betas_exercise(*groups, codes=(1.0, -1.0))
    feedback = q.check([(m1 + m2) / 2, m1 - m2])
    assert "full difference group 1 minus group 2" in feedback.message
    assert "2 units apart" in feedback.message and "too high" in feedback.message


def test_swapped_groups_are_recognised(groups, q):
    m1, m2, _ = _means(groups)
    feedback = q.check([(m1 + m2) / 2, m2 - m1])
    assert "wrong sign" in feedback.message and "swapped" in feedback.message
    feedback = q.check([(m1 + m2) / 2, (m2 - m1) / 2])
    assert "wrong way round" in feedback.message and "swapped" in feedback.message


def test_two_mistakes_are_both_reported(groups, q):
    m1, m2, grand = _means(groups)
    feedback = q.check([grand, (m1 - m2) / 2])
    assert "grand mean" in feedback.message and "half the difference" in feedback.message


def test_other_wrong_values_say_how_far_and_which_way(groups, q):
    m1, m2, _ = _means(groups)
    feedback = q.check([(m1 + m2) / 2 + 1.0, m1 - m2 - 0.25])
    assert "1.000 too high" in feedback.message
    assert "0.250 too low" in feedback.message


def test_asymmetric_codes_explain_where_code_zero_lies(groups):
    m1, m2, grand = _means(groups)
    q = regression.coded_betas_exercise(*groups, codes=(2.0, 1.0))
    assert "extrapolation" in q.check([grand, m1 - m2]).message
    q.assert_correct([2 * m2 - m1, m1 - m2])


def test_balanced_groups_do_not_call_the_midpoint_a_grand_mean():
    q = regression.coded_betas_exercise([5.0, 7.0], [1.0, 3.0])
    assert q.check([4.0, 4.0]).correct
    assert "grand mean" not in q.check([4.5, 4.0]).message


def test_hint_and_solution_do_not_give_the_answer_away(q):
    assert "intercept + slope" in q.hint()
    assert "/ 2" not in q.hint() and "/ 2" not in q.solution()  # the notebook holds it


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one value"):
        regression.coded_betas_exercise([], [1.0])
    with pytest.raises(ValueError, match="must differ"):
        regression.coded_betas_exercise([1.0], [2.0], codes=(1, 1))


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


def test_codes_two_and_minus_one_name_each_rule_of_another_coding(groups):
    # The notebook's exercise: group 1 coded 2, group 2 coded -1 (three units apart).
    m1, m2, grand = _means(groups)
    q = regression.coded_betas_exercise(*groups, codes=(2.0, -1.0))
    slope = (m1 - m2) / 3
    q.assert_correct([m2 + slope, slope])
    midpoint = q.check([(m1 + m2) / 2, slope]).message
    assert "midpoint" in midpoint and "symmetric around 0" in midpoint
    assert "grand mean" in q.check([grand, slope]).message
    assert "reference group" in q.check([m2, slope]).message
    assert "one unit apart (0 / 1)" in q.check([m2 + slope, m1 - m2]).message
    assert "+1 / -1" in q.check([m2 + slope, (m1 - m2) / 2]).message
    assert "swapped" in q.check([m2 + slope, -slope]).message


@pytest.fixture
def paired_data():
    rng = np.random.default_rng(4)
    ids = [f"S{i:02d}" for i in range(1, 13)]
    level = rng.normal(0.8, 0.5, len(ids))
    a = pd.Series(level + 0.3 + rng.normal(0, 0.2, len(ids)), index=ids)
    b = pd.Series(level + rng.normal(0, 0.2, len(ids)), index=ids)
    return a, b.iloc[rng.permutation(len(ids))]  # b in another order


def _paired_fit(a, b, codes):
    y, X = designs.paired(a, b)
    X["a_vs_b"] = np.where(X["a_vs_b"] > 0, *codes)
    return glm.regress(X, y.to_numpy())


@pytest.mark.parametrize("codes", [(1.0, 0.0), (1.0, -1.0), (0.0, 1.0), (3.0, 1.0)])
def test_paired_answer_is_what_the_regression_gives(paired_data, codes):
    fit = _paired_fit(*paired_data, codes)
    q = regression.paired_beta_exercise(*paired_data, codes=codes)
    q.assert_correct({"beta": fit.coef("a_vs_b"), "t": fit.t_of("a_vs_b")})
    q.assert_correct([round(fit.coef("a_vs_b"), 3), round(fit.t_of("a_vs_b"), 3)])


def test_paired_mistakes_are_named(paired_data):
    a, b = paired_data
    q = regression.paired_beta_exercise(a, b)
    d = a - b.loc[a.index]
    t = float(stats.ttest_rel(a, b.loc[a.index]).statistic)
    q.assert_correct({"beta": d.mean(), "t": t})
    assert "half the mean difference" in q.check([d.mean() / 2, t]).message
    assert "swapped" in q.check([-d.mean(), t]).message
    for wrong_t in (t / 2, 2 * t):
        assert "changed with the codes" in q.check([d.mean(), wrong_t]).message
    unpaired = float(stats.ttest_ind(a, b).statistic)
    assert "unpaired" in q.check([d.mean(), unpaired]).message
    assert "too high" in q.check([d.mean() + 1, t]).message
    assert q.check(...).status != "correct"  # the stub's placeholder
    assert "keys" in q.check({"beta": 1.0}).message


def test_paired_full_difference_for_plus_minus_one(paired_data):
    a, b = paired_data
    q = regression.paired_beta_exercise(a, b, codes=(1.0, -1.0))
    d = (a - b.loc[a.index]).mean()
    assert "one unit apart (1 / 0)" in q.check([d, 0.0]).message


def test_paired_refuses_bad_input(paired_data):
    a, b = paired_data
    with pytest.raises(ValueError, match="same subjects"):
        regression.paired_beta_exercise(a, b.drop("S03"))
    with pytest.raises(ValueError, match="must differ"):
        regression.paired_beta_exercise(a, b, codes=(1, 1))
