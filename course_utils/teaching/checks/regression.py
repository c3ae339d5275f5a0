"""Exercises of the t-tests-as-regressions notebook: codings, betas and two-group designs.

:func:`coded_betas_exercise` asks the student to *predict* the two betas of a two-group design
under a coding the notebook did not show (+0.5 / -0.5 by default), on unbalanced groups, and
recognises the typical misreadings the notebook teaches: the slope read with the rule of another
coding (the full gap, or half of it), the intercept read as the grand mean or as a reference
group's mean, and the groups swapped. :func:`paired_beta_exercise` asks for the beta and the t
of a paired design's condition column coded 1 / 0, and recognises half the difference (the
rule of +1 / -1 codes), a t that would scale with the codes, and the unpaired t.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = [
    "coded_betas_exercise",
    "dummy_code_exercise",
    "paired_beta_exercise",
    "two_group_design_exercise",
]

#: Absolute tolerance of :func:`coded_betas_exercise`: values typed from a printout with
#: three decimals count as right.
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


def coded_betas_exercise(
    first: Any,
    second: Any,
    codes: tuple[float, float] = (0.5, -0.5),
    column: str = "group1_vs_group2",
    names: tuple[str, str] = ("group 1", "group 2"),
) -> Exercise:
    """Exercise: predict the betas of ``intercept`` and a group column with any two codes.

    The design has an intercept and one column that holds ``codes[0]`` for every subject of
    the group ``first`` and ``codes[1]`` for every subject of ``second``. The fitted line joins
    the two group means, so the slope is the change in the mean per unit of code,
    ``(mean_first - mean_second) / (codes[0] - codes[1])``, and the intercept is the line's
    height at code 0, ``mean_first - slope * codes[0]``, whatever the group sizes. With the
    codes +0.5 / -0.5 the slope is the full difference and the intercept the midpoint of the
    group means.

    Parameters
    ----------
    first, second : array-like
        The values of the group coded ``codes[0]`` and of the group coded ``codes[1]``.
    codes : tuple of two float, default (0.5, -0.5)
        The codes of the first and of the second group; they must differ.
    column : str
        The name of the group column, used as the answer's key.
    names : tuple of two str
        How to call the first and the second group in the feedback.

    Returns
    -------
    Exercise
        Its answer is a dict ``{"intercept": ..., column: ...}`` or a list of the two betas in
        that order, each within 0.005 of the right value. Feedback says how far off each beta
        is and in which direction, and names these mistakes: the intercept read as the mean of
        all values (the grand mean, which leans towards the bigger group) or as one group's
        mean (a reference group, when no group is coded 0); the slope read as the full
        difference or as half of it when the codes are not one or two units apart (the rule
        of another coding); the groups swapped (a sign error).

    Examples
    --------
    >>> q = coded_betas_exercise(first=[4.0, 6.0], second=np.ones(6))
    >>> q.check({"intercept": 3.0, "group1_vs_group2": 4.0}).status
    'correct'
    >>> print(q.check([2.0, 4.0]).message)  # doctest: +NORMALIZE_WHITESPACE
    intercept: 2.000 is the mean of all 8 values (the grand mean), which leans towards the
    bigger group (group 2, 6 values); the intercept is the line's height at code 0, halfway
    between 0.5 and -0.5: the midpoint of the two group means, each counted once. It is
    1.000 too low.
    >>> print(q.check([3.0, 2.0]).message)  # doctest: +NORMALIZE_WHITESPACE
    group1_vs_group2: 2.000 is half the difference group 1 minus group 2, the rule of codes
    two units apart (+1 / -1). These codes are 1 unit apart, so the slope, the change per unit
    of code, is the difference divided by 1. It is 2.000 too low.
    """
    a = np.asarray(first, dtype=float).ravel()
    b = np.asarray(second, dtype=float).ravel()
    if a.size < 1 or b.size < 1:
        raise ValueError("Both groups need at least one value.")
    code_a, code_b = (float(c) for c in codes)
    spacing = code_a - code_b
    if spacing == 0:
        raise ValueError(f"The two codes must differ; got {codes}.")
    mean_a, mean_b = float(a.mean()), float(b.mean())
    grand = float(np.r_[a, b].mean())
    gap = mean_a - mean_b
    want_slope = gap / spacing
    want_intercept = mean_a - want_slope * code_a
    first_name, second_name = names
    bigger = (first_name, a.size) if a.size > b.size else (second_name, b.size)
    where_zero = (
        "halfway between "
        f"{code_a:g} and {code_b:g}: the midpoint of the two group means, each counted once"
        if code_a == -code_b
        else _intercept_words(code_a, code_b)
    )

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
                f"{bigger[1]} values); the intercept is the line's height at code 0, "
                f"{where_zero}. It is {off}."
            )
        if code_a != -code_b and close(value, (mean_a + mean_b) / 2):
            return (
                f"intercept: {value:.3f} is the midpoint of the two group means, the rule of "
                f"codes symmetric around 0 (+1 / -1). Code 0 is not halfway between "
                f"{code_a:g} and {code_b:g}: the intercept is the line's height at code 0, "
                f"{where_zero}. It is {off}."
            )
        for name, mean, code in ((first_name, mean_a, code_a), (second_name, mean_b, code_b)):
            if close(value, mean) and code != 0:
                return (
                    f"intercept: {value:.3f} is the mean of {name}, as if it were a "
                    "reference group. Only a group coded 0 is one; here that group is "
                    f"coded {code:g}, and the intercept is the line's height at code 0. "
                    f"It is {off}."
                )
        return f"intercept: {value:.3f} is {off}."

    def slope_problem(value: float) -> str | None:
        if close(value, want_slope):
            return None
        off = _off_by(value, want_slope)
        diff_name = f"{first_name} minus {second_name}"
        per_unit = (
            f"These codes are {abs(spacing):g} unit{'s' if abs(spacing) != 1 else ''} "
            "apart, so the slope, the change per unit of code, is the difference divided "
            f"by {spacing:g}. It is {off}."
        )
        if close(value, -want_slope):
            return (
                f"{column}: {value:.3f} has the right size but the wrong sign: the groups "
                f"are swapped. {first_name} has the code {code_a:g}, so the slope is the "
                f"difference {diff_name} divided by {spacing:g}. It is {off}."
            )
        if spacing != 1 and close(value, gap):
            return (
                f"{column}: {value:.3f} is the full difference {diff_name}, the rule of "
                f"codes one unit apart (0 / 1). {per_unit}"
            )
        if spacing != 2 and close(value, gap / 2):
            return (
                f"{column}: {value:.3f} is half the difference {diff_name}, the rule of "
                f"codes two units apart (+1 / -1). {per_unit}"
            )
        if close(value, -gap) or close(value, -gap / 2):
            return (
                f"{column}: {value:.3f} is the difference the wrong way round "
                f"({second_name} minus {first_name}): the groups are swapped. {per_unit}"
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
        hint="Write the model's prediction for a row of each group: intercept + slope x its "
        "code. Set each equal to that group's mean and solve the two equations.",
    )


def paired_beta_exercise(
    a: Any,
    b: Any,
    codes: tuple[float, float] = (1.0, 0.0),
    names: tuple[str, str] = ("a", "b"),
) -> Exercise:
    """Exercise: predict the beta and the t of a paired design's condition column.

    The design is that of :func:`course_utils.stats.designs.paired`: one column per subject and
    a condition column holding ``codes[0]`` for the rows of condition ``a`` and ``codes[1]`` for
    those of ``b``. The subject columns absorb each subject's level, so the condition beta is
    the mean paired difference divided by the codes' spacing, ``mean(a - b) / (codes[0] -
    codes[1])``, and its t is the paired t whatever the two distinct codes (rescaling a column
    scales its beta and its standard error alike).

    Parameters
    ----------
    a, b : pandas.Series or array-like
        One value per subject in each condition. Two Series are matched by subject ID (their
        index, in any order); arrays must already be in the same subject order.
    codes : tuple of two float, default (1.0, 0.0)
        The codes of condition ``a`` and of condition ``b``; they must differ.
    names : tuple of two str
        How to call the two conditions in the feedback.

    Returns
    -------
    Exercise
        Its answer is a dict ``{"beta": ..., "t": ...}`` or a list of the two numbers in that
        order, each within 0.005 of the right value. Feedback names these mistakes: the beta
        read with the rule of +1 / -1 codes (half the difference) or of other codes, the
        conditions swapped (a sign error), a t that changes with the codes (doubled or
        halved), and the unpaired two-sample t (the subject columns forgotten); otherwise it
        says how far off each number is and in which direction.

    Raises
    ------
    ValueError
        When the conditions do not hold the same subjects, or the two codes are equal.

    Examples
    --------
    >>> q = paired_beta_exercise([3.0, 5.0, 4.0], [1.0, 2.0, 2.5])
    >>> q.check({"beta": 2.167, "t": 4.914}).status
    'correct'
    >>> print(q.check([1.083, 4.914]).message)  # doctest: +NORMALIZE_WHITESPACE
    beta: 1.083 is half the mean difference a minus b, the rule of codes two units apart
    (+1 / -1). These codes are 1 unit apart, so the beta is the mean difference divided by 1.
    It is 1.084 too low.
    """
    import pandas as pd
    from scipy import stats

    from course_utils.stats.designs import align_subjects

    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        ia, ib, _ = align_subjects(a.index, b.index)
        first = np.asarray(a, dtype=float)[ia]
        second = np.asarray(b, dtype=float)[ib]
    else:
        first, second = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
        if first.shape != second.shape:
            raise ValueError("a and b must hold one value per subject each, as many values.")
    if first.size < 2:
        raise ValueError("The paired exercise needs at least two subjects.")
    spacing = float(codes[0]) - float(codes[1])
    if spacing == 0:
        raise ValueError(f"The two codes must differ; got {codes}.")
    differences = first - second
    want_beta = float(differences.mean()) / spacing
    paired_t = float(stats.ttest_1samp(differences, 0.0).statistic) * np.sign(spacing)
    unpaired_t = float(stats.ttest_ind(first, second).statistic) * np.sign(spacing)
    first_name, second_name = names
    diff_name = f"{first_name} minus {second_name}"

    def close(value: float, target: float) -> bool:
        return abs(value - target) <= TOLERANCE

    def beta_problem(value: float) -> str | None:
        if close(value, want_beta):
            return None
        off = _off_by(value, want_beta)
        per_unit = (
            f"These codes are {abs(spacing):g} unit{'s' if abs(spacing) != 1 else ''} apart, "
            f"so the beta is the mean difference divided by {spacing:g}. It is {off}."
        )
        if close(value, -want_beta):
            return (
                f"beta: {value:.3f} has the right size but the wrong sign: the conditions are "
                f"swapped ({first_name} has the code {codes[0]:g}). {per_unit}"
            )
        mean_difference = want_beta * spacing
        if spacing != 2 and close(value, mean_difference / 2):
            return (
                f"beta: {value:.3f} is half the mean difference {diff_name}, the rule of "
                f"codes two units apart (+1 / -1). {per_unit}"
            )
        if spacing != 1 and close(value, mean_difference):
            return (
                f"beta: {value:.3f} is the mean difference {diff_name}, the rule of codes one "
                f"unit apart (1 / 0). {per_unit}"
            )
        return f"beta: {value:.3f} is {off}."

    def t_problem(value: float) -> str | None:
        if close(value, paired_t):
            return None
        off = _off_by(value, paired_t)
        if close(value, -paired_t):
            return f"t: {value:.3f} has the wrong sign: the conditions are swapped. It is {off}."
        if close(value, paired_t / 2) or close(value, 2 * paired_t):
            return (
                f"t: {value:.3f} changed with the codes. Rescaling a column scales its beta "
                "and its standard error alike, and the fit stays the same: the t of any two "
                f"distinct codes is the paired t. It is {off}."
            )
        if close(value, unpaired_t):
            return (
                f"t: {value:.3f} is the unpaired (two-sample) t. The subject columns are "
                "still in the design: they remove each subject's level, so the t is the "
                f"paired one. It is {off}."
            )
        return f"t: {value:.3f} is {off}."

    def checker(answer: Any) -> None:
        if callable(getattr(answer, "to_dict", None)) and hasattr(answer, "index"):
            answer = answer.to_dict()
        if isinstance(answer, Mapping):
            missing = [key for key in ("beta", "t") if key not in answer]
            if missing:
                raise Incorrect(
                    f"the dict lacks the keys {missing}: give {{'beta': ..., 't': ...}}."
                )
            pair = [answer["beta"], answer["t"]]
        elif isinstance(answer, Sequence | np.ndarray) and not isinstance(answer, str):
            pair = list(np.asarray(answer, dtype=object).ravel())
        else:
            raise Incorrect(f"give a dict {{'beta': ..., 't': ...}}; got {type(answer).__name__}.")
        if len(pair) != 2:
            raise Incorrect(f"give two numbers, the beta and the t; got {len(pair)}.")
        try:
            beta, t = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise Incorrect("the beta and the t should be numbers.") from None
        if not (np.isfinite(beta) and np.isfinite(t)):
            raise Incorrect("the beta and the t should be finite numbers (no NaN).")
        problems = [p for p in (beta_problem(beta), t_problem(t)) if p]
        if problems:
            raise Incorrect("\n".join(problems))

    return Exercise(
        "Predict the beta and the t of a 1 / 0 condition column",
        checker,
        hint="For one subject, write the model's prediction in each condition: the subject's "
        "own beta + the condition beta x the code. Subtract the two. For the t: what happens "
        "to a beta and to its standard error when a column is multiplied by a number?",
    )


def _intercept_words(code_a: float, code_b: float) -> str:
    """Where code 0 lies relative to two codes that are not symmetric around it."""
    if min(code_a, code_b) < 0 < max(code_a, code_b):
        return "which lies between the two codes but not halfway"
    return "which lies outside the two codes: an extrapolation of the line"


def dummy_code_exercise(group1_mean: float) -> Exercise:
    """Exercise of the t-tests-as-regressions notebook: the contrast that gives group 1's mean.

    The design is ``two_sample(..., coding="dummy")``: columns ``intercept`` and ``is_group1``.

    Parameters
    ----------
    group1_mean : float
        Group 1's mean, quoted in the message of a wrong answer.

    Returns
    -------
    Exercise
        Its answer is two weights; the slope alone and the intercept alone get their messages.

    Examples
    --------
    >>> q = dummy_code_exercise(10.0)
    >>> q.check([1, 1]).status, q.check([0, 1]).status
    ('correct', 'incorrect')
    """

    def checker(answer: Any) -> None:
        weights = np.asarray(answer, dtype=float).ravel() if not isinstance(answer, str) else None
        if weights is None or weights.size != 2 or not np.isfinite(weights).all():
            raise Incorrect("give two numbers: one weight for `intercept`, one for `is_group1`.")
        if np.allclose(weights, [0, 1]):
            raise Incorrect("[0, 1] is the slope alone: the difference group 1 minus group 2.")
        if np.allclose(weights, [1, 0]):
            raise Incorrect("[1, 0] is the intercept alone: the mean of group 2, the reference.")
        if not np.allclose(weights, [1, 1]):
            raise Incorrect(f"{weights.tolist()} is not group 1's mean ({group1_mean:.3f}).")

    return Exercise(
        "Dummy codes",
        checker,
        hint="Group 1's rows have a 1 in both columns. What does the model predict for such a row?",
    )


def _design_values(answer: Any) -> np.ndarray:
    """The answer as a float (n, k) array, or :class:`Incorrect` saying why it is not."""
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            "the design should be a table of numbers (a DataFrame or array). If it "
            "holds text such as 'M' and 'F', code each group with numbers: 1 for "
            "its members, 0 for the others."
        ) from None
    if got.ndim == 1:
        got = got[:, None]
    return got


def two_group_design_exercise(expected: Any, name: str) -> Exercise:
    """Exercise: a two-group second-level design (one row per subject, in the data's order).

    Any full-rank design that spans the same two group means is right (one column per group,
    or an intercept plus a +1/-1 or 0/1 group column).

    Parameters
    ----------
    expected : DataFrame or array-like, shape (n_subjects, 2)
        One indicator column per group (first group first); a DataFrame's column names name
        the groups in the messages.
    name : str
        Name of the exercise.

    Returns
    -------
    Exercise
        Recognises text instead of numbers; one column per subject; an intercept alone; one
        group's 0/1 column alone (no intercept and no column for the other group); a +1/-1
        column alone; linearly dependent columns; the right groups in the wrong row order.

    Examples
    --------
    >>> import pandas as pd
    >>> want = pd.DataFrame({"M": [1, 1, 0, 0], "F": [0, 0, 1, 1]})
    >>> q = two_group_design_exercise(want, "demo")
    >>> q.check(pd.DataFrame({"one": [1] * 4, "m_vs_f": [1, 1, -1, -1]})).status
    'correct'
    >>> q.check(np.eye(4)).message.startswith("your design has one column per subject")
    True
    >>> print(q.check(pd.DataFrame({"male": [1, 1, 0, 0]})).message)
    your design has a 0/1 column for the M group alone, with no intercept and no column for the
    F group: its model forces the mean of the F group to 0, so its t tests the M group against
    zero. Add a column for the F group (or an intercept).
    """
    import pandas as pd

    want = np.asarray(expected, dtype=float)
    first = want[:, 0]
    groups = (
        [f"the {c} group" for c in expected.columns[:2]]
        if isinstance(expected, pd.DataFrame)
        else ["the first group", "the second group"]
    )

    def checker(answer: Any) -> None:
        got = _design_values(answer)
        if got.ndim != 2 or got.shape[0] != want.shape[0]:
            raise Incorrect(
                f"your design has {got.shape[0] if got.ndim else 0} rows; it needs "
                f"one row per subject ({want.shape[0]})."
            )
        if not np.isfinite(got).all():
            raise Incorrect(
                "your design has NaN or infinite values: every subject needs a "
                "number in every column."
            )
        n = got.shape[0]
        indicator = np.isin(got, (0.0, 1.0)).all(axis=0)
        if got.shape[1] == n and indicator.all():
            raise Incorrect(
                "your design has one column per subject but no group or condition "
                "column: that is the paired design's subject part. Here each subject "
                "has one value; code the two groups instead."
            )
        if got.shape[1] == 1:
            column = got[:, 0]
            if np.ptp(column) == 0:
                raise Incorrect(
                    "your design is one constant column (an intercept) alone: the "
                    "one-sample design, which tests the mean of everyone. Add the "
                    "groups: one 0/1 column per group."
                )
            for group, other, values in ((*groups, first), (*groups[::-1], 1 - first)):
                if np.allclose(column, values):
                    raise Incorrect(
                        f"your design has a 0/1 column for {group} alone, with no "
                        f"intercept and no column for {other}: its model forces "
                        f"the mean of {other} to 0, so its t tests {group} against "
                        f"zero. Add a column for {other} (or an intercept)."
                    )
            plus_minus = np.where(first > 0, 1.0, -1.0)
            if np.allclose(column, plus_minus) or np.allclose(column, -plus_minus):
                raise Incorrect(
                    "your design is a +1/-1 group column alone, without an intercept: "
                    "it forces the two group means to be opposite numbers. Add a "
                    "column of ones."
                )
        if np.linalg.matrix_rank(got) < got.shape[1]:
            raise Incorrect(
                "your design's columns are linearly dependent (an intercept plus a "
                "column for each group?); drop one of them."
            )
        projection = got @ np.linalg.lstsq(got, want, rcond=None)[0]
        if got.shape[1] != want.shape[1] or not np.allclose(projection, want, atol=1e-8):
            if (
                got.shape[1] == want.shape[1]
                and indicator.all()
                and sorted(got.sum(axis=0)) == sorted(want.sum(axis=0))
            ):
                raise Incorrect(
                    "your design has as many subjects in each group as the data, but "
                    "not in the order of the subjects: build it from the sex column "
                    "of the participants table, row by row, without sorting."
                )
            raise Incorrect(
                "your design does not separate the two groups as the question asks: "
                "build it from the sex column of the participants table, in the "
                "order of the subjects."
            )

    return Exercise(
        name,
        checker,
        hint="One column per group, with 1 for the subjects of that "
        "group and 0 otherwise, rows in the order of the "
        "participants table.",
    )
