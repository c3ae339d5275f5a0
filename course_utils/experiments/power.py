"""Power: how many subjects a group study needs, from formulas and by simulation.

- :func:`analytic_power`, :func:`n_for_power`: power of a one-sample (group) t-test from the
  noncentral t distribution, both rejection tails counted as statsmodels' ``TTestPower`` does;
  :func:`two_sample_power`: the same for a two-sample test; :func:`per_test_levels`: the
  per-test levels of the analyses the power notebook compares.
- :func:`simulated_power`: the same by simulation.
- :func:`whole_brain_power`: whole-brain power of max-T and cluster-size inference
  (:func:`course_utils.stats.inference.permutation_test`), measured on the stand-in against its
  ground truth (:meth:`course_utils.experiments.data.GroundTruth.cohens_d`).
- :func:`first_level_variance`, :func:`scan_tradeoff`, :func:`simulated_tradeoff`: more
  subjects or longer scans, with the two-level model of the variance notebook.

ROIs, circular selection and the winner's curse: :mod:`course_utils.experiments.selection`.

Cohen's d of a one-sample test is the population mean over the between-subject standard
deviation; with ``n`` subjects the t statistic is noncentral t with ``n - 1`` degrees of freedom
and noncentrality ``d * sqrt(n)``. All tests here are two-sided unless stated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from course_utils import _utils
from course_utils.experiments import signals, simulation
from course_utils.stats import inference, thresholds

__all__ = [
    "SimulatedPower",
    "analytic_power",
    "first_level_variance",
    "n_for_power",
    "per_test_levels",
    "scan_tradeoff",
    "simulated_power",
    "simulated_tradeoff",
    "two_sample_power",
    "whole_brain_power",
]


def analytic_power(d, n, alpha=0.05, two_sided: bool = True) -> float | np.ndarray:
    """Power of a one-sample t-test of ``n`` subjects when the true effect is Cohen's ``d``.

    ``t`` follows a noncentral t distribution with ``n - 1`` degrees of freedom and
    noncentrality ``d * sqrt(n)``; the power is the probability that it falls in the rejection
    region. Two-sided, that region has two tails, ``|t| > t_crit`` with
    ``t_crit = t.isf(alpha / 2, n - 1)``, and both are counted (as statsmodels does).

    Parameters
    ----------
    d, n, alpha : float or array-like
        Effect size, number of subjects (>= 2) and per-test level; they broadcast together.
    two_sided : bool, default True
        False tests ``t > t.isf(alpha, n - 1)`` only.

    Returns
    -------
    float or numpy.ndarray
        Power, shaped like the broadcast inputs.

    Examples
    --------
    >>> round(analytic_power(0.5, 34), 4)
    0.8078
    >>> analytic_power(0.0, 20, 0.05)  # no effect: the test rejects at its level
    0.05...
    """
    d, n, alpha = np.broadcast_arrays(
        np.asarray(d, float), np.asarray(n, float), _utils.check_alpha(alpha)
    )
    if np.any(n < 2) or not np.all(np.isfinite(d)):
        raise ValueError("n must be at least 2 subjects and d a finite number.")
    df = n - 1
    if two_sided:  # symmetric in the sign of d: the far tail is the lower one
        crit, nc = stats.t.isf(alpha / 2, df), np.abs(d) * np.sqrt(n)
        far = stats.nct.cdf(-crit, df, nc)
    else:
        crit, nc, far = stats.t.isf(alpha, df), d * np.sqrt(n), np.zeros(d.shape)
    # scipy (boost), and so statsmodels, gives NaN for some far tails P(T < -crit) at large
    # d * sqrt(n); there they are below 1e-15 (the tests check it by numerical integration)
    power = stats.nct.sf(crit, df, nc) + np.nan_to_num(far, nan=0.0)
    return float(power) if power.ndim == 0 else power


def n_for_power(d, alpha=0.05, power: float = 0.8, two_sided: bool = True, n_max: int = 100_000):
    """Smallest number of subjects whose one-sample t-test reaches ``power`` at effect ``d``.

    A bisection over whole numbers of subjects, vectorised over ``d`` and ``alpha`` (power
    grows with ``n`` for ``d != 0``). statsmodels' ``TTestPower().solve_power`` gives the real
    number that :func:`analytic_power` crosses ``power`` at; this is its ceiling.

    Parameters
    ----------
    d, alpha : float or array-like
        Effect size(s) and per-test level(s), broadcast together.
    power : float, default 0.8
        Target power, between ``alpha`` and 1.
    two_sided : bool, default True
    n_max : int, default 100000
        Largest study considered; a ``d`` that needs more (e.g. ``d = 0``) is a ValueError.

    Returns
    -------
    int or numpy.ndarray of int

    Examples
    --------
    >>> n_for_power(0.5), n_for_power(0.5, alpha=0.001)
    (34, 74)
    >>> n_for_power([0.8, 1.5], alpha=0.05).tolist()
    [15, 6]
    """
    d, alpha = np.broadcast_arrays(np.abs(np.asarray(d, float)), _utils.check_alpha(alpha))
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1 (e.g. 0.8); got {power!r}.")
    low, high = np.ones(d.shape), np.full(d.shape, float(n_max))
    unreachable = np.asarray(analytic_power(d, high, alpha, two_sided)) < power
    if np.any(unreachable):
        raise ValueError(
            f"d = {np.unique(d[unreachable])[:3]} never reaches power {power} with "
            f"up to n_max = {n_max} subjects; a zero effect never does."
        )
    while np.any(high - low > 1):  # invariant: power(low) < target <= power(high)
        mid = np.floor((low + high) / 2)
        ok = analytic_power(d, np.maximum(mid, 2), alpha, two_sided) >= power
        high, low = np.where(ok, mid, high), np.where(ok, low, mid)
    return int(high) if high.ndim == 0 else high.astype(int)


def per_test_levels(n_voxels: int, alpha: float = 0.05, p_voxel: float = 0.001) -> dict[str, float]:
    """The per-test levels of the three analyses compared in the power notebook.

    Parameters
    ----------
    n_voxels : int
        Voxels of the whole-brain analysis.
    alpha : float, default 0.05
        Level of an ROI test and family-wise level of the whole-brain test.
    p_voxel : float, default 0.001
        Uncorrected voxelwise level.

    Returns
    -------
    dict
        ``{"ROI, alpha = 0.05": alpha, "voxelwise p < 0.001": p_voxel,
        "whole brain, Bonferroni": alpha / n_voxels}`` (labels follow the values).

    Examples
    --------
    >>> {k: float(f"{v:.3g}") for k, v in per_test_levels(67402).items()}
    {'ROI, alpha = 0.05': 0.05, 'voxelwise p < 0.001': 0.001, 'whole brain, Bonferroni': 7.42e-07}
    """
    _utils.check_count(n_voxels, "n_voxels")
    return {
        f"ROI, alpha = {alpha:g}": alpha,
        f"voxelwise p < {p_voxel:g}": p_voxel,
        "whole brain, Bonferroni": alpha / n_voxels,
    }


def two_sample_power(
    d: float, n1: int, n2: int, alpha: float = 0.05, threshold: float | None = None
) -> float:
    """Power of a two-sided two-sample t-test (pooled variance) for a true Cohen's d.

    Under the alternative, the t statistic follows a noncentral t distribution with
    ``n1 + n2 - 2`` degrees of freedom and noncentrality ``d / sqrt(1/n1 + 1/n2)`` (the
    expected t: d divided by the standard error of a difference of means in SD units). Power is
    the chance that ``|t|`` exceeds the threshold.

    Parameters
    ----------
    d : float
        True standardised difference of the group means (Cohen's d).
    n1, n2 : int
        Group sizes (at least 2 each).
    alpha : float, default 0.05
        Two-sided level of one test; ignored when ``threshold`` is given.
    threshold : float, optional
        A threshold on ``|t|`` instead, e.g. a whole-brain FWE threshold.

    Returns
    -------
    float
        The probability of detecting the difference.

    Raises
    ------
    ValueError
        Groups smaller than 2, a bad ``alpha`` or a threshold that is not positive.

    See Also
    --------
    statsmodels.stats.power.TTestIndPower : the same power, for a level ``alpha``.

    Examples
    --------
    >>> from statsmodels.stats.power import TTestIndPower
    >>> round(two_sample_power(0.6, 15, 15), 4)
    0.3547
    >>> round(float(TTestIndPower().power(0.6, 15, 0.05, ratio=1.0)), 4)
    0.3547
    >>> two_sample_power(0.6, 15, 15, threshold=6.0) < 1e-3   # at a whole-brain threshold
    True
    """
    if min(n1, n2) < 2:
        raise ValueError(f"Each group needs at least 2 subjects; got n1={n1}, n2={n2}.")
    df = n1 + n2 - 2
    noncentrality = d / math.sqrt(1 / n1 + 1 / n2)
    if threshold is None:
        _utils.check_alpha(alpha)
        critical = float(stats.t.isf(alpha / 2, df))
    elif not threshold > 0:
        raise ValueError(f"threshold must be a positive |t|; got {threshold!r}.")
    else:
        critical = float(threshold)
    return float(
        stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)
    )


@dataclass(frozen=True)
class SimulatedPower:
    """A power measured by simulation: ``hits`` significant studies out of ``n_sim``, with the
    Clopper-Pearson interval of the proportion at ``level``.

    Attributes
    ----------
    hits : int
        Significant studies.
    n_sim : int
        Studies simulated.
    level : float
        Confidence level of the interval.
    ci_low, ci_high : float
        The interval of the power (the layout of
        :func:`course_utils.stats.error_rates.rate_table`).

    Examples
    --------
    >>> sim = SimulatedPower(80, 100, 0.95, 0.71, 0.87)
    >>> sim.power, sim.contains(0.8)
    (0.8, True)
    """

    hits: int
    n_sim: int
    level: float
    ci_low: float
    ci_high: float

    @property
    def power(self) -> float:
        """The measured power, ``hits / n_sim`` (the ``rate`` of the rate layout).

        Returns
        -------
        float
        """
        return self.hits / self.n_sim

    def contains(self, value: float) -> bool:
        """True when ``value`` lies inside the interval.

        Parameters
        ----------
        value : float

        Returns
        -------
        bool
        """
        return self.ci_low <= value <= self.ci_high


def _measured(hits: int, n_sim: int, level: float) -> SimulatedPower:
    low, high = thresholds.binomial_interval(int(hits), int(n_sim), level)
    return SimulatedPower(int(hits), int(n_sim), level, low, high)


def simulated_power(
    d: float,
    n: int,
    alpha: float = 0.05,
    n_sim: int = 10_000,
    *,
    seed: int | np.random.Generator = 0,
    two_sided: bool = True,
    level: float = 0.999,
) -> SimulatedPower:
    """Power measured by simulating ``n_sim`` studies of ``n`` subjects drawn from N(d, 1).

    Parameters
    ----------
    d : float
        True effect size (Cohen's d).
    n : int
        Subjects per study.
    alpha : float, default 0.05
        Level of each study's t-test.
    n_sim : int, default 10000
        Studies simulated.
    seed : int or numpy.random.Generator, default 0
    two_sided : bool, default True
    level : float, default 0.999
        Confidence level of the interval.

    Returns
    -------
    SimulatedPower
        The share of significant studies, with its Clopper-Pearson interval at ``level``.

    Raises
    ------
    ValueError
        ``n`` is not an integer >= 2, ``n_sim`` not an integer >= 1, or ``alpha`` not in (0, 1).

    Examples
    --------
    >>> sim = simulated_power(0.5, 20, n_sim=4000, seed=1)
    >>> sim.contains(analytic_power(0.5, 20))
    True
    """
    n = _utils.check_count(n, "n (subjects per study)", minimum=2)
    n_sim = _utils.check_count(n_sim, "n_sim (studies simulated)")
    _utils.check_alpha(alpha)
    rng = _utils.as_generator(seed)
    crit = stats.t.isf(alpha / 2 if two_sided else alpha, n - 1)
    hits, rows = 0, max(1, 2**20 // n)  # studies in blocks of about a million numbers
    for start in range(0, n_sim, rows):
        t = _utils.one_sample_t(rng.standard_normal((min(rows, n_sim - start), n)) + d, axis=-1)
        hits += int(np.count_nonzero((np.abs(t) if two_sided else t) > crit))
    return _measured(hits, n_sim, level)


def whole_brain_power(
    pool,
    true_d,
    n_values: Sequence[int] = (10, 20, 30, 60, 94),
    *,
    replicates: int = 3,
    n_perm: int = 200,
    alpha: float = 0.05,
    cluster_p: float = 0.001,
    strong_d: float = 0.8,
    mask_img,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Share of the truly active voxels found by max-T and by cluster inference, by study size.

    For each ``n``, up to ``replicates`` studies of ``n`` different subjects are drawn from
    ``pool`` without overlap (so ``len(pool) // n`` at most), each tested with ``n_perm`` sign
    flips by :func:`course_utils.stats.inference.permutation_test` (two-sided max-T, and
    cluster size with the cluster-forming threshold of a two-sided ``p < cluster_p``).

    Parameters
    ----------
    pool : array-like, shape (n_pool, n_voxels)
        Subject maps of one condition of the stand-in.
    true_d : array-like, shape (n_voxels,)
        Their true Cohen's d (:meth:`course_utils.experiments.data.GroundTruth.cohens_d`);
        active voxels have ``d != 0``.
    n_values : sequence of int, default (10, 20, 30, 60, 94)
        Study sizes (3 to ``n_pool``).
    replicates : int, default 3
        Studies per size, at most.
    n_perm : int, default 200
        Sign flips per study.
    alpha : float, default 0.05
        FWE level.
    cluster_p : float, default 0.001
        Two-sided cluster-forming p.
    strong_d : float, default 0.8
        Smallest ``|true d|`` of the "strong" voxels (either sign: the tests are two-sided).
    mask_img : nibabel image
        The mask the columns of ``pool`` come from.
    seed : int or numpy.random.Generator, default 0
        Draws the subjects of each study, then its sign flips.

    Returns
    -------
    pandas.DataFrame
        One row per study: ``n_subjects``, ``replicate``, then for ``max_t`` and ``cluster``:
        ``share_<method>`` (active voxels found), ``strong_<method>`` (share of the voxels with
        ``|true d| >= strong_d`` found), ``false_<method>`` (voxels found outside the support);
        and ``d_est_max_t`` / ``d_true_max_t``, the mean estimated (``t / sqrt(n)``) and true
        d of the voxels max-T found.

    Raises
    ------
    ValueError
        A study size outside 3 to ``n_pool``, or no active voxel in ``true_d`` (nothing to find).

    Examples
    --------
    >>> import nibabel as nib
    >>> rng = np.random.default_rng(0)
    >>> truth = np.zeros(512); truth[:64] = 1.0
    >>> pool = (rng.normal(size=(40, 512)) + truth).astype(np.float32)
    >>> mask = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.eye(4))
    >>> table = whole_brain_power(pool, truth, [8, 20], replicates=2, n_perm=99, mask_img=mask)
    >>> table.groupby("n_subjects")["share_max_t"].mean().is_monotonic_increasing
    True
    """
    pool = np.asarray(pool)
    true_d = np.asarray(true_d, dtype=float)
    if max(n_values) > pool.shape[0] or min(n_values) < 3:
        raise ValueError(
            f"Study sizes must be 3 to {pool.shape[0]} (the pool's subjects); got {list(n_values)}."
        )
    support, strong = true_d != 0, np.abs(true_d) >= strong_d
    if not support.any():
        raise ValueError("true_d has no active voxel (every d is 0): there is nothing to find.")
    rng = _utils.as_generator(seed)
    rows = []
    for n in n_values:
        order = rng.permutation(pool.shape[0])
        for rep in range(min(replicates, pool.shape[0] // n)):
            res = inference.permutation_test(
                pool[order[rep * n : (rep + 1) * n]],
                n_perm=n_perm,
                seed=rng,
                cluster_threshold=stats.t.isf(cluster_p / 2, n - 1),
                mask_img=mask_img,
            )
            big = np.flatnonzero(res.clusters.p_fwe <= alpha) + 1
            found = {"max_t": res.p_fwe <= alpha, "cluster": np.isin(res.clusters.labels, big)}
            row = {"n_subjects": n, "replicate": rep}
            for name, hit in found.items():
                row[f"share_{name}"] = (hit & support).sum() / support.sum()
                row[f"strong_{name}"] = (hit & strong).sum() / max(strong.sum(), 1)
                row[f"false_{name}"] = int((hit & ~support).sum())
            hit = found["max_t"]
            row["d_est_max_t"] = res.t[hit].mean() / np.sqrt(n) if hit.any() else np.nan
            row["d_true_max_t"] = true_d[hit].mean() if hit.any() else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def first_level_variance(n_tr, sigma: float = 1.0, t_r: float = 2.0) -> float | np.ndarray:
    """Sampling variance of a subject's first-level estimate with ``n_tr`` scans.

    The design of :func:`course_utils.experiments.simulation.simulate_first_level` (a constant and
    one
    event regressor, one event every 10 scans, white noise of SD ``sigma``):
    ``sigma**2 * inv(X'X)[1, 1]``.

    Parameters
    ----------
    n_tr : int or array-like of int
        Scans per run (at least 10).
    sigma : float, default 1.0
        Noise SD.
    t_r : float, default 2.0
        Repetition time in seconds.

    Returns
    -------
    float or numpy.ndarray
        The variance (an array for an array of ``n_tr``).

    Examples
    --------
    >>> np.round(first_level_variance([50, 100, 200], sigma=1.0), 4).tolist()
    [0.1267, 0.0628, 0.0313]
    """
    values = []
    for scans in np.atleast_1d(np.asarray(n_tr, dtype=int)):
        if scans < 10:
            raise ValueError(f"n_tr must be at least 10 scans (one event); got {scans}.")
        regressor = signals.event_regressor(
            signals.trial_onsets(int(scans), int(scans) // 10, t_r), int(scans), t_r
        )
        X = np.column_stack([np.ones(int(scans)), regressor])
        values.append(sigma**2 * np.linalg.inv(X.T @ X)[1, 1])
    return float(values[0]) if np.ndim(n_tr) == 0 else np.array(values)


def scan_tradeoff(
    n_subjects,
    n_tr,
    group_mean: float = 0.3,
    group_sd: float = 0.5,
    sigma: float = 2.0,
    alpha: float = 0.05,
    t_r: float = 2.0,
) -> pd.DataFrame:
    """Power of the group test for studies of ``n_subjects`` x ``n_tr`` scans.

    A subject's estimate varies by ``group_sd**2`` (between subjects) plus its first-level
    variance (:func:`first_level_variance`), so the group test has effect size
    ``d = group_mean / sqrt(group_sd**2 + s**2)``: longer scans shrink only ``s**2``.

    Parameters
    ----------
    n_subjects, n_tr : int or array-like of int
        Subjects and scans per subject (broadcast together).
    group_mean, group_sd : float, default 0.3 and 0.5
        Population mean and between-subject SD of the effect.
    sigma : float, default 2.0
        Noise SD of the time series.
    alpha : float, default 0.05
        Level of the group test.
    t_r : float, default 2.0
        Repetition time in seconds.

    Returns
    -------
    pandas.DataFrame
        Columns ``subjects``, ``scans_per_subject``, ``total_scans``, ``first_level_var``,
        ``d``, ``power`` (one row per pair, broadcast).

    Examples
    --------
    >>> table = scan_tradeoff([10, 30], [300, 100])
    >>> table["total_scans"].tolist(), bool(table["power"].is_monotonic_increasing)
    ([3000, 3000], True)
    """
    subjects, scans = np.broadcast_arrays(np.asarray(n_subjects, int), np.asarray(n_tr, int))
    s2 = first_level_variance(scans.ravel(), sigma, t_r)
    d = group_mean / np.sqrt(group_sd**2 + s2)
    return pd.DataFrame(
        {
            "subjects": subjects.ravel(),
            "scans_per_subject": scans.ravel(),
            "total_scans": (subjects * scans).ravel(),
            "first_level_var": s2,
            "d": d,
            "power": analytic_power(d, subjects.ravel(), alpha),
        }
    )


def simulated_tradeoff(
    n_subjects: int,
    n_tr: int,
    group_mean: float = 0.3,
    group_sd: float = 0.5,
    sigma: float = 2.0,
    alpha: float = 0.05,
    n_sim: int = 1000,
    *,
    seed: int | np.random.Generator = 0,
    level: float = 0.999,
) -> SimulatedPower:
    """Power of the group t-test measured with the two-level simulator (time series fitted).

    ``n_sim`` studies of ``n_subjects`` simulated with
    :func:`course_utils.experiments.simulation.simulate_first_level` (one event every 10 scans).

    Parameters
    ----------
    n_subjects, n_tr : int
        Subjects per study and scans per subject.
    group_mean, group_sd, sigma, alpha :
        As in :func:`scan_tradeoff`.
    n_sim : int, default 1000
        Studies simulated.
    seed : int or numpy.random.Generator, default 0
    level : float, default 0.999
        Confidence level of the interval.

    Returns
    -------
    SimulatedPower

    Raises
    ------
    ValueError
        ``n_subjects`` not an integer >= 2, ``n_sim`` not an integer >= 1, ``alpha`` not in (0, 1).

    Examples
    --------
    >>> sim = simulated_tradeoff(20, 100, n_sim=300, seed=0)
    >>> sim.contains(float(scan_tradeoff(20, 100)["power"].iloc[0]))
    True
    """
    n_subjects = _utils.check_count(n_subjects, "n_subjects (subjects per study)", minimum=2)
    n_sim = _utils.check_count(n_sim, "n_sim (studies simulated)")
    _utils.check_alpha(alpha)
    runs = simulation.simulate_first_level(
        n_subjects * n_sim,
        seed=_utils.as_generator(seed),
        group_mean=group_mean,
        group_sd=group_sd,
        sigma=sigma,
        n_tr=n_tr,
        n_trials=n_tr // 10,
    )
    t = _utils.one_sample_t(runs.estimates[:, 0].reshape(n_sim, n_subjects), axis=1)
    hits = int(np.count_nonzero(np.abs(t) > stats.t.isf(alpha / 2, n_subjects - 1)))
    return _measured(hits, n_sim, level)
