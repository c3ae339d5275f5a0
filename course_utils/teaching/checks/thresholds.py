"""Exercises of the multiple-comparisons notebook (thresholds you can defend).

:func:`bonferroni_t_threshold` checks a Bonferroni threshold on ``|t|`` computed by hand for a
one-sample group map. The right value is computed here, from the data (the number of voxels
and of subjects in the maps), never from a variable of the notebook. A wrong answer is
compared with what the typical mistakes give (one tail instead of two, alpha not divided by
the number of voxels, a p threshold instead of a t threshold, z instead of t, the wrong
degrees of freedom, the wrong count of tests, Sidak instead of Bonferroni, a negative
threshold); any other number is told which per-voxel p and which family-wise error rate it
amounts to, and how far it is from the right threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["bonferroni_t_threshold"]

#: Family-wise error rate the exercise asks for (the text of the question says 5 %).
FWE_ALPHA = 0.05
#: Relative tolerance within which an answer matches a threshold.
RTOL = 1e-4


def _one_number(answer: Any) -> float:
    """The answer as one finite float, or :class:`Incorrect` saying why it is not one."""
    try:
        values = np.asarray(answer, dtype=float)
    except Exception:  # noqa: BLE001 - any object a student may give: never raise
        raise Incorrect(
            f"the answer should be one number, the threshold on |t|; got {type(answer).__name__}."
        ) from None
    if values.size != 1:
        raise Incorrect(
            f"the answer should be one number, the threshold on |t|; got an array "
            f"of shape {values.shape}. One threshold serves the whole map."
        )
    value = float(values.ravel()[0])
    if not np.isfinite(value):
        raise Incorrect(f"the answer is {value}; the threshold is a finite number of t units.")
    return value


def _mistakes(alpha: float, m: int, n: int, n_grid: int | None) -> list[tuple[float, str]]:
    """The values that the typical mistakes give, each with its diagnosis."""
    df = n - 1
    right = stats.t.isf(alpha / m / 2, df)
    sidak = -np.expm1(np.log1p(-alpha) / m)  # 1 - (1 - alpha) ** (1 / m), accurately
    found = [
        (
            stats.t.isf(alpha / m, df),
            "the one-sided threshold: it puts all of alpha / m in the upper tail. The test is "
            "two-sided (|t|), so each tail gets alpha / m / 2.",
        ),
        (
            stats.t.isf(alpha / 2, df),
            "the uncorrected threshold: alpha is not divided by the number of voxels, so every "
            "voxel is tested at 0.05 and the map as a whole is almost sure to hold false "
            "positives.",
        ),
        (
            stats.t.isf(alpha, df),
            "the uncorrected one-sided threshold: divide alpha by the number of voxels m, and "
            "split it over both tails.",
        ),
        (
            alpha / m / 2,
            "a p-value threshold, not a threshold on |t|: convert it to t with stats.t.isf and "
            "the map's degrees of freedom.",
        ),
        (
            alpha / m,
            "a p-value threshold (and one-sided): the question asks for the threshold on |t|. "
            "Split alpha / m over both tails and convert it with stats.t.isf.",
        ),
        (
            stats.norm.isf(alpha / m / 2),
            f"a z threshold (the normal distribution): with {n} subjects, t has {df} degrees of "
            "freedom and heavier tails, so its threshold is higher. Use stats.t.isf with df.",
        ),
        (
            stats.norm.isf(alpha / m),
            "a one-sided z threshold: use the t distribution with the map's degrees of freedom, "
            "and split alpha / m over both tails.",
        ),
        (
            stats.t.isf(alpha / m / 2, n),
            f"the threshold with {n} degrees of freedom; a one-sample t-test of {n} subjects has "
            f"n - 1 = {df}.",
        ),
        (
            stats.t.isf(alpha / m / 2, n - 2),
            f"the threshold with {n - 2} degrees of freedom; a one-sample t-test of {n} subjects "
            f"estimates one mean and has n - 1 = {df}.",
        ),
        (
            stats.t.isf(alpha / n / 2, df),
            f"the threshold for alpha divided by the number of subjects ({n}); Bonferroni divides "
            f"it by the number of tests, one per voxel (m = {m}).",
        ),
        (
            stats.t.isf(sidak / 2, df),
            "Sidak's threshold, 1 - (1 - alpha)**(1/m) per voxel: exact for independent voxels "
            "and a hair more lenient. The question asks for Bonferroni, alpha / m.",
        ),
        (
            -right,
            "negative: the threshold on |t| is the upper tail's critical value (stats.t.isf, or "
            "stats.t.ppf(1 - p)), a positive number.",
        ),
    ]
    if n_grid is not None and n_grid != m:
        found.append(
            (
                stats.t.isf(alpha / n_grid / 2, df),
                f"the threshold for alpha divided by every voxel of the image's box "
                f"({n_grid}); only the {m} voxels of the analysis mask are tested (the "
                "columns of the data).",
            )
        )
    return found


def _how_far(value: float, right: float, alpha: float, m: int, df: int) -> str:
    """What an unrecognised threshold amounts to, and how far it is from the right one."""
    if value <= 0:
        return (
            f"{value:.3g} is not a threshold on |t|: it is at most 0, so every voxel "
            f"would pass. The right threshold is positive and well above 1."
        )
    p_voxel = 2 * stats.t.sf(value, df)
    fwe = min(1.0, m * p_voxel)
    verdict = "too lenient" if value < right else "too strict"
    return (
        f"{value:.3f} is {verdict}: |t| > {value:.3f} tests each voxel at two-sided "
        f"p = {p_voxel:.2g}, which over the {m} voxels bounds the family-wise error rate "
        f"by {fwe:.3g} (Bonferroni), not {alpha:g}. It is {abs(value - right):.3f} t units "
        f"{'below' if value < right else 'above'} the right threshold. Which p does each "
        "voxel get, per tail?"
    )


def bonferroni_t_threshold(ds: Any, condition: str, alpha: float = FWE_ALPHA) -> Exercise:
    """Exercise of ``08_multiple_comparisons``: the Bonferroni threshold on ``|t|`` by hand.

    The expected answer is computed here from the data: with ``n`` subjects and ``m`` voxels
    in the maps of ``condition``, the two-sided Bonferroni threshold of a one-sample t-map is
    ``scipy.stats.t.isf(alpha / m / 2, n - 1)``.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps (:func:`course_utils.experiments.data.load_localizer`).
    condition : str
        The condition whose one-sample group map is thresholded.
    alpha : float, default 0.05
        The family-wise error rate the question asks for.

    Returns
    -------
    Exercise
        Its check names the typical mistakes (one-sided, alpha not divided, a p or z
        threshold instead of t, wrong df, the wrong number of tests, Sidak, a negative
        threshold) and otherwise says which error rate the answer controls and how far off it
        is. It never raises on an answer.

    Raises
    ------
    ValueError
        When ``alpha`` is not between 0 and 1 or the maps have fewer than 2 subjects.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6,
    ...                               conditions=["horizontal_checkerboard"], cache=False)
    >>> q = bonferroni_t_threshold(ds, "horizontal_checkerboard")
    >>> m = ds.array("horizontal_checkerboard").shape[1]
    >>> q.check(stats.t.isf(0.05 / m / 2, 5)).status
    'correct'
    >>> print(q.check(stats.t.isf(0.05 / m, 5)).message)  # doctest: +NORMALIZE_WHITESPACE
    26.31 is the one-sided threshold: it puts all of alpha / m in the upper tail. The test is
    two-sided (|t|), so each tail gets alpha / m / 2.
    >>> q.check("six").status
    'incorrect'
    """
    if not (isinstance(alpha, int | float | np.floating) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}.")
    n, m = ds.array(condition).shape
    if n < 2:
        raise ValueError(f"The maps of {condition!r} have {n} subject(s); a t-test needs 2.")
    df = n - 1
    right = float(stats.t.isf(alpha / m / 2, df))
    shape = getattr(getattr(ds, "mask_img", None), "shape", None)
    n_grid = int(np.prod(shape)) if shape is not None else None
    mistakes = _mistakes(alpha, m, n, n_grid)

    def checker(answer: Any) -> None:
        value = _one_number(answer)
        if np.isclose(value, right, rtol=RTOL):
            return
        for wrong, why in mistakes:
            if np.isclose(value, wrong, rtol=RTOL):
                raise Incorrect(f"{value:.4g} is {why}")
        raise Incorrect(_how_far(value, right, alpha, m, df))

    return Exercise(
        f"Bonferroni threshold on |t| ({condition})",
        checker,
        hint="Bonferroni tests each of the m voxels at alpha / m. A two-sided test puts half "
        "of that in each tail. stats.t.isf(p, df) gives the t above which the upper "
        "tail holds probability p; the map has n - 1 degrees of freedom.",
    )
