"""Checks of the covariates-and-effect-sizes notebook: an effect size at the peak of a map."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils._utils import one_sample_t
from course_utils.teaching.checks.core import Exercise, format_number, judge_number, read_number

__all__ = ["peak_cohens_d_exercise"]


def peak_cohens_d_exercise(ds: Any, condition: str) -> Exercise:
    """Exercise of the covariates notebook: Cohen's d at the peak of a one-sample map.

    The expected answer is computed here from the data (the one-sample t-map of ``condition``),
    never from a variable of the notebook: Cohen's d of the voxel with the largest t,
    ``mean / sd`` (``ddof=1``), which is ``t / sqrt(n)``.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps.
    condition : str
        The condition whose one-sample map is asked about.

    Returns
    -------
    Exercise
        Recognises the t value itself, ``t / n``, the unstandardised mean, the population SD
        (``ddof=0``) and a sign error; otherwise says how far off and in which direction.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6, conditions=["audio_left_hand"],
    ...                               cache=False)
    >>> q = peak_cohens_d_exercise(ds, "audio_left_hand")
    >>> y = ds.array("audio_left_hand").astype(float)
    >>> t = y.mean(0) / (y.std(0, ddof=1) / np.sqrt(6))
    >>> print(q.check(t.max()).message)
    that is the t value at the peak; Cohen's d does not grow with the number of subjects:
    divide t by the square root of n.
    >>> q.check(t.max() / np.sqrt(6)).status
    'correct'
    """
    values = ds.array(condition).astype(np.float64)
    n = values.shape[0]
    mean = values.mean(axis=0)
    t = one_sample_t(values)
    t[~np.isfinite(t)] = 0.0  # a voxel without spread across subjects has no t
    peak = int(np.argmax(t))
    expected = t[peak] / np.sqrt(n)
    mistakes = [
        (
            t[peak],
            "that is the t value at the peak; Cohen's d does not grow with the number of "
            "subjects: divide t by the square root of n.",
        ),
        (t[peak] / n, "you divided t by n; Cohen's d is t divided by the square root of n."),
        (
            mean[peak],
            "that is the mean beta at the peak, in the maps' units; Cohen's d divides it "
            "by the standard deviation across subjects.",
        ),
        (
            mean[peak] / values[:, peak].std(ddof=0),
            "close: you used the population standard deviation (ddof=0); use ddof=1, as t does.",
        ),
        (-expected, "the sign is flipped: the peak of the map is a positive effect."),
    ]

    def checker(answer: Any) -> None:
        value = read_number(answer, "Cohen's d at the peak")
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{format_number(value, 3)} is {direction}; is it taken at the voxel with the "
                "largest t, and standardised by the spread across subjects?"
            ),
            rtol=1e-4,
        )

    return Exercise(
        f"Effect size at the peak of {condition}",
        checker,
        hint="Cohen's d of a one-sample test is t / sqrt(n); the peak is the voxel "
        "with the largest t.",
    )
