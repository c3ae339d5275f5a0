"""Checks of the subject-maps-to-group-map notebook: a paired t-map, and a subject dropped.

- :func:`paired_tmap_exercise`: the group paired t-map, subjects matched by ID; it serves the
  exercises notebook (sums of conditions) too;
- :func:`drop_subject_exercise`: how many voxels change status (significant or not) when the
  group test is redone without the subject whose spread stands out most.

The expected answer is always computed here, from the data (a
``course_utils.experiments.data.LocalizerData``), never taken from a variable of the notebook
that a student can edit. The checkers name the typical mistakes: rows subtracted or dropped
by position instead of by subject ID, a two-sample test instead of a paired one, the reversed
direction, the threshold of the full group kept after dropping a subject (its degrees of
freedom not recomputed), only one direction of change counted. Checking never raises,
whatever the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats

from course_utils._utils import one_sample_t, voxel_blocks
from course_utils.experiments import qc
from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    expect_map,
    judge_number,
    read_number,
)

__all__ = ["condition_sum", "drop_subject_exercise", "paired_tmap_exercise"]

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


def _subject_to_drop(values: np.ndarray, subjects: Sequence[str]) -> str:
    """The subject whose spread over the mask has the largest robust z."""
    return str(qc.subject_summary(values, subjects)["spread_z"].idxmax())


def _drop_counts(values: np.ndarray, row: int, p_threshold: float) -> dict[str, int]:
    """Voxels that change status at two-sided ``p_threshold`` when row ``row`` is left out.

    ``"changed"`` is the answer (each fit at its own df); the other keys are the counts that
    the usual slips give.
    """
    n = values.shape[0]
    keep = np.arange(n) != row
    t_all, t_without = _finite_t(values), _finite_t(values[keep])
    threshold_all = stats.t.isf(p_threshold / 2, n - 1)
    threshold_without = stats.t.isf(p_threshold / 2, n - 2)
    before = np.abs(t_all) > threshold_all
    after = np.abs(t_without) > threshold_without
    one_sided = np.abs(t_without) > stats.t.isf(p_threshold, n - 2)
    positive = (t_without > threshold_without) != (t_all > threshold_all)
    return {
        "changed": int((after != before).sum()),
        "old_threshold": int(((np.abs(t_without) > threshold_all) != before).sum()),
        "gained": int((after & ~before).sum()),
        "lost": int((before & ~after).sum()),
        "net": int(after.sum()) - int(before.sum()),
        "after": int(after.sum()),
        "before": int(before.sum()),
        "one_sided": int((one_sided != before).sum()),
        "positive": int(positive.sum()),
    }


def drop_subject_exercise(
    ds: Any, condition: str, *, p_threshold: float = 0.001, name: str | None = None
) -> Exercise:
    """Exercise: how many voxels change status when the most unusual subject is left out.

    The subject is the one whose map has the largest robust z of its spread over the mask
    (:func:`course_utils.experiments.qc.subject_summary`), found here from the data. The
    answer is the number of voxels whose decision at two-sided ``p < p_threshold``
    (uncorrected) differs between the one-sample t-test of all ``n`` subjects (``n - 1`` df)
    and that of the ``n - 1`` others (``n - 2`` df): voxels gained plus voxels lost.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps, with ``condition`` and at least 4 subjects.
    condition : str
        The condition whose group map is tested.
    p_threshold : float, default 0.001
        The uncorrected two-sided threshold of both tests.
    name : str, optional
        The exercise's name (default ``"Without <subject>: voxels that change status"``).

    Returns
    -------
    Exercise
        Takes one whole number; names the threshold of ``n`` subjects kept for ``n - 1`` (df
        not recomputed), only the voxels gained or only those lost, the net change, the count
        of detections before or after, a one-sided threshold, positive t only, another
        subject dropped (a neighbouring row or the first: a position, not the ID), a map
        given instead of a count, and a count that is not a whole number.

    Raises
    ------
    ValueError
        For an unknown condition, fewer than 4 subjects or ``p_threshold`` outside (0, 1).

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> from scipy import stats
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=8, cache=False,
    ...                               conditions=["horizontal_checkerboard"])
    >>> q = drop_subject_exercise(ds, "horizontal_checkerboard", p_threshold=0.01)
    >>> Y = ds.array("horizontal_checkerboard")
    >>> keep = np.array(ds.subjects) != ds.truth.outlier
    >>> before = np.abs(stats.ttest_1samp(Y, 0).statistic) > stats.t.isf(0.005, 7)
    >>> t_after = stats.ttest_1samp(Y[keep], 0).statistic
    >>> q.check(int(((np.abs(t_after) > stats.t.isf(0.005, 6)) != before).sum())).status
    'correct'
    >>> print(q.check(int(((np.abs(t_after) > stats.t.isf(0.005, 7)) != before).sum())).message)
    you kept the threshold of all 8 subjects. Without one subject the test has 6 degrees of
    freedom, not 7, and its threshold is a little higher: compute it again from the new fit.
    """
    if not 0 < p_threshold < 1:
        raise ValueError(f"p_threshold must be between 0 and 1; got {p_threshold!r}.")
    values = ds.array(condition)  # rows in ds.subjects order
    subjects = [str(s) for s in ds.subjects]
    n = len(subjects)
    if n < 4:
        raise ValueError(f"Leaving a subject out needs at least 4 subjects; got {n}.")
    drop = _subject_to_drop(values, subjects)
    row = subjects.index(drop)
    counts = _drop_counts(values, row, p_threshold)
    by_position = {
        other: _drop_counts(values, other, p_threshold)["changed"]
        for other in (row - 1, row + 1, 0)
        if 0 <= other < n and other != row
    }
    del values
    mistakes = [
        (
            counts["old_threshold"],
            f"you kept the threshold of all {n} subjects. Without one subject the test has "
            f"{n - 2} degrees of freedom, not {n - 1}, and its threshold is a little higher: "
            "compute it again from the new fit.",
        ),
        (
            counts["gained"],
            "that counts only the voxels that became significant without the subject; "
            "others lost their significance: count both directions.",
        ),
        (
            counts["lost"],
            "that counts only the voxels that lost their significance; others became "
            "significant: count both directions.",
        ),
        (
            counts["net"],
            "that is the change in the number of detections (after minus before): voxels "
            "gained and voxels lost cancel in it. Count every voxel whose decision differs.",
        ),
        (
            counts["after"],
            f"that is how many voxels pass without {drop}; the question asks how many "
            "change status compared with the test of everyone.",
        ),
        (
            counts["before"],
            "that is how many voxels pass with every subject (the map above); now leave "
            f"{drop} out and compare.",
        ),
        (
            counts["one_sided"],
            "your threshold after dropping is one-sided (t.isf(p, df)); the test of "
            "everyone used a two-sided one (t.isf(p / 2, df)): use the same kind for both.",
        ),
        (
            counts["positive"],
            "that compares positive t only; a voxel can pass with a negative t too: "
            "compare |t| with the threshold.",
        ),
    ]
    mistakes += [
        (
            changed,
            f"that is what leaving out {subjects[other]} (row {other}) gives, not {drop} "
            f"(row {row}): select the rows by subject ID (e.g. np.array(ds.subjects) != "
            "the ID), not by a position read from the ID's number or a sorted table.",
        )
        for other, changed in by_position.items()
    ]
    n_voxels = ds.n_voxels

    def checker(answer: Any) -> None:
        if np.ndim(answer) == 1 and np.size(answer) == n_voxels:
            raise Incorrect(
                "you gave a map (one value per voxel); give how many voxels change status, "
                "a whole number (e.g. the .sum() of a boolean map)."
            )
        value = read_number(answer, "the number of voxels that change status")
        if value != round(value):
            raise Incorrect(f"{value} is not a whole number: count voxels.")
        judge_number(
            value,
            counts["changed"],
            mistakes,
            lambda direction: (
                f"{value:.0f} voxels is {direction}: compare |t| with each "
                "fit's own threshold, voxel by voxel, and count the voxels where the two "
                "decisions differ."
            ),
            rtol=0.0,
            atol=0.5,
        )

    return Exercise(
        name or f"Without {drop}: voxels that change status",
        checker,
        hint=f"Keep the rows whose subject ID is not {drop!r}, fit the one-sample test "
        "again, and compute its threshold from its own degrees of freedom. Compare the "
        "decisions |t| > threshold before and after, voxel by voxel (!=), and count.",
    )
