"""Checks of the power notebook (*How many subjects?*): subjects needed, a difference's SE."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from course_utils.experiments import power
from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    format_number,
    judge_number,
    read_number,
)

__all__ = ["difference_se_exercise", "subjects_for_power_exercise"]


def _normal_approximation(d: float, alpha: float, target: float) -> int:
    """N from the normal approximation ``((z_{alpha/2} + z_{power}) / d)**2``, rounded up."""
    return math.ceil(((stats.norm.isf(alpha / 2) + stats.norm.ppf(target)) / d) ** 2)


def subjects_for_power_exercise(
    d: float = 0.6, alpha: float = 0.001, target: float = 0.8
) -> Exercise:
    """Exercise: the smallest number of subjects for ``target`` power at effect ``d``.

    The test is a two-sided one-sample t-test at per-test level ``alpha``. The expected answer
    is computed here (:func:`course_utils.experiments.power.n_for_power`), never taken from a
    notebook
    variable.

    Parameters
    ----------
    d : float, default 0.6
        True Cohen's d.
    alpha : float, default 0.001
        Per-test level (0.001: an uncorrected voxelwise threshold).
    target : float, default 0.8
        Power wanted.

    Returns
    -------
    Exercise
        Names the typical mistakes: a power or a real number instead of a whole number of
        subjects, rounding down, a one-sided test, the normal approximation, the ROI level
        0.05; otherwise says whether the answer is too small or too large and its power.

    Examples
    --------
    >>> q = subjects_for_power_exercise(d=0.6, alpha=0.001)
    >>> q.check(power.n_for_power(0.6, 0.001)).status
    'correct'
    >>> print(q.check(power.n_for_power(0.6, 0.05)).message)
    that is the N for an ROI test at alpha = 0.05; the question asks for alpha = 0.001.
    >>> print(q.check(power.n_for_power(0.6, 0.001, two_sided=False)).message)
    that is the N of a one-sided test: ... Or: that is the normal approximation: ...
    >>> print(q.check(0.8).message)
    0.8 looks like a power or a probability; the question asks for a number of subjects.
    """
    if not (d > 0 and 0 < alpha < 1 and alpha < target < 1):
        raise ValueError("Need d > 0 and 0 < alpha < target < 1.")
    expected = power.n_for_power(d, alpha, target)
    mistakes = [
        (
            power.n_for_power(d, alpha, target, two_sided=False),
            "that is the N of a one-sided test: a two-sided test puts alpha / 2 in each "
            "tail, which needs more subjects.",
        ),
        (
            _normal_approximation(d, alpha, target),
            "that is the normal approximation: the group test is a t-test whose standard "
            "deviation is estimated from the subjects, so use the noncentral t with N - 1 "
            "degrees of freedom.",
        ),
        (
            power.n_for_power(d, 0.05, target),
            "that is the N for an ROI test at alpha = 0.05; the question asks for alpha = "
            f"{alpha:g}.",
        ),
    ]

    named: dict[int, list[str]] = {}
    for wrong, message in mistakes:  # two slips can give the same N: name both
        named.setdefault(wrong, []).append(message)

    def otherwise(n: int) -> str:
        achieved = power.analytic_power(d, max(n, 2), alpha)
        if n == expected - 1:
            return (
                f"one short: with {n} subjects the power is {achieved:.3f}, just "
                f"below {target:g}; round up, never down."
            )
        if n < expected:
            return f"too few: with {n} subjects the power is only {achieved:.2f}."
        return (
            f"{n} subjects give power {achieved:.2f}, more than needed: the question "
            f"asks for the smallest N that reaches {target:g}."
        )

    def checker(answer: Any) -> None:
        value = read_number(answer, "a number of subjects")
        if value <= 0:
            raise Incorrect(f"{value} is not a number of subjects.")
        if value < 1:
            raise Incorrect(
                f"{value:g} looks like a power or a probability; the question asks "
                "for a number of subjects."
            )
        if value != round(value):
            tip = (
                " (round up: a fraction of a subject still needs a whole one)"
                if math.ceil(value) == expected
                else ""
            )
            raise Incorrect(f"{value:g} is not a whole number of subjects{tip}.")
        n = int(round(value))
        judge_number(
            n,
            expected,
            [(wrong, " Or: ".join(messages)) for wrong, messages in named.items()],
            lambda _: otherwise(n),
            rtol=0.0,
            atol=0.0,
        )

    return Exercise(
        f"Subjects for {target:.0%} power at d = {d:g}, alpha = {alpha:g} (two-sided)",
        checker,
        hint="Power of a one-sample t-test: the noncentral t with N - 1 degrees of freedom and "
        "noncentrality d * sqrt(N), both tails beyond t.isf(alpha / 2, N - 1). statsmodels' "
        "TTestPower().power(effect_size, nobs, alpha) computes it; find the smallest whole "
        "N whose power reaches the target, and check it by plugging it back in.",
    )


def difference_se_exercise(
    n1: int, n2: int, name: str, labels: tuple[str, str] = ("group 1", "group 2")
) -> Exercise:
    """Exercise: the standard error of a difference of two group means, in SD units.

    ``sqrt(1/n1 + 1/n2)``: the standard deviation of ``mean1 - mean2`` when each value has
    standard deviation 1. Cohen's d divided by it is the expected t of a two-sample test (the
    noncentrality of its power).

    Parameters
    ----------
    n1, n2 : int
        The two group sizes.
    name : str
        Name of the exercise.
    labels : tuple of two str
        How to call the two groups in the messages.

    Returns
    -------
    Exercise
        Recognises the variance instead of the standard error, one mean of everyone, added
        standard errors, the whole class used for each group, and one group's standard error.

    Examples
    --------
    >>> q = difference_se_exercise(15, 15, "demo", ("men", "women"))
    >>> q.check((2 / 15) ** 0.5).status
    'correct'
    >>> print(q.check(2 / 15).message)
    that is the variance of the difference (1/n_men + 1/n_women); the standard error is its
    square root.
    """
    first, second = labels
    expected = np.sqrt(1 / n1 + 1 / n2)
    n = n1 + n2
    mistakes = [
        (
            1 / n1 + 1 / n2,
            f"that is the variance of the difference (1/n_{first} + "
            f"1/n_{second}); the standard error is its square root.",
        ),
        (
            1 / np.sqrt(n),
            f"that is the standard error of one mean of all {n} subjects; a "
            "difference between two groups adds the variances of the two group "
            "means.",
        ),
        (
            np.sqrt(1 / n1) + np.sqrt(1 / n2),
            "you added the two standard errors; add the variances, then take the square root.",
        ),
        (
            np.sqrt(2 / n),
            "you used the whole class for each group: each group has only its "
            f"own subjects ({n1} and {n2}).",
        ),
        (1 / np.sqrt(n1), f"that is the standard error of the {first}'s mean alone."),
        (1 / np.sqrt(n2), f"that is the standard error of the {second}'s mean alone."),
    ]
    mistakes = [(v, m) for v, m in mistakes if not np.isclose(v, expected, rtol=2e-3)]

    def checker(answer: Any) -> None:
        value = read_number(answer, "the standard error in units of the standard deviation")
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{format_number(value)} is {direction}: the variance of each group's mean is "
                "1 / its size, and the variances of independent means add."
            ),
            rtol=2e-3,
        )

    return Exercise(
        name,
        checker,
        hint="Each group mean has variance 1 / (its group size) in SD units; the "
        "variance of a difference of independent means is the sum of theirs.",
    )
