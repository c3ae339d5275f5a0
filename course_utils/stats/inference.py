"""Permutation inference: controlling the family-wise error across the voxels of a group map.

- :func:`permutation_test`: family-wise error (FWE) control by the maximum statistic ("max-T"),
  with sign flipping for one-sample and paired tests and Freedman-Lane permutation for general
  designs; optionally cluster-size FWE and threshold-free cluster enhancement (TFCE, max-TFCE
  FWE) from the same permutations (:mod:`course_utils.stats.map_inference`).
- :func:`fwe_threshold` reads the corrected threshold off its null distribution.

Bonferroni, FDR and t to z are in :mod:`course_utils.stats.thresholds`, the false-positive-rate
experiment in :mod:`course_utils.stats.error_rates`, null maps in
:mod:`course_utils.experiments.nulldata`.

**p-value conventions of** :func:`permutation_test`. Random sign flips or permutations are drawn
without the identity (the unpermuted data); the observed data are then counted once::

    p = (1 + #{permutations with statistic >= observed}) / (1 + n_perm)

so p is never 0 and the test is valid (Phipson & Smyth, 2010). When every sign flip (or every
reordering) can be enumerated within ``n_perm``, all ``2**n`` flips (``n!`` reorderings) are used;
the identity is one of them and::

    p = #{flips with statistic >= observed} / 2**n

The uncorrected p of a voxel compares its own statistic across permutations; the FWE-corrected p
compares it with the *maximum* over all voxels of each permutation (max-T). Two-sided tests use
``|t|``; one-sided tests (``two_sided=False``, nilearn's default) use ``t`` (large positive t).

**Accuracy.** Sign flips use float32 matrix products (half the memory traffic of float64) on
float32 copies of the data; sums of squares and the observed t are float64. A flipped statistic
is accurate to about ``1e-6`` relative, and permuted statistics within ``1e-5`` (relative) of an
observed one count as ties (so p can only err upwards, by the rare near-tie). Freedman-Lane uses
float64 throughout (ties within ``1e-8``).

**What the tests assume.** Sign flipping: under the null hypothesis each subject's value is
symmetric about zero (its sign is as likely + as -); subjects need not share a distribution.
Freedman-Lane: errors exchangeable across subjects (e.g. equal variances); it is exact only
asymptotically when there are nuisance columns, and very close to exact in practice (Anderson &
Robinson, 2001; Winkler et al., 2014).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg

from course_utils._utils import (
    as_design,
    as_generator,
    as_subjects_by_voxels,
    check_alpha,
    check_contrast,
    check_count,
)
from course_utils.stats import glm, map_inference

__all__ = ["PermutationResult", "fwe_threshold", "permutation_test"]

#: Target size of one batch of whole permuted maps (clusters, TFCE, Freedman-Lane).
BATCH_BYTES = 8 * 2**20
#: Voxels per tile of the sign-flip max-T loop, and the bytes of one tile of statistics: a tile of
#: flipped statistics stays in the processor's cache while it is compared and maximised.
TILE_VOXELS = 4096
TILE_BYTES = 3 * 2**19
#: Relative tolerance for ties between permuted and observed statistics (float32 sign flips).
RTOL = 1e-5
#: Relative tolerance for ties in the float64 Freedman-Lane path.
RTOL64 = 1e-8
#: Largest number of subjects for which all 2**n flips may be enumerated (memory of the flips).
MAX_ENUMERATE_FLIPS = 20


@dataclass(frozen=True)
class PermutationResult:
    """Result of :func:`permutation_test`.

    Attributes
    ----------
    t : numpy.ndarray, shape (n_voxels,)
        Observed t statistics (float64).
    p_uncorrected : numpy.ndarray, shape (n_voxels,)
        Permutation p-value of each voxel on its own.
    p_fwe : numpy.ndarray, shape (n_voxels,)
        FWE-corrected p-value (max-T).
    max_null : numpy.ndarray, shape (n_perm,)
        Maximum statistic of each permutation (``max |t|`` when two-sided, ``max t`` otherwise);
        excludes the observed data unless ``exact``.
    n_perm : int
        Number of permutations used (``2**n`` or ``n!`` when enumeration was complete).
    exact : bool
        True when every sign flip (or reordering) was enumerated.
    two_sided : bool
        Whether ``|t|`` was tested.
    method : str
        ``"sign-flip"``, ``"freedman-lane"`` or ``"freedman-lane (sign flips)"``.
    df : int
        Residual degrees of freedom of the t statistics.
    clusters : course_utils.stats.map_inference.ClusterResult or None
        Cluster-size inference, when a cluster-forming threshold was given.
    tfce : numpy.ndarray or None
        TFCE of the observed t-map (:func:`course_utils.stats.tfce.tfce`), when ``tfce=True``.
    p_fwe_tfce : numpy.ndarray or None
        FWE-corrected p-value of each voxel's TFCE (max-TFCE), when ``tfce=True``.
    max_tfce_null : numpy.ndarray or None
        Largest ``|TFCE|`` of each permuted map, when ``tfce=True``.

    Examples
    --------
    >>> res = permutation_test(np.random.default_rng(0).normal(size=(10, 30)), n_perm=99)
    >>> res.method, res.n_perm, res.df, res.t.shape
    ('sign-flip', 99, 9, (30,))
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
    clusters: map_inference.ClusterResult | None = None
    tfce: np.ndarray | None = None
    p_fwe_tfce: np.ndarray | None = None
    max_tfce_null: np.ndarray | None = None

    def fwe_threshold(self, alpha: float = 0.05) -> float:
        """The statistic a voxel must exceed to have ``p_fwe <= alpha`` (:func:`fwe_threshold`)."""
        return fwe_threshold(self, alpha)

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        """Boolean map of the voxels with ``p_fwe <= alpha`` (float ``alpha`` in (0, 1))."""
        check_alpha(alpha)
        return self.p_fwe <= alpha


def fwe_threshold(result: PermutationResult, alpha: float = 0.05) -> float:
    """The max-T threshold: voxels whose statistic exceeds it have ``p_fwe <= alpha``.

    It is the ``(1 - alpha)`` quantile of the max-T null distribution, taken so that it agrees
    exactly with the p-value convention of :func:`permutation_test`: a voxel is significant when
    ``|t| > threshold`` (``t > threshold`` for a one-sided test).

    Parameters
    ----------
    result : PermutationResult
        From :func:`permutation_test`.
    alpha : float, default 0.05
        Family-wise error rate.

    Returns
    -------
    float
        The threshold; ``inf`` when too few permutations were run for any voxel to reach
        ``alpha`` (``n_perm < 1 / alpha - 1``).

    Raises
    ------
    ValueError
        When ``alpha`` is not between 0 and 1.

    See Also
    --------
    course_utils.stats.thresholds.bonferroni_threshold : the threshold that ignores the
        correlation between voxels.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = permutation_test(rng.normal(size=(12, 100)), n_perm=999, seed=0)
    >>> thr = fwe_threshold(res, 0.05)
    >>> bool(np.all((np.abs(res.t) > thr) == (res.p_fwe <= 0.05)))
    True
    """
    check_alpha(alpha)
    ordered = np.sort(np.asarray(result.max_null, dtype=np.float64))[::-1]
    offset = 0 if result.exact else 1
    allowed = math.floor(alpha * (ordered.size + offset) + 1e-9) - offset  # permuted maxima >= t
    if allowed < 0:
        return math.inf
    return float(ordered[allowed]) if allowed < ordered.size else -math.inf


def _random_flips(n: int, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    """Random sign flips (rows), never the identity (all +1)."""
    flips = rng.choice(np.array([1.0, -1.0]), size=(n_perm, n))
    identity = (flips > 0).all(axis=1)
    while identity.any():
        flips[identity] = rng.choice(np.array([1.0, -1.0]), size=(int(identity.sum()), n))
        identity = (flips > 0).all(axis=1)
    return flips


def _flips(n: int, n_perm: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    if n <= MAX_ENUMERATE_FLIPS and 2**n <= n_perm:
        return np.array(list(itertools.product((1.0, -1.0), repeat=n))), True
    return _random_flips(n, n_perm, rng), False


def _orders(n: int, n_perm: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Reorderings of the subjects (rows): all ``n!`` when that is not more than ``n_perm``."""
    if n <= 10 and math.factorial(n) <= n_perm:
        return np.array(list(itertools.permutations(range(n)))), True
    orders = rng.permuted(np.tile(np.arange(n), (n_perm, 1)), axis=1)
    identity = (orders == np.arange(n)).all(axis=1)
    while identity.any():
        orders[identity] = rng.permuted(np.tile(np.arange(n), (int(identity.sum()), 1)), axis=1)
        identity = (orders == np.arange(n)).all(axis=1)
    return orders, False


def _batch_rows(n_voxels: int, n_rows: int, bytes_per_row: int = 4) -> int:
    """Permutations per batch so that one batch of statistics is about BATCH_BYTES."""
    return int(max(1, min(n_rows, BATCH_BYTES // (bytes_per_row * max(n_voxels, 1)))))


def _design(X, contrast, n: int):
    """Validate the design and contrast; return (array, contrast vector) or (None, sign)."""
    if X is None:
        if contrast is not None and np.size(contrast) != 1:
            raise ValueError(
                "Without X (a one-sample test) the contrast must be one number, "
                f"e.g. 1 or -1; got {contrast!r}."
            )
        return None, _one_sign(contrast)
    design, columns = as_design(X)
    if design.shape[0] != n:
        raise ValueError(
            f"X has {design.shape[0]} rows but Y has {n} subjects: one design row "
            "per subject, in the same order."
        )
    k = design.shape[1]
    if k == 1:
        column = design[:, 0]
        if np.ptp(column) != 0 or column[0] == 0:
            raise ValueError(
                "A one-column design must be a constant, non-zero column (a "
                "one-sample test); for a covariate, add an intercept column and give "
                "a contrast."
            )
        if contrast is not None and np.size(contrast) != 1 and not isinstance(contrast, Mapping):
            raise ValueError(f"The contrast has {np.size(contrast)} weights but X has 1 column.")
        sign = 1.0 if contrast is None else float(np.sign(_contrast_vector(contrast, columns)[0]))
        return None, sign * float(np.sign(column[0]))
    if contrast is None:
        raise ValueError(
            f"X has {k} columns {list(columns)}: give a contrast (one weight per "
            "column, or a dict of column name: weight) saying what to test."
        )
    c = _contrast_vector(contrast, columns)
    if np.linalg.matrix_rank(design) < k:
        raise ValueError(
            f"X is rank-deficient (columns {glm.dependent_columns(X)} are linearly "
            "dependent): drop one of them or recode the design."
        )
    if n - k < 1:
        raise ValueError(f"X has {k} columns for {n} subjects: no degrees of freedom are left.")
    return design, c


def _one_sign(contrast) -> float:
    if contrast is None:
        return 1.0
    value = float(np.ravel(contrast)[0])
    if not np.isfinite(value) or value == 0:
        raise ValueError(f"The contrast weight must be a non-zero number; got {contrast!r}.")
    return float(np.sign(value))


def _contrast_vector(contrast, columns) -> np.ndarray:
    if isinstance(contrast, Mapping | pd.Series):
        c = np.zeros(len(columns))
        for name, weight in dict(contrast).items():
            if str(name) not in columns:
                raise ValueError(f"No design column {name!r}; the columns are {list(columns)}.")
            c[list(columns).index(str(name))] = float(weight)
        contrast = c
    return check_contrast(np.ravel(contrast), len(columns), columns=list(columns))


def permutation_test(
    Y,
    X=None,
    contrast=None,
    *,
    n_perm: int = 5000,
    two_sided: bool = True,
    seed: int | np.random.Generator = 0,
    cluster_threshold: float | None = None,
    mask_img=None,
    chunk_size: int | None = None,
    tfce: bool = False,
) -> PermutationResult:
    """Max-T permutation test of a group map, controlling the family-wise error rate.

    One-sample and paired tests (``X`` None or a constant column; for a paired test pass the
    within-subject differences) flip the sign of whole subject maps. Sums of squares do not change
    under a flip, so the t-maps of a batch of flips come from one matrix product ``flips @ Y`` and
    the fixed sums of squares: ``t = mean / sqrt((SS - n mean**2) / (n - 1) / n)``.
    General designs use Freedman-Lane: residualise ``Y`` on the nuisance part of the design (the
    part the contrast does not test), permute the residuals, add the nuisance fit back and refit;
    this too is a batch of matrix products (see Notes). Flips and permutations are processed in
    chunks, so memory stays bounded whatever ``n_perm``. Cluster sizes and TFCE need whole
    permuted maps: each one is labelled (clusters) or enhanced (TFCE) and only its maximum kept.

    Parameters
    ----------
    Y : array-like, shape (n_subjects, n_voxels)
        Subject maps (float32 is fine; sums are accumulated in float64). No NaN.
    X : array-like or pandas.DataFrame, shape (n_subjects, k), optional
        Design. None (or a single constant column) means a one-sample test of the mean, by sign
        flipping. Otherwise Freedman-Lane, permuting subjects when the nuisance part contains the
        constant (the usual case: group differences, covariate slopes); when it does not (the
        contrast involves a mean, e.g. the intercept with a covariate, or one group's mean), signs
        are flipped instead, which assumes symmetric errors.
    contrast : array-like of shape (k,) or dict, optional
        Contrast of the design's columns (a dict maps DataFrame column names to weights); required
        when ``X`` has several columns. For a one-sample test, ``-1`` tests a negative mean.
    n_perm : int, default 5000
        Number of random permutations (identity excluded). When all ``2**n`` sign flips (or all
        ``n!`` reorderings) are not more than ``n_perm``, all are enumerated instead.
    two_sided : bool, default True
        Test ``|t|``. False tests large positive t only (nilearn's default).
    seed : int or numpy.random.Generator, default 0
        Seed of the random flips or permutations.
    cluster_threshold : float, optional
        Cluster-forming threshold on t (``|t|`` when two-sided), e.g.
        ``scipy.stats.t.isf(0.001, df)``: adds cluster-size FWE p-values computed from the same
        permutations (the largest cluster of each permuted map by the numba union-find of
        :func:`course_utils.stats.tfce.max_cluster_sizes`, about 0.1-0.3 ms per map on a whole
        brain; the observed map's clusters by :func:`scipy.ndimage.label`).
    mask_img : nibabel image or path, optional
        The 3D mask the voxels come from (columns of ``Y`` in the mask's C order, as
        :func:`course_utils.experiments.data.mask_images` gives them), to find clusters in 3D with
        face connectivity. Required with ``cluster_threshold`` and ``tfce``.
    chunk_size : int, optional
        Permutations per batch. By default a batch of statistics is about 8 MiB (1.5 MiB tiles of
        4096 voxels in the sign-flip max-T loop, at most 255 flips each; with clusters or TFCE
        the max-T counts come from the same batches of whole flipped maps, one product each).
        Memory of a batch is ``chunk_size * n_voxels * 8 * (k + 1)`` bytes for Freedman-Lane and
        for whole maps.
    tfce : bool, default False
        Also threshold-free cluster enhancement (E = 0.5, H = 2, 100 height steps per map, face
        connectivity, two-sided as ``two_sided``; as nilearn's ``non_parametric_inference(...,
        tfce=True)``): the observed TFCE map and max-TFCE FWE p-values. Needs ``mask_img``. About
        10-40 ms per permuted map on a 67,000-voxel brain, so 1,000 permutations take 10-40 s;
        the first call of a session loads (or, once per machine, compiles) the numba kernels.

    Returns
    -------
    PermutationResult
        Observed t, uncorrected and FWE p-values, the max-T null, and clusters and TFCE when
        asked.

    Raises
    ------
    ValueError
        Bad shapes, NaN in ``Y``, a missing or wrong-length contrast, a rank-deficient design,
        ``n_perm < 1``, ``chunk_size < 1``, or cluster inference or TFCE without a (matching)
        mask.

    See Also
    --------
    fwe_threshold : the corrected threshold on t.
    nilearn.glm.second_level.non_parametric_inference : the same test (one-sided by default),
        returning -log10 p images.

    Notes
    -----
    Freedman-Lane as matrix products: let ``R`` be the residuals of ``Y`` on the nuisance columns
    ``Z``, ``u`` the unit vector in the design's column space orthogonal to ``Z`` (the tested
    direction) and ``Q_Z`` an orthonormal basis of ``Z``. For a permutation ``P``, the refit on
    ``P R + H_Z Y`` has effect ``u' P R`` and residual sum of squares
    ``SS_R - (u' P R)**2 - |Q_Z' P R|**2``, where ``SS_R = |R|**2`` does not change under ``P``.
    So a batch needs only ``(batch * k) x n`` times ``n x n_voxels`` products.

    References
    ----------
    Nichols & Holmes (2002), Hum Brain Mapp 15:1-25. Winkler et al. (2014), NeuroImage 92:381-397.
    Phipson & Smyth (2010), Stat Appl Genet Mol Biol 9:39. Smith & Nichols (2009), NeuroImage
    44:83-98 (TFCE).

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
    data = as_subjects_by_voxels(Y, min_subjects=3)
    n, n_vox = data.shape
    check_count(n_perm, "n_perm")
    if chunk_size is not None:
        check_count(chunk_size, "chunk_size")
    maps = map_inference.MapNulls(n_vox, cluster_threshold, two_sided, tfce, mask_img=mask_img)
    if cluster_threshold is not None and (
        not np.isfinite(cluster_threshold) or cluster_threshold <= 0
    ):
        raise ValueError(
            "cluster_threshold must be a positive t value, e.g. "
            f"scipy.stats.t.isf(0.001, df); got {cluster_threshold!r}."
        )
    rng = as_generator(seed)
    design, c = _design(X, contrast, n)
    if design is None:
        if c < 0:
            data = -data
        return _sign_flip(data, n_perm, two_sided, rng, maps, chunk_size)
    return _freedman_lane(data, design, c, n_perm, two_sided, rng, maps, chunk_size)


def _w_to_t(w, df):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sign(w) * np.sqrt(df * w**2 / (1.0 - w**2))


def _tile_rows(chunk_size: int | None) -> int:
    """Flips per tile of the max-T loop (at most 255: uint8 counts cannot overflow)."""
    return int(min(chunk_size or TILE_BYTES // (4 * TILE_VOXELS), 255))


def _sign_flip(data, n_perm, two_sided, rng, maps, chunk_size):
    n, n_vox = data.shape
    df = n - 1
    # Sums of squares do not change under a flip, so every flipped t follows from the flipped sum
    # m alone: with w = m / sqrt(n * SS), t**2 = (n - 1) w**2 / (1 - w**2), which grows with |w|.
    # Scaling the columns by 1 / sqrt(n * SS) once makes each product row a w directly; the loop
    # then only compares and maximises w (no division, no sqrt), tile by tile so that a tile of
    # statistics stays in cache.
    ss = np.einsum("ij,ij->j", data, data, dtype=np.float64)
    total = data.sum(axis=0, dtype=np.float64)
    with np.errstate(divide="ignore"):
        isq = np.where(ss > 0, 1.0 / np.sqrt(n * ss), 0.0)  # all-zero voxels: t = 0, p = 1
    w_obs = np.clip(total * isq, -1.0, 1.0)
    t = _w_to_t(w_obs, df)
    obs = np.abs(w_obs) if two_sided else w_obs
    obs_tol = (obs - RTOL * np.abs(obs) - 4 * n * np.finfo(np.float32).eps).astype(np.float32)
    flips, exact = _flips(n, n_perm, rng)
    n_rows = flips.shape[0]
    signs = flips.astype(np.float32)
    scaled = np.asarray(data, dtype=np.float32) * isq.astype(np.float32)
    max_w = np.full(n_rows, 0.0 if two_sided else -np.inf, dtype=np.float32)
    if maps.active:
        exceed = _flip_whole_maps(signs, scaled, obs_tol, two_sided, df, maps, max_w, chunk_size)
    else:
        exceed = _flip_tiles(signs, scaled, obs_tol, two_sided, max_w, chunk_size)
    max_w64 = max_w.astype(np.float64)
    exceed_fwe = map_inference.count_exceed(max_w64, obs_tol.astype(np.float64))
    return PermutationResult(
        t,
        map_inference.permutation_p(exceed, n_rows, exact),
        map_inference.permutation_p(exceed_fwe, n_rows, exact),
        _w_to_t(np.clip(max_w64, -1, 1), df),
        n_rows,
        exact,
        two_sided,
        "sign-flip",
        df,
        **maps.results(t, n_rows, exact),
    )


def _flip_tiles(signs, scaled, obs_tol, two_sided, max_w, chunk_size):
    """Max-T counts tile by tile (a tile of flipped w stays in cache); fills ``max_w``."""
    n_rows, n_vox = signs.shape[0], scaled.shape[1]
    rows = min(_tile_rows(chunk_size), n_rows)
    width = min(TILE_VOXELS, n_vox)
    buf = np.empty((rows, width), dtype=np.float32)
    hits = np.empty((rows, width), dtype=bool)
    exceed = np.zeros(n_vox, dtype=np.int64)
    for c0 in range(0, n_vox, width):
        block = np.ascontiguousarray(scaled[:, c0 : c0 + width])
        cols = block.shape[1]
        bar = obs_tol[c0 : c0 + cols]
        counts = np.zeros(cols, dtype=np.int64)
        for r0 in range(0, n_rows, rows):
            part = signs[r0 : r0 + rows]
            w, hit = buf[: part.shape[0], :cols], hits[: part.shape[0], :cols]
            np.matmul(part, block, out=w)
            if two_sided:
                np.abs(w, out=w)
            top = max_w[r0 : r0 + part.shape[0]]
            np.maximum(top, w.max(axis=1), out=top)
            np.greater_equal(w, bar, out=hit)
            counts += hit.view(np.uint8).sum(axis=0, dtype=np.uint8)
        exceed[c0 : c0 + cols] = counts
    return exceed


def _flip_whole_maps(signs, scaled, obs_tol, two_sided, df, maps, max_w, chunk_size):
    """Max-T counts, cluster sizes and TFCE from one product per batch of whole flipped maps.

    Clusters are formed on the w scale: ``|t| > c`` exactly when ``|w| > c / sqrt(df + c**2)``,
    so only TFCE needs the flipped maps as t. Fills ``max_w``.
    """
    n_rows, n_vox = signs.shape[0], scaled.shape[1]
    batch = min(chunk_size or _batch_rows(n_vox, n_rows), n_rows)
    exceed = np.zeros(n_vox, dtype=np.int64)
    for start in range(0, n_rows, batch):
        w = signs[start : start + batch] @ scaled
        if maps.threshold is not None:
            maps.add_clusters(w, maps.threshold / np.sqrt(df + maps.threshold**2))
        if maps.table is not None:
            maps.add_tfce(_w_to_t(np.clip(w.astype(np.float64), -1, 1), df))
        if two_sided:
            np.abs(w, out=w)
        max_w[start : start + w.shape[0]] = w.max(axis=1)
        for sub in range(0, w.shape[0], 255):  # uint8 counts cannot overflow within 255 rows
            hit = w[sub : sub + 255] >= obs_tol
            exceed += hit.view(np.uint8).sum(axis=0, dtype=np.uint8)
    return exceed


def _freedman_lane(data, X, c, n_perm, two_sided, rng, maps, chunk_size):
    n, k = X.shape
    df = n - k
    y = np.asarray(data, dtype=np.float64)
    # Nuisance: the part of the design the contrast does not test (X times the null space of c).
    nuisance = X @ linalg.null_space(c[None, :])
    q_z = np.linalg.qr(nuisance)[0] if nuisance.shape[1] else np.zeros((n, 0))
    resid = y - q_z @ (q_z.T @ y)
    # Tested direction: u in the column space of X with X'u proportional to c (so u is orthogonal
    # to the nuisance); the contrast estimate is |a| u'Y with a = R^-T c from X = QR.
    q_x, r_x = np.linalg.qr(X)
    u = q_x @ linalg.solve_triangular(r_x, c, trans="T")
    u /= np.linalg.norm(u)
    basis = np.vstack([u, q_z.T])  # (k, n): rows u, then the nuisance basis
    ss = np.einsum("ij,ij->j", resid, resid)
    ss[ss == 0] = np.inf  # voxels without any variance: t = 0 / inf = 0, p = 1
    # Rows can be permuted only when the nuisance contains the constant (the mean is not being
    # tested); otherwise, e.g. for an intercept or one group's mean, flip signs (Winkler 2014).
    ones = np.ones(n)
    flip = np.linalg.norm(ones - q_z @ (q_z.T @ ones)) > 1e-8 * np.sqrt(n)
    method = "freedman-lane (sign flips)" if flip else "freedman-lane"
    ops, exact = _flips(n, n_perm, rng) if flip else _orders(n, n_perm, rng)
    n_rows = ops.shape[0]

    def tmaps(proj):  # proj: (B, k, V) = basis P R for a batch of P; in place, few passes
        effect = proj[:, 0]
        rss = np.subtract(ss, np.square(effect))
        for j in range(1, k):
            rss -= np.square(proj[:, j], out=proj[:, j])
        np.maximum(rss, 0.0, out=rss)
        rss *= 1.0 / df
        np.sqrt(rss, out=rss)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.divide(effect, rss, out=rss)

    t = tmaps((basis @ resid)[None])[0]
    obs = np.abs(t) if two_sided else t
    obs_tol = obs - RTOL64 * np.abs(obs) - 1e-12
    # At least ~32 product rows per batch: small float64 products are inefficient.
    auto = max(_batch_rows(data.shape[1], n_rows, 8 * (k + 1)), -(-32 // k))
    batch = min(chunk_size or auto, n_rows)
    max_null = np.empty(n_rows)
    exceed = np.zeros(data.shape[1], dtype=np.int64)
    for start in range(0, n_rows, batch):
        chunk = ops[start : start + batch]
        if flip:
            mats = basis[None] * chunk[:, None, :]
        else:  # basis @ R[order] = basis[:, inverse(order)] @ R
            mats = basis[:, np.argsort(chunk, axis=1)].transpose(1, 0, 2)
        rows = chunk.shape[0]
        tp = tmaps((mats.reshape(rows * k, n) @ resid).reshape(rows, k, -1))
        if maps.active:
            maps.add(tp)
        stat = np.abs(tp, out=tp) if two_sided else tp
        max_null[start : start + rows] = np.fmax.reduce(stat, axis=1)  # ignores a 0/0
        for sub in range(0, rows, 255):  # uint8 counts cannot overflow within 255 rows
            hit = stat[sub : sub + 255] >= obs_tol
            exceed += hit.view(np.uint8).sum(axis=0, dtype=np.uint8)
    exceed_fwe = map_inference.count_exceed(max_null, obs_tol)
    return PermutationResult(
        t,
        map_inference.permutation_p(exceed, n_rows, exact),
        map_inference.permutation_p(exceed_fwe, n_rows, exact),
        max_null,
        n_rows,
        exact,
        two_sided,
        method,
        df,
        **maps.results(t, n_rows, exact),
    )
