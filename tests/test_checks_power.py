"""Tests of course_utils.teaching.checks.power: the number-of-subjects exercise."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import TTestPower

from course_utils.experiments import power
from course_utils.teaching.checks import power as power_checks


@pytest.fixture
def q():
    return power_checks.subjects_for_power_exercise(d=0.6, alpha=0.001, target=0.8)


def test_the_expected_answer_is_the_smallest_n_statsmodels_agrees_with(q):
    n = np.arange(2, 300)
    powers = np.nan_to_num(TTestPower().power(effect_size=0.6, nobs=n, alpha=0.001))
    answer = int(n[np.argmax(powers >= 0.8)])
    assert answer == 53
    assert q.check(answer).correct and q.check(float(answer)).correct
    assert q.check(np.int64(answer)).correct and q.check([answer]).correct


def test_placeholder_is_not_attempted(q):
    assert q.check(...).status == "not attempted"
    assert q.check(None).status == "not attempted"


def test_typical_mistakes_are_named(q):
    one_sided = power.n_for_power(0.6, 0.001, two_sided=False)
    normal = math.ceil(((stats.norm.isf(0.0005) + stats.norm.ppf(0.8)) / 0.6) ** 2)
    assert one_sided == normal == 48  # both slips give 48 here: both are named
    message = q.check(48).message
    assert "one-sided" in message and "normal approximation" in message
    assert "ROI test at alpha = 0.05" in q.check(power.n_for_power(0.6, 0.05)).message
    assert "one short" in q.check(52).message and "round up" in q.check(52).message
    assert "round up" in q.check(52.4).message
    assert "whole number" in q.check(60.5).message
    assert "looks like a power" in q.check(0.8).message


def test_other_answers_say_which_way_and_the_power(q):
    few = q.check(30)
    assert few.status == "incorrect" and "too few" in few.message and "0.3" in few.message
    many = q.check(80)
    assert "more than needed" in many.message and "smallest N" in many.message


@pytest.mark.parametrize("answer", ["fifty", [], {"n": 53}, -3, np.nan, object()])
def test_never_raises_on_odd_answers(q, answer):
    feedback = q.check(answer)
    assert feedback.status == "incorrect"


def test_other_parameters_and_bad_ones():
    q = power_checks.subjects_for_power_exercise(d=0.5, alpha=0.05, target=0.9)
    assert q.check(power.n_for_power(0.5, 0.05, 0.9)).correct
    assert "90%" in q.name and "d = 0.5" in q.name
    with pytest.raises(ValueError):
        power_checks.subjects_for_power_exercise(d=0.0)
    with pytest.raises(ValueError):
        power_checks.subjects_for_power_exercise(alpha=0.9, target=0.8)


def test_hint_does_not_give_the_answer(q):
    assert "53" not in q.hint() and "noncentral" in q.hint()
    assert "53" not in q.solution()


def test_standard_error_of_a_difference_names_the_variance_and_other_slips():

    q = power_checks.difference_se_exercise(12, 18, "se", labels=("men", "women"))
    right = np.sqrt(1 / 12 + 1 / 18)
    assert q.check(right).correct and q.check(round(right, 4)).correct
    assert "variance of the difference" in q.check(1 / 12 + 1 / 18).message
    assert "square root" in q.check(1 / 12 + 1 / 18).message
    assert "one mean of all 30 subjects" in q.check(1 / np.sqrt(30)).message
    assert "added the two standard errors" in q.check(1 / np.sqrt(12) + 1 / np.sqrt(18)).message
    assert "whole class" in q.check(np.sqrt(2 / 30)).message
    assert "men's mean alone" in q.check(1 / np.sqrt(12)).message
    assert "too large" in q.check(1.0).message
    for junk in ("0.3", [0.3, 0.4], None, {"se": 0.3}):
        assert q.check(junk).status in {"incorrect", "not attempted"}
    assert "that is not a finite number" in q.check(np.inf).message
