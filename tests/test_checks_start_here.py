"""Tests of checks.start_here: the warm-up standard error."""

import numpy as np

from course_utils.teaching.checks import start_here

VALUES = [1.0, 2.0, 4.0]
RIGHT = np.std(VALUES, ddof=1) / np.sqrt(3)


def test_three_distinct_outcomes():
    q = start_here.standard_error_exercise(VALUES)
    statuses = [q.check(a).status for a in (..., 1.0, RIGHT)]
    assert statuses == ["not attempted", "incorrect", "correct"]
    assert q.hint() and "instructor edition" in q.solution()


def test_named_mistakes():
    q = start_here.standard_error_exercise(VALUES, population_sd=1.0)
    assert "ddof=0" in q.check(np.std(VALUES) / 3**0.5).message
    assert "divide it by the square root" in q.check(np.std(VALUES, ddof=1)).message
    assert "variance of the mean" in q.check(RIGHT**2).message
    assert "population we drew from" in q.check(1 / np.sqrt(3)).message


def test_non_finite_and_huge_answers():
    q = start_here.standard_error_exercise(VALUES)
    assert "that is not a finite number" in q.check(np.nan).message
    assert "that is not a finite number" in q.check(-np.inf).message
    assert q.check(1e30).message.startswith("1.0000e+30 is too large")
    assert "one number" in q.check("0.3").message


def test_variance_demo_names_each_mistake():
    q = start_here.variance_exercise(VALUES)
    assert q.check(np.var(VALUES, ddof=1)).status == "correct"
    assert "standard deviation" in q.check(np.std(VALUES, ddof=1)).message
    assert "ddof=0" in q.check(np.var(VALUES)).message
    assert "mean of the values" in q.check(np.mean(VALUES)).message
    assert "too large" in q.check(100.0).message
    assert q.check(...).status == "not attempted"


def test_variance_demo_needs_two_values():
    import pytest

    with pytest.raises(ValueError, match="at least 2"):
        start_here.variance_exercise([1.0])


def test_subjects_needed_names_each_slip():
    values = [0.2, 1.1, 0.7, 1.6, 0.4]  # sample sd 0.5612, (sd / 0.1)**2 = 31.5
    q = start_here.subjects_needed_exercise(values, target_se=0.1, population_sd=0.5)
    assert q.check(32).status == "correct"
    assert "round up, not down" in q.check(31).message
    assert "whole subjects" in q.check(31.5).message
    assert "not squared" in q.check(6).message
    assert "divides the variance" in q.check(4).message
    assert "population's standard deviation" in q.check(25).message
    assert "fewer subjects reach it" in q.check(500).message
    assert "still above 0.1" in q.check(20).message
    assert "32" not in q.check(20).message + q.check(500).message  # the answer stays unsaid
    assert q.check(...).status == "not attempted"


def test_subjects_needed_rejects_bad_arguments():
    import pytest

    with pytest.raises(ValueError, match="target_se"):
        start_here.subjects_needed_exercise([1.0, 2.0], target_se=0)
    with pytest.raises(ValueError, match="at least 2"):
        start_here.subjects_needed_exercise([1.0], target_se=0.1)
