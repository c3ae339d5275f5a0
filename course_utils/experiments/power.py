"""Power: how many subjects a group study needs, and why small studies and circular ROIs mislead.

- :func:`analytic_power`, :func:`n_for_power`: power of a one-sample (group) t-test from the
  noncentral t distribution, both rejection tails counted as statsmodels' ``TTestPower`` does.
- :func:`simulated_power`, :func:`winners_curse`: the same by simulation, and the inflation of
  the effect sizes that pass a threshold (the winner's curse).
- :func:`true_cohens_d`, :func:`flip_inference`, :func:`whole_brain_power`: whole-brain power of
  max-T and cluster-size inference, measured on the stand-in against its ground truth.
- :func:`sphere_mask`, :func:`circularity_null`: ROI tests on null data, with the ROI defined
  independently or selected from the same data (Kriegeskorte et al. 2009; Vul et al. 2009).
- :func:`first_level_variance`, :func:`scan_tradeoff`, :func:`simulated_tradeoff`: more
  subjects or longer scans, with the two-level model of the variance notebook.

Cohen's d of a one-sample test is the population mean over the between-subject standard
deviation; with ``n`` subjects the t statistic is noncentral t with ``n - 1`` degrees of freedom
and noncentrality ``d * sqrt(n)``. All tests here are two-sided unless stated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.sparse import csgraph

from course_utils.experiments import simulation
from course_utils.stats import inference

__all__ = [
    "FlipResult",
    "SimulatedPower",
    "analytic_power",
    "circularity_null",
    "first_level_variance",
    "flip_inference",
    "n_for_power",
    "scan_tradeoff",
    "simulated_power",
    "simulated_tradeoff",
    "sphere_mask",
    "thresholds",
    "true_cohens_d",
    "whole_brain_power",
    "winners_curse",
]


def _check_alpha(alpha) -> np.ndarray:
    alpha = np.asarray(alpha, dtype=float)
    if not np.all((alpha > 0) & (alpha < 1)):
        raise ValueError(f"alpha must be between 0 and 1 (e.g. 0.05); got {alpha}.")
    return alpha


def analytic_power(d, n, alpha=0.05, two_sided: bool = True):
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
        np.asarray(d, float), np.asarray(n, float), _check_alpha(alpha)
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
    d, alpha = np.broadcast_arrays(np.abs(np.asarray(d, float)), _check_alpha(alpha))
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


def thresholds(n_voxels: int, alpha: float = 0.05, p_voxel: float = 0.001) -> dict[str, float]:
    """The per-test levels of the three analyses compared in the power notebook.

    Returns
    -------
    dict
        ``{"ROI, alpha = 0.05": alpha, "voxelwise p < 0.001": p_voxel,
        "whole brain, Bonferroni": alpha / n_voxels}`` (labels follow the values).

    Examples
    --------
    >>> {k: float(f"{v:.3g}") for k, v in thresholds(67402).items()}
    {'ROI, alpha = 0.05': 0.05, 'voxelwise p < 0.001': 0.001, 'whole brain, Bonferroni': 7.42e-07}
    """
    if n_voxels < 1:
        raise ValueError(f"n_voxels must be at least 1; got {n_voxels}.")
    return {
        f"ROI, alpha = {alpha:g}": alpha,
        f"voxelwise p < {p_voxel:g}": p_voxel,
        "whole brain, Bonferroni": alpha / n_voxels,
    }


@dataclass(frozen=True)
class SimulatedPower:
    """A power measured by simulation: ``hits`` significant studies out of ``n_sim``, with the
    Clopper-Pearson interval of the proportion at ``level``."""

    hits: int
    n_sim: int
    level: float
    ci_low: float
    ci_high: float

    @property
    def power(self) -> float:
        """The measured power, ``hits / n_sim``."""
        return self.hits / self.n_sim

    def contains(self, value: float) -> bool:
        """True when ``value`` lies inside the interval."""
        return self.ci_low <= value <= self.ci_high


def _measured(hits: int, n_sim: int, level: float) -> SimulatedPower:
    low, high = inference.binomial_interval(int(hits), int(n_sim), level)
    return SimulatedPower(int(hits), int(n_sim), level, low, high)


def _one_sample_t(x: np.ndarray) -> np.ndarray:
    """t statistics of the rows of ``x`` (one simulated study per row)."""
    n = x.shape[-1]
    return x.mean(axis=-1) / (x.std(axis=-1, ddof=1) / np.sqrt(n))


def simulated_power(
    d: float,
    n: int,
    alpha: float = 0.05,
    n_sim: int = 10_000,
    rng=0,
    two_sided: bool = True,
    level: float = 0.999,
) -> SimulatedPower:
    """Power measured by simulating ``n_sim`` studies of ``n`` subjects drawn from N(d, 1).

    Returns
    -------
    SimulatedPower
        The share of significant studies, with its Clopper-Pearson interval at ``level``.

    Examples
    --------
    >>> sim = simulated_power(0.5, 20, n_sim=4000, rng=1)
    >>> sim.contains(analytic_power(0.5, 20))
    True
    """
    _check_alpha(alpha)
    rng = np.random.default_rng(rng)
    crit = stats.t.isf(alpha / 2 if two_sided else alpha, n - 1)
    hits, rows = 0, max(1, 2**20 // n)  # studies in blocks of about a million numbers
    for start in range(0, n_sim, rows):
        t = _one_sample_t(rng.standard_normal((min(rows, n_sim - start), n)) + d)
        hits += int(np.count_nonzero((np.abs(t) if two_sided else t) > crit))
    return _measured(hits, n_sim, level)


def winners_curse(
    d: float, n_values: Sequence[int], alpha: float = 0.001, n_sim: int = 4000, rng=0
) -> pd.DataFrame:
    """The effect size reported by significant studies, by number of subjects (simulation).

    Each study estimates ``d_hat = mean / sd`` of its subjects; only those with ``|t|`` above
    the two-sided threshold are "published". Their mean ``d_hat`` overestimates ``d`` when
    power is low.

    Returns
    -------
    pandas.DataFrame
        Index ``n_subjects``; columns ``power`` (share significant), ``analytic_power``,
        ``mean_d_all`` (every study), ``mean_d_significant`` and ``inflation``
        (``mean_d_significant / d``).

    Examples
    --------
    >>> table = winners_curse(0.5, [10, 100], n_sim=2000, rng=0)
    >>> bool(table.loc[10, "inflation"] > 2 > 1.1 > table.loc[100, "inflation"])
    True
    """
    rng = np.random.default_rng(rng)
    rows = []
    for n in n_values:
        x = rng.standard_normal((n_sim, n)) + d
        t = _one_sample_t(x)
        d_hat, significant = t / np.sqrt(n), np.abs(t) > stats.t.isf(alpha / 2, n - 1)
        mean_sig = float(d_hat[significant].mean()) if significant.any() else np.nan
        rows.append(
            {
                "n_subjects": n,
                "power": significant.mean(),
                "analytic_power": analytic_power(d, n, alpha),
                "mean_d_all": d_hat.mean(),
                "mean_d_significant": mean_sig,
                "inflation": mean_sig / d,
            }
        )
    return pd.DataFrame(rows).set_index("n_subjects")


def true_cohens_d(truth, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
    """The stand-in's population Cohen's d in every voxel, from its ground truth.

    Mean over between-subject SD, with the generator's variance components: noise of variance
    ``1 + between_sd**2`` (first-level variances have mean 1), a share ``shared_fraction`` of it
    common to a subject's conditions, per-region gains of SD ``heterogeneity``, and the planted
    sex difference. At a region's centre this is the ``d`` of ``truth.regions``.

    Parameters
    ----------
    truth : course_utils.experiments.data.GroundTruth
        ``ds.truth`` of the stand-in.
    condition_or_weights : str or dict
        A condition, or contrast weights ``{condition: weight}``.

    Returns
    -------
    numpy.ndarray, shape (n_voxels,)
        0 outside the support.

    Examples
    --------
    >>> from course_utils.experiments.data import synthetic_localizer
    >>> truth = synthetic_localizer(n_subjects=2, conditions=["vertical_checkerboard"],
    ...                             cache=False).truth
    >>> d = true_cohens_d(truth, "vertical_checkerboard")
    >>> outside = ~truth.support("vertical_checkerboard")
    >>> bool(0 < d.max() <= 1.2 + 1e-9), bool((d[outside] == 0).all())
    (True, True)
    """
    weights = (
        {condition_or_weights: 1.0}
        if isinstance(condition_or_weights, str)
        else dict(condition_or_weights)
    )
    unknown = set(weights) - set(truth.conditions)
    if unknown:
        raise ValueError(f"Unknown condition(s) {sorted(unknown)}; use {list(truth.conditions)}.")
    w = np.array([weights.get(c, 0.0) for c in truth.conditions])
    parts = (truth.amplitudes @ w)[:, None] * truth.profiles.astype(np.float64)
    noise = (1 + truth.between_sd**2) * (
        (1 - truth.shared_fraction) * np.sum(w**2) + truth.shared_fraction * w.sum() ** 2
    )
    calc = sum(weights.get(c, 0.0) for c in ("audio_computation", "video_computation"))
    sex = calc * truth.sex_difference["male_minus_female"] / 2 * truth.sex_profile
    variance = noise + truth.heterogeneity**2 * np.sum(parts**2, axis=0) + sex**2
    return parts.sum(axis=0) / np.sqrt(variance)


# --- Whole-brain inference by sign flipping, vectorised over flips and clusters ---------------


@dataclass(frozen=True)
class FlipResult:
    """Result of :func:`flip_inference`.

    Attributes
    ----------
    t : numpy.ndarray, shape (n_voxels,)
        Observed t statistics.
    max_t : numpy.ndarray of bool
        Voxels significant by max-T (``p_fwe <= alpha``, two-sided).
    clusters : numpy.ndarray of bool or None
        Voxels in clusters significant by cluster size.
    max_null, cluster_null : numpy.ndarray
        Largest ``|t|`` and largest cluster (voxels, either sign) of each sign flip.
    """

    t: np.ndarray
    max_t: np.ndarray
    clusters: np.ndarray | None
    max_null: np.ndarray
    cluster_null: np.ndarray | None


def _forward_neighbours(mask: np.ndarray) -> np.ndarray:
    """(n_voxels, 3): the mask index of each voxel's +x, +y, +z face neighbour, or -1."""
    index = np.full(mask.shape, -1, dtype=np.int64)
    index[mask] = np.arange(int(mask.sum()))
    padded = np.pad(index, ((0, 1), (0, 1), (0, 1)), constant_values=-1)
    shifts = (padded[1:, :-1, :-1], padded[:-1, 1:, :-1], padded[:-1, :-1, 1:])
    return np.stack([s[mask] for s in shifts], axis=1)


def _components(supra: np.ndarray, neighbours: np.ndarray):
    """Face-connected clusters in each row of ``supra`` (rows x voxels, bool).

    Returns the row of every True entry (in C order), its cluster label and the cluster sizes.
    """
    flat = supra.reshape(-1)
    node = np.flatnonzero(flat)  # much faster than a 2D np.nonzero
    rows, vox = np.divmod(node, supra.shape[1])
    if node.size == 0:
        return rows, node, np.zeros(0, dtype=np.int64)
    nbr = neighbours[vox]
    exists = nbr >= 0
    target = (node - vox)[:, None] + nbr  # flat index of each forward neighbour
    linked = exists & flat[np.where(exists, target, 0)]
    src = np.repeat(np.arange(node.size), 3)[linked.ravel()]
    dst = np.searchsorted(node, target[linked])
    graph = sparse.coo_matrix(
        (np.ones(src.size, np.int8), (src, dst)), shape=(node.size, node.size)
    )
    labels = csgraph.connected_components(graph, directed=False)[1]
    return rows, labels, np.bincount(labels)


def _largest_clusters(supra: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Largest cluster size of each row of ``supra``."""
    rows, labels, sizes = _components(supra, neighbours)
    out = np.zeros(supra.shape[0], dtype=np.int64)
    np.maximum.at(out, rows, sizes[labels])
    return out


def _random_flips(n: int, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    """Random sign flips (rows of +-1), never the identity."""
    flips = rng.choice(np.array([1.0, -1.0]), size=(n_perm, n))
    while (same := (flips > 0).all(axis=1)).any():
        flips[same] = rng.choice(np.array([1.0, -1.0]), size=(int(same.sum()), n))
    return flips


def flip_inference(
    Y, mask_img, flips, alpha: float = 0.05, cluster_threshold: float | None = None, batch: int = 32
) -> FlipResult:
    """Two-sided max-T and cluster-size FWE inference of a one-sample test by sign flipping.

    The same test as :func:`course_utils.stats.inference.permutation_test` (same p-value convention,
    ``(1 + #null >= observed) / (1 + n_flips)``, face connectivity), for given flips, with the
    clusters of a whole batch of flips found at once (one sparse graph): fast enough to repeat
    over many simulated studies.

    Parameters
    ----------
    Y : array-like, shape (n_subjects, n_voxels)
    mask_img : nibabel image
        The mask the columns of ``Y`` come from (C order).
    flips : array-like, shape (n_flips, n_subjects)
        Signs, +1 or -1, without the identity.
    alpha : float, default 0.05
    cluster_threshold : float, optional
        Cluster-forming threshold on ``|t|``; None skips cluster inference.
    batch : int, default 32
        Flips per matrix product.

    Examples
    --------
    >>> import nibabel as nib
    >>> mask = nib.Nifti1Image(np.ones((6, 6, 6), np.uint8), np.eye(4))
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.normal(size=(12, 216)).astype(np.float32)
    >>> Y[:, :3] += 3.0
    >>> res = flip_inference(Y, mask, _random_flips(12, 199, rng), cluster_threshold=3.0)
    >>> np.flatnonzero(res.max_t).tolist(), int(res.clusters.sum()) >= 3
    ([0, 1, 2], True)
    """
    y = np.ascontiguousarray(Y, dtype=np.float32)
    n, n_vox = y.shape
    flips = np.asarray(flips, dtype=np.float32)
    mask = np.asarray(mask_img.dataobj).astype(bool)
    if mask.sum() != n_vox or flips.ndim != 2 or flips.shape[1] != n:
        raise ValueError(
            f"Y has {n_vox} voxels and {n} subjects; the mask has {mask.sum()} "
            f"voxels and the flips have shape {flips.shape}."
        )
    df = n - 1
    ss = np.einsum("ij,ij->j", y, y, dtype=np.float64)
    with np.errstate(divide="ignore"):
        isq = np.where(ss > 0, 1.0 / np.sqrt(n * ss), 0.0)
    w_obs = np.clip(y.sum(axis=0, dtype=np.float64) * isq, -1.0, 1.0)
    with np.errstate(divide="ignore"):
        t = np.sign(w_obs) * np.sqrt(df * w_obs**2 / (1 - w_obs**2))
    # |t| > c exactly when |w| > c / sqrt(df + c**2), so flipped maps stay on the w scale
    w_cut = (
        None
        if cluster_threshold is None
        else cluster_threshold / np.sqrt(df + cluster_threshold**2)
    )
    neighbours = None if w_cut is None else _forward_neighbours(mask)
    max_w = np.empty(flips.shape[0])
    sizes = np.empty(flips.shape[0], dtype=np.int64)
    isq32 = isq.astype(np.float32)
    for start in range(0, flips.shape[0], batch):
        w = flips[start : start + batch] @ y
        w *= isq32
        if w_cut is not None:
            rows = w.shape[0]
            both = _largest_clusters(np.concatenate([w > w_cut, w < -w_cut]), neighbours)
            sizes[start : start + rows] = np.maximum(both[:rows], both[rows:])
        np.abs(w, out=w)
        max_w[start : start + w.shape[0]] = w.max(axis=1)
    n_flips = flips.shape[0]
    obs = np.abs(w_obs) * (1 - 1e-5)  # float32 flips: near-ties count against the voxel
    exceed = n_flips - np.searchsorted(np.sort(max_w), obs, side="left")
    significant = (1 + exceed) / (1 + n_flips) <= alpha
    clusters = None
    if w_cut is not None:
        supra = np.stack([w_obs > w_cut, w_obs < -w_cut])
        _, labels, size = _components(supra, neighbours)
        big = (1 + (sizes[:, None] >= size[None, :]).sum(axis=0)) / (1 + n_flips) <= alpha
        clusters = np.zeros((2, n_vox), dtype=bool)
        clusters[supra] = big[labels]
        clusters = clusters.any(axis=0)
    max_null = np.sqrt(df * max_w**2 / np.maximum(1 - max_w**2, 1e-300))
    return FlipResult(t, significant, clusters, max_null, None if w_cut is None else sizes)


def whole_brain_power(
    pool,
    true_d,
    mask_img,
    n_values: Sequence[int] = (10, 20, 30, 60, 94),
    replicates: int = 3,
    n_perm: int = 200,
    alpha: float = 0.05,
    cluster_p: float = 0.001,
    strong_d: float = 0.8,
    rng=0,
) -> pd.DataFrame:
    """Share of the truly active voxels found by max-T and by cluster inference, by study size.

    For each ``n``, up to ``replicates`` studies of ``n`` different subjects are drawn from
    ``pool`` without overlap (so ``len(pool) // n`` at most), each tested with ``n_perm`` sign
    flips (:func:`flip_inference`, cluster-forming threshold two-sided ``p < cluster_p``).

    Parameters
    ----------
    pool, true_d, mask_img :
        Subject maps of one condition of the stand-in ``(n_pool, n_voxels)``, their true
        Cohen's d (:func:`true_cohens_d`; active voxels have ``d != 0``), and the mask.
    n_values, replicates, n_perm, alpha, cluster_p, strong_d, rng :
        Study sizes, studies per size, sign flips, FWE level, cluster-forming p, the true d
        of the "strong" voxels, seed.

    Returns
    -------
    pandas.DataFrame
        One row per study: ``n_subjects``, ``replicate``, then for ``max_t`` and ``cluster``:
        ``share_<method>`` (active voxels found), ``strong_<method>`` (share of the voxels with
        true d >= ``strong_d`` found), ``false_<method>`` (voxels found outside the support);
        and ``d_est_max_t`` / ``d_true_max_t``, the mean estimated (``t / sqrt(n)``) and true
        d of the voxels max-T found.

    Examples
    --------
    >>> import nibabel as nib
    >>> rng = np.random.default_rng(0)
    >>> truth = np.zeros(512); truth[:64] = 1.0
    >>> pool = (rng.normal(size=(40, 512)) + truth).astype(np.float32)
    >>> mask = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.eye(4))
    >>> table = whole_brain_power(pool, truth, mask, [8, 20], replicates=2, n_perm=99)
    >>> table.groupby("n_subjects")["share_max_t"].mean().is_monotonic_increasing
    True
    """
    pool = np.asarray(pool)
    true_d = np.asarray(true_d, dtype=float)
    if max(n_values) > pool.shape[0] or min(n_values) < 3:
        raise ValueError(
            f"Study sizes must be 3 to {pool.shape[0]} (the pool's subjects); got {list(n_values)}."
        )
    rng = np.random.default_rng(rng)
    support, strong = true_d != 0, true_d >= strong_d
    rows = []
    for n in n_values:
        order = rng.permutation(pool.shape[0])
        for rep in range(min(replicates, pool.shape[0] // n)):
            Y = pool[order[rep * n : (rep + 1) * n]]
            res = flip_inference(
                Y, mask_img, _random_flips(n, n_perm, rng), alpha, stats.t.isf(cluster_p / 2, n - 1)
            )
            row = {"n_subjects": n, "replicate": rep}
            for name, found in (("max_t", res.max_t), ("cluster", res.clusters)):
                row[f"share_{name}"] = (found & support).sum() / support.sum()
                row[f"strong_{name}"] = (found & strong).sum() / max(strong.sum(), 1)
                row[f"false_{name}"] = int((found & ~support).sum())
            hit = res.max_t
            row["d_est_max_t"] = res.t[hit].mean() / np.sqrt(n) if hit.any() else np.nan
            row["d_true_max_t"] = true_d[hit].mean() if hit.any() else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


# --- ROI analysis: independent or circular ---------------------------------------------------


def sphere_mask(mask_img, centre_mm: Sequence[float], radius_mm: float) -> np.ndarray:
    """The voxels of a mask within ``radius_mm`` of a point in world (MNI) millimetres.

    Returns
    -------
    numpy.ndarray of bool, shape (n_voxels,)
        In the mask's C order, as the columns of :meth:`LocalizerData.array`.

    Examples
    --------
    >>> import nibabel as nib
    >>> mask = nib.Nifti1Image(np.ones((9, 9, 9), np.uint8), np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> int(sphere_mask(mask, (12, 12, 12), 3.0).sum())  # the centre and its 6 face neighbours
    7
    """
    mask = np.asarray(mask_img.dataobj).astype(bool)
    ijk = np.argwhere(mask)
    xyz = ijk @ mask_img.affine[:3, :3].T + mask_img.affine[:3, 3]
    inside = np.sum((xyz - np.asarray(centre_mm, float)) ** 2, axis=1) <= radius_mm**2 + 1e-9
    if not inside.any():
        raise ValueError(f"No voxel of the mask lies within {radius_mm} mm of {centre_mm}.")
    return inside


def _split_halves(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint halves of the subjects: one selects the ROI, the other tests it."""
    order = rng.permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def _inverse_root_ss(y: np.ndarray) -> np.ndarray:
    """1 / sqrt(sum of squares) of each column (0 for an all-zero column), float32: ranks the
    voxels of sign-flipped data by t without computing t."""
    ss = np.einsum("ij,ij->j", y, y, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(ss > 0, 1.0 / np.sqrt(ss), 0.0).astype(np.float32)


def circularity_null(
    Y,
    anatomical,
    n_datasets: int = 1000,
    alpha: float = 0.05,
    rng=0,
    size: int | None = None,
    batch: int = 50,
) -> pd.DataFrame:
    """How often an ROI test "finds" an effect in null data, by how the ROI was chosen.

    Null data sets are the maps ``Y`` minus their group mean, with each subject's sign flipped
    at random: no group effect is left, everything else (smoothness, differences between
    subjects, outliers) stays. In each, three ROIs are tested with a two-sided one-sample
    t-test of the subjects' ROI means at ``alpha``:

    - ``anatomical``: the given voxels, fixed before seeing the data;
    - ``split half``: the ``size`` voxels of largest t in one half of the subjects, tested in
      the other half;
    - ``circular``: the ``size`` voxels of largest t in all subjects, tested in the same ones.

    Parameters
    ----------
    Y, anatomical : array-like, shapes (n_subjects, n_voxels) and (n_voxels,) (bool)
    n_datasets, alpha, rng, batch :
        Null data sets, level of the ROI tests, seed, data sets per matrix product.
    size : int, optional
        Voxels in the selected ROIs; default the size of ``anatomical``.

    Returns
    -------
    pandas.DataFrame
        Index ``roi``; columns ``n_datasets``, ``false_positives``, ``rate``, ``ci_low``,
        ``ci_high`` (95% Clopper-Pearson) and ``mean_d`` (mean ROI effect, Cohen's d).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.normal(size=(20, 2000)).astype(np.float32)
    >>> table = circularity_null(Y, np.arange(2000) < 20, n_datasets=400)
    >>> bool(table.loc["circular", "rate"] > 0.9 > 0.1 > table.loc["split half", "rate"])
    True
    """
    y = np.asarray(Y, dtype=np.float32)
    y = y - y.mean(axis=0, dtype=np.float64).astype(np.float32)
    anatomical = np.asarray(anatomical, dtype=bool)
    n = y.shape[0]
    if anatomical.shape != (y.shape[1],) or not anatomical.any() or n < 6:
        raise ValueError(
            "anatomical must be a non-empty bool array over the voxels of Y, and "
            "Y must have at least 6 subjects."
        )
    rng = np.random.default_rng(rng)
    size = int(anatomical.sum()) if size is None else int(size)
    half_a, half_b = _split_halves(n, rng)
    y_a, y_b = y[half_a], y[half_b]
    isq_all, isq_a = _inverse_root_ss(y), _inverse_root_ss(y_a)
    roi_mean = y[:, anatomical].mean(axis=1, dtype=np.float64)
    t_all = {k: [] for k in ("anatomical", "split half", "circular")}
    for start in range(0, n_datasets, batch):
        signs = rng.choice(
            np.array([1.0, -1.0], np.float32), size=(min(batch, n_datasets - start), n)
        )
        top = np.argpartition(-(signs @ y) * isq_all, size - 1, axis=1)[:, :size]
        top_a = np.argpartition(-(signs[:, half_a] @ y_a) * isq_a, size - 1, axis=1)[:, :size]
        means = {
            "anatomical": roi_mean[:, None] * signs.T,
            "split half": y_b[:, top_a].mean(axis=2) * signs[:, half_b].T,
            "circular": y[:, top].mean(axis=2) * signs.T,
        }
        for name, values in means.items():
            t_all[name].append(_one_sample_t(np.asarray(values, dtype=np.float64).T))
    rows = []
    for name, parts in t_all.items():
        t = np.concatenate(parts)
        n_sub = len(half_b) if name == "split half" else n
        hits = int(np.count_nonzero(np.abs(t) > stats.t.isf(alpha / 2, n_sub - 1)))
        low, high = inference.binomial_interval(hits, t.size, 0.95)
        rows.append(
            {
                "roi": name,
                "n_datasets": t.size,
                "false_positives": hits,
                "rate": hits / t.size,
                "ci_low": low,
                "ci_high": high,
                "mean_d": float(np.mean(t / np.sqrt(n_sub))),
            }
        )
    return pd.DataFrame(rows).set_index("roi")


# --- More subjects or longer scans ------------------------------------------------------------


def first_level_variance(n_tr, sigma: float = 1.0, t_r: float = 2.0):
    """Sampling variance of a subject's first-level estimate with ``n_tr`` scans.

    The design of :func:`course_utils.experiments.simulation.simulate_first_level` (a constant and
    one
    event regressor, one event every 10 scans, white noise of SD ``sigma``):
    ``sigma**2 * inv(X'X)[1, 1]``.

    Examples
    --------
    >>> np.round(first_level_variance([50, 100, 200], sigma=1.0), 4).tolist()
    [0.1267, 0.0628, 0.0313]
    """
    values = []
    for scans in np.atleast_1d(np.asarray(n_tr, dtype=int)):
        if scans < 10:
            raise ValueError(f"n_tr must be at least 10 scans (one event); got {scans}.")
        regressor = simulation.event_regressor(
            simulation.trial_onsets(int(scans), int(scans) // 10, t_r), int(scans), t_r
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
    n_studies: int = 1000,
    rng=0,
    level: float = 0.999,
) -> SimulatedPower:
    """Power of the group t-test measured with the two-level simulator (time series fitted).

    ``n_studies`` studies of ``n_subjects`` simulated with
    :func:`course_utils.experiments.simulation.simulate_first_level` (one event every 10 scans).

    Examples
    --------
    >>> sim = simulated_tradeoff(20, 100, n_studies=300, rng=0)
    >>> sim.contains(float(scan_tradeoff(20, 100)["power"].iloc[0]))
    True
    """
    runs = simulation.simulate_first_level(
        n_subjects * n_studies,
        np.random.default_rng(rng),
        group_mean=group_mean,
        group_sd=group_sd,
        sigma=sigma,
        n_tr=n_tr,
        n_trials=n_tr // 10,
    )
    t = _one_sample_t(runs.estimates[:, 0].reshape(n_studies, n_subjects))
    hits = int(np.count_nonzero(np.abs(t) > stats.t.isf(alpha / 2, n_subjects - 1)))
    return _measured(hits, n_studies, level)
