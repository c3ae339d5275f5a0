"""Exercises of the two-levels-of-variance notebook."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils._utils import check_count
from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    format_number,
    judge_number,
    read_number,
)

__all__ = ["group_se_exercise"]


def _expected_group_se(tau2: float, run_variance: float, n_subjects: int, n_runs: int = 1) -> float:
    """Standard error of the group mean of a two-level design (two-stage OLS); private, so
    that a student cannot call it for the answer.

    Each subject's estimate is the mean of ``n_runs`` runs, so it varies around the population
    mean with variance ``tau2 + run_variance / n_runs``; the mean of ``n_subjects`` such
    estimates has that variance divided by ``n_subjects``.

    Parameters
    ----------
    tau2 : float
        Between-subject variance, >= 0.
    run_variance : float
        First-level sampling variance of one run's estimate, > 0.
    n_subjects, n_runs : int
        Subjects in the study, runs per subject (averaged).

    Returns
    -------
    float
        ``sqrt((tau2 + run_variance / n_runs) / n_subjects)``.

    Raises
    ------
    ValueError
        If a variance is negative (``run_variance`` zero) or a count is below 1.

    Examples
    --------
    >>> round(_expected_group_se(0.64, 0.36, n_subjects=25), 4)
    0.2
    >>> round(_expected_group_se(0.64, 0.36, n_subjects=25, n_runs=4), 4)
    0.1709
    """
    if not (np.isfinite(tau2) and tau2 >= 0 and np.isfinite(run_variance) and run_variance > 0):
        raise ValueError(f"tau2 must be >= 0 and run_variance > 0; got {tau2} and {run_variance}.")
    check_count(n_subjects, "n_subjects")
    check_count(n_runs, "n_runs")
    return float(np.sqrt((tau2 + run_variance / n_runs) / n_subjects))


def _mistakes(tau2: float, s2: float, k: int, runs: int) -> list[tuple[float, str]]:
    """Values that the typical mistakes give, with what to tell the student."""
    right = _expected_group_se(tau2, s2, k, runs)
    subject_var = tau2 + s2 / runs
    return [
        (
            right**2,
            "that is the variance of the group mean, not its standard error: take the square root.",
        ),
        (
            np.sqrt(tau2 / k),
            "too small: you left out the first-level variance. Every "
            "subject's estimate carries tau^2 plus its own measurement noise.",
        ),
        (
            np.sqrt(s2 / runs / k),
            "that is the fixed-effects standard error: it answers a "
            "question about these subjects only. A question about the "
            "population needs the between-subject variance tau^2 too.",
        ),
        (
            np.sqrt(s2 / k),
            "that is the fixed-effects standard error of single runs: it leaves "
            "out tau^2, which a question about the population needs.",
        ),
        (
            np.sqrt((tau2 + s2) / k),
            f"too large: each subject's estimate is the mean of {runs} "
            f"runs, which has 1/{runs} of one run's first-level "
            "variance.",
        ),
        (
            np.sqrt((tau2 + s2) / (runs * k)),
            f"too small: averaging {runs} runs shrinks only the "
            "first-level variance; tau^2, the difference "
            "between subjects, stays however long each "
            "subject is scanned.",
        ),
        (
            np.sqrt(subject_var),
            "that is the spread of one subject's estimate; the mean of "
            f"{k} subjects varies sqrt({k}) times less.",
        ),
        (
            np.sqrt(subject_var) / k,
            f"too small: you divided a standard deviation by {k}; a "
            f"mean of {k} values has 1/{k} of the variance, so "
            f"divide the standard deviation by sqrt({k}).",
        ),
        (
            np.sqrt((np.sqrt(tau2) + s2 / runs) / k),
            "you used tau, a standard deviation, where the sum takes tau^2, a variance.",
        ),
    ]


def group_se_exercise(
    tau2: float, run_variance: float, n_subjects: int, n_runs: int = 1, rtol: float = 0.01
) -> Exercise:
    """Exercise: predict the standard error of the group mean for a new study design.

    Parameters
    ----------
    tau2 : float
        Between-subject variance of the population.
    run_variance : float
        First-level sampling variance of one run's estimate.
    n_subjects, n_runs : int
        The planned study: subjects, and runs per subject whose estimates are averaged.
    rtol : float
        Relative tolerance of a right answer (1 % by default, for rounded inputs).

    Returns
    -------
    Exercise
        Its checker takes one number. It recognises the variance instead of the standard
        error, a forgotten first-level variance, the fixed-effects standard error (without
        ``tau2``), runs that are not averaged or that shrink ``tau2`` too, a standard
        deviation divided by ``n_subjects`` or not at all, and ``tau`` used for ``tau2``; any
        other wrong answer is told how far off it is, and in which direction.

    Examples
    --------
    >>> q = group_se_exercise(0.64, 0.36, n_subjects=25, n_runs=4)
    >>> q.check(...).status
    'not attempted'
    >>> print(q.check(0.16).message)  # doctest: +NORMALIZE_WHITESPACE
    too small: you left out the first-level variance. Every subject's estimate carries tau^2
    plus its own measurement noise.
    >>> q.check(0.2).message.startswith("too large: each subject's estimate is the mean of 4")
    True
    >>> q.check(0.15).message
    '0.1500 is 12 % too small.'
    >>> q.check(0.171).status
    'correct'
    """
    right = _expected_group_se(tau2, run_variance, n_subjects, n_runs)
    mistakes = _mistakes(tau2, run_variance, n_subjects, n_runs)

    def checker(answer: Any) -> None:
        value = read_number(answer, "a standard error")
        if value <= 0:
            raise Incorrect(f"a standard error is a positive number; got {value}.")
        judge_number(
            value,
            right,
            mistakes,
            lambda direction: (
                f"{format_number(value)} is {abs(value / right - 1):.0%} {direction}.".replace(
                    "%", " %"
                )
            ),
            rtol=rtol,
            atol=0.0,
        )

    return Exercise(
        "Exercise: the standard error of a new study",
        checker,
        hint="Start from one subject: the variance of their estimate is tau^2 plus the "
        "first-level variance of the mean of their runs. Then ask how the variance of a "
        "mean of K such estimates shrinks, and take a square root at the end.",
    )
