"""Exercises of the two-levels-of-variance notebook.

- :func:`scanner_time_exercise`: with fixed scanner time, more runs per subject or more
  subjects? The standard error of the group mean of each design decides.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    format_number,
    judge_number,
    read_number,
)

__all__ = ["scanner_time_exercise"]


def _design_se(
    tau2: float, run_variance: float, runs: np.ndarray, subjects: np.ndarray
) -> np.ndarray:
    """Standard error of the group mean (two-stage OLS) of each design; private, so that a
    student cannot call it for the answer.

    A subject's estimate is the mean of ``runs`` runs: it varies around the population mean
    with variance ``tau2 + run_variance / runs``; the mean of ``subjects`` such estimates has
    that variance divided by ``subjects``.

    Parameters
    ----------
    tau2 : float
        Between-subject variance, >= 0.
    run_variance : float
        First-level sampling variance of one run's estimate, > 0.
    runs, subjects : numpy.ndarray
        Runs per subject and subjects of each design (broadcast together).

    Returns
    -------
    numpy.ndarray
        ``sqrt((tau2 + run_variance / runs) / subjects)``.

    Examples
    --------
    >>> _design_se(0.64, 0.36, np.array([1, 4]), np.array([25, 25])).round(4)
    array([0.2   , 0.1709])
    """
    return np.sqrt((tau2 + run_variance / runs) / subjects)


def _budget_designs(
    runs_options: tuple[int, ...], budget_minutes: float, run_minutes: float, setup_minutes: float
) -> tuple[np.ndarray, np.ndarray]:
    """Runs per subject and the subjects the budget pays for (set-up included); private."""
    runs = np.asarray(runs_options, dtype=float)
    if runs.ndim != 1 or runs.size < 2 or np.any(runs < 1) or np.any(runs % 1):
        raise ValueError(f"runs_options must hold at least two whole numbers >= 1; got {runs}.")
    if not (budget_minutes > 0 and run_minutes > 0 and setup_minutes >= 0):
        raise ValueError("budget_minutes and run_minutes must be > 0, setup_minutes >= 0.")
    return runs, budget_minutes / (run_minutes * runs + setup_minutes)


def _budget_mistakes(
    tau2: float, s2: float, runs: np.ndarray, subjects: np.ndarray, budget_runs: float
) -> list[tuple[float, str]]:
    """Values that the typical mistakes give, with what to tell the student; private."""
    se = _design_se(tau2, s2, runs, subjects)
    best = int(np.argmin(se))
    mistakes = [
        (
            se[best] ** 2,
            "that is a variance (of the group mean), not its standard error: take the square root.",
        ),
        (
            float(np.sqrt(s2 / runs / subjects).min()),
            "you left out tau^2: then more runs always look better. But the differences "
            "between subjects do not shrink with scanning; tau^2 / K is a floor.",
        ),
        (
            float(np.sqrt((tau2 + s2 / runs) * runs / budget_runs).min()),
            "you forgot the set-up time: each subject costs set-up minutes besides their "
            "runs, so the budget pays for fewer subjects than minutes / run length.",
        ),
        (
            float(np.sqrt((tau2 + s2) / (runs * subjects)).min()),
            "you divided tau^2 by the number of runs too: averaging runs shrinks only the "
            "first-level variance, not the difference between subjects.",
        ),
        (
            float(np.sqrt((np.sqrt(tau2) + s2 / runs) / subjects).min()),
            "you used tau, a standard deviation, where the sum takes tau^2, a variance.",
        ),
        (
            float(np.sqrt(tau2 + s2 / runs[best]) / subjects[best]),
            "you divided a standard deviation by K; a mean of K subjects has 1/K of the "
            "variance, so divide the standard deviation by sqrt(K).",
        ),
    ]
    others: dict[float, list[str]] = {}
    for i, value in enumerate(se):
        if not np.isclose(value, se[best], rtol=1e-9):
            others.setdefault(round(float(value), 12), []).append(f"{runs[i]:g}")
    for value, labels in others.items():
        mistakes.append(
            (
                value,
                f"that is the standard error with {' or '.join(labels)} "
                f"run{'' if labels == ['1'] else 's'} per subject; "
                "another design does better.",
            )
        )
    return mistakes


def scanner_time_exercise(
    tau2: float,
    run_variance: float,
    budget_minutes: float,
    run_minutes: float,
    setup_minutes: float,
    runs_options: tuple[int, ...] = (1, 2, 4, 8, 10),
    rtol: float = 0.01,
) -> Exercise:
    """Exercise: the smallest group standard error that a fixed amount of scanner time buys.

    Each subject costs ``setup_minutes`` plus ``run_minutes`` per run, so ``r`` runs each
    pay for ``K = budget / (run_minutes r + setup_minutes)`` subjects, and the group mean
    has standard error ``sqrt((tau2 + run_variance / r) / K)``. The answer is the smallest of
    these over ``runs_options``: more runs shrink only the first-level part, ``tau2`` stays.

    Parameters
    ----------
    tau2 : float
        Between-subject variance, >= 0.
    run_variance : float
        First-level sampling variance of one run's estimate, > 0.
    budget_minutes, run_minutes, setup_minutes : float
        Scanner time in all, per run, and per subject besides the runs (set-up, anatomy).
    runs_options : tuple of int
        The runs per subject to choose from.
    rtol : float
        Relative tolerance of a right answer (1 % by default, for rounded inputs).

    Returns
    -------
    Exercise
        Its checker takes one number. It recognises a variance for a standard error,
        ``tau2`` left out, set-up time forgotten, ``tau2`` shrunk by the runs, ``tau`` for
        ``tau2``, a standard deviation divided by ``K`` and the standard error of a design
        that is not the best; any other answer is told how far off it is and which way.

    Raises
    ------
    ValueError
        If a variance, time or option is invalid.

    Examples
    --------
    >>> q = scanner_time_exercise(0.25, 2.0, 6000, 10, 20)
    >>> q.check(...).status
    'not attempted'
    >>> print(q.check(0.0632).message)  # doctest: +NORMALIZE_WHITESPACE
    you left out tau^2: then more runs always look better. But the differences between
    subjects do not shrink with scanning; tau^2 / K is a floor.
    >>> q.check(0.0866).status
    'correct'
    """
    if not (np.isfinite(tau2) and tau2 >= 0 and np.isfinite(run_variance) and run_variance > 0):
        raise ValueError(f"tau2 must be >= 0 and run_variance > 0; got {tau2} and {run_variance}.")
    runs, subjects = _budget_designs(runs_options, budget_minutes, run_minutes, setup_minutes)
    right = float(_design_se(tau2, run_variance, runs, subjects).min())
    mistakes = _budget_mistakes(tau2, run_variance, runs, subjects, budget_minutes / run_minutes)

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
        "Exercise: more runs or more subjects?",
        checker,
        hint="For each number of runs r: how many subjects does the budget pay for, counting "
        "each subject's set-up? What is the variance of one subject's estimate (tau^2 plus the "
        "first-level variance of a mean of r runs)? Divide by K, take the square root, and "
        "keep the smallest.",
    )
