"""Checks of the subject-maps-to-group-map notebook: a subject dropped, and what pairing gains.

- :func:`drop_subject_exercise`: how many voxels change status (significant or not) when the
  group test is redone without the subject whose spread stands out most;
- :func:`pairing_gain_exercise`: how many people per group a two-group study would need to
  match the paired test's standard error, at the median correlation of a subject's two maps.

The expected answer is always computed here, from the data (a
``course_utils.experiments.data.LocalizerData``), never taken from a variable of the notebook
that a student can edit. The checkers name the typical mistakes: rows subtracted or dropped
by position instead of by subject ID, a two-sample test instead of a paired one, the reversed
direction, the threshold of the full group kept after dropping a subject (its degrees of
freedom not recomputed), only one direction of change counted. Checking never raises,
whatever the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from course_utils._utils import one_sample_t, voxel_blocks
from course_utils.experiments import qc
from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    judge_number,
    read_number,
)

__all__ = ["drop_subject_exercise", "pairing_gain_exercise"]


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
    # A voxel without spread has t nan, which never passes a threshold.
    t_all, t_without = one_sample_t(values), one_sample_t(values[keep])
    threshold_all = stats.t.isf(p_threshold / 2, n - 1)
    threshold_without = stats.t.isf(p_threshold / 2, n - 2)
    before = np.abs(t_all) > threshold_all
    after = np.abs(t_without) > threshold_without
    one_sided = np.abs(t_without) > stats.t.isf(p_threshold, n - 2)
    one_sided_before = np.abs(t_all) > stats.t.isf(p_threshold, n - 1)
    positive = (t_without > threshold_without) != (t_all > threshold_all)
    positive_one_sided = (t_without > stats.t.isf(p_threshold, n - 2)) != (
        t_all > stats.t.isf(p_threshold, n - 1)
    )
    return {
        "changed": int((after != before).sum()),
        "old_threshold": int(((np.abs(t_without) > threshold_all) != before).sum()),
        "gained": int((after & ~before).sum()),
        "lost": int((before & ~after).sum()),
        "net": int(after.sum()) - int(before.sum()),
        "after": int(after.sum()),
        "before": int(before.sum()),
        "one_sided": int((one_sided != before).sum()),
        "one_sided_both": int((one_sided != one_sided_before).sum()),
        "positive": int(positive.sum()),
        "positive_one_sided": int(positive_one_sided.sum()),
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
        of detections before or after, a one-sided threshold (after dropping, or in both
        fits), positive t only (two- or one-sided), another
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
            counts["one_sided_both"],
            "both of your thresholds are one-sided (t.isf(p, df)): the question asks for "
            "two-sided p < p_threshold, i.e. |t| > t.isf(p / 2, df) in each fit. A "
            "one-sided threshold is lower and lets more voxels pass.",
        ),
        (
            counts["positive"],
            "that compares positive t only; a voxel can pass with a negative t too: "
            "compare |t| with the threshold.",
        ),
        (
            counts["positive_one_sided"],
            "that is a one-sided test of positive t in both fits (t > t.isf(p, df)); the "
            "question asks for two-sided p: compare |t| with t.isf(p / 2, df).",
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


def _median_correlation(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Median over voxels of the correlation across subjects, and its usual slips."""
    n_vox = a.shape[1]
    r = np.empty(n_vox)
    for block in voxel_blocks(n_vox):
        x = a[:, block].astype(np.float64)
        y = b[:, block].astype(np.float64)
        x -= x.mean(axis=0)
        y -= y.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r[block] = (x * y).sum(axis=0) / np.sqrt((x * x).sum(axis=0) * (y * y).sum(axis=0))
    pooled = float(np.corrcoef(a.ravel().astype(np.float64), b.ravel().astype(np.float64))[0, 1])
    return {"median": float(np.nanmedian(r)), "mean": float(np.nanmean(r)), "pooled": pooled}


def pairing_gain_exercise(ds: Any, first: str, second: str, *, name: str | None = None) -> Exercise:
    """Exercise: people per group a two-group study needs to match the paired test.

    With equal variances ``s**2`` and a correlation ``r`` across subjects between a voxel's
    two maps, the paired mean difference of ``n`` subjects has variance
    ``2 * s**2 * (1 - r) / n``; two separate groups of ``m`` people have ``2 * s**2 / m``.
    They are equal for ``m = n / (1 - r)``. The answer uses the median ``r`` over the voxels
    of the mask, computed here from the data (rows matched by subject ID).

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps, with both conditions.
    first, second : str
        The two conditions (the order does not change the answer).
    name : str, optional
        The exercise's name.

    Returns
    -------
    Exercise
        Takes one number (people per group; rounded up is right too); names the ratio of
        the t (or of the standard errors) used instead of that of the variances, the total
        over both groups, the ratio upside down, ``1 + r`` for ``1 - r``, ``n`` itself (no
        gain), a correlation pooled over voxels instead of across subjects, and the mean r
        for the median (each only when it lands more than 3 % from the answer).

    Raises
    ------
    ValueError
        For an unknown condition, ``first == second`` or fewer than 3 subjects.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=8, cache=False,
    ...     conditions=["horizontal_checkerboard", "vertical_checkerboard"])
    >>> q = pairing_gain_exercise(ds, "horizontal_checkerboard", "vertical_checkerboard")
    >>> H = ds.array("horizontal_checkerboard").astype(float)
    >>> V = ds.array("vertical_checkerboard").astype(float)
    >>> r = [np.corrcoef(H[:, k], V[:, k])[0, 1] for k in range(H.shape[1])]
    >>> q.check(8 / (1 - np.median(r))).status
    'correct'
    >>> print(q.check(8 / np.sqrt(1 - np.median(r))).message)
    that is n / sqrt(1 - r), the ratio of the standard errors (and of the t). The number of
    people scales the variance, not the standard error: solve 2 s^2 / m = 2 s^2 (1 - r) / n.
    """
    if first == second:
        raise ValueError("first and second must be two different conditions.")
    a, b = ds.array(first), ds.array(second)  # rows in ds.subjects order: matched by ID
    n = a.shape[0]
    if n < 3:
        raise ValueError(f"A correlation across subjects needs at least 3 subjects; got {n}.")
    r = _median_correlation(a, b)
    del a, b
    rho = r["median"]
    expected = n / (1 - rho)
    mistakes = [
        (
            n / np.sqrt(1 - rho),
            "that is n / sqrt(1 - r), the ratio of the standard errors (and of the t). The "
            "number of people scales the variance, not the standard error: solve "
            "2 s^2 / m = 2 s^2 (1 - r) / n.",
        ),
        (
            2 * n / (1 - rho),
            "that is both groups together; the question asks for the people in each group.",
        ),
        (
            n * (1 - rho),
            "the ratio is upside down: a positive correlation makes the paired test need "
            "fewer people, so the two-group study needs more than n per group.",
        ),
        (
            n / (1 + rho),
            "the variance of a difference is s^2 + s^2 - 2 r s^2: 1 - r, not 1 + r.",
        ),
        (
            float(n),
            f"that is n = {n}: it ignores the correlation, which is what pairing gains from.",
        ),
        (
            n / (1 - r["pooled"]),
            "your correlation pools all voxels together; take each voxel's correlation "
            "across subjects (the r of the figure above), then its median.",
        ),
    ]

    mistakes.append(
        (
            n / (1 - r["mean"]),
            "that uses the mean correlation over the voxels; the question asks for the "
            "median (a few voxels of extreme r pull the mean).",
        )
    )
    # a slip that lands within 3 % of the answer is not told apart from rounding
    mistakes = [(v, m) for v, m in mistakes if abs(v - expected) > 0.03 * expected]

    def checker(answer: Any) -> None:
        value = read_number(answer, "the number of people per group")
        if np.isclose(value, np.ceil(expected), rtol=0, atol=1e-9):
            return  # rounded up to whole people
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{value:.1f} people per group is {direction}: write the variance of the "
                "mean difference for both designs, set them equal, solve for m, with the "
                "median r over the voxels."
            ),
            rtol=0.01,
        )

    return Exercise(
        name or "Two groups or one paired group: people per group",
        checker,
        hint="Paired: var(mean difference) = (s^2 + s^2 - 2 r s^2) / n. Two separate groups "
        "of m people: s^2 / m + s^2 / m. Set them equal and solve for m; take r as the "
        "median over the voxels of each voxel's correlation across subjects (np.median(r)).",
    )
