"""Checks of the covariates-and-effect-sizes notebook: an effect size that selection did not
inflate (the peak found in one half of the subjects, its d estimated in the other)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from course_utils._utils import one_sample_t
from course_utils.stats.effect_sizes import cohens_d_interval
from course_utils.teaching.checks.core import Exercise, Incorrect, format_number, judge_number

__all__ = ["split_half_d_exercise"]


def _peak(values: np.ndarray) -> int:
    """The voxel of largest one-sample t (a voxel without spread has no t)."""
    t = one_sample_t(values)
    return int(np.argmax(np.where(np.isfinite(t), t, -np.inf)))


def _d(values: np.ndarray, ddof: int = 1) -> float:
    """Cohen's d of one voxel's values: mean over standard deviation."""
    return float(values.mean() / values.std(ddof=ddof))


def _split_half_d(select: np.ndarray, estimate: np.ndarray) -> float:
    """d in ``estimate`` (subjects x voxels) at the voxel of largest t in ``select``."""
    return _d(estimate[:, _peak(select)])


def _read_answer(answer: Any) -> tuple[float, float | None, float | None]:
    """``(d, low, high)`` from the answer; a lone number is d without its interval."""
    if isinstance(answer, bool | str | bytes):
        raise Incorrect(f"give numbers, (d, low, high); got {type(answer).__name__}.")
    try:
        values = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Incorrect(f"give numbers, (d, low, high); got {type(answer).__name__}.") from None
    if values.size not in (1, 3):
        raise Incorrect(
            f"give three numbers, (d, low, high): d and its 95% interval; got {values.size}."
        )
    if not np.isfinite(values).all():
        raise Incorrect("one of your numbers is not finite (NaN or infinity).")
    if values.size == 1:
        return float(values[0]), None, None
    return float(values[0]), float(values[1]), float(values[2])


def split_half_d_exercise(
    ds: Any,
    condition: str,
    selection_subjects: Sequence[str],
    *,
    subjects: Sequence[str] | None = None,
    level: float = 0.95,
) -> Exercise:
    """Exercise: Cohen's d at a peak chosen in one half of the subjects, estimated in the other.

    The expected answer is computed here from the data, by subject ID: the voxel of largest
    one-sample t among ``selection_subjects`` (half A); Cohen's d there (``mean / sd``,
    ``ddof=1``) among the other subjects (half B); and its exact interval
    (:func:`course_utils.stats.effect_sizes.cohens_d_interval` with half B's size).

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps.
    condition : str
        The condition whose one-sample maps are asked about.
    selection_subjects : sequence of str
        The subject IDs of half A (the ones that choose the voxel); every other subject of
        ``subjects`` is half B.
    subjects : sequence of str, optional
        The subjects of the analysis (e.g. after exclusions); default all of ``ds``.
    level : float, default 0.95
        Level of the interval.

    Returns
    -------
    Exercise
        The answer is ``(d, low, high)``. Names: d of the half that chose the voxel (selected
        and estimated on the same subjects), d of all subjects there, the peak of all
        subjects, halves swapped, halves taken by position instead of ID, t instead of d, d
        with the wrong n, ``ddof=0``, a flipped sign; an interval from the normal
        approximation, from the t interval of the mean, or with the wrong n.

    Raises
    ------
    ValueError
        A subject not in the analysis, or a half with fewer than 3 subjects.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=8, conditions=["audio_left_hand"],
    ...                               cache=False)
    >>> q = split_half_d_exercise(ds, "audio_left_hand", ["S01", "S03", "S06", "S08"])
    >>> a, b = ds.array("audio_left_hand", ["S01", "S03", "S06", "S08"]), ds.array(
    ...     "audio_left_hand", ["S02", "S04", "S05", "S07"])
    >>> t_a = a.mean(0) / a.std(0, ddof=1)
    >>> peak = int(np.argmax(t_a))
    >>> print(q.check(t_a[peak]).message)
    that is d in half A, the half that chose the voxel: selected and estimated on the same
    subjects, it is inflated (the winner's curse). Estimate d from half B at that voxel.
    >>> d = b[:, peak].mean() / b[:, peak].std(ddof=1)
    >>> q.check((d, *cohens_d_interval(d, 4))).status
    'correct'
    """
    subjects = [str(s) for s in (ds.subjects if subjects is None else subjects)]
    half_a = [str(s) for s in selection_subjects]
    unknown = sorted(set(half_a + subjects) - {str(s) for s in ds.subjects})
    unknown += sorted(set(half_a) - set(subjects))
    if unknown:
        raise ValueError(
            f"Not subjects of the analysis: {unknown[:5]}; use IDs from its subject list."
        )
    half_b = [s for s in subjects if s not in set(half_a)]
    if min(len(set(half_a)), len(half_b)) < 3:
        raise ValueError("Each half needs at least 3 subjects.")
    everyone = ds.array(condition, subjects=subjects).astype(np.float64)
    rows = {s: i for i, s in enumerate(subjects)}
    a = everyone[[rows[s] for s in half_a]]
    b = everyone[[rows[s] for s in half_b]]
    n, n_b = len(subjects), len(half_b)
    peak_a, peak_all = _peak(a), _peak(everyone)
    expected = _split_half_d(a, b)
    t_b = expected * np.sqrt(n_b)
    first, rest = everyone[: len(half_a)], everyone[len(half_a) :]
    mistakes = [
        (
            _d(a[:, peak_a]),
            "that is d in half A, the half that chose the voxel: selected and estimated on "
            "the same subjects, it is inflated (the winner's curse). Estimate d from half B "
            "at that voxel.",
        ),
        (
            _d(everyone[:, peak_a]),
            "that is d of all subjects at the voxel, half A included: half A chose the "
            "voxel, so only half B gives an estimate that selection did not inflate.",
        ),
        (
            _d(b[:, peak_all]),
            "you chose the voxel on all subjects, half B included: choose it on half A only.",
        ),
        (_d(a[:, _peak(b)]), "the halves are swapped: choose the voxel in half A, estimate in B."),
        (
            _split_half_d(first, rest),
            "you split the rows by position; split by subject ID: half A is the subjects "
            "listed in the selection, half B all the others.",
        ),
        (t_b, "that is t in half B; Cohen's d divides it by the square root of half B's size."),
        (t_b / np.sqrt(n), f"d = t / sqrt(n) with n = {n_b} (half B), not all {n} subjects."),
        (
            _d(b[:, peak_a], ddof=0),
            "close: you used the population standard deviation (ddof=0); use ddof=1.",
        ),
        (-expected, "the sign is flipped: the peak is a positive effect."),
    ]
    low, high = cohens_d_interval(expected, n_b, level=level)
    z = stats.norm.isf((1 - level) / 2)
    normal = z * np.sqrt(1 / n_b + expected**2 / (2 * n_b))
    of_mean = stats.t.isf((1 - level) / 2, n_b - 1) / np.sqrt(n_b)
    interval_mistakes = [
        (
            (expected - normal, expected + normal),
            "that is the normal approximation of the interval; invert the noncentral t "
            "instead (cohens_d_interval), which is exact and not symmetric.",
        ),
        (
            (expected - of_mean, expected + of_mean),
            "that is the t interval of the mean divided by the standard deviation: it treats "
            "the SD as known. Invert the noncentral t (cohens_d_interval).",
        ),
        (
            cohens_d_interval(expected, n, level=level),
            f"that interval is for {n} subjects; d was estimated from half B's {n_b}.",
        ),
    ]

    def checker(answer: Any) -> None:
        d, got_low, got_high = _read_answer(answer)
        judge_number(
            d,
            expected,
            mistakes,
            lambda direction: (
                f"d = {format_number(d, 3)} is {direction}: is the voxel chosen in half A "
                "(largest t), and d = mean / sd taken from half B there?"
            ),
            rtol=1e-4,
        )
        if got_low is None:
            raise Incorrect(
                "d is right; now give it with its 95% interval: (d, low, high), from "
                "cohens_d_interval."
            )
        if np.allclose((got_low, got_high), (low, high), rtol=1e-3, atol=1e-4):
            return
        for wrong, message in interval_mistakes:
            if np.allclose((got_low, got_high), wrong, rtol=1e-3, atol=1e-4):
                raise Incorrect(message)
        raise Incorrect(
            f"d is right, the interval ({format_number(got_low, 3)}, "
            f"{format_number(got_high, 3)}) is not: use cohens_d_interval with half B's "
            "number of subjects."
        )

    return Exercise(
        f"Effect size at a peak, estimated independently ({condition})",
        checker,
        hint="Choose the voxel with one half's t-map only; then take the other half's values "
        "at that voxel. How many subjects does the estimate rest on?",
    )
