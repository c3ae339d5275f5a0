"""Exercises of the two-levels-of-variance notebook.

- :func:`fixed_effects_runs_exercise`: how many runs per subject make fixed effects across
  subjects find an effect that is not there half the time? Its z variance,
  ``1 + R tau^2 / s^2``, decides.
- :func:`scanner_time_exercise`: with fixed scanner time, more runs per subject or more
  subjects? The standard error of the group mean of each design decides.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    format_number,
    judge_number,
    read_number,
)

__all__ = ["fixed_effects_runs_exercise", "scanner_time_exercise"]


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


def _read_design(answer: Any, options: np.ndarray) -> tuple[float, float]:
    """The runs per subject and the standard error of an answer ``(runs, se)``; private."""
    if isinstance(answer, dict):
        if not {"runs", "se"} <= set(answer):
            raise Incorrect('give a dict with the keys "runs" and "se", or a pair (runs, se).')
        answer = (answer["runs"], answer["se"])
    if not isinstance(answer, list | tuple) or len(answer) != 2:
        raise Incorrect(
            "give two numbers, (runs per subject, group standard error); "
            f"got {type(answer).__name__}."
        )
    runs = read_number(answer[0], "the number of runs per subject")
    if not np.any(np.isclose(runs, options)):
        choices = ", ".join(f"{r:g}" for r in options)
        raise Incorrect(f"choose the runs per subject among {choices}; got {runs:g}.")
    value = read_number(answer[1], "a standard error")
    if value <= 0:
        raise Incorrect(f"a standard error is a positive number; got {value}.")
    return runs, value


def scanner_time_exercise(
    tau2: float,
    run_variance: float,
    budget_minutes: float,
    run_minutes: float,
    setup_minutes: float,
    runs_options: tuple[int, ...] = (1, 2, 4, 8, 12),
    rtol: float = 0.01,
) -> Exercise:
    """Exercise: how many runs per subject a fixed amount of scanner time should buy, and
    the group standard error that design gives.

    Each subject costs ``setup_minutes`` plus ``run_minutes`` per run, so ``r`` runs each
    pay for ``K = budget / (run_minutes r + setup_minutes)`` subjects, and the group mean
    has standard error ``sqrt((tau2 + run_variance / r) / K)``. The answer is the pair
    ``(r, se)`` of the design with the smallest standard error over ``runs_options``: more
    runs shrink only the first-level part, ``tau2`` stays.

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
        Relative tolerance of a right standard error (1 % by default, for rounded inputs).

    Returns
    -------
    Exercise
        Its checker takes ``(runs, se)`` (or a dict with keys ``"runs"`` and ``"se"``). It
        recognises a variance for a standard error, ``tau2`` left out, set-up time
        forgotten, ``tau2`` shrunk by the runs, ``tau`` for ``tau2`` and a standard deviation
        divided by ``K``; a design that is not the best is told its standard error and
        whether fewer or more runs do better; any other standard error is told how far off
        it is and which way.

    Raises
    ------
    ValueError
        If a variance, time or option is invalid.

    Examples
    --------
    >>> q = scanner_time_exercise(0.25, 2.5, 6000, 10, 20)
    >>> q.check((..., ...)).status
    'not attempted'
    >>> print(q.check((12, 0.0697)).message)  # doctest: +NORMALIZE_WHITESPACE
    you left out tau^2: then more runs always look better. But the differences between
    subjects do not shrink with scanning; tau^2 / K is a floor.
    >>> print(q.check((2, 0.1)).message)  # doctest: +NORMALIZE_WHITESPACE
    2 runs per subject leave the budget for 150 subjects and give a group standard error
    of 0.1000; more runs per subject give a smaller one.
    >>> q.check({"runs": 4, "se": 0.0935}).status
    'correct'
    """
    if not (np.isfinite(tau2) and tau2 >= 0 and np.isfinite(run_variance) and run_variance > 0):
        raise ValueError(f"tau2 must be >= 0 and run_variance > 0; got {tau2} and {run_variance}.")
    runs, subjects = _budget_designs(runs_options, budget_minutes, run_minutes, setup_minutes)
    se = _design_se(tau2, run_variance, runs, subjects)
    best = int(np.argmin(se))
    right = float(se[best])
    mistakes = _budget_mistakes(tau2, run_variance, runs, subjects, budget_minutes / run_minutes)
    slips = mistakes[:6]  # the named slips; the rest are the standard errors of other designs

    def checker(answer: Any) -> None:
        chosen, value = _read_design(answer, runs)
        i = int(np.argmin(np.abs(runs - chosen)))
        if i != best:
            for wrong, message in slips:
                if np.isclose(value, wrong, rtol=rtol, atol=0.0):
                    raise Incorrect(message)
            which = "fewer" if runs[best] < chosen else "more"
            raise Incorrect(
                f"{chosen:g} run{'' if chosen == 1 else 's'} per subject leave the budget for "
                f"{subjects[i]:.4g} subjects and give a group standard error of "
                f"{se[i]:.4f}; {which} runs per subject give a smaller one."
            )
        judge_number(
            value,
            right,
            mistakes,
            lambda direction: (
                f"{chosen:g} runs is the best choice, but {format_number(value)} is "
                f"{abs(value / right - 1):.0%} {direction}.".replace("%", " %")
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
        "keep the design with the smallest.",
    )


def _runs_needed(tau2: float, run_variance: float, rate: float, alpha: float) -> float:
    """Runs per subject (not rounded) at which fixed effects reach ``rate``; private.

    With ``R`` runs a subject's first-level variance is ``run_variance / R``, so the
    fixed-effects z has variance ``1 + R tau2 / run_variance`` and rejects with probability
    ``2 Phi(-z_crit / sqrt(that))``; solve for ``R``.

    Examples
    --------
    >>> round(_runs_needed(0.25, 1.44, 0.5, 0.05), 2)
    42.88
    """
    ratio = float(stats.norm.isf(alpha / 2) / stats.norm.isf(rate / 2))
    return (ratio**2 - 1.0) * run_variance / tau2


def fixed_effects_runs_exercise(
    tau2: float = 0.25, run_variance: float = 1.44, rate: float = 0.5, alpha: float = 0.05
) -> Exercise:
    """Exercise: how many runs per subject push fixed effects past a false-positive rate?

    Each run of a subject has first-level variance ``run_variance``; a subject's mean of ``R``
    runs has ``run_variance / R``. Under the null the fixed-effects z across subjects has
    variance ``1 + R tau2 / run_variance`` (first-level variances known), so a two-sided test at
    ``alpha`` rejects with probability ``2 Phi(-z_crit / sqrt(1 + R tau2 / run_variance))``.
    The answer is the smallest whole ``R`` at which that probability reaches ``rate``.

    Parameters
    ----------
    tau2 : float, default 0.25
        Between-subject variance, > 0.
    run_variance : float, default 1.44
        First-level variance of one run's estimate, > 0.
    rate : float, default 0.5
        The false-positive rate to reach, in (alpha, 1).
    alpha : float, default 0.05
        Nominal two-sided level, in (0, 1).

    Returns
    -------
    Exercise
        Its checker takes a number of runs. It recognises a fractional number of runs, the
        runs rounded down, one tail (the one-sided 1.645), the variance of z used as its
        standard deviation, tau for tau^2, s for s^2, and the nu/(nu - 4) factor of estimated
        variances (98 first-level df); any other answer is told which way it is off.

    Raises
    ------
    ValueError
        If a variance, ``rate`` or ``alpha`` is invalid.

    Examples
    --------
    >>> q = fixed_effects_runs_exercise()
    >>> q.check(...).status
    'not attempted'
    >>> print(q.check(42).message)  # doctest: +NORMALIZE_WHITESPACE
    you rounded down: with 42 runs the rate is still below 0.5. Runs come whole, so take the
    first whole number at or above 42.88.
    >>> q.check(43).status
    'correct'
    """
    if not (tau2 > 0 and run_variance > 0 and 0 < alpha < rate < 1):
        raise ValueError(
            f"need tau2 > 0, run_variance > 0, 0 < alpha < rate < 1; got {tau2}, "
            f"{run_variance}, {rate}, {alpha}."
        )
    exact = _runs_needed(tau2, run_variance, rate, alpha)
    right = int(np.ceil(exact - 1e-9))
    z_crit, z_rate = float(stats.norm.isf(alpha / 2)), float(stats.norm.isf(rate / 2))
    factor = 98 / 94  # nu / (nu - 4) for the 98 df of one 100-scan run
    candidates = [
        (
            np.ceil(((z_crit / z_rate) ** 2 / factor - 1) * run_variance / tau2),
            "that counts the factor nu / (nu - 4) of estimated first-level variances; "
            "here they are known, so Var(z) = 1 + R tau^2 / s^2 exactly.",
        ),
        (
            np.ceil(((stats.norm.isf(alpha) / z_rate) ** 2 - 1) * run_variance / tau2),
            "you used the one-sided threshold 1.645; the test is two-sided (|z| > 1.96).",
        ),
        (
            np.ceil((z_crit / z_rate - 1) * run_variance / tau2),
            "you treated the variance of z as its standard deviation: the threshold "
            "1.96 / sqrt(1 + R tau^2 / s^2) takes the square root.",
        ),
        (
            np.ceil(exact * tau2 / np.sqrt(tau2)),
            "you used tau, a standard deviation, where Var(z) takes tau^2.",
        ),
        (
            np.ceil(exact * np.sqrt(run_variance) / run_variance),
            "you used s, a standard deviation, where Var(z) takes s^2.",
        ),
    ]
    mistakes = {int(v): m for v, m in candidates if int(v) != right}

    def checker(answer: Any) -> None:
        value = read_number(answer, "a number of runs")
        if value % 1:
            if abs(value - exact) < 0.05 * exact:
                raise Incorrect(
                    f"runs come whole: {format_number(value)} is where the rate crosses "
                    f"{rate:g}; take the first whole number of runs at or above it."
                )
            raise Incorrect("give a whole number of runs per subject.")
        if value == right - 1:
            raise Incorrect(
                f"you rounded down: with {right - 1} runs the rate is still below {rate:g}. "
                f"Runs come whole, so take the first whole number at or above {exact:.2f}."
            )
        if int(value) in mistakes:
            raise Incorrect(mistakes[int(value)])
        if value != right:
            which = "too few" if value < right else "too many"
            raise Incorrect(f"{value:g} runs is {which}.")

    return Exercise(
        "Exercise: how many runs make fixed effects fail half the time?",
        checker,
        hint="Write the variance of the fixed-effects z as a function of R, the number of runs "
        "per subject: what happens to a subject's first-level variance when R runs are "
        "averaged?",
    )
