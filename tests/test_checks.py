import numpy as np
import pytest

from course_utils.checks import Exercise, Incorrect, expect_close, is_placeholder


def _expect_three(answer):
    expect_close(answer, [1.0, -1.0, 0.0], "your contrast")


@pytest.fixture
def q():
    return Exercise("demo", _expect_three, hint="one up, one down", solution="[1, -1, 0]")


def test_three_distinct_outcomes(q):
    outcomes = {q.check(...).status, q.check([1, 1, 0]).status, q.check([1, -1, 0]).status}
    assert outcomes == {"not attempted", "incorrect", "correct"}


@pytest.mark.parametrize("placeholder", [..., None, [1, ..., 0], (..., ...)])
def test_placeholders_are_not_attempted(q, placeholder):
    assert is_placeholder(placeholder)
    assert q.check(placeholder).status == "not attempted"


def test_wrong_answers_say_why(q):
    assert "shape (2,)" in q.check([1, -1]).message
    assert "NaN" in q.check([np.nan, -1, 0]).message
    assert "numbers" in q.check(["a", "b", "c"]).message


def test_assert_correct_raises_on_wrong_answer(q):
    q.assert_correct(np.array([1.0, -1.0, 0.0]))
    with pytest.raises(AssertionError, match="INCORRECT"):
        q.assert_correct([0, 0, 0])
    with pytest.raises(AssertionError, match="NOT ATTEMPTED"):
        q.assert_correct(...)


def test_hint_and_solution(q):
    assert q.hint() == "one up, one down"
    assert q.solution() == "[1, -1, 0]"
    assert "re-read" in Exercise("x", lambda a: None).hint()


def test_checker_errors_other_than_incorrect_propagate():
    def broken(answer):
        raise KeyError("bug in the checker")

    with pytest.raises(KeyError):
        Exercise("x", broken).check(1)
    assert issubclass(Incorrect, Exception)
