"""Exercises of the t-tests-as-regressions notebook (``03_ttests_as_regression``).

:func:`effect_coded_betas` asks the student to *predict* the two betas of a two-group design
under an effect (+1 / -1) coding the notebook did not show, on unbalanced groups, and recognises
the typical misreadings the notebook teaches: the slope read as the full gap between the groups,
the intercept read as the grand mean or as a reference group's mean, and the groups swapped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["effect_coded_betas"]

#: Absolute tolerance of :func:`effect_coded_betas`: values typed from a printout with three
#: decimals count as right.
TOLERANCE = 5e-3


def _off_by(value: float, expected: float) -> str:
    """``"0.250 too high"`` or ``"0.250 too low"``."""
    gap = value - expected
    return f"{abs(gap):.3f} too {'high' if gap > 0 else 'low'}"


def _parse(answer: Any, column: str) -> tuple[float, float]:
    if callable(getattr(answer, "to_dict", None)) and hasattr(answer, "index"):
        answer = answer.to_dict()  # a pandas Series indexed by column name
    if isinstance(answer, Mapping):
        missing = [key for key in ("intercept", column) if key not in answer]
        if missing:
            raise Incorrect(
                f"the dict lacks the keys {missing}: give {{'intercept': ..., {column!r}: ...}}."
            )
        pair = [answer["intercept"], answer[column]]
    elif isinstance(answer, Sequence | np.ndarray) and not isinstance(answer, str):
        pair = list(np.asarray(answer, dtype=object).ravel())
        if len(pair) != 2:
            raise Incorrect(
                f"give two numbers, the betas of 'intercept' and {column!r}; got {len(pair)}."
            )
    else:
        raise Incorrect(
            f"give a dict {{'intercept': ..., {column!r}: ...}} (or a list of the two "
            f"betas in that order); got {type(answer).__name__}."
        )
    try:
        intercept, slope = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise Incorrect("both betas should be numbers.") from None
    if not (np.isfinite(intercept) and np.isfinite(slope)):
        raise Incorrect("both betas should be finite numbers (no NaN).")
    return intercept, slope


def effect_coded_betas(
    plus: Any,
    minus: Any,
    column: str = "group2_vs_group1",
    names: tuple[str, str] = ("group 2", "group 1"),
) -> Exercise:
    """Exercise: predict the betas of ``intercept`` and a +1 / -1 column for two groups.

    The design has an intercept and one column that is +1 for every subject of the group
    ``plus`` and -1 for every subject of ``minus``. The right answer is the midpoint of the
    group means for the intercept, ``(mean_plus + mean_minus) / 2``, and half their difference
    for the slope, ``(mean_plus - mean_minus) / 2``, whatever the group sizes.

    Parameters
    ----------
    plus, minus : array-like
        The values of the group coded +1 and of the group coded -1.
    column : str
        The name of the +1 / -1 column, used as the answer's key.
    names : tuple of two str
        How to call the groups coded +1 and -1 in the feedback.

    Returns
    -------
    Exercise
        Its answer is a dict ``{"intercept": ..., column: ...}`` or a list of the two betas in
        that order, each within 0.005 of the right value. Feedback says how far off each beta
        is and in which direction, and names these mistakes: the intercept read as the mean of
        all values (the grand mean, which leans towards the bigger group) or as one group's
        mean (a reference group, as in dummy coding); the slope read as the full difference
        between the groups instead of half of it; the groups swapped (a sign error).

    Examples
    --------
    >>> q = effect_coded_betas(plus=[4.0, 6.0], minus=np.ones(6))
    >>> q.check({"intercept": 3.0, "group2_vs_group1": 2.0}).status
    'correct'
    >>> print(q.check([2.0, 2.0]).message)  # doctest: +NORMALIZE_WHITESPACE
    intercept: 2.000 is the mean of all 8 values (the grand mean), which leans towards the
    bigger group (group 1, 6 values); the intercept is the prediction where the code is 0,
    halfway between +1 and -1: the midpoint of the two group means, each counted once. It is
    1.000 too low.
    >>> print(q.check([3.0, 4.0]).message)  # doctest: +NORMALIZE_WHITESPACE
    group2_vs_group1: 4.000 is the full difference group 2 minus group 1. The codes +1 and -1
    are two units apart, so one unit of the code, the slope, is half the difference. It is
    2.000 too high.
    """
    a = np.asarray(plus, dtype=float).ravel()
    b = np.asarray(minus, dtype=float).ravel()
    if a.size < 1 or b.size < 1:
        raise ValueError("Both groups need at least one value.")
    mean_a, mean_b = float(a.mean()), float(b.mean())
    grand = float(np.r_[a, b].mean())
    want_intercept, want_slope = (mean_a + mean_b) / 2, (mean_a - mean_b) / 2
    plus_name, minus_name = names
    bigger = (plus_name, a.size) if a.size > b.size else (minus_name, b.size)

    def close(value: float, target: float) -> bool:
        return abs(value - target) <= TOLERANCE

    def intercept_problem(value: float) -> str | None:
        if close(value, want_intercept):
            return None
        off = _off_by(value, want_intercept)
        if close(value, grand) and a.size != b.size:
            return (
                f"intercept: {value:.3f} is the mean of all {a.size + b.size} values (the "
                f"grand mean), which leans towards the bigger group ({bigger[0]}, "
                f"{bigger[1]} values); the intercept is the prediction where the code is 0, "
                "halfway between +1 and -1: the midpoint of the two group means, each "
                f"counted once. It is {off}."
            )
        for name, mean in ((plus_name, mean_a), (minus_name, mean_b)):
            if close(value, mean):
                return (
                    f"intercept: {value:.3f} is the mean of {name}, as if it were a "
                    "reference group. Only treatment (dummy) coding has one, the group "
                    "coded 0; here no group is coded 0, and the intercept is the prediction "
                    f"halfway between +1 and -1. It is {off}."
                )
        return f"intercept: {value:.3f} is {off}."

    def slope_problem(value: float) -> str | None:
        if close(value, want_slope):
            return None
        off = _off_by(value, want_slope)
        full, diff_name = 2 * want_slope, f"{plus_name} minus {minus_name}"
        if close(value, full):
            return (
                f"{column}: {value:.3f} is the full difference {diff_name}. The codes +1 "
                "and -1 are two units apart, so one unit of the code, the slope, is half "
                f"the difference. It is {off}."
            )
        if close(value, -want_slope):
            return (
                f"{column}: {value:.3f} has the right size but the wrong sign: the groups "
                f"are swapped. {plus_name} is coded +1, so the slope is half of "
                f"{diff_name}. It is {off}."
            )
        if close(value, -full):
            return (
                f"{column}: {value:.3f} is the full difference the wrong way round "
                f"({minus_name} minus {plus_name}): the groups are swapped, and the slope "
                f"of a +1 / -1 code is half the difference. It is {off}."
            )
        return f"{column}: {value:.3f} is {off}."

    def checker(answer: Any) -> None:
        intercept, slope = _parse(answer, column)
        problems = [p for p in (intercept_problem(intercept), slope_problem(slope)) if p]
        if problems:
            raise Incorrect("\n".join(problems))

    return Exercise(
        f"Predict the betas of {column}",
        checker,
        hint="Write the model's prediction for a row of each group: intercept + slope for the "
        "group coded +1, intercept - slope for the group coded -1. Set each equal to that "
        "group's mean and solve the two equations.",
    )
