"""Exercises of the first notebooks: a standard error, a coding, a contrast."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, Incorrect, judge_number


def standard_error(values: Any, population_sd: float | None = None) -> Exercise:
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
    >>> q = standard_error([1.0, 2.0, 3.0, 4.0], population_sd=1.0)
    >>> q.check(np.std([1.0, 2.0, 3.0, 4.0], ddof=0) / 2).status
    'incorrect'
    >>> q.check((np.std([1.0, 2.0, 3.0, 4.0], ddof=1) / 2) ** 2).message
    'that is the variance of the mean (the squared standard error): take its square root.'
    >>> print(q.check(0.5).message)
    that is the standard error of the population we drew from (1.0 / sqrt(4)); estimate it
    from the data instead, with their sample standard deviation.
    >>> q.check(1.0).message
    '1.0000 is too large: 1.5 times the standard error of these 4 values.'
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
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Incorrect(
                f"the answer should be one number; got {type(answer).__name__}."
            ) from None
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{value:.4f} is {direction}: {value / expected:.2g} times the standard error of "
                f"these {n} values."
            ),
        )

    return Exercise(
        "Warm-up: standard error",
        checker,
        hint="The standard error is the sample standard deviation divided by the square root of n.",
    )


def expect_contrast(
    answer: Any,
    expected: Any,
    what: str = "your contrast",
    zero_sum: bool = True,
    names: Any = None,
) -> None:
    """Raise :class:`Incorrect` unless ``answer`` is ``expected`` up to a positive scale factor.

    A contrast means the same hypothesis when all its weights are multiplied by one positive
    number (``[1, -1]``, ``[0.5, -0.5]``, a sum or a mean), so every such version is right. A
    negative factor tests the opposite direction and gets its own message.

    Parameters
    ----------
    answer, expected : array-like
        The student's weights and one right answer.
    what : str
        How to name the answer in messages.
    zero_sum : bool, default True
        Whether a right answer must sum to zero (a comparison); checked first, with its own
        message.
    names : sequence of str, optional
        Names of the weights (conditions or columns), quoted when the length is wrong.

    Examples
    --------
    >>> expect_contrast([2, -2], [1, -1])
    >>> expect_contrast([-1, 1], [1, -1])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.Incorrect: your contrast points the wrong way: ...
    """
    try:
        got = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Incorrect(
            f"{what} should be a list or array of numbers; got {type(answer).__name__}."
        ) from None
    want = np.asarray(expected, dtype=float).ravel()
    if got.size != want.size:
        order = f" in the order {list(names)}" if names is not None else ""
        raise Incorrect(
            f"{what} has {got.size} weights; it needs {want.size}, one per "
            f"condition or column{order}."
        )
    if not np.isfinite(got).all():
        raise Incorrect(f"{what} contains NaN or infinite values.")
    if not got.any():
        raise Incorrect(f"{what} is all zeros, so it tests nothing.")
    if zero_sum and not np.isclose(got.sum(), 0.0, atol=1e-8 * np.abs(got).max()):
        raise Incorrect(
            f"{what} does not sum to zero (it sums to {got.sum():g}), so it also "
            "tests the overall mean: give both sides the same total weight."
        )
    scale = float(got @ want) / float(want @ want)
    if np.allclose(got, scale * want, rtol=1e-6, atol=1e-9 * np.abs(got).max()):
        if scale > 0:
            return
        raise Incorrect(
            f"{what} points the wrong way: it tests the opposite direction of the "
            "question. Swap the signs of the weights."
        )
    raise Incorrect(
        f"{what} {got.tolist()} does not compare the right conditions: check which "
        "conditions should get positive and which negative weights."
    )


def dummy_code_mean(group1_mean: float) -> Exercise:
    """Exercise of ``03_ttests_as_regression``: the contrast that gives group 1's mean.

    The design is ``two_sample(..., coding="dummy")``: columns ``intercept`` and ``is_group1``.

    Examples
    --------
    >>> q = dummy_code_mean(10.0)
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


def last_versus_rest(k: int = 4) -> Exercise:
    """Exercise of ``04_contrasts``: does the highest of ``k`` loads differ from the others' mean?

    Any positive multiple of ``[-1/(k-1), ..., -1/(k-1), 1]`` is right.

    Examples
    --------
    >>> q = last_versus_rest(4)
    >>> q.check([-1, -1, -1, 3]).status, q.check([-1, -1, -1, 1]).status
    ('correct', 'incorrect')
    """
    expected = np.r_[-np.ones(k - 1) / (k - 1), 1.0]
    return Exercise(
        "Highest load vs the rest",
        lambda answer: expect_contrast(answer, expected, names=[f"load {i + 1}" for i in range(k)]),
        hint="Give the highest load a positive weight, share an equal negative weight among the "
        "others, and make the weights sum to zero.",
    )
