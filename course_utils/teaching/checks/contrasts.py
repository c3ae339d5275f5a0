"""Checks of the contrasts notebook: contrasts as weights over conditions or columns.

:func:`expect_contrast` accepts any positive rescaling of the right weights and names a
reversed direction, weights that do not sum to zero and the wrong conditions;
:func:`condition_contrast_exercise` asks for a contrast over named conditions (a dict), as the
factorial and exercises notebooks do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["condition_contrast_exercise", "expect_contrast", "last_versus_rest_exercise"]


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


def last_versus_rest_exercise(k: int = 4) -> Exercise:
    """Exercise of the contrasts notebook: does the highest of ``k`` loads differ from the others?

    Any positive multiple of ``[-1/(k-1), ..., -1/(k-1), 1]`` is right: the highest load minus
    the mean of the others.

    Parameters
    ----------
    k : int, default 4
        Number of loads (conditions), in increasing order.

    Returns
    -------
    Exercise
        Its answer is one weight per load; see :func:`expect_contrast` for the messages.

    Examples
    --------
    >>> q = last_versus_rest_exercise(4)
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
