"""Effect sizes: Cohen's d of a fitted contrast, and its confidence interval.

A t statistic grows with the number of subjects; an effect size does not. :func:`cohens_d`
divides a contrast's effect by the residual standard deviation of a :func:`~course_utils.stats.
glm.regress` fit (the mean over the standard deviation across subjects, for a one-sample
design). :func:`cohens_d_interval` gives its exact confidence interval by inverting the
noncentral t distribution (Steiger & Fouladi 1997; Kelley 2007, the method of R's MBESS
``ci.sm``/``ci.smd`` and of ``effectsize::cohens_d``): ``t = d * sqrt(n)`` has a noncentral t
distribution whose noncentrality is the population ``delta * sqrt(n)``, so the interval of the
noncentrality, divided by ``sqrt(n)``, is the interval of ``delta``. :func:`subsample_effects`
shows the difference between the two on data: t and d of random subsets of a sample's subjects,
for several numbers of subjects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from course_utils._utils import as_generator, check_count
from course_utils.stats import glm

__all__ = ["cohens_d", "cohens_d_interval", "subsample_effects"]


def cohens_d(result: glm.RegressionResult, c=None) -> np.ndarray | float:
    """Standardised effect size: a contrast's effect divided by the residual standard deviation.

    Unlike t, ``d`` does not grow with the number of subjects. One-sample design: ``d = mean /
    sd = t / sqrt(n)``; two groups with the contrast of their difference: ``(m1 - m2) / pooled
    sd``; paired data: the one-sample design on the differences gives Cohen's ``d_z`` (the
    long-format paired design would standardise by a different residual).

    Parameters
    ----------
    result : RegressionResult
        A fit from :func:`course_utils.stats.glm.regress`.
    c : array-like or dict, optional
        The contrast (as in :func:`course_utils.stats.glm.contrast`); defaults to the first
        column (the mean in a one-sample design).

    Returns
    -------
    float or numpy.ndarray
        One value per voxel.

    Raises
    ------
    ValueError
        A matrix of contrasts (d is defined for one contrast vector).

    Examples
    --------
    >>> from course_utils.stats import glm
    >>> y = np.array([1.0, 2.0, 3.0, 4.0])
    >>> fit = glm.regress(np.ones((4, 1)), y)
    >>> round(float(cohens_d(fit)), 4), round(float(y.mean() / y.std(ddof=1)), 4)
    (1.9365, 1.9365)
    """
    if c is not None and np.ndim(c) == 2:
        raise ValueError("cohens_d needs a single contrast vector, not a matrix.")
    if c is None:
        effect = np.asarray(result.beta, dtype=np.float64)[0]
    else:
        effect = np.asarray(glm.contrast(result, c).effect, dtype=np.float64)
    sigma = np.asarray(result.sigma, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = effect / sigma
    return float(d) if np.ndim(d) == 0 else d


def _noncentrality_limit(t: np.ndarray, df: int, target: float) -> np.ndarray:
    """The noncentrality ``delta`` at which ``nct.cdf(t, df, delta) == target``, by bisection.

    ``nct.cdf(t, df, delta)`` falls as ``delta`` grows, so the root is unique; the bracket is
    widened until it holds the root, then halved 80 times (all values at once).
    """
    width = 2.0 + 4.0 * np.sqrt(1.0 + t**2 / (2.0 * df))
    low, high = t - width, t + width
    for _ in range(60):
        too_high = stats.nct.cdf(t, df, low) < target  # the root lies below ``low``
        too_low = stats.nct.cdf(t, df, high) > target  # the root lies above ``high``
        if not (too_high.any() or too_low.any()):
            break
        low = np.where(too_high, low - 2.0 * width, low)
        high = np.where(too_low, high + 2.0 * width, high)
    for _ in range(80):
        middle = (low + high) / 2.0
        above = stats.nct.cdf(t, df, middle) > target
        low, high = np.where(above, middle, low), np.where(above, high, middle)
    return (low + high) / 2.0


def cohens_d_interval(
    d: npt.ArrayLike, n: int, *, n2: int | None = None, level: float = 0.95
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """Exact confidence interval of Cohen's d, by inverting the noncentral t distribution.

    One sample (or paired differences, ``d_z``) of ``n`` subjects: ``t = d * sqrt(n)`` with
    ``n - 1`` degrees of freedom. Two groups of ``n`` and ``n2`` (pooled SD): ``t = d /
    sqrt(1/n + 1/n2)`` with ``n + n2 - 2``. The limits are the noncentralities under which the
    observed t is the upper and the lower ``(1 - level) / 2`` quantile, rescaled to d. They are
    not ``d`` plus or minus a symmetric margin: the interval reaches further towards zero (the
    sample d overestimates the population d a little, the more so with few subjects).

    Parameters
    ----------
    d : float or array-like
        Observed Cohen's d (e.g. from :func:`cohens_d`).
    n : int
        Subjects (one sample), or the first group's size when ``n2`` is given.
    n2 : int, optional
        The second group's size, for a two-sample d.
    level : float, default 0.95
        Confidence level, in (0, 1).

    Returns
    -------
    tuple of (float, float) or tuple of (numpy.ndarray, numpy.ndarray)
        The lower and upper limits: floats for a float ``d``, arrays of ``d``'s shape otherwise.

    Raises
    ------
    ValueError
        Fewer than 2 subjects (one sample) or 1 per group, ``level`` outside (0, 1), or a
        ``d`` that is not finite.

    Examples
    --------
    The published case of R's ``effectsize::cohens_d(mpg ~ am, data = mtcars)``: d = -1.48,
    95% CI [-2.27, -0.67], with 19 and 13 cars:

    >>> low, high = cohens_d_interval(-1.4779, 19, n2=13)
    >>> round(low, 2), round(high, 2)
    (-2.27, -0.67)

    One sample: the interval is wide with 10 subjects and narrower with 40.

    >>> [tuple(round(v, 2) for v in cohens_d_interval(0.8, n)) for n in (10, 40)]
    [(0.07, 1.5), (0.44, 1.15)]
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1 (e.g. 0.95), not {level}.")
    values = np.asarray(d, dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("d has a value that is not finite; give finite effect sizes.")
    if n2 is None:
        n = check_count(n, "n", minimum=2)
        scale, df = 1.0 / np.sqrt(n), n - 1
    else:
        n, n2 = check_count(n, "n"), check_count(n2, "n2")
        if n + n2 < 3:
            raise ValueError("A two-sample d needs at least 3 subjects in all.")
        scale, df = np.sqrt(1.0 / n + 1.0 / n2), n + n2 - 2
    t = np.atleast_1d(values / scale)
    tail = (1.0 - level) / 2.0
    low = _noncentrality_limit(t, df, 1.0 - tail) * scale
    high = _noncentrality_limit(t, df, tail) * scale
    if values.ndim == 0:
        return float(low[0]), float(high[0])
    return low.reshape(values.shape), high.reshape(values.shape)


def subsample_effects(
    values: npt.ArrayLike,
    sizes: Sequence[int],
    *,
    n_sim: int = 200,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """One-sample t and Cohen's d of random subsets of subjects, for several subset sizes.

    For each size ``m``, ``n_sim`` subsets of ``m`` of the subjects are drawn without
    replacement (a size equal to the number of subjects is the whole sample, once). Each
    gives ``d = mean / sd`` (``ddof=1``) and ``t = d * sqrt(m)``: t grows with ``m``, d does
    not (apart from its small-sample bias, about ``1 + 3 / (4 (m - 1))``).

    Parameters
    ----------
    values : array-like, shape (n_subjects,)
        One value per subject (e.g. the mean of a region of interest).
    sizes : sequence of int
        Subset sizes, each between 2 and the number of subjects.
    n_sim : int, default 200
        Subsets per size.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    pandas.DataFrame
        Columns ``n_subjects``, ``t``, ``d``: one row per subset.

    Raises
    ------
    ValueError
        ``values`` not one finite value per subject (at least 2), or a size out of range.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> table = subsample_effects(rng.normal(0.8, 1.0, 40), [10, 40], n_sim=500, seed=1)
    >>> medians = table.groupby("n_subjects").median().round(1)
    >>> bool(medians.loc[10, "t"] < medians.loc[40, "t"]), len(table)
    (True, 501)
    """
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 1 or y.size < 2 or not np.isfinite(y).all():
        raise ValueError("values must be one finite number per subject, at least 2 of them.")
    n = y.size
    n_sim = check_count(n_sim, "n_sim")
    rng = as_generator(seed)
    parts = []
    for size in sizes:
        m = check_count(size, "each size", minimum=2)
        if m > n:
            raise ValueError(f"A subset of {m} is larger than the {n} subjects.")
        if m == n:
            subsets = y[None, :]
        else:
            order = np.argsort(rng.random((n_sim, n)), axis=1)[:, :m]
            subsets = y[order]
        d = subsets.mean(axis=1) / subsets.std(axis=1, ddof=1)
        parts.append(pd.DataFrame({"n_subjects": m, "t": d * np.sqrt(m), "d": d}))
    return pd.concat(parts, ignore_index=True)
