"""Thresholds for many tests: Bonferroni, Benjamini-Hochberg FDR, t to z, and the interval of a
measured rate.

- :func:`bonferroni_threshold`, :func:`fdr_threshold` (Benjamini-Hochberg) and :func:`t_to_z`;
- :func:`binomial_interval`: the Clopper-Pearson interval of a measured error rate or power.

The permutation tests live in :mod:`course_utils.stats.inference`; the false-positive-rate
experiment that compares these thresholds with them in :mod:`course_utils.stats.error_rates`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import special, stats

from course_utils._utils import check_alpha

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["binomial_interval", "bonferroni_threshold", "fdr_threshold", "t_to_z"]


def t_to_z(t: npt.ArrayLike, df: float) -> np.ndarray | float:
    """Convert t statistics to z scores with the same tail probability, stable far in the tails.

    ``z = sign(t) * Phi^-1(1 - P(T_df > |t|))``, computed from the log tail probability
    (``scipy.stats.t.logsf`` and ``scipy.special.ndtri_exp``), so t values whose p underflows
    to 0 in double precision still give finite z.

    Parameters
    ----------
    t : float or array-like
        t statistics.
    df : float
        Degrees of freedom (> 0).

    Returns
    -------
    float or numpy.ndarray
        z scores, same shape as ``t``; NaN stays NaN.

    Raises
    ------
    ValueError
        When ``df`` is not positive.

    See Also
    --------
    scipy.stats.t.logsf, scipy.special.ndtri_exp

    Examples
    --------
    >>> float(np.round(t_to_z(2.0, 10), 4))
    1.7904
    >>> float(t_to_z(40.0, 20)) > 8          # no overflow to inf where p underflows
    True
    """
    if not np.isfinite(df) or df <= 0:
        raise ValueError(f"df must be a positive number of degrees of freedom; got {df!r}.")
    values = np.asarray(t, dtype=np.float64)
    z = np.sign(values) * -special.ndtri_exp(stats.t.logsf(np.abs(values), df))
    return float(z) if z.ndim == 0 else z


def bonferroni_threshold(
    alpha: float, n_tests: int, df: float | None = None, two_sided: bool = True
) -> float:
    """The |t| (or |z| when ``df`` is None) that controls the FWE at ``alpha`` by Bonferroni.

    Each of the ``n_tests`` voxels is tested at ``alpha / n_tests`` (split over both tails when
    two-sided).

    Parameters
    ----------
    alpha : float
        Family-wise error rate, between 0 and 1.
    n_tests : int
        Number of voxels tested (the voxels in the analysis mask).
    df : float, optional
        Degrees of freedom of a t map; None gives a z threshold.
    two_sided : bool, default True
        Threshold ``|t|`` (True) or ``t`` (False).

    Returns
    -------
    float
        The threshold; a voxel is significant when its statistic exceeds it.

    Raises
    ------
    ValueError
        When ``alpha`` is not in (0, 1) or ``n_tests < 1``.

    See Also
    --------
    course_utils.stats.inference.fwe_threshold : the permutation (max-T) threshold, less
        conservative for correlated voxels.

    Examples
    --------
    >>> round(bonferroni_threshold(0.05, 1000), 3)
    4.056
    """
    check_alpha(alpha)
    if n_tests < 1:
        raise ValueError(f"n_tests must be at least 1; got {n_tests}.")
    tail = alpha / n_tests / (2 if two_sided else 1)
    return float(stats.norm.isf(tail) if df is None else stats.t.isf(tail, df))


def fdr_threshold(p_values: npt.ArrayLike, alpha: float = 0.05) -> float:
    """Benjamini-Hochberg: the largest p-value declared significant (0.0 when none is).

    Sort the ``m`` p-values; the largest ``p_(i) <= alpha * i / m`` and all smaller ones are
    significant. This controls the expected proportion of false discoveries among the detected
    voxels at ``alpha`` (for independent or positively dependent tests).

    Parameters
    ----------
    p_values : array-like
        Uncorrected p-values of all tested voxels (any shape).
    alpha : float, default 0.05
        False discovery rate.

    Returns
    -------
    float
        A voxel is significant when its p is at most the returned value.

    Raises
    ------
    ValueError
        Empty input, NaN, p outside [0, 1], or ``alpha`` not in (0, 1).

    See Also
    --------
    scipy.stats.false_discovery_control : BH-adjusted p-values (same decisions).

    Examples
    --------
    >>> fdr_threshold([0.001, 0.01, 0.03, 0.5], alpha=0.05)
    0.03
    """
    check_alpha(alpha)
    p = np.sort(np.asarray(p_values, dtype=np.float64).ravel())
    if p.size == 0 or np.isnan(p).any() or p[0] < 0 or p[-1] > 1:
        raise ValueError("fdr_threshold needs a non-empty array of p-values in [0, 1] without NaN.")
    below = p <= alpha * np.arange(1, p.size + 1) / p.size
    return float(p[np.flatnonzero(below).max()]) if below.any() else 0.0


def binomial_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a proportion ``k / n``, e.g. a measured error rate.

    Parameters
    ----------
    k : int
        Number of "successes" (e.g. null studies with a false positive).
    n : int
        Number of trials (studies simulated).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    (float, float)
        Lower and upper bound.

    Raises
    ------
    ValueError
        When not ``0 <= k <= n``, ``n < 1`` or ``level`` not in (0, 1).

    See Also
    --------
    scipy.stats.binomtest

    Examples
    --------
    >>> low, high = binomial_interval(5, 100)
    >>> round(low, 4), round(high, 4)
    (0.0164, 0.1128)
    """
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"Need 0 <= k <= n and n >= 1; got k={k}, n={n}.")
    check_alpha(level, name="level")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)
