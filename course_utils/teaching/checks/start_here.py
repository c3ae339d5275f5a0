"""Checks of the start-here notebook: the feedback demo (a variance), the warm-up (a standard
error) and planning a study (how many subjects a target standard error needs)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, format_number, judge_number, read_number

__all__ = ["standard_error_exercise", "subjects_needed_exercise", "variance_exercise"]


def standard_error_exercise(values: Any, population_sd: float | None = None) -> Exercise:
    """Exercise of the start-here notebook: the standard error of the mean, from the data.

    Parameters
    ----------
    values : array-like
        The numbers whose standard error the student computes.
    population_sd : float, optional
        The standard deviation the numbers were drawn with; an answer computed from it instead
        of from the data gets its own message.

    Returns
    -------
    Exercise
        Recognises the population standard deviation (``ddof=0``), the bare standard deviation,
        the variance of the mean (the squared standard error) and the known ``population_sd``;
        any other wrong answer is told how far off it is, and in which direction.

    Examples
    --------
    >>> q = standard_error_exercise([1.0, 2.0, 3.0, 4.0], population_sd=1.0)
    >>> q.check(np.std([1.0, 2.0, 3.0, 4.0], ddof=0) / 2).status
    'incorrect'
    >>> q.check((np.std([1.0, 2.0, 3.0, 4.0], ddof=1) / 2) ** 2).message
    'that is the variance of the mean (the squared standard error): take its square root.'
    >>> print(q.check(0.5).message)
    that is the standard error of the population we drew from (1.0 / sqrt(4)); estimate it
    from the data instead, with their sample standard deviation.
    >>> print(q.check(1.0).message)
    1.0000 is too large for the standard error of these 4 values: off by less than a factor
    of 2.
    >>> q.check(float("nan")).message
    'that is not a finite number (nan): give the standard error as a number.'
    >>> print(q.check(1e30).message)
    1.0000e+30 is too large for the standard error of these 4 values: off by more than a
    factor of 10.
    >>> q.check(np.std([1.0, 2.0, 3.0, 4.0], ddof=1) / 2).status
    'correct'
    """
    data = np.asarray(values, dtype=float)
    n = data.size
    expected = data.std(ddof=1) / np.sqrt(n)
    mistakes = [
        (
            data.std(ddof=0) / np.sqrt(n),
            "close: you used the population formula of the standard deviation (ddof=0).",
        ),
        (data.std(ddof=1), "that is the standard deviation; divide it by the square root of n."),
        (
            expected**2,
            "that is the variance of the mean (the squared standard error): take its square root.",
        ),
        (
            data.var(ddof=1),
            "that is the variance of the values; the standard error is their "
            "standard deviation divided by the square root of n.",
        ),
    ]
    if population_sd is not None:
        mistakes.append(
            (
                population_sd / np.sqrt(n),
                f"that is the standard error of the population we drew from "
                f"({population_sd} / sqrt({n})); estimate it from the data instead, "
                "with their sample standard deviation.",
            )
        )

    def checker(answer: Any) -> None:
        value = read_number(answer, "the standard error")
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{format_number(value)} is {direction} for the standard error of these {n} "
                f"values: {_how_far(value / expected)}."
            ),
        )

    return Exercise(
        "Warm-up: standard error",
        checker,
        hint="Which spread does a study know: the population's, or its sample's? And how does "
        "the number of subjects enter the standard error?",
    )


def variance_exercise(values: Any) -> Exercise:
    """Demo exercise of the start-here notebook: the sample variance of some numbers.

    The notebook shows how feedback reads on this question, so that its own exercise (the
    standard error, :func:`standard_error_exercise`) keeps its answer to itself.

    Parameters
    ----------
    values : array-like
        The numbers whose variance the student computes.

    Returns
    -------
    Exercise
        Recognises the standard deviation (not squared), the population formula (``ddof=0``)
        and the mean of the values; any other wrong answer is told how far off it is, and in
        which direction.

    Examples
    --------
    >>> q = variance_exercise([1.0, 2.0, 3.0, 4.0])
    >>> q.check(np.std([1.0, 2.0, 3.0, 4.0], ddof=1)).message
    'that is the standard deviation; the variance is its square.'
    >>> print(q.check(1.25).message)
    close: you divided by n (ddof=0); the sample variance divides by n - 1, because the mean
    was estimated from the same values.
    >>> q.check(2.5).message
    'that is the mean of the values, not their spread.'
    >>> q.check(0.1).message
    '0.1000 is too small: 0.06 times the sample variance of these 4 values.'
    >>> q.check(np.var([1.0, 2.0, 3.0, 4.0], ddof=1)).status
    'correct'
    """
    data = np.asarray(values, dtype=float)
    n = data.size
    if n < 2:
        raise ValueError(f"values: need at least 2 numbers for a sample variance, got {n}.")
    expected = data.var(ddof=1)
    mistakes = [
        (data.std(ddof=1), "that is the standard deviation; the variance is its square."),
        (
            data.var(ddof=0),
            "close: you divided by n (ddof=0); the sample variance divides by n - 1, "
            "because the mean was estimated from the same values.",
        ),
        (data.mean(), "that is the mean of the values, not their spread."),
    ]

    def checker(answer: Any) -> None:
        value = read_number(answer, "the variance")
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{format_number(value)} is {direction}: {value / expected:.2g} times the "
                f"sample variance of these {n} values."
            ),
        )

    return Exercise(
        "Demo: sample variance",
        checker,
        hint="The sample variance is the mean squared distance from the mean, dividing by n - 1.",
    )


def subjects_needed_exercise(
    values: Any, target_se: float, population_sd: float | None = None
) -> Exercise:
    """Exercise of the start-here notebook: how many subjects give a target standard error.

    A pilot's values give the sample standard deviation ``s``; a study of ``n`` subjects has a
    standard error of about ``s / sqrt(n)``, so the smallest ``n`` that reaches ``target_se`` is
    ``ceil((s / target_se) ** 2)``.

    Parameters
    ----------
    values : array-like
        The pilot's numbers.
    target_se : float
        The largest acceptable standard error of the study's mean, in the values' units.
    population_sd : float, optional
        The standard deviation the pilot was drawn with; an answer computed from it gets its
        own message (a real study does not know it).

    Returns
    -------
    Exercise
        Recognises the answer not squared, not rounded up (rounded down or left fractional),
        the variance taken for the standard deviation, and ``population_sd`` used instead of
        the pilot's standard deviation; any other wrong answer is told how far off it is.

    Examples
    --------
    >>> q = subjects_needed_exercise([1.0, 2.0, 3.0, 4.0], target_se=0.25)
    >>> q.check(27).status
    'correct'
    >>> q.check(26).message
    'round up, not down: with 26 subjects the standard error is still above 0.25.'
    >>> q.check(6).message
    'that is s / target, not squared: the standard error falls with the square root of n.'
    >>> q.check(100).message
    'with 100 subjects the standard error would be 0.129: below 0.25, but fewer subjects reach it.'
    >>> q.check(10).message
    'with 10 subjects the standard error would be 0.408: still above 0.25.'

    """
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        raise ValueError(
            f"values: need at least 2 numbers for a standard deviation, got {data.size}."
        )
    if not np.isfinite(target_se) or target_se <= 0:
        raise ValueError(f"target_se must be a positive number, got {target_se!r}.")
    sd = data.std(ddof=1)
    exact = (sd / target_se) ** 2
    expected = math.ceil(exact)
    target = f"{target_se:g}"
    mistakes = [
        (
            math.floor(exact),
            f"round up, not down: with {math.floor(exact)} subjects the standard error is "
            f"still above {target}.",
        ),
        (exact, "a study needs whole subjects: round up to the next whole number."),
        (
            math.ceil(sd / target_se),
            "that is s / target, not squared: the standard error falls with the square root of n.",
        ),
        (
            math.ceil(data.var(ddof=1) / target_se),
            "that divides the variance by the target; square the ratio of the standard "
            "deviation to the target instead.",
        ),
    ]
    if population_sd is not None:
        mistakes.append(
            (
                math.ceil((population_sd / target_se) ** 2),
                f"that uses the population's standard deviation ({population_sd:g}), which a "
                "real study never knows: use the pilot's sample standard deviation.",
            )
        )
    # A named slip that gives the right number is no slip: drop it.
    mistakes = [(wrong, message) for wrong, message in mistakes if wrong != expected]

    def checker(answer: Any) -> None:
        value = read_number(answer, "the number of subjects")
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: _planning_miss(value, sd, target_se),
            rtol=0.0,
            atol=1e-9,
        )

    return Exercise(
        "Planning a study: how many subjects?",
        checker,
        hint="How does the standard error depend on n? Which n makes it equal the target, and "
        "can a study have a fraction of a subject?",
    )


def _planning_miss(value: float, sd: float, target_se: float) -> str:
    """What a study of ``value`` subjects would reach, without giving the right number away."""
    if value < 1:
        return f"{value:g} subjects cannot make a study: give a positive whole number."
    reached = sd / np.sqrt(value)
    if reached > target_se:
        return (
            f"with {value:g} subjects the standard error would be {reached:.3g}: still above "
            f"{target_se:g}."
        )
    return (
        f"with {value:g} subjects the standard error would be {reached:.3g}: below "
        f"{target_se:g}, but fewer subjects reach it."
    )


def _how_far(ratio: float) -> str:
    """A rough size of a miss, as a ratio to the right answer (never precise enough to undo)."""
    if ratio > 10 or ratio < 0.1:
        return "off by more than a factor of 10"
    if ratio > 2 or ratio < 0.5:
        return "off by more than a factor of 2"
    return "off by less than a factor of 2"
