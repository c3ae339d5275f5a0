"""Checks of a paired group t-map, subjects matched by ID (used by the exercises notebook).

- :func:`condition_sum`: a weighted sum of conditions per subject, in float32;
- :func:`paired_tmap_exercise`: the group paired t-map of one condition (or sum of conditions)
  minus another, rows matched by subject ID.

The expected map is computed here from the data, never taken from a notebook variable. The
feedback names the typical mistakes: rows subtracted by position instead of by subject ID, a
two-sample test instead of a paired one, the reversed direction. Checking never raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course_utils._utils import one_sample_t, voxel_blocks
from course_utils.teaching.checks.core import Exercise, expect_map

__all__ = ["condition_sum", "paired_tmap_exercise"]

#: Added to a mistake's message when the student's map is that mistake with every sign reversed.
REVERSED = " (And the direction is reversed.)"


def condition_sum(
    ds: Any, weights: str | Mapping[str, float], subjects: Sequence[str] | None = None
) -> np.ndarray:
    """``sum_c w_c * ds.array(c)`` in float32, with one map-sized temporary at a time.

    ``ds.contrast`` accumulates in float64 (exact to float32 rounding); this is the same up to
    float32 rounding, and keeps a checker's memory small for a large class.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps.
    weights : str or mapping of str to float
        A condition (weight 1), or ``{condition: weight}``.
    subjects : sequence of str, optional
        The rows, in this order (default ``ds.subjects``).

    Returns
    -------
    numpy.ndarray, shape (n_subjects, n_voxels)
        float32.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=4, cache=False,
    ...                               conditions=["audio_left_hand", "video_left_hand"])
    >>> both = condition_sum(ds, {"audio_left_hand": 1, "video_left_hand": -1})
    >>> both.dtype.name, np.allclose(both, ds.contrast({"audio_left_hand": 1,
    ...                                                  "video_left_hand": -1}), atol=1e-5)
    ('float32', True)
    """
    weights = {weights: 1.0} if isinstance(weights, str) else dict(weights)
    out = None
    for condition, weight in weights.items():
        values = ds.array(condition, subjects)
        if out is None:
            out = values * np.float32(weight)
        else:
            out += values * np.float32(weight)
    return out


def _describe(part: str | Mapping[str, float]) -> str:
    return part if isinstance(part, str) else " + ".join(sorted(part))


def _finite_t(values: np.ndarray) -> np.ndarray:
    """One-sample t of every voxel; 0 where the values have no spread."""
    t = one_sample_t(values)
    t[~np.isfinite(t)] = 0.0
    return t


def _paired_statistics(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Maps of the paired test of ``a - b`` (rows already matched), and of its usual mistakes."""
    n, n_vox = a.shape
    names = ("t", "mean", "var", "two_sample_t", "t_first", "t_second")
    out = {name: np.empty(n_vox) for name in names}
    for block in voxel_blocks(n_vox):
        x = a[:, block].astype(np.float64)
        y = b[:, block].astype(np.float64)
        d = x - y
        out["t"][block] = _finite_t(d)
        out["mean"][block] = d.mean(axis=0)
        out["var"][block] = d.var(axis=0, ddof=1)
        spread = np.sqrt((x.var(axis=0, ddof=1) + y.var(axis=0, ddof=1)) / n)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["two_sample_t"][block] = np.where(spread > 0, d.mean(axis=0) / spread, 0.0)
        out["t_first"][block] = _finite_t(x)
        out["t_second"][block] = _finite_t(y)
    return out


def paired_tmap_exercise(
    ds: Any,
    plus: str | Mapping[str, float],
    minus: str | Mapping[str, float],
    *,
    name: str | None = None,
    plus_subjects: Sequence[str] | None = None,
    minus_subjects: Sequence[str] | None = None,
    swapped: str = "",
    hint: str = "",
) -> Exercise:
    """Exercise: the group paired t-map of ``plus`` minus ``minus``, subjects matched by ID.

    The expected map is computed here from ``ds``: each subject's ``plus`` map minus the same
    subject's ``minus`` map (rows selected by subject ID), then a one-sample t across subjects
    (``ddof=1``), per voxel.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps, with every condition named.
    plus, minus : str or mapping of str to float
        A condition, or a ``{condition: weight}`` sum of conditions, in the direction asked
        (``plus - minus``).
    name : str, optional
        The exercise's name (default ``"Paired t-map, <plus> minus <minus>"``).
    plus_subjects, minus_subjects : sequence of str, optional
        The subject order of the arrays the student was given for ``plus`` and ``minus``
        (``ds.subjects`` when None). Only used to recognise a subtraction by position when
        the two orders differ; the expected answer never depends on them.
    swapped : str, optional
        What the student swapped when every sign is reversed (default: names both sides).
    hint : str, optional
        What ``q.hint()`` says (default: align the rows, subtract, one-sample test).

    Returns
    -------
    Exercise
        Recognises rows subtracted by position, a two-sample test, the reversed direction
        (also of each mistake), the one-sample map of either side alone, the mean difference,
        half of it (the long-format condition beta), its standard error, the variance or SD
        of the differences, an image, a whole fit or scipy result, and one map per subject.

    Raises
    ------
    ValueError
        For an unknown condition or subject, or ``plus == minus``.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> from course_utils.stats import designs, glm
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6, cache=False,
    ...     conditions=["horizontal_checkerboard", "vertical_checkerboard"])
    >>> shuffled = ds.subjects[::-1]
    >>> q = paired_tmap_exercise(ds, "vertical_checkerboard", "horizontal_checkerboard",
    ...                          plus_subjects=shuffled)
    >>> V = ds.array("vertical_checkerboard", subjects=shuffled)
    >>> Y = ds.array("horizontal_checkerboard")
    >>> def t_of(scores):
    ...     return glm.regress(designs.one_sample(6), scores).t[0]
    >>> print(q.check(t_of(V - Y)).message)
    you subtracted rows that are not the same subject: the two arrays list the subjects in
    different orders. Match them by subject ID first (designs.align_subjects), then subtract.
    >>> iv, ih, _ = designs.align_subjects(shuffled, ds.subjects)
    >>> q.check(t_of(V[iv] - Y[ih])).status
    'correct'
    >>> q.check(-t_of(V[iv] - Y[ih])).message.startswith("every t has the wrong sign")
    True
    >>> q.check("t").status, q.check(...).status
    ('incorrect', 'not attempted')
    """
    if plus == minus:
        raise ValueError("plus and minus must be two different conditions.")
    first, second = _describe(plus), _describe(minus)
    a = condition_sum(ds, plus)  # rows in ds.subjects order: matched by ID
    b = condition_sum(ds, minus)
    n = a.shape[0]
    maps = _paired_statistics(a, b)
    mistakes: list[tuple[Any, str]] = []
    order_a = list(ds.subjects if plus_subjects is None else plus_subjects)
    order_b = list(ds.subjects if minus_subjects is None else minus_subjects)
    if order_a != order_b and len(order_a) == len(order_b):
        index = {s: k for k, s in enumerate(ds.subjects)}
        rows_a, rows_b = [index[s] for s in order_a], [index[s] for s in order_b]
        by_position = _finite_t(a[rows_a] - b[rows_b])
        mistakes.append(
            (
                by_position,
                "you subtracted rows that are not the same subject: the two arrays list the "
                "subjects in different orders. Match them by subject ID first "
                "(designs.align_subjects), then subtract.",
            )
        )
    del a, b
    mistakes += [
        (
            maps["two_sample_t"],
            "that is a two-sample test, which treats the two maps as if they came from "
            "different people. Every subject has both, so the test is paired: test each "
            "subject's difference map with a one-sample t-test.",
        ),
        (
            maps["t_first"],
            f"that is the one-sample map of {first} alone; subtract {second}, subject by subject.",
        ),
        (
            maps["t_second"],
            f"that is the one-sample map of {second} alone; the question asks for "
            f"{first} minus {second}.",
        ),
        (
            maps["mean"],
            "that is the mean difference (the effect), not t: divide it by its standard error.",
        ),
        (
            maps["mean"] / 2,
            "that is half the mean difference (the condition beta of the "
            "long-format design); the question asks for t.",
        ),
        (
            np.sqrt(maps["var"] / n),
            "that is the standard error of the mean difference; t is the mean difference "
            "divided by it.",
        ),
        (maps["var"], "that is the variance of the differences across subjects, not t."),
        (
            np.sqrt(maps["var"]),
            "that is the standard deviation of the differences across subjects, not t.",
        ),
    ]
    expected = maps["t"]
    swap = swapped or (
        f"you computed {second} minus {first}; the question asks for {first} minus {second}"
    )
    close = (
        "your t-map has the right pattern but not the right values: is it the t-map of "
        "each subject's difference, with the two maps of a subject matched by subject ID "
        "(not by position), from every subject?"
    )

    def checker(answer: Any) -> None:
        expect_map(
            answer,
            expected,
            swapped=swap,
            mistakes=mistakes,
            close=close,
            reversed_mistakes=REVERSED,
            n_subjects=n,
        )

    return Exercise(
        name or f"Paired t-map, {first} minus {second}",
        checker,
        hint=hint
        or "Put the two arrays' rows in the same subject order (the aligned indices), "
        "subtract in the direction the question asks, and test the differences against "
        "zero with the one-sample design; take the t row of the fit.",
    )
