"""Tests of checks.core: Exercise, Feedback, reading and judging numbers, arrays and maps."""

import numpy as np
import pytest

from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    expect_close,
    expect_map,
    format_number,
    is_placeholder,
    judge_number,
    read_number,
)


def _expect_three(answer):
    expect_close(answer, [1.0, -1.0, 0.0], "your contrast")


@pytest.fixture
def q():
    return Exercise("demo", _expect_three, hint="one up, one down")


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
    assert repr(q.hint()) == "one up, one down"  # shown as plain text in a notebook
    assert "re-read" in Exercise("x", lambda a: None).hint()
    assert "instructor edition" in q.solution()


def test_no_solution_keyword():
    """Worked solutions live only in the notebooks' solution cells, never in an Exercise."""
    with pytest.raises(TypeError):
        Exercise("demo", _expect_three, hint="h", solution="[1, -1, 0]")


def test_checker_errors_are_reported_as_incorrect_never_raised():
    def broken(answer):
        raise KeyError("bug in the checker")

    def picky(answer):
        float(answer)  # ValueError on text

    feedback = Exercise("x", broken).check(1)
    assert feedback.status == "incorrect" and "KeyError" in feedback.message
    feedback = Exercise("x", picky).check("six")
    assert feedback.status == "incorrect"
    assert "could not be checked" in feedback.message and "a str" in feedback.message
    with pytest.raises(AssertionError, match="INCORRECT"):
        Exercise("x", broken).assert_correct(1)
    assert issubclass(Incorrect, Exception)


def test_unavailable_exercise_judges_nothing():
    q = Exercise.unavailable("x", "no data for this")
    assert q.check(1.0).status == "not attempted" and "no data" in q.check(1.0).message


@pytest.mark.parametrize("answer", [np.nan, np.inf, -np.inf, np.array([np.nan])])
def test_read_number_rejects_non_finite_values(answer):
    with pytest.raises(Incorrect, match="that is not a finite number"):
        read_number(answer, "the standard error")


def test_read_number_accepts_one_number_and_infinity_when_asked():
    assert read_number(np.array([[2.5]])) == 2.5
    assert read_number(np.float32(0.5)) == 0.5
    assert read_number(np.inf, allow_inf=True) == np.inf
    with pytest.raises(Incorrect, match="that is not a finite number"):
        read_number(np.nan, allow_inf=True)
    for junk, words in [("0.3", "one number"), (True, "one number"), ([1, 2], "shape (2,)")]:
        with pytest.raises(Incorrect, match=words.replace("(", r"\(").replace(")", r"\)")):
            read_number(junk, "the threshold")
    with pytest.raises(Incorrect, match="got dict"):
        read_number({"se": 0.3})


def test_judge_number_right_mistake_direction():
    judge_number(2.0, 2.0)
    with pytest.raises(Incorrect, match="you squared it"):
        judge_number(4.0, 2.0, [(4.0, "you squared it")])
    with pytest.raises(Incorrect, match="too small"):
        judge_number(1.0, 2.0, [(4.0, "you squared it")], lambda d: f"1 is {d}")
    with pytest.raises(Incorrect, match="that is not a finite number"):
        judge_number(np.nan, 2.0)


def test_judge_number_closest_mistake_wins_and_the_right_answer_wins_ties():
    mistakes = [(2.1, "far"), (2.02, "near")]
    with pytest.raises(Incorrect, match="near"):
        judge_number(2.019, 2.0, mistakes, rtol=1e-4, mistake_rtol=0.1)
    judge_number(2.0, 2.0, [(2.0, "same as right")])
    judge_number(2.01, 2.0, [(2.1, "far")], rtol=0.02, mistake_rtol=1e-3)


def test_huge_values_print_in_scientific_notation():
    with pytest.raises(Incorrect, match=r"2\.0000e\+30 is too large"):
        judge_number(2e30, 2.0)
    assert format_number(1e-9) == "1.0000e-09" and format_number(0.0) == "0.0000"
    assert format_number(123.456, 1) == "123.5"


def test_map_checker_names_typical_mistakes():
    want = np.array([3.0, -1.0, 0.5, 2.0])
    expect_map(want.copy(), want)
    expect_map(want[None, :], want)  # fit.t[:1] keeps a leading axis
    cases = {
        "wrong sign": -want,
        "3D volume": np.zeros((2, 2, 2)),
        "NaN in 1 voxels": np.r_[want[:3], np.nan],
        "shape": want[:3],
        "right pattern": 0.3 * want,
        "does not match": np.array([1.0, 2.0, 3.0, 4.0]),
        "got text": "t_map",
    }
    for message, answer in cases.items():
        with pytest.raises(Incorrect, match=message):
            expect_map(answer, want)
    with pytest.raises(Incorrect, match="the groups are swapped"):
        expect_map(-want, want, swapped="the groups are swapped")
    with pytest.raises(Incorrect, match="one map per subject"):
        expect_map(np.ones((3, 4)), want, n_subjects=3)
    wrong = np.array([1.0, 1.0, -2.0, 0.0])
    with pytest.raises(Incorrect, match=r"half of it \(reversed\)"):
        expect_map(-wrong, want, mistakes=[(wrong, "half of it")], reversed_mistakes=" (reversed)")
