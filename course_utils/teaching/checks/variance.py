"""Exercises of the two-levels-of-variance notebook.

- :func:`fixed_effects_rate_exercise`: how often does fixed effects across subjects find an
  effect that is not there? Its z variance, ``1 + tau^2 / s^2``, decides.
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

__all__ = ["fixed_effects_rate_exercise", "scanner_time_exercise"]


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


def fixed_effects_rate_exercise(tau2_over_s2: float = 1.0, alpha: float = 0.05) -> Exercise:
    """Exercise: the false-positive rate of fixed effects across subjects, from its z variance.

    Under the null hypothesis the fixed-effects z has variance ``1 + tau2 / s2`` (first-level
    variances known), so a two-sided test at ``alpha`` rejects with probability
    ``2 * (1 - Phi(z_crit / sqrt(1 + tau2 / s2)))``, with ``z_crit`` the normal critical value.

    Parameters
    ----------
    tau2_over_s2 : float, default 1.0
        Between-subject variance over first-level variance, >= 0 (1 for ``tau = s``).
    alpha : float, default 0.05
        Nominal two-sided level, in (0, 1).

    Returns
    -------
    Exercise
        Its checker takes one rate (a proportion). It recognises the nominal ``alpha``
        (``tau2`` left out), a one-sided rate, the variance used as a standard deviation, and
        a rate in percent; any other answer is told how far off it is and which way.

    Raises
    ------
    ValueError
        If ``tau2_over_s2`` is negative or ``alpha`` is not in (0, 1).

    Examples
    --------
    >>> q = fixed_effects_rate_exercise()
    >>> q.check(...).status
    'not attempted'
    >>> print(q.check(0.0829).message)  # doctest: +NORMALIZE_WHITESPACE
    that is one tail only: an effect is declared for large |z| of either sign, so count both
    tails.
    >>> q.check(0.166).status
    'correct'
    """
    if not (np.isfinite(tau2_over_s2) and tau2_over_s2 >= 0 and 0 < alpha < 1):
        raise ValueError(f"need tau2_over_s2 >= 0 and 0 < alpha < 1; got {tau2_over_s2}, {alpha}.")
    z_crit = float(stats.norm.isf(alpha / 2))
    variance = 1.0 + tau2_over_s2
    right = float(2 * stats.norm.sf(z_crit / np.sqrt(variance)))
    mistakes = [
        (
            alpha,
            "that is the rate a valid test promises: the fixed-effects z spreads wider "
            "than N(0, 1), by the factor 1 + tau^2 / s^2 in variance.",
        ),
        (
            right / 2,
            "that is one tail only: an effect is declared for large |z| of either "
            "sign, so count both tails.",
        ),
        (
            float(2 * stats.norm.sf(z_crit / variance)),
            "you divided by the variance of z; "
            "the threshold is in units of its standard deviation, sqrt(1 + tau^2 / s^2).",
        ),
        (100 * right, "give the rate as a proportion (between 0 and 1), not in percent."),
        (variance, "that is the variance of z; the question asks how often |z| > 1.96."),
    ]

    mistakes = [(v, m) for v, m in mistakes if not np.isclose(v, right, rtol=0.05)]

    def checker(answer: Any) -> None:
        value = read_number(answer, "a false-positive rate")
        judge_number(
            value,
            right,
            mistakes,
            lambda direction: f"{format_number(value)} is {direction}.",
            rtol=0.02,
            atol=0.0,
        )

    return Exercise(
        "Exercise: fixed effects' false-positive rate",
        checker,
        hint="With tau = s, what is Var(z) = 1 + tau^2 / s^2? A test at 0.05 declares an "
        "effect when |z| > 1.96; z / sqrt(Var(z)) follows N(0, 1). Use stats.norm.sf for one "
        "tail, and remember the other.",
    )
