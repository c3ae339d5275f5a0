"""Checks: instant feedback on exercises, in the spirit of learntools' ``q.check()``.

An :class:`Exercise` knows how to judge a student's answer and answers with one of three
distinct messages:

- **not attempted**: the stub still holds the placeholder ``...`` (or ``None``);
- **incorrect**, with the reason in plain words;
- **correct**.

It also offers :meth:`Exercise.hint`. Checking never raises, whatever the answer (a wrong
type, a checker that trips over it), so a student's notebook keeps running;
:meth:`Exercise.assert_correct` is the strict form that the instructor's solution cells use so that
CI proves every solution right. No answer is ever printed: :meth:`Exercise.solution` points to the
instructor edition, where the worked solution lives in a hidden ``solution`` cell.

Notebook pattern (see CONTRIBUTING.md): a stub cell (tag ``exercise-stub``) that sets the answer
to ``...``; a solution cell (tag ``solution``) that the student edition removes; a check cell
that calls ``q.check(answer)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Status = Literal["not attempted", "incorrect", "correct"]


class Incorrect(Exception):
    """Raised by a checker function to say why an answer is wrong."""

    __module__ = "course_utils.teaching.checks"  # where notebooks use it from


@dataclass(frozen=True)
class Feedback:
    """The outcome of checking one answer.

    Attributes
    ----------
    exercise : str
        Name of the exercise.
    status : {"not attempted", "incorrect", "correct"}
        The verdict.
    message : str
        What to tell the student.
    """

    exercise: str
    status: Status
    message: str

    @property
    def correct(self) -> bool:
        """True when the answer is right."""
        return self.status == "correct"

    def __str__(self) -> str:
        marks = {"not attempted": "[ ]", "incorrect": "[x]", "correct": "[v]"}
        return f"{marks[self.status]} {self.exercise}: {self.status.upper()}. {self.message}"

    __repr__ = __str__


def is_placeholder(value: Any) -> bool:
    """Return True when ``value`` is still the stub's placeholder.

    Parameters
    ----------
    value : object
        The student's answer.

    Returns
    -------
    bool
        True for ``...`` and ``None``, and for a list or tuple that contains ``...``.

    Examples
    --------
    >>> is_placeholder(...), is_placeholder([1, ..., 3]), is_placeholder([1, 2])
    (True, True, False)
    """
    if value is Ellipsis or value is None:
        return True
    if isinstance(value, list | tuple):
        return any(item is Ellipsis for item in value)
    return False


class _Text(str):
    """A string that a notebook displays as plain text (no quotes)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


#: What :meth:`Exercise.solution` says: the answer itself is never printed or returned.
SOLUTION_ELSEWHERE = (
    "The worked solution is in the instructor edition of this notebook (a "
    "hidden solution cell after the check). Try q.hint() first."
)


class Exercise:
    """One exercise: a checker function plus a hint.

    Parameters
    ----------
    name : str
        Short name shown in every message, e.g. ``"Exercise 1: visual vs auditory"``.
    checker : callable
        ``checker(answer)`` returns None when the answer is right and raises
        :class:`Incorrect` with the reason when it is wrong. Any other exception it raises is
        reported as *incorrect* too (with a plain message), never passed on.
    hint : str
        A nudge that does not give the answer away.
    solution : str, optional
        Accepted for compatibility and ignored: worked solutions live only in the notebooks'
        ``solution`` cells (instructor edition), never in a string a student can print.

    Examples
    --------
    >>> def is_mean_of_data(answer):
    ...     if not np.isclose(answer, 2.0):
    ...         raise Incorrect(f"you gave {answer}; add up the values and divide by how many.")
    >>> q = Exercise("mean", is_mean_of_data, hint="np.mean")
    >>> q.check(...)
    [ ] mean: NOT ATTEMPTED. Replace the ... placeholder with your answer, then run this cell.
    >>> q.check(3)
    [x] mean: INCORRECT. you gave 3; add up the values and divide by how many.
    >>> q.check(2.0)
    [v] mean: CORRECT. Well done.
    >>> q.check("two").status         # the checker trips over a string: still just incorrect
    'incorrect'
    """

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], None],
        hint: str = "",
        solution: str = "",
    ) -> None:
        del solution  # never stored: nothing a student runs may print the answer
        self.name = name
        self._checker = checker
        self._hint = hint
        self._unavailable: str | None = None

    @classmethod
    def unavailable(cls, name: str, reason: str) -> Exercise:
        """An exercise the data at hand cannot support: every check says why, and says that
        nothing was judged (e.g. a sex difference on a copy of the data without sexes)."""
        exercise = cls(name, lambda answer: None, hint=reason)
        exercise._unavailable = reason
        return exercise

    def check(self, answer: Any) -> Feedback:
        """Judge ``answer`` and return the feedback (it prints itself in a notebook).

        Never raises: an answer the checker cannot handle is *incorrect*, with a message that
        names what went wrong.
        """
        if self._unavailable:
            return Feedback(self.name, "not attempted", self._unavailable)
        try:
            placeholder = is_placeholder(answer)
        except Exception:  # noqa: BLE001 - an exotic object: judge it below
            placeholder = False
        if placeholder:
            return Feedback(
                self.name,
                "not attempted",
                "Replace the ... placeholder with your answer, then run this cell.",
            )
        try:
            self._checker(answer)
        except Incorrect as why:
            return Feedback(self.name, "incorrect", str(why))
        except Exception as err:  # noqa: BLE001 - q.check() must never crash a student's cell
            return Feedback(self.name, "incorrect", _unreadable(answer, err))
        return Feedback(self.name, "correct", "Well done.")

    def assert_correct(self, answer: Any) -> None:
        """Raise AssertionError unless ``answer`` is correct (for solution cells and tests)."""
        feedback = self.check(answer)
        if not feedback.correct:
            raise AssertionError(str(feedback))

    def hint(self) -> str:
        """Return the hint (a string that a notebook shows as plain text)."""
        return _Text(self._hint or "No hint for this one: re-read the section above the exercise.")

    def solution(self) -> str:
        """Say where the worked solution is; the answer itself is never returned."""
        return _Text(SOLUTION_ELSEWHERE)


def _unreadable(answer: Any, err: Exception) -> str:
    """The message for an answer the checker could not handle (a wrong type, usually)."""
    kind = type(answer).__name__
    detail = str(err).splitlines()[0][:120] if str(err) else ""
    reason = f"{type(err).__name__}: {detail}" if detail else type(err).__name__
    return (
        f"your answer (a {kind}) could not be checked ({reason}). Give the kind of value "
        "the question asks for: numbers (an array, one per voxel; a single number; or a "
        "table of numbers), not text."
    )


def judge_number(
    value: float,
    expected: float,
    mistakes: Sequence[tuple[float, str]],
    otherwise: Callable[[str], str],
    rtol: float = 1e-5,
) -> None:
    """Judge one number: right, a named mistake, or too large / too small.

    Parameters
    ----------
    value, expected : float
        The student's number and the right one.
    mistakes : sequence of (float, str)
        Wrong values a typical slip gives, each with the message that names the slip.
    otherwise : callable
        Builds the message for any other value from ``"too large"`` or ``"too small"``.
    rtol : float, default 1e-5
        Relative tolerance, as in :func:`numpy.isclose`.

    Raises
    ------
    Incorrect
        With the named mistake's message, or ``otherwise(direction)``.

    Examples
    --------
    >>> judge_number(2.0, 2.0, [], lambda d: d)
    >>> judge_number(4.0, 2.0, [(4.0, "you squared it")], lambda d: d)
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.Incorrect: you squared it
    >>> judge_number(3.0, 2.0, [(4.0, "you squared it")], lambda d: f"3 is {d}")
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.Incorrect: 3 is too large
    """
    if np.isclose(value, expected, rtol=rtol):
        return
    for wrong, message in mistakes:
        if np.isclose(value, wrong, rtol=rtol):
            raise Incorrect(message)
    raise Incorrect(otherwise("too large" if value > expected else "too small"))


def expect_close(
    value: Any, expected: Any, what: str, rtol: float = 1e-6, atol: float = 1e-8
) -> None:
    """Raise :class:`Incorrect` unless ``value`` matches ``expected`` in shape and value.

    Parameters
    ----------
    value, expected : array-like
        The student's value and the right one.
    what : str
        What the value is, used in the message (e.g. ``"your contrast"``).
    rtol, atol : float
        Tolerances, as in :func:`numpy.allclose`.

    Examples
    --------
    >>> expect_close([1.0, 2.0], [1.0, 2.0], "your vector")
    >>> expect_close([1.0], [1.0, 2.0], "your vector")
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.Incorrect: your vector has shape (1,); expected shape (2,).
    """
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be numbers; got {type(value).__name__}.") from None
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        raise Incorrect(f"{what} has shape {got.shape}; expected shape {want.shape}.")
    if np.isnan(got).any() and not np.isnan(want).any():
        raise Incorrect(f"{what} contains NaN values.")
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        raise Incorrect(f"{what} has the right shape but not the right values.")
