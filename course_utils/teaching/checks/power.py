"""Checks of the power notebook (*How many subjects?*): the number of subjects a study needs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from course_utils.experiments import power
from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["subjects_for_power"]


def _normal_approximation(d: float, alpha: float, target: float) -> int:
    """N from the normal approximation ``((z_{alpha/2} + z_{power}) / d)**2``, rounded up."""
    return math.ceil(((stats.norm.isf(alpha / 2) + stats.norm.ppf(target)) / d) ** 2)


def subjects_for_power(d: float = 0.6, alpha: float = 0.001, target: float = 0.8) -> Exercise:
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
    >>> q = subjects_for_power(d=0.6, alpha=0.001)
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

    def checker(answer: Any) -> None:
        try:
            value = float(np.asarray(answer, dtype=float).reshape(-1)[0])
        except (TypeError, ValueError, IndexError):
            raise Incorrect(
                f"the answer should be one number of subjects; got {type(answer).__name__}."
            ) from None
        if not np.isfinite(value) or value <= 0:
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
        if n == expected:
            return
        named = [message for wrong, message in mistakes if n == wrong]
        if named:  # two slips can give the same N: name both
            raise Incorrect(" Or: ".join(named))
        achieved = power.analytic_power(d, max(n, 2), alpha)
        if n == expected - 1:
            raise Incorrect(
                f"one short: with {n} subjects the power is {achieved:.3f}, just "
                f"below {target:g}; round up, never down."
            )
        if n < expected:
            raise Incorrect(f"too few: with {n} subjects the power is only {achieved:.2f}.")
        raise Incorrect(
            f"{n} subjects give power {achieved:.2f}, more than needed: the question "
            f"asks for the smallest N that reaches {target:g}."
        )

    return Exercise(
        f"Subjects for {target:.0%} power at d = {d:g}, alpha = {alpha:g} (two-sided)",
        checker,
        hint="Power of a one-sample t-test: the noncentral t with N - 1 degrees of freedom and "
        "noncentrality d * sqrt(N), both tails beyond t.isf(alpha / 2, N - 1). statsmodels' "
        "TTestPower().power(effect_size, nobs, alpha) computes it; find the smallest whole "
        "N whose power reaches the target, and check it by plugging it back in.",
    )
