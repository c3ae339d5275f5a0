"""Thresholds for many tests, and the false-positive-rate experiment.

- :func:`bonferroni_threshold`, :func:`fdr_threshold` (Benjamini-Hochberg) and :func:`t_to_z`;
- :func:`one_sample_t`, :func:`significant_voxels`, :func:`familywise_error_rate` and
  :func:`binomial_interval`: simulate null studies, count those with any detection, and report
  the rate with its uncertainty, in the spirit of Eklund, Nichols & Knutsson (2016).

Every name is also available from :mod:`course_utils.stats.inference`, where the permutation tests
live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

#: Methods known to :func:`significant_voxels` and :func:`familywise_error_rate`.
METHODS = ("uncorrected", "bonferroni", "fdr", "max-t")


def _as_data(Y) -> np.ndarray:
    data = np.asarray(Y)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise ValueError(
            f"Y must be (subjects, voxels); got shape {data.shape}. Mask 3D/4D "
            "images first (course_utils.experiments.data.mask_images)."
        )
    if data.shape[0] < 3:
        raise ValueError(
            f"Y has {data.shape[0]} subjects; a permutation test needs at least 3 "
            "(rows are subjects, columns voxels)."
        )
    if data.shape[1] < 1:
        raise ValueError("Y has no voxels (0 columns).")
    if not np.issubdtype(data.dtype, np.floating):
        data = data.astype(np.float64)
    bad = ~np.isfinite(data).all(axis=0)
    if bad.any():
        raise ValueError(
            f"Y has NaN or infinite values in {int(bad.sum())} voxels; mask them out "
            "(or use a mask where every subject has data) before testing."
        )
    return data


def _generator(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.integer):
        return np.random.default_rng(seed)
    raise ValueError(f"seed must be an int or a numpy.random.Generator; got {seed!r}.")


def _check_alpha(alpha: float) -> None:
    if not (isinstance(alpha, int | float | np.floating) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number between 0 and 1 (e.g. 0.05); got {alpha!r}.")


def t_to_z(t, df: float) -> np.ndarray | float:
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
    fwe_threshold : the permutation (max-T) threshold, less conservative for correlated voxels.

    Examples
    --------
    >>> round(bonferroni_threshold(0.05, 1000), 3)
    4.056
    """
    _check_alpha(alpha)
    if n_tests < 1:
        raise ValueError(f"n_tests must be at least 1; got {n_tests}.")
    tail = alpha / n_tests / (2 if two_sided else 1)
    return float(stats.norm.isf(tail) if df is None else stats.t.isf(tail, df))


def fdr_threshold(p_values, alpha: float = 0.05) -> float:
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
    _check_alpha(alpha)
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
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}.")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def one_sample_t(Y) -> tuple[np.ndarray, int]:
    """Voxelwise one-sample t statistics of ``(n_subjects, n_voxels)`` data (float64 sums).

    Parameters
    ----------
    Y : array-like, shape (n_subjects, n_voxels)

    Returns
    -------
    t : numpy.ndarray, shape (n_voxels,)
    df : int
        ``n_subjects - 1``.

    Examples
    --------
    >>> t, df = one_sample_t([[1.0, 2.0], [2.0, -1.0], [3.0, 0.5]])
    >>> np.round(t, 4).tolist(), df
    ([3.4641, 0.5774], 2)
    """
    data = _as_data(Y)
    n = data.shape[0]
    mean = data.mean(axis=0, dtype=np.float64)
    sd = data.std(axis=0, ddof=1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = mean / (sd / np.sqrt(n))
    return t, n - 1


def significant_voxels(
    Y,
    method: str = "max-t",
    alpha: float = 0.05,
    two_sided: bool = True,
    n_perm: int = 1000,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Which voxels a one-sample group test declares significant, under one correction method.

    Parameters
    ----------
    Y : array-like, shape (n_subjects, n_voxels)
        Subject maps.
    method : {"uncorrected", "bonferroni", "fdr", "max-t"}
        ``p <= alpha`` voxel by voxel; Bonferroni (``p <= alpha / n_voxels``); Benjamini-Hochberg
        FDR; or the max-T permutation test
        (:func:`~course_utils.stats.inference.permutation_test`, ``p_fwe <= alpha``). The first
        three
        use the parametric t distribution.
    alpha : float, default 0.05
    two_sided : bool, default True
    n_perm : int, default 1000
        Permutations for ``"max-t"``.
    seed : int or numpy.random.Generator, default 0
        Seed for ``"max-t"``.

    Returns
    -------
    numpy.ndarray of bool, shape (n_voxels,)

    Raises
    ------
    ValueError
        Unknown method, bad ``alpha`` or bad data.

    See Also
    --------
    familywise_error_rate : the rate at which null studies give any detection.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> Y = rng.normal(size=(20, 500))
    >>> Y[:, :5] += 2.0
    >>> [int(significant_voxels(Y, m).sum()) for m in METHODS]
    [38, 5, 7, 5]
    """
    _check_alpha(alpha)
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose one of {list(METHODS)}.")
    if method == "max-t":
        from course_utils.stats.inference import permutation_test  # the permutation tests' module

        return permutation_test(Y, n_perm=n_perm, two_sided=two_sided, seed=seed).p_fwe <= alpha
    t, df = one_sample_t(Y)
    p = 2 * stats.t.sf(np.abs(t), df) if two_sided else stats.t.sf(t, df)
    p = np.nan_to_num(p, nan=1.0)
    if method == "uncorrected":
        return p <= alpha
    if method == "bonferroni":
        return p <= alpha / p.size
    return p <= fdr_threshold(p, alpha)


def familywise_error_rate(
    null_datasets: Iterable,
    methods: Sequence[str] | Mapping[str, Callable] = METHODS,
    alpha: float = 0.05,
    level: float = 0.95,
    two_sided: bool = True,
    n_perm: int = 1000,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Measured family-wise error rate of several methods over simulated null studies.

    Every detection in a null data set is a false positive; the FWE rate is the fraction of data
    sets with at least one. A method controls the FWE at ``alpha`` when that fraction is at most
    ``alpha`` (up to Monte Carlo error, shown by the interval).

    Parameters
    ----------
    null_datasets : iterable of array-like, each (n_subjects, n_voxels)
        Data sets with no true effect (e.g. a 3D array of shape (n_sets, n_subjects, n_voxels) or
        a generator, which is consumed once).
    methods : sequence of str or dict of name: callable, default all of ``METHODS``
        Names known to :func:`significant_voxels`, or callables ``f(Y) -> bool array``.
    alpha : float, default 0.05
        Level at which each method is applied.
    level : float, default 0.95
        Confidence level of the Clopper-Pearson interval of each rate.
    two_sided : bool, default True
    n_perm : int, default 1000
        Permutations for ``"max-t"``.
    seed : int or numpy.random.Generator, default 0
        One generator, used in turn by every max-T test.

    Returns
    -------
    pandas.DataFrame
        Indexed by method, columns ``n_datasets``, ``n_with_false_positive``, ``fwe_rate``,
        ``ci_low``, ``ci_high`` and ``mean_false_positives`` (voxels per data set).

    Raises
    ------
    ValueError
        No data sets, an unknown method or bad ``alpha``/``level``.

    See Also
    --------
    significant_voxels, binomial_interval

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> null = rng.normal(size=(40, 15, 100))          # 40 null studies, 15 subjects, 100 voxels
    >>> table = familywise_error_rate(null, ["uncorrected", "bonferroni"])
    >>> table["n_with_false_positive"].tolist()
    [38, 3]
    """
    _check_alpha(alpha)
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}.")
    rng = _generator(seed)
    if isinstance(methods, Mapping):
        rules = dict(methods)
    else:
        methods = [methods] if isinstance(methods, str) else list(methods)
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise ValueError(
                f"Unknown method(s) {unknown}; choose from {list(METHODS)} or pass "
                "a dict of name: function(Y) -> bool array."
            )
        rules = {
            m: (lambda Y, m=m: significant_voxels(Y, m, alpha, two_sided, n_perm, rng))
            for m in methods
        }
    if not rules:
        raise ValueError("No methods given.")
    hits = dict.fromkeys(rules, 0)
    detected = dict.fromkeys(rules, 0)
    n_sets = 0
    for Y in null_datasets:
        n_sets += 1
        for name, rule in rules.items():
            found = int(np.count_nonzero(rule(Y)))
            hits[name] += found > 0
            detected[name] += found
    if n_sets == 0:
        raise ValueError("null_datasets is empty: give at least one data set.")
    rows = []
    for name in rules:
        low, high = binomial_interval(hits[name], n_sets, level)
        rows.append(
            {
                "method": name,
                "n_datasets": n_sets,
                "n_with_false_positive": hits[name],
                "fwe_rate": hits[name] / n_sets,
                "ci_low": low,
                "ci_high": high,
                "mean_false_positives": detected[name] / n_sets,
            }
        )
    return pd.DataFrame(rows).set_index("method")
