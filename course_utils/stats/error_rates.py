"""The false-positive-rate experiment: how often a threshold "finds" something in null data.

Simulate null studies, apply each method, count the studies with any detection, and report the
rate with its uncertainty, in the spirit of Eklund, Nichols & Knutsson (2016):

- :func:`significant_voxels`: the voxels one method declares significant in one study;
- :func:`familywise_error_rate`: the measured family-wise error rate of several methods;
- :func:`rate_table`: the one layout of every measured rate of the course (error rates, power).

**The layout of a measured rate** (:data:`RATE_COLUMNS`): one row per method, columns
``method`` (the index), ``hits`` (studies counted: with a false positive, or significant),
``n_sim`` (studies simulated), ``rate`` (``hits / n_sim``), ``ci_low`` and ``ci_high`` (its
Clopper-Pearson interval); further columns may follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from course_utils._utils import as_generator, as_subjects_by_voxels, check_alpha, one_sample_t
from course_utils.stats import inference, thresholds

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["METHODS", "RATE_COLUMNS", "familywise_error_rate", "rate_table", "significant_voxels"]

#: Methods known to :func:`significant_voxels` and :func:`familywise_error_rate`.
METHODS = ("uncorrected", "bonferroni", "fdr", "max-t")
#: Columns of a table of measured rates (the index, ``method``, first).
RATE_COLUMNS = ("method", "hits", "n_sim", "rate", "ci_low", "ci_high")


def rate_table(hits: Mapping[str, int], n_sim: int, level: float = 0.95, **extra) -> pd.DataFrame:
    """Measured rates with their Clopper-Pearson intervals, in the layout of :data:`RATE_COLUMNS`.

    Parameters
    ----------
    hits : dict of str: int
        Method name -> number of studies counted (with a false positive, or significant).
    n_sim : int
        Number of studies simulated, the same for every method.
    level : float, default 0.95
        Confidence level of the intervals
        (:func:`course_utils.stats.thresholds.binomial_interval`).
    **extra : dict of str: sequence
        Further columns, one value per method in the order of ``hits``.

    Returns
    -------
    pandas.DataFrame
        Index ``method``; columns ``hits``, ``n_sim``, ``rate``, ``ci_low``, ``ci_high``, then
        ``extra``.

    Examples
    --------
    >>> table = rate_table({"uncorrected": 38, "bonferroni": 3}, 40)
    >>> table.columns.tolist()
    ['hits', 'n_sim', 'rate', 'ci_low', 'ci_high']
    >>> table["rate"].tolist()
    [0.95, 0.075]
    """
    rows = []
    for name, k in hits.items():
        low, high = thresholds.binomial_interval(int(k), int(n_sim), level)
        rows.append(
            {
                "method": name,
                "hits": int(k),
                "n_sim": int(n_sim),
                "rate": int(k) / int(n_sim),
                "ci_low": low,
                "ci_high": high,
            }
        )
    table = pd.DataFrame(rows, columns=list(RATE_COLUMNS)).set_index("method")
    for column, values in extra.items():
        table[column] = list(values)
    return table


def significant_voxels(
    Y: npt.ArrayLike,
    method: str = "max-t",
    alpha: float = 0.05,
    two_sided: bool = True,
    n_perm: int = 1000,
    *,
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
        three use the parametric t distribution.
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
    check_alpha(alpha)
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose one of {list(METHODS)}.")
    if method == "max-t":
        result = inference.permutation_test(Y, n_perm=n_perm, two_sided=two_sided, seed=seed)
        return result.p_fwe <= alpha
    data = as_subjects_by_voxels(Y, min_subjects=3)
    t, df = one_sample_t(data), data.shape[0] - 1
    p = 2 * stats.t.sf(np.abs(t), df) if two_sided else stats.t.sf(t, df)
    p = np.nan_to_num(p, nan=1.0)
    if method == "uncorrected":
        return p <= alpha
    if method == "bonferroni":
        return p <= alpha / p.size
    return p <= thresholds.fdr_threshold(p, alpha)


def familywise_error_rate(
    null_datasets: Iterable,
    methods: Sequence[str] | Mapping[str, Callable] = METHODS,
    alpha: float = 0.05,
    level: float = 0.95,
    two_sided: bool = True,
    n_perm: int = 1000,
    *,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Measured family-wise error rate of several methods over simulated null studies.

    Every detection in a null data set is a false positive; the FWE rate is the fraction of data
    sets with at least one. A method controls the FWE at ``alpha`` when that fraction is at most
    ``alpha`` (up to Monte Carlo error, shown by the interval).

    Parameters
    ----------
    null_datasets : iterable of array-like, each (n_subjects, n_voxels)
        Data sets with no true effect (e.g. a 3D array of shape (n_sim, n_subjects, n_voxels) or
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
        The layout of :func:`rate_table`: index ``method``; columns ``hits`` (data sets with a
        false positive), ``n_sim`` (data sets), ``rate`` (the FWE rate), ``ci_low``,
        ``ci_high``, then ``mean_false_positives`` (voxels per data set).

    Raises
    ------
    ValueError
        No data sets, an unknown method or bad ``alpha``/``level``.

    See Also
    --------
    significant_voxels, course_utils.stats.thresholds.binomial_interval

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> null = rng.normal(size=(40, 15, 100))          # 40 null studies, 15 subjects, 100 voxels
    >>> table = familywise_error_rate(null, ["uncorrected", "bonferroni"])
    >>> table["hits"].tolist()
    [38, 3]
    """
    check_alpha(alpha)
    check_alpha(level, name="level")
    rng = as_generator(seed)
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
            m: (lambda Y, m=m: significant_voxels(Y, m, alpha, two_sided, n_perm, seed=rng))
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
    return rate_table(
        hits, n_sets, level, mean_false_positives=[detected[name] / n_sets for name in rules]
    )
