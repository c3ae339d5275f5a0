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

Besides :class:`Exercise`, this module holds the primitives every topic's checks share: reading
and judging one number (:func:`read_number`, :func:`judge_number`, :func:`format_number`),
comparing arrays (:func:`expect_close`) and maps (:func:`expect_map`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = [
    "Exercise",
    "Feedback",
    "Incorrect",
    "SOLUTION_ELSEWHERE",
    "Status",
    "expect_close",
    "expect_map",
    "format_number",
    "is_placeholder",
    "judge_number",
    "read_number",
]

Status = Literal["not attempted", "incorrect", "correct"]


class Incorrect(Exception):
    """Raised by a checker function to say why an answer is wrong.

    Parameters
    ----------
    message : str
        The reason, in plain words: what the student sees after "INCORRECT.".

    Examples
    --------
    >>> str(Incorrect("you squared it"))
    'you squared it'
    """


@dataclass(frozen=True)
class Feedback:
    """The outcome of checking one answer.

    Parameters
    ----------
    exercise : str
        Name of the exercise.
    status : {"not attempted", "incorrect", "correct"}
        The verdict.
    message : str
        What to tell the student.

    Returns
    -------
    Feedback
        It prints itself as ``[v] name: CORRECT. message`` (``[x]`` incorrect, ``[ ]`` not
        attempted); ``.correct`` is True for a right answer.

    Examples
    --------
    >>> Feedback("demo", "correct", "Well done.")
    [v] demo: CORRECT. Well done.
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
        A nudge that does not give the answer away. Worked solutions live only in the
        notebooks' ``solution`` cells (instructor edition), never in a string a student can
        print.

    Returns
    -------
    Exercise
        ``q.check(answer)`` returns the :class:`Feedback`; ``q.hint()``, ``q.solution()`` and
        ``q.assert_correct(answer)`` (for solution cells) complete it.

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

    def __init__(self, name: str, checker: Callable[[Any], None], hint: str = "") -> None:
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


def format_number(value: float, decimals: int = 4) -> str:
    """A number as the feedback shows it: fixed decimals, or scientific when huge or tiny.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, default 4
        Decimals of the fixed notation (significant digits - 1 of the scientific one).

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(0.25), format_number(3.14159, 2), format_number(2.5e30)
    ('0.2500', '3.14', '2.5000e+30')
    >>> format_number(float("nan"))
    'nan'
    """
    if not np.isfinite(value):
        return str(value)
    if value != 0 and not 1e-3 <= abs(value) < 1e6:
        return f"{value:.{decimals}e}"
    return f"{value:.{decimals}f}"


def read_number(answer: Any, what: str = "the answer", *, allow_inf: bool = False) -> float:
    """The answer as one finite float, or :class:`Incorrect` saying why it is not one.

    Parameters
    ----------
    answer : object
        The student's answer: a number, or an array that holds exactly one.
    what : str, default "the answer"
        What the number is, for the messages (e.g. ``"the standard error"``).
    allow_inf : bool, default False
        Accept ``inf`` and ``-inf`` (a threshold that nothing passes); NaN never is.

    Returns
    -------
    float

    Raises
    ------
    Incorrect
        Text, a bool, several numbers, something that is not a number, NaN or infinity.

    Examples
    --------
    >>> read_number(np.array([0.5]))
    0.5
    >>> read_number(float("nan"), "the standard error")
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: that is not a finite number (nan): give the \
standard error as a number.
    >>> read_number([1, 2], "the threshold")
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: give one number (not text or a list): the \
threshold; got an array of shape (2,).
    """
    if isinstance(answer, bool | str | bytes):
        raise Incorrect(
            f"give one number (not text or a list): {what}; got {type(answer).__name__}."
        )
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"give one number, {what}; got {type(answer).__name__}.") from None
    if values.size != 1:
        raise Incorrect(
            f"give one number (not text or a list): {what}; got an array of shape {values.shape}."
        )
    value = float(values.reshape(-1)[0])
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise Incorrect(f"that is not a finite number ({value}): give {what} as a number.")
    return value


def judge_number(
    value: float,
    expected: float,
    mistakes: Sequence[tuple[float, str]] = (),
    otherwise: Callable[[str], str] | None = None,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    mistake_rtol: float | None = None,
) -> None:
    """Judge one number: right, a named mistake, or too large / too small.

    ``value`` is right when it is within tolerance of ``expected``, unless a named mistake
    that it also matches is closer to it; otherwise the closest matched mistake names the slip;
    otherwise ``otherwise("too large")`` or ``otherwise("too small")`` says which way it is off.

    Parameters
    ----------
    value, expected : float
        The student's number (read with :func:`read_number`) and the right one.
    mistakes : sequence of (float, str)
        Wrong values a typical slip gives, each with the message that names the slip.
    otherwise : callable, optional
        Builds the message for any other value from ``"too large"`` or ``"too small"``; by
        default ``"<value> is too large."``.
    rtol, atol : float
        Tolerances of a right answer, as in :func:`numpy.isclose`.
    mistake_rtol : float, optional
        Relative tolerance of a named mistake (default ``rtol``).

    Returns
    -------
    None
        When the value is right.

    Raises
    ------
    Incorrect
        ``"that is not a finite number"`` for NaN or infinity, the named mistake's message, or
        ``otherwise(direction)``.

    Examples
    --------
    >>> judge_number(2.0, 2.0, [], lambda d: d)
    >>> judge_number(4.0, 2.0, [(4.0, "you squared it")], lambda d: d)
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: you squared it
    >>> judge_number(3.0, 2.0, [(4.0, "you squared it")], lambda d: f"3 is {d}")
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: 3 is too large
    >>> judge_number(2e30, 2.0)
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: 2.0000e+30 is too large.
    """
    value = float(value)
    if not np.isfinite(value):
        raise Incorrect(f"that is not a finite number ({value}).")
    tolerance = rtol if mistake_rtol is None else mistake_rtol

    def distance(target: float) -> float:
        return abs(value - target) / max(abs(target), 1e-300)

    matched = [
        (distance(wrong), message)
        for wrong, message in mistakes
        if np.isfinite(wrong) and np.isclose(value, wrong, rtol=tolerance, atol=atol)
    ]
    closest = min(matched, key=lambda pair: pair[0], default=None)
    if np.isclose(value, expected, rtol=rtol, atol=atol) and (
        closest is None or distance(expected) <= closest[0]
    ):
        return
    if closest is not None:
        raise Incorrect(closest[1])
    direction = "too large" if value > expected else "too small"
    if otherwise is None:
        raise Incorrect(f"{format_number(value)} is {direction}.")
    raise Incorrect(otherwise(direction))


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

    Returns
    -------
    None
        When the values match.

    Raises
    ------
    Incorrect
        Not numbers, another shape, NaN values, or other values.

    Examples
    --------
    >>> expect_close([1.0, 2.0], [1.0, 2.0], "your vector")
    >>> expect_close([1.0], [1.0, 2.0], "your vector")
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: your vector has shape (1,); expected shape (2,).
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


def _as_map(answer: Any, n_voxels: int, what: str, n_subjects: int | None) -> np.ndarray:
    """The answer as one float per voxel, or :class:`Incorrect` saying what it is instead."""
    if hasattr(answer, "get_fdata"):
        raise Incorrect(
            "you gave an image; give the masked values, one number per voxel of the "
            f"brain mask ({n_voxels} of them), e.g. the t row of the fit."
        )
    if not isinstance(answer, np.ndarray) and hasattr(answer, "statistic"):
        raise Incorrect(
            "you gave scipy's whole result; the answer is its t values (result.statistic)."
        )
    if not isinstance(answer, np.ndarray) and hasattr(answer, "t") and hasattr(answer, "df"):
        raise Incorrect(
            "you gave the whole fit; the answer is its t values, one per voxel "
            "(fit.t[0] for the first column)."
        )
    if isinstance(answer, str | bytes):
        raise Incorrect(f"{what} should be an array of numbers, one per voxel; got text.")
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            f"{what} should be an array of numbers, one per voxel; got {type(answer).__name__}."
        ) from None
    if got.ndim > 1:  # fit.t[:1] keeps a leading axis of 1
        got = got.reshape([d for d in got.shape[:-1] if d != 1] + [got.shape[-1]])
    if got.ndim == 3:
        raise Incorrect(
            f"{what} is a 3D volume; give the masked values (one number per voxel "
            f"inside the brain mask, {n_voxels} of them), e.g. the t row of the "
            "fit."
        )
    if n_subjects is not None and got.shape == (n_subjects, n_voxels):
        raise Incorrect(
            "you gave one map per subject; test them across subjects to get one "
            "group t value per voxel."
        )
    if got.shape != (n_voxels,):
        raise Incorrect(
            f"{what} has shape {got.shape}; expected ({n_voxels},), one value per "
            "voxel of the mask."
        )
    if np.isnan(got).any():
        raise Incorrect(
            f"{what} has NaN in {int(np.isnan(got).sum())} voxels inside the brain "
            "mask: some input had missing values there."
        )
    return got


def _same_map(got: np.ndarray, want: Any) -> bool:
    want = np.asarray(want, dtype=float)
    return want.shape == got.shape and bool(np.allclose(got, want, rtol=1e-4, atol=1e-6))


def expect_map(
    answer: Any,
    expected: Any,
    what: str = "your t-map",
    swapped: str = "the two conditions (or groups) are swapped",
    mistakes: Sequence[tuple[Any, str]] = (),
    close: str = "",
    *,
    reversed_mistakes: str = "",
    n_subjects: int | None = None,
) -> None:
    """Raise :class:`Incorrect` unless ``answer`` equals the expected map (masked, one per voxel).

    Typical mistakes get their own messages: an image, a whole fit or scipy result, a 3D
    volume or one map per subject instead of the masked group values, NaN values, every sign
    reversed (``swapped`` says what the student probably swapped), any map of ``mistakes``
    (pairs of a wrong map, computed from the data, and what it is), and the right pattern at
    the wrong scale (``close`` says what to look at; by default an effect map instead of a
    t-map, say).

    Parameters
    ----------
    answer : array-like
        The student's map, one value per voxel of the mask.
    expected : array-like
        The right map, computed from the data.
    what : str, default "your t-map"
        How to name the answer in messages.
    swapped : str
        What the student swapped when every sign is reversed.
    mistakes : sequence of (array-like, str)
        Wrong maps and their messages, tried in order.
    close : str, optional
        The message for a map that correlates with the right one (r > 0.9) but is not it.
    reversed_mistakes : str, optional
        When given, a mistake's map with every sign reversed also gets its message, followed
        by this text (e.g. ``" (And the direction is reversed.)"``).
    n_subjects : int, optional
        Number of subjects, to recognise one map per subject.

    Returns
    -------
    None
        When the map is right (to ``rtol=1e-4``, ``atol=1e-6``).

    Raises
    ------
    Incorrect
        Why the map is not the expected one.

    Examples
    --------
    >>> expect_map([1.0, -2.0], [1.0, -2.0])
    >>> expect_map([-1.0, 2.0], [1.0, -2.0])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: every t has the wrong sign: ...
    >>> expect_map([2.0, 0.0], [1.0, -2.0], mistakes=[([2.0, 0.0], "that is the men alone.")])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: that is the men alone.
    """
    want = np.asarray(expected, dtype=float)
    got = _as_map(answer, want.size, what, n_subjects)
    if _same_map(got, want):
        return
    if _same_map(got, -want):
        raise Incorrect(f"every t has the wrong sign: {swapped}.")
    for wrong, message in mistakes:
        if _same_map(got, wrong):
            raise Incorrect(message)
        if reversed_mistakes and _same_map(got, -np.asarray(wrong, dtype=float)):
            raise Incorrect(message + reversed_mistakes)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.corrcoef(got, want)[0, 1] if got.std() > 0 else 0.0
    if r > 0.9:
        raise Incorrect(
            close
            or f"{what} has the right pattern but not the right values: is it "
            "a t-map (not the mean effect or a z-map), from every subject?"
        )
    raise Incorrect(f"{what} does not match the expected map: check the conditions and the test.")
