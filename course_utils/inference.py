"""Inference: controlling false positives across many voxels.

A group map holds tens of thousands of tests. This module gives the thresholds and p-values that
control the errors of the whole map:

- :func:`permutation_test`: family-wise error (FWE) control by the maximum statistic ("max-T"),
  with sign flipping for one-sample and paired tests and Freedman-Lane permutation for general
  designs; optionally cluster-size FWE from the same permutations;
- :func:`bonferroni_threshold`, :func:`fdr_threshold` (Benjamini-Hochberg), :func:`t_to_z`;
- :func:`binomial_interval`, to report a measured error rate with its uncertainty.

**p-value conventions of** :func:`permutation_test`. With random sign flips or permutations (which
may or may not include the unpermuted data), the observed statistic is counted once::

    p = (1 + #{permutations with statistic >= observed}) / (1 + n_perm)

so p is never 0 and the test is exact in the sense of Phipson & Smyth (2010) up to the rare
duplicate draws. With complete enumeration of all ``2**n`` sign flips (used when ``2**n <=
n_perm``), the identity is one of the flips and::

    p = #{flips with statistic >= observed} / 2**n

The uncorrected p of a voxel compares its own statistic across permutations; the FWE-corrected p
compares it with the *maximum* over all voxels of each permutation. Two-sided tests use ``|t|``.

**What sign flipping assumes.** Under the null hypothesis each subject's value is symmetric about
zero (its sign is as likely to be + as -); the subjects need not share a distribution. Freedman-Lane
assumes exchangeable errors (e.g. equal variances) across subjects.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, special, stats

#: Target size of one batch of permuted statistics (flips x voxels x 4 bytes).
BATCH_BYTES = 8 * 2**20  # measured: 8 MiB batches stay in cache (fastest here)
#: Relative tolerance when comparing permuted with observed statistics (float32 products).
RTOL = 1e-5


@dataclass(frozen=True)
class ClusterResult:
    """Cluster-size inference from the permutations of :func:`permutation_test`.

    Attributes
    ----------
    threshold : float
        Cluster-forming threshold on the t statistic (``|t|`` for a two-sided test).
    labels : numpy.ndarray of int, shape (n_voxels,)
        Cluster number of each voxel (0 outside every cluster), clusters numbered from 1 in
        decreasing size; positive and negative clusters are formed separately.
    sizes : numpy.ndarray of int
        Size in voxels of cluster ``k`` at index ``k - 1``.
    p_fwe : numpy.ndarray
        FWE-corrected p-value of each cluster.
    max_size_null : numpy.ndarray
        Largest cluster size in each permutation.
    """

    threshold: float
    labels: np.ndarray
    sizes: np.ndarray
    p_fwe: np.ndarray
    max_size_null: np.ndarray


@dataclass(frozen=True)
class PermutationResult:
    """Result of :func:`permutation_test`.

    Attributes
    ----------
    t : numpy.ndarray, shape (n_voxels,)
        Observed t statistics.
    p_uncorrected, p_fwe : numpy.ndarray, shape (n_voxels,)
        Permutation p-values, voxel by voxel and FWE-corrected (max-T).
    max_null : numpy.ndarray, shape (n_permutations,)
        Maximum statistic (``max |t|`` when two-sided) of each permutation.
    n_perm : int
        Number of permutations used (``2**n`` when enumeration was complete).
    exact : bool
        True when every sign flip was enumerated.
    two_sided : bool
    method : str
        ``"sign-flip"`` or ``"freedman-lane"``.
    df : int
    clusters : ClusterResult or None
    """

    t: np.ndarray
    p_uncorrected: np.ndarray
    p_fwe: np.ndarray
    max_null: np.ndarray
    n_perm: int
    exact: bool
    two_sided: bool
    method: str
    df: int
    clusters: ClusterResult | None = None

    def fwe_threshold(self, alpha: float = 0.05) -> float:
        """The t (or ``|t|``) a voxel must exceed to have ``p_fwe <= alpha``."""
        ordered = np.sort(self.max_null)[::-1]
        offset = 0 if self.exact else 1
        k = int(np.floor(alpha * (len(ordered) + offset))) - offset  # allowed exceedances
        return float(ordered[k]) if 0 <= k < len(ordered) else float(ordered[0])


def _as_data(Y) -> np.ndarray:
    data = np.asarray(Y)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise ValueError(f"Y must be (subjects, voxels); got shape {data.shape}.")
    if data.shape[0] < 3:
        raise ValueError(f"Y has {data.shape[0]} subjects; a permutation test needs at least 3.")
    if not np.issubdtype(data.dtype, np.floating):
        data = data.astype(np.float64)
    bad = ~np.isfinite(data).all(axis=0)
    if bad.any():
        raise ValueError(f"Y has NaN or infinite values in {int(bad.sum())} voxels; mask them out "
                         "before testing.")
    return data


def _flips(n: int, n_perm: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    if n <= 20 and 2**n <= n_perm:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
        return signs, True
    return rng.choice(np.array([1.0, -1.0]), size=(n_perm, n)), False


def _batch_rows(n_voxels: int, n_rows: int) -> int:
    return int(max(1, min(n_rows, BATCH_BYTES // (4 * max(n_voxels, 1)))))


def _p_values(exceed: np.ndarray, n_perm: int, exact: bool) -> np.ndarray:
    return exceed / n_perm if exact else (1.0 + exceed) / (1.0 + n_perm)


def permutation_test(Y, X=None, contrast=None, n_perm: int = 5000, two_sided: bool = True,
                     seed: int | np.random.Generator = 0, cluster_threshold: float | None = None,
                     mask_img=None) -> PermutationResult:
    """Max-T permutation test of a group map, controlling the family-wise error rate.

    Parameters
    ----------
    Y : array-like, shape (n_subjects, n_voxels)
        Subject maps (float32 is fine; sums of squares are accumulated in float64).
    X : array-like or pandas.DataFrame, shape (n_subjects, k), optional
        Design. None (or a single column) means a one-sample test of the mean, by sign
        flipping. Otherwise Freedman-Lane permutation of the residuals of the nuisance part
        (everything in ``X`` that the contrast does not test); when the contrast tests a
        constant column (a mean), signs are flipped instead of rows permuted.
    contrast : array-like of shape (k,), optional
        Contrast of the design's columns; required when ``X`` has several columns.
    n_perm : int, default 5000
        Number of random permutations; a one-sample test enumerates all ``2**n`` flips instead
        when that is not more.
    two_sided : bool, default True
        Test ``|t|``; False tests positive t only (nilearn's default).
    seed : int or numpy.random.Generator
    cluster_threshold : float, optional
        Cluster-forming threshold on t (e.g. ``stats.t.isf(0.001, df)``): adds cluster-size FWE
        p-values computed from the same permutations. Needs ``mask_img``.
    mask_img : nibabel image, optional
        The mask the voxels come from (to find clusters in 3D, with face connectivity).

    Returns
    -------
    PermutationResult

    Raises
    ------
    ValueError
        Bad shapes, NaN in ``Y``, a missing or wrong-length contrast, a rank-deficient design,
        ``n_perm < 1``, or cluster inference without a mask.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.normal(0, 1, (8, 50))
    >>> Y[:, 0] += 3                      # one voxel with a real effect
    >>> res = permutation_test(Y, n_perm=1000, seed=0)
    >>> res.exact, res.n_perm             # 2**8 = 256 <= 1000: every flip was enumerated
    (True, 256)
    >>> bool(res.p_fwe[0] <= 0.05), bool((res.p_fwe[1:] > 0.05).all())
    (True, True)
    """
    data = _as_data(Y)
    n, n_vox = data.shape
    if not isinstance(n_perm, int | np.integer) or n_perm < 1:
        raise ValueError(f"n_perm must be a positive whole number; got {n_perm!r}.")
    if cluster_threshold is not None and mask_img is None:
        raise ValueError("Cluster inference needs mask_img, to know which voxels are neighbours.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    design = None if X is None else np.asarray(X, dtype=np.float64)
    if design is not None and design.ndim == 1:
        design = design[:, None]
    if design is not None and design.shape[0] != n:
        raise ValueError(f"X has {design.shape[0]} rows but Y has {n} subjects.")
    if design is None or design.shape[1] == 1:
        if design is not None:
            column = design[:, 0]
            if np.ptp(column) != 0 or column[0] == 0:
                raise ValueError("A one-column design must be a constant, non-zero column (a "
                                 "one-sample test); for a covariate, add an intercept column "
                                 "and give a contrast.")
            if contrast is not None and np.ravel(contrast)[0] < 0:
                data = -data
        return _sign_flip(data, n_perm, two_sided, rng, cluster_threshold, mask_img)
    if contrast is None:
        raise ValueError(f"X has {design.shape[1]} columns: give a contrast (one weight per "
                         "column) saying what to test.")
    c = np.asarray(contrast, dtype=np.float64).ravel()
    if c.size != design.shape[1]:
        raise ValueError(f"The contrast has {c.size} weights but X has {design.shape[1]} "
                         "columns.")
    if not c.any():
        raise ValueError("The contrast is all zeros: it tests nothing.")
    if np.linalg.matrix_rank(design) < design.shape[1]:
        from course_utils.glm import dependent_columns

        raise ValueError(f"X is rank-deficient (columns {dependent_columns(design)} are linearly "
                         "dependent); drop one of them.")
    return _freedman_lane(data, design, c, n_perm, two_sided, rng, cluster_threshold, mask_img)


def _cluster_sizes(tmap: np.ndarray, threshold: float, two_sided: bool, mask: np.ndarray,
                   flat: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label supra-threshold clusters (positive and negative separately) of one t-map."""
    labels = np.zeros(tmap.shape, dtype=np.int64)
    sizes: list[int] = []
    signs = (1, -1) if two_sided else (1,)
    structure = ndimage.generate_binary_structure(3, 1)
    for sign in signs:
        volume.fill(False)
        volume.flat[flat] = sign * tmap > threshold
        lab, count = ndimage.label(volume, structure=structure)
        if count:
            counts = np.bincount(lab.flat[flat], minlength=count + 1)[1:]
            inside = lab.flat[flat]
            offset = len(sizes)
            labels[inside > 0] = inside[inside > 0] + offset
            sizes.extend(counts.tolist())
    return labels, np.asarray(sizes, dtype=np.int64)


def _max_cluster(tmap, threshold, two_sided, flat, volume) -> int:
    structure = ndimage.generate_binary_structure(3, 1)
    best = 0
    for sign in ((1, -1) if two_sided else (1,)):
        volume.fill(False)
        volume.flat[flat] = sign * tmap > threshold
        lab, count = ndimage.label(volume, structure=structure)
        if count:
            best = max(best, int(np.bincount(lab.ravel())[1:].max()))
    return best


def _mask_geometry(mask_img, n_vox):
    mask = np.asarray(mask_img.dataobj).astype(bool)
    flat = np.flatnonzero(mask)
    if flat.size != n_vox:
        raise ValueError(f"mask_img has {flat.size} voxels but Y has {n_vox}: use the mask the "
                         "data were taken from.")
    return mask, flat, np.zeros(mask.shape, dtype=bool)


def _finish(t, exceed_unc, exceed_fwe, max_null, n_rows, exact, two_sided, method, df,
            cluster_threshold, mask_img, cluster_null) -> PermutationResult:
    clusters = None
    if cluster_threshold is not None:
        mask, flat, volume = _mask_geometry(mask_img, t.size)
        labels, sizes = _cluster_sizes(t, cluster_threshold, two_sided, mask, flat, volume)
        order = np.argsort(-sizes, kind="stable")
        relabel = np.zeros(sizes.size + 1, dtype=np.int64)
        relabel[order + 1] = np.arange(1, sizes.size + 1)
        labels, sizes = relabel[labels], sizes[order]
        null = np.asarray(cluster_null, dtype=np.int64)
        exceed = (null[None, :] >= sizes[:, None]).sum(axis=1)
        clusters = ClusterResult(float(cluster_threshold), labels, sizes,
                                 _p_values(exceed, n_rows, exact), null)
    return PermutationResult(t, _p_values(exceed_unc, n_rows, exact),
                             _p_values(exceed_fwe, n_rows, exact), max_null, n_rows, exact,
                             two_sided, method, df, clusters)


def _sign_flip(data, n_perm, two_sided, rng, cluster_threshold, mask_img) -> PermutationResult:
    n, n_vox = data.shape
    df = n - 1
    # Sums of squares do not change under a flip, so every flipped t follows from the flipped sum
    # m alone: with w = m / sqrt(n * SS), t**2 = (n - 1) w**2 / (1 - w**2), which grows with |w|.
    # The batch loop therefore only scales, compares and maximises w (no division, no sqrt).
    ss = np.einsum("ij,ij->j", data, data, dtype=np.float64)
    total = data.sum(axis=0, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        isq = 1.0 / np.sqrt(n * ss)
        w_obs = total * isq
        t = np.sign(w_obs) * np.sqrt(df * w_obs**2 / (1.0 - w_obs**2))
    obs = np.abs(w_obs) if two_sided else w_obs
    obs_tol = (obs - RTOL * np.abs(obs)).astype(np.float32)
    flips, exact = _flips(n, n_perm, rng)
    n_rows = flips.shape[0]
    y32 = np.ascontiguousarray(data, dtype=np.float32)
    isq32 = isq.astype(np.float32)
    batch = min(_batch_rows(n_vox, n_rows), 255)
    buf = np.empty((batch, n_vox), dtype=np.float32)
    hits = np.empty((batch, n_vox), dtype=bool)
    max_w = np.empty(n_rows)
    exceed = np.zeros(n_vox, dtype=np.int64)
    cluster_null = []
    geometry = _mask_geometry(mask_img, n_vox) if cluster_threshold is not None else None
    for start in range(0, n_rows, batch):
        signs = flips[start:start + batch].astype(np.float32)
        rows = signs.shape[0]
        w, hit = buf[:rows], hits[:rows]
        np.matmul(signs, y32, out=w)
        np.multiply(w, isq32, out=w)
        if geometry is not None:
            _, flat, volume = geometry
            w64 = w.astype(np.float64)
            tmaps = np.sign(w64) * np.sqrt(df * w64**2 / (1.0 - w64**2))
            cluster_null.extend(_max_cluster(tm, cluster_threshold, two_sided, flat, volume)
                                for tm in tmaps)
        if two_sided:
            np.abs(w, out=w)
        max_w[start:start + rows] = w.max(axis=1)
        np.greater_equal(w, obs_tol, out=hit)
        exceed += hit.view(np.uint8).sum(axis=0, dtype=np.uint8)
    with np.errstate(divide="ignore", invalid="ignore"):
        max_t = np.sign(max_w) * np.sqrt(df * max_w**2 / (1.0 - max_w**2))
    exceed_fwe = _count_exceed(max_w, obs_tol)
    return _finish(t, exceed, exceed_fwe, max_t, n_rows, exact, two_sided, "sign-flip", df,
                   cluster_threshold, mask_img, cluster_null)


def _count_exceed(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """For each observed value, how many null values are >= it (sorted search)."""
    ordered = np.sort(null)
    return null.size - np.searchsorted(ordered, observed, side="left")


def _freedman_lane(data, X, c, n_perm, two_sided, rng, cluster_threshold, mask_img):
    n, n_vox = data.shape
    k = X.shape[1]
    df = n - k
    if df < 1:
        raise ValueError(f"X has {k} columns for {n} subjects: no degrees of freedom are left.")
    pinv = np.linalg.pinv(X)
    cov = pinv @ pinv.T
    var_c = float(c @ cov @ c)
    # Nuisance: the part of the design the contrast does not test (X times the null space of c).
    _, _, vt = np.linalg.svd(c[None, :])
    nuisance = X @ vt[1:].T
    q_res, _ = np.linalg.qr(X, mode="complete")
    resid_basis = q_res[:, k:]  # orthonormal basis of the full model's residual space
    if nuisance.shape[1]:
        qz, _ = np.linalg.qr(nuisance)
        y = data.astype(np.float64)
        resid_z = y - qz @ (qz.T @ y)
    else:
        resid_z = data.astype(np.float64)
    w = c @ pinv  # effect = w @ Y
    # Flip signs when the contrast tests something constant (a mean): permuting rows cannot.
    effect_regressor = X @ np.linalg.pinv(c[None, :]).ravel()
    flip = np.ptp(effect_regressor) <= 1e-10 * np.abs(effect_regressor).max()
    method = "freedman-lane" + (" (sign flips)" if flip else "")

    def statistic(matrices):  # matrices: (B, n, n) applied to resid_z
        eff = np.einsum("i,bij,jv->bv", w, matrices, resid_z, optimize=True)
        proj = np.einsum("ri,bij,jv->brv", resid_basis.T, matrices, resid_z, optimize=True)
        rss = np.einsum("brv,brv->bv", proj, proj)
        with np.errstate(divide="ignore", invalid="ignore"):
            return eff / np.sqrt(rss / df * var_c)

    identity = np.eye(n)[None]
    t = statistic(identity)[0]
    if flip:
        orders = None
        signs = rng.choice(np.array([1.0, -1.0]), size=(n_perm, n))
    else:
        orders = np.array([rng.permutation(n) for _ in range(n_perm)])
    obs = np.abs(t) if two_sided else t
    obs_tol = obs - RTOL * np.abs(obs)
    max_null = np.empty(n_perm)
    exceed = np.zeros(n_vox, dtype=np.int64)
    cluster_null = []
    geometry = _mask_geometry(mask_img, n_vox) if cluster_threshold is not None else None
    batch = max(1, min(n_perm, BATCH_BYTES // (8 * n * max(n_vox, 1))))
    for start in range(0, n_perm, batch):
        stop = min(start + batch, n_perm)
        if flip:
            mats = np.zeros((stop - start, n, n))
            idx = np.arange(n)
            mats[:, idx, idx] = signs[start:stop]
        else:
            mats = np.eye(n)[orders[start:stop]]
        tp = statistic(mats)
        stat = np.abs(tp) if two_sided else tp
        max_null[start:stop] = stat.max(axis=1)
        exceed += (stat >= obs_tol).sum(axis=0)
        if geometry is not None:
            _, flat, volume = geometry
            cluster_null.extend(_max_cluster(tm, cluster_threshold, two_sided, flat, volume)
                                for tm in tp)
    exceed_fwe = _count_exceed(max_null, obs_tol)
    return _finish(t, exceed, exceed_fwe, max_null, n_perm, False, two_sided, method, df,
                   cluster_threshold, mask_img, cluster_null)


def t_to_z(t, df: int) -> np.ndarray:
    """Convert t statistics to z scores with the same tail probability, stable far in the tails.

    Examples
    --------
    >>> float(np.round(t_to_z(2.0, 10), 4))
    1.7904
    >>> float(t_to_z(40.0, 20)) > 8          # no overflow to inf where p underflows
    True
    """
    values = np.asarray(t, dtype=np.float64)
    z = -special.ndtri_exp(stats.t.logsf(np.abs(values), df))
    z = np.sign(values) * z
    return float(z) if z.ndim == 0 else z


def bonferroni_threshold(alpha: float, n_tests: int, df: int | None = None,
                         two_sided: bool = True) -> float:
    """The |t| (or |z| when ``df`` is None) that controls the FWE at ``alpha`` by Bonferroni.

    Examples
    --------
    >>> round(bonferroni_threshold(0.05, 1000), 3)
    4.056
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha}.")
    if n_tests < 1:
        raise ValueError(f"n_tests must be at least 1; got {n_tests}.")
    tail = alpha / n_tests / (2 if two_sided else 1)
    return float(stats.norm.isf(tail) if df is None else stats.t.isf(tail, df))


def fdr_threshold(p_values, alpha: float = 0.05) -> float:
    """Benjamini-Hochberg: the largest p-value declared significant (0.0 when none is).

    A voxel is significant when its p is at most the returned value.

    Examples
    --------
    >>> fdr_threshold([0.001, 0.01, 0.03, 0.5], alpha=0.05)
    0.03
    """
    p = np.sort(np.asarray(p_values, dtype=np.float64).ravel())
    if p.size == 0 or np.isnan(p).any():
        raise ValueError("fdr_threshold needs a non-empty array of p-values without NaN.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha}.")
    below = p <= alpha * np.arange(1, p.size + 1) / p.size
    return float(p[np.nonzero(below)[0].max()]) if below.any() else 0.0


def binomial_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a proportion ``k / n``, e.g. a measured error rate.

    Examples
    --------
    >>> low, high = binomial_interval(5, 100)
    >>> round(low, 4), round(high, 4)
    (0.0164, 0.1128)
    """
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"Need 0 <= k <= n and n >= 1; got k={k}, n={n}.")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)
