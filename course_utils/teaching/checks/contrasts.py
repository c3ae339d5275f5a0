"""Checks of the contrasts notebook: contrasts as weights over conditions or columns.

:func:`expect_contrast` accepts any positive rescaling of the right weights and names
rounded weights (0.33 for 1/3), a reversed direction, weights that do not sum to zero and the
wrong conditions;
:func:`condition_contrast_exercise` asks for a contrast over named conditions (a dict), as the
factorial and exercises notebooks do. Two exercises also ask for the contrast's *unit*, so only
one scaling is right: :func:`last_versus_rest_exercise` (a difference in % signal change) and
:func:`slope_exercise` (a slope per unit of unequally spaced levels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from course_utils.stats import designs
from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = [
    "condition_contrast_exercise",
    "expect_contrast",
    "last_versus_rest_exercise",
    "slope_exercise",
]


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
    negative factor tests the opposite direction and gets its own message; so do weights
    rounded from the right ones (``-0.33`` for ``-1/3``), which are not exact and are asked
    for as fractions.

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

    Returns
    -------
    None
        When the contrast is right.

    Raises
    ------
    Incorrect
        Why it is not.

    Examples
    --------
    >>> expect_contrast([2, -2], [1, -1])
    >>> expect_contrast([-1, 1], [1, -1])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: your contrast points the wrong way: ...
    >>> expect_contrast([0.67, -0.33, -0.33], [2 / 3, -1 / 3, -1 / 3])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.core.Incorrect: ... rounded to 2 decimals, ... sums to 0.01, ...
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
    decimals = _rounded_from(got, want)
    if decimals is not None:
        off = (
            f"it sums to {got.sum():.2g}, not 0"
            if not np.isclose(got.sum(), 0.0, atol=1e-8 * np.abs(got).max())
            else "its weights are slightly out of proportion"
        )
        raise Incorrect(
            f"{what} {got.tolist()} is the right contrast rounded to {decimals} "
            f"decimal{'s' if decimals != 1 else ''}, so it is not exact ({off}). Write exact "
            "fractions, such as -1/3 instead of -0.33, and let Python compute them."
            + (" It also points the wrong way: swap the signs." if got @ want < 0 else "")
        )
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


def _rounded_from(got: np.ndarray, want: np.ndarray) -> int | None:
    """The number of decimals to which ``got`` rounds a multiple of ``want``, or None.

    ``got`` counts as rounded when it is not an exact multiple (positive or negative), all its
    weights have at most ``d`` decimals (``d`` from 1 to 4, the unit ``10**-d`` below a tenth of
    the largest weight) and each is within ``10**-d`` of the best-fitting multiple:
    ``[-0.33, -0.33, -0.33, 1]`` for ``[-1/3, -1/3, -1/3, 1]``.

    >>> third = np.array([-1 / 3, -1 / 3, -1 / 3, 1])
    >>> _rounded_from(np.array([-0.33, -0.33, -0.33, 1]), third)
    2
    >>> _rounded_from(third, third) is None, _rounded_from(np.array([0, 0, 0, 1.0]), third)
    (True, None)
    """
    scale = float(got @ want) / float(want @ want)
    if scale == 0 or np.isfinite(_scale_of(got, want)):
        return None
    largest = np.abs(got).max()
    for decimals in range(1, 5):
        unit = 10.0**-decimals
        if unit > 0.1 * largest or not np.allclose(got, np.round(got, decimals), atol=1e-12):
            continue
        if np.abs(got - scale * want).max() <= unit:
            return decimals
        return None
    return None


def _scale_of(got: np.ndarray, want: np.ndarray) -> float:
    """The factor ``s`` with ``got == s * want``, or NaN when ``got`` is not a multiple."""
    scale = float(got @ want) / float(want @ want)
    close = np.allclose(got, scale * want, rtol=1e-6, atol=1e-9 * np.abs(got).max())
    return scale if close else float("nan")


def last_versus_rest_exercise(k: int = 4) -> Exercise:
    """Exercise of the contrasts notebook: the highest of ``k`` loads minus the mean of the others.

    The value must be in % signal change, so one scaling is right: ``[-1/(k-1), ..., 1]``
    (positive weights sum to 1, negative ones to -1). Weights that do not sum to zero, point the
    wrong way or compare other loads get the messages of :func:`expect_contrast`; the right
    question at another scale (``[-1, -1, -1, 3]``) is told by how much its value is off.

    Parameters
    ----------
    k : int, default 4
        Number of loads (conditions), in increasing order.

    Returns
    -------
    Exercise
        Its answer is one weight per load.

    Examples
    --------
    >>> q = last_versus_rest_exercise(4)
    >>> [q.check(c).status for c in ([-1 / 3, -1 / 3, -1 / 3, 1], [-1, -1, -1, 3], [0, 0, 0, 1])]
    ['correct', 'incorrect', 'incorrect']
    >>> "its value is 3 times the difference" in q.check([-1, -1, -1, 3]).message
    True
    >>> q.check([-0.33, -0.33, -0.33, 1]).message.split(", so")[0]
    'your contrast [-0.33, -0.33, -0.33, 1.0] is the right contrast rounded to 2 decimals'
    """
    expected = np.r_[-np.ones(k - 1) / (k - 1), 1.0]
    names = [f"load {i + 1}" for i in range(k)]

    def checker(answer: Any) -> None:
        expect_contrast(answer, expected, names=names)
        scale = _scale_of(np.asarray(answer, dtype=float).ravel(), expected)
        if not np.isclose(scale, 1.0, rtol=1e-6):
            raise Incorrect(
                f"your contrast asks the right question, but its value is {scale:.3g} times "
                "the difference in % signal change: scale it so that the positive weights sum "
                "to 1 and the negative ones to -1 (a mean minus a mean)."
            )

    return Exercise(
        "Highest load vs the rest, in % signal change",
        checker,
        hint="A mean of three loads gives each of them a third. Write load 4's mean minus that "
        "mean as weights: which weights are positive, which negative, and what do they sum to?",
    )


def slope_exercise(levels: Sequence[float] = (1, 2, 4, 8)) -> Exercise:
    """Exercise of the contrasts notebook: slope weights for unequally spaced levels.

    The right answer is :func:`course_utils.stats.designs.slope_contrast` of ``levels``: its
    value is the least-squares slope of the level means, in % signal change per unit of the
    levels. The feedback names the typical mistakes: weights that do not sum to zero (the raw
    levels), the weights of equally spaced levels, the wrong sign, a scaling by the sum of
    absolute weights instead of the sum of squares, or another scaling.

    Parameters
    ----------
    levels : sequence of float, default (1, 2, 4, 8)
        The value of each level (memory load in items), in the order of the weights.

    Returns
    -------
    Exercise
        Its answer is one weight per level.

    Examples
    --------
    >>> q = slope_exercise((1, 2, 4, 8))
    >>> centred = np.array([1, 2, 4, 8]) - 3.75
    >>> q.check(centred / (centred @ centred)).status
    'correct'
    >>> q.check([-0.3, -0.1, 0.1, 0.3]).message.split(":")[0]
    'these weights assume equally spaced levels'
    """
    x = np.asarray(levels, dtype=float)
    expected = designs.slope_contrast(x)
    centred = x - x.mean()
    equal = designs.linear_contrast(x.size)
    names = [f"{level:g} items" for level in x]

    def checker(answer: Any) -> None:
        try:
            got = np.asarray(answer, dtype=float).ravel()
        except (TypeError, ValueError):
            raise Incorrect(f"give one number per load; got {type(answer).__name__}.") from None
        if got.size == x.size and got.any() and np.isfinite(got).all():
            if np.isfinite(_scale_of(got, equal)) and not np.isfinite(_scale_of(got, centred)):
                raise Incorrect(
                    "these weights assume equally spaced levels: they treat the step from 4 "
                    "to 8 items like the step from 1 to 2. Build the weights from the loads "
                    "themselves."
                )
        expect_contrast(got, expected, names=names)
        scale = _scale_of(got, expected)
        if np.isclose(scale, 1.0, rtol=1e-6):
            return
        if np.isclose(scale, float(centred @ centred) / np.abs(centred).sum(), rtol=1e-6):
            raise Incorrect(
                "you divided the centred loads by the sum of their absolute values; the "
                "least-squares slope divides by the sum of their squares."
            )
        raise Incorrect(
            f"your weights follow the loads, but their value is {scale:.4g} times the slope: "
            "divide the centred loads by the sum of their squares."
        )

    return Exercise(
        "Slope weights for unequally spaced loads",
        checker,
        hint="Start from the loads themselves, not their positions. Which operation makes the "
        "weights sum to zero? Then which scaling turns a straight line with slope 1 (one % per "
        "item) into a value of exactly 1?",
    )


def _weights_vector(answer: Any, conditions: Any) -> np.ndarray:
    """A contrast given as a dict of condition: weight, or as one weight per condition."""
    import difflib

    names = list(conditions)
    if isinstance(answer, dict):
        vector = np.zeros(len(names))
        for name, weight in answer.items():
            if name not in names:
                lower = {n.lower(): n for n in names}
                close = difflib.get_close_matches(str(name).lower(), list(lower), n=1)
                hint = f" Did you mean {lower[close[0]]!r}?" if close else ""
                raise Incorrect(
                    f"{name!r} is not a condition of this data set.{hint} The "
                    f"conditions are {names}."
                )
            try:
                vector[names.index(name)] = float(weight)
            except (TypeError, ValueError):
                raise Incorrect(
                    f"the weight of {name!r} should be a number, like 1 or -0.5; got {weight!r}."
                ) from None
        return vector
    if isinstance(answer, str):
        raise Incorrect("give the contrast as a dictionary {condition: weight}, not as text.")
    try:
        return np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Incorrect(
            "give the contrast as a dictionary {condition: weight} (or one number "
            f"per condition); got {type(answer).__name__}."
        ) from None


def _proportional(got: np.ndarray, want: np.ndarray) -> bool:
    """True when ``got`` is ``want`` times a positive number."""
    if got.shape != want.shape or not want.any():
        return False
    scale = float(got @ want) / float(want @ want)
    return scale > 0 and bool(
        np.allclose(got, scale * want, rtol=1e-6, atol=1e-9 * np.abs(got).max())
    )


def condition_contrast_exercise(
    expected: dict[str, float],
    conditions: Any,
    name: str,
    mistakes: Sequence[tuple[dict, str]] = (),
) -> Exercise:
    """Exercise: a contrast over conditions, as ``{condition: weight}`` (or one weight each).

    Any positive rescaling is right (a sum or a mean of conditions); see :func:`expect_contrast`.

    Parameters
    ----------
    expected : dict of str to float
        One right contrast; conditions left out have weight 0.
    conditions : sequence of str
        The conditions of the data set (``ds.conditions``), in order.
    name : str
        Name of the exercise.
    mistakes : sequence of (dict, str)
        Plausible wrong contrasts (recognised up to a positive scale), each with its message.

    Returns
    -------
    Exercise
        Its answer is a dict ``{condition: weight}`` or one weight per condition; a misspelt
        condition gets the closest name, a weight that is not a number its own message.

    Examples
    --------
    >>> q = condition_contrast_exercise({"a": 1, "b": -1}, ["a", "b", "c"], "demo")
    >>> [q.check(x).status for x in (..., {"a": 1}, {"a": 2, "b": -2})]
    ['not attempted', 'incorrect', 'correct']
    >>> q.check({"A": 1, "b": -1}).message
    "'A' is not a condition of this data set. Did you mean 'a'? The conditions are ['a', 'b', 'c']."
    >>> q.check({"a": "one", "b": -1}).message
    "the weight of 'a' should be a number, like 1 or -0.5; got 'one'."
    """
    want = _weights_vector(expected, conditions)
    wrong = [(_weights_vector(weights, conditions), message) for weights, message in mistakes]

    def checker(answer: Any) -> None:
        got = _weights_vector(answer, conditions)
        for vector, message in wrong:
            if _proportional(got, vector):
                raise Incorrect(message)
        expect_contrast(got, want, names=list(conditions))

    return Exercise(
        name,
        checker,
        hint="Give +1 (or +1/k) to each condition of the first kind and -1 (or -1/k) to each of "
        "the second, so that the weights sum to zero.",
    )
