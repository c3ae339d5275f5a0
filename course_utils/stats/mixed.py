"""Mixed effects: combining first-level estimates into a group estimate.

Each subject (or run) ``k`` brings an estimate ``b_k`` of the same effect and, optionally, its
first-level sampling variance ``s_k**2``. The two-level model is

    b_k = mu + eta_k + e_k,   eta_k ~ N(0, tau^2) (between subjects),   e_k ~ N(0, s_k^2),

written with variances. Three ways to estimate ``mu``:

- :func:`fixed_effects`: precision-weighted mean that assumes ``tau^2 = 0``. Right for the runs of
  **one** subject (they share one true effect); across subjects it understates the standard error
  and so answers a question about these subjects only.
- :func:`ols_summary`: the two-stage "summary statistics" approach (SPM, FSL OLS, AFNI
  3dttest++, nilearn ``SecondLevelModel``): a one-sample t-test on the estimates, ignoring
  ``s_k**2``; the spread of the estimates already holds both variance components.
- :func:`cochran_q`: Cochran's ``Q``, the weighted spread of the estimates around their
  weighted mean, as a function of ``tau^2``; both estimators of ``tau^2`` below are moment
  equations in it.
- :func:`random_effects`: variance-weighted random effects, ``tau^2`` by DerSimonian-Laird's
  method of moments (:func:`dersimonian_laird_tau2`) or Paule-Mandel's iterated estimator
  (:func:`paule_mandel_tau2`). This is the idea behind the two-stage methods that carry
  first-level variances up, FSL FLAME and AFNI 3dMEMA (which estimate ``tau^2`` with likelihood
  methods instead: a Bayesian approximation in FLAME, REML in 3dMEMA).

Supported designs: **intercept only** (one group, one mean), for one or many voxels at once.
Inputs are ``(n_subjects,)`` or ``(n_subjects, n_voxels)``; group comparisons and covariates
need a general design (``course_utils.stats.glm`` for OLS). All p-values are two-sided.

:func:`nilearn_fixed_effects` runs nilearn's ``compute_fixed_effects`` on arrays, to compare.
The full mixed model fitted to simulated time series, and the helpers that simulate studies for
these estimators, are in :mod:`course_utils.experiments.two_levels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from course_utils._utils import as_subjects_by_voxels, check_count

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "TAU2_METHODS",
    "GroupEstimate",
    "cochran_q",
    "dersimonian_laird_tau2",
    "fixed_effects",
    "nilearn_fixed_effects",
    "ols_summary",
    "paule_mandel_tau2",
    "random_effects",
    "wald_test",
]

#: Estimators of the between-subject variance accepted by :func:`random_effects`.
TAU2_METHODS = ("DL", "PM")


@dataclass(frozen=True)
class GroupEstimate:
    """A combined estimate, per voxel (what the estimators of this module return).

    Parameters
    ----------
    method : str
        ``"fixed effects"``, ``"OLS summary statistics"``, ``"random effects (DL)"`` or
        ``"random effects (PM)"``.
    estimate : numpy.ndarray or float
        Combined estimate of the mean effect.
    se : numpy.ndarray or float
        Its standard error.
    stat : numpy.ndarray or float
        ``estimate / se``: a t statistic when ``df`` is finite, a z statistic when it is inf.
    p : numpy.ndarray or float
        Two-sided p-value of ``stat`` against zero.
    df : float
        Degrees of freedom of ``stat`` (``inf`` for a normal reference).
    tau2 : numpy.ndarray or float or None
        Estimated between-subject variance (random effects only).

    Examples
    --------
    >>> res = ols_summary([1.0, 2.0, 3.0])
    >>> isinstance(res, GroupEstimate), res.method, res.tau2
    (True, 'OLS summary statistics', None)
    """

    method: str
    estimate: np.ndarray | float
    se: np.ndarray | float
    stat: np.ndarray | float
    p: np.ndarray | float
    df: float
    tau2: np.ndarray | float | None = None


def _inputs(
    estimates: npt.ArrayLike, variances: npt.ArrayLike | None = None, minimum: int = 2
) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Estimates (and variances) as float64 ``(K, n_voxels)``; True for a 1D input."""
    squeeze = np.ndim(estimates) == 1
    b = as_subjects_by_voxels(estimates, min_subjects=minimum).astype(np.float64, copy=False)
    if variances is None:
        return b, None, squeeze
    v = as_subjects_by_voxels(variances, min_subjects=1).astype(np.float64, copy=False)
    if v.shape != b.shape:
        raise ValueError(
            f"variances must have the same shape as estimates; got "
            f"{np.shape(variances)} and {np.shape(estimates)}."
        )
    if np.any(v <= 0):
        raise ValueError(
            "variances must be > 0 (a first-level variance of 0 would get infinite "
            "weight); check for empty voxels or floor tiny variances."
        )
    return b, v, squeeze


def wald_test(
    estimate: npt.ArrayLike, se: npt.ArrayLike, df: float
) -> tuple[np.ndarray, np.ndarray]:
    """The statistic ``estimate / se`` and its two-sided p-value against zero.

    Parameters
    ----------
    estimate, se : float or array-like
        Estimates and their standard errors (same shape, or broadcastable).
    df : float
        Degrees of freedom of a t reference; ``numpy.inf`` refers the statistic to the normal
        (a z test).

    Returns
    -------
    stat, p : numpy.ndarray
        float64, the broadcast shape of ``estimate`` and ``se`` (0-d for numbers). A standard
        error of 0 gives an infinite statistic, a NaN one a NaN statistic and p-value.

    Examples
    --------
    >>> stat, p = wald_test(2.0, 1.0, np.inf)
    >>> float(stat), round(float(p), 4)
    (2.0, 0.0455)
    >>> round(float(wald_test(2.0, 1.0, 4)[1]), 4)
    0.1161
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = estimate / se
    if np.isinf(df):
        p = 2 * stats.norm.sf(np.abs(stat))
    else:
        p = 2 * stats.t.sf(np.abs(stat), df)
    return np.asarray(stat), np.asarray(p)


def _result(
    method: str,
    estimate: np.ndarray,
    se: np.ndarray,
    df: float,
    squeeze: bool,
    tau2: np.ndarray | None = None,
) -> GroupEstimate:
    stat, p = wald_test(estimate, se, df)

    def out(x: np.ndarray | None) -> float | np.ndarray | None:
        if x is None:
            return None
        return float(x[0]) if squeeze else x

    return GroupEstimate(method, out(estimate), out(se), out(stat), out(p), float(df), out(tau2))


def fixed_effects(
    estimates: npt.ArrayLike,
    variances: npt.ArrayLike,
    precision_weighted: bool = True,
    dofs: npt.ArrayLike | None = None,
) -> GroupEstimate:
    """Fixed-effects combination: every estimate measures one true effect (``tau^2 = 0``).

    With ``precision_weighted=True`` the estimate is ``sum(w b) / sum(w)`` with ``w = 1/s^2``
    and variance ``1 / sum(w)``; otherwise the plain mean, with variance ``mean(s^2) / K``.
    These are the formulas of nilearn's ``compute_fixed_effects``.

    Parameters
    ----------
    estimates : array-like, shape (K,) or (K, n_voxels)
        Estimates of the same effect (e.g. one per run of one subject).
    variances : array-like, same shape
        Their sampling variances, all > 0.
    precision_weighted : bool
        Weight by inverse variance (default) or average plainly.
    dofs : array-like of K numbers, optional
        First-level degrees of freedom. When given, ``stat`` is a t with ``sum(dofs)`` df (as in
        nilearn); when omitted, it is a z (df = inf).

    Returns
    -------
    GroupEstimate

    Raises
    ------
    ValueError
        If the shapes disagree, a variance is not positive, fewer than 2 estimates are given or
        ``dofs`` has the wrong length.

    See Also
    --------
    nilearn.glm.compute_fixed_effects : the same on images.

    Examples
    --------
    >>> fx = fixed_effects([1.0, 2.0], [1.0, 1.0])
    >>> fx.estimate, round(fx.se, 4)
    (1.5, 0.7071)
    """
    b, v, squeeze = _inputs(estimates, variances)
    if dofs is None:
        df = np.inf
    else:
        dofs = np.asarray(dofs, dtype=float)
        if dofs.shape != (b.shape[0],) or np.any(dofs <= 0):
            raise ValueError(
                f"dofs must hold one positive number per estimate ({b.shape[0]}); got {dofs}."
            )
        df = float(dofs.sum())
    if precision_weighted:
        w = 1.0 / v
        variance = 1.0 / w.sum(axis=0)
        estimate = (w * b).sum(axis=0) * variance
    else:
        estimate = b.mean(axis=0)
        variance = v.mean(axis=0) / b.shape[0]
    return _result("fixed effects", estimate, np.sqrt(variance), df, squeeze)


def ols_summary(estimates: npt.ArrayLike) -> GroupEstimate:
    """Two-stage OLS ("summary statistics"): a one-sample t-test on the subject estimates.

    The estimate is the mean, the standard error ``sd / sqrt(K)`` with ``K - 1`` df. First-level
    variances are not used: the spread of the estimates measures both the between-subject
    variance and the first-level noise.

    Parameters
    ----------
    estimates : array-like, shape (K,) or (K, n_voxels)
        One estimate per subject.

    Returns
    -------
    GroupEstimate

    Raises
    ------
    ValueError
        If fewer than 2 estimates are given or values are not finite.

    See Also
    --------
    scipy.stats.ttest_1samp : the same test.

    Examples
    --------
    >>> res = ols_summary([1.0, 2.0, 3.0])
    >>> res.estimate, round(res.stat, 4), res.df
    (2.0, 3.4641, 2.0)
    """
    b, _, squeeze = _inputs(estimates)
    k = b.shape[0]
    se = b.std(axis=0, ddof=1) / np.sqrt(k)
    return _result("OLS summary statistics", b.mean(axis=0), se, k - 1, squeeze)


def cochran_q(
    estimates: npt.ArrayLike, variances: npt.ArrayLike, tau2: npt.ArrayLike = 0.0
) -> float | np.ndarray:
    """Cochran's ``Q(tau^2)``: the weighted spread of the estimates around their weighted mean.

    ``Q(tau^2) = sum(w (b - b_w)^2)`` with ``w = 1/(s^2 + tau^2)`` and ``b_w = sum(w b)/sum(w)``.
    If the model is right and ``tau^2`` is the true between-subject variance, ``Q`` is about
    ``chi2(K - 1)``, so its expectation is ``K - 1``. ``Q`` falls as ``tau^2`` grows:
    Paule-Mandel's ``tau^2`` is where it crosses ``K - 1``; DerSimonian-Laird's is a one-step
    solution from ``Q(0)`` (the fixed-effects weights).

    Parameters
    ----------
    estimates, variances : array-like, shape (K,) or (K, n_voxels)
        Subject estimates and their first-level variances (> 0).
    tau2 : float or array-like, default 0
        Between-subject variance(s) (>= 0). With estimates of shape ``(K,)`` any shape (e.g.
        a grid of values, for the curve); with ``(K, n_voxels)``, a number or one per voxel.

    Returns
    -------
    float or numpy.ndarray
        ``Q`` at each ``tau2`` (1D estimates: the shape of ``tau2``, a float for a number) or
        per voxel (``(n_voxels,)``).

    Raises
    ------
    ValueError
        For bad shapes or variances (as :func:`random_effects`), or a negative ``tau2``.

    See Also
    --------
    statsmodels.stats.meta_analysis.combine_effects : its ``q`` is ``Q(0)``.

    Examples
    --------
    >>> cochran_q([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    8.0
    >>> cochran_q([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0], tau2=[0.0, 3.0])  # Q(3) = K - 1
    array([8., 2.])
    """
    b, v, squeeze = _inputs(estimates, variances)
    t = np.asarray(tau2, dtype=np.float64)
    if np.any(~(t >= 0)):
        raise ValueError(f"tau2 must be >= 0 (a variance); got {tau2}.")
    if squeeze:  # one study: Q at every tau2, in the shape of tau2
        b, v, t = b[:, 0, None], v[:, 0, None], t.reshape(1, -1)
    w = 1.0 / (v + t)
    mean_w = (w * b).sum(axis=0) / w.sum(axis=0)
    q = (w * (b - mean_w) ** 2).sum(axis=0)
    if squeeze:
        q = q.reshape(np.shape(tau2))
        return float(q) if q.ndim == 0 else q
    return q


def dersimonian_laird_tau2(estimates: npt.ArrayLike, variances: npt.ArrayLike) -> np.ndarray:
    """Between-subject variance by DerSimonian-Laird's method of moments.

    ``w = 1/s^2``, ``b_w = sum(w b)/sum(w)``, ``Q = sum(w (b - b_w)^2)`` and
    ``tau^2 = max(0, (Q - (K - 1)) / (sum(w) - sum(w^2)/sum(w)))``.

    Parameters
    ----------
    estimates, variances : array-like, shape (K,) or (K, n_voxels)
        Subject estimates and their first-level variances.

    Returns
    -------
    numpy.ndarray
        ``tau^2`` per voxel, never negative: float64 of shape ``(n_voxels,)``, or of shape ``()``
        for estimates of shape ``(K,)`` (``float(tau2)`` gives the number).

    Examples
    --------
    >>> dersimonian_laird_tau2([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])  # no spread: tau^2 = 0
    array(0.)
    >>> float(dersimonian_laird_tau2([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0]))
    3.0
    >>> dersimonian_laird_tau2([[0.0, -2.0], [0.0, 0.0], [0.0, 2.0]], np.ones((3, 2)))
    array([0., 3.])
    """
    b, v, squeeze = _inputs(estimates, variances)
    tau2 = _dl_tau2(b, v)
    return tau2.reshape(()) if squeeze else tau2


def _dl_tau2(b: np.ndarray, v: np.ndarray) -> np.ndarray:
    w = 1.0 / v
    sum_w = w.sum(axis=0)
    mean_w = (w * b).sum(axis=0) / sum_w
    q = (w * (b - mean_w) ** 2).sum(axis=0)
    c = sum_w - (w**2).sum(axis=0) / sum_w
    with np.errstate(divide="ignore", invalid="ignore"):
        tau2 = np.where(c > 0, (q - (b.shape[0] - 1)) / c, 0.0)
    return np.maximum(tau2, 0.0)


def paule_mandel_tau2(
    estimates: npt.ArrayLike, variances: npt.ArrayLike, tol: float = 1e-10, max_iter: int = 100
) -> np.ndarray:
    """Between-subject variance by Paule and Mandel's iterated estimator.

    ``tau^2`` solves ``Q(tau^2) = K - 1``, where ``Q(tau^2) = sum(w (b - b_w)^2)`` with weights
    ``w = 1/(s^2 + tau^2)``: the value that makes the weighted spread of the estimates what it
    would be if the model were right. ``Q`` falls as ``tau^2`` grows, so the root is unique; when
    ``Q(0) <= K - 1`` it is 0. Newton steps from 0, ``tau^2 += (Q - (K-1)) / sum(w^2 (b -
    b_w)^2)``, for all voxels at once (the method of statsmodels' ``combine_effects`` with
    ``method_re="iterated"``).

    Parameters
    ----------
    estimates, variances : array-like, shape (K,) or (K, n_voxels)
        Subject estimates and their first-level variances (> 0).
    tol : float
        Stop when ``|Q - (K-1)| <= tol * (K - 1)`` in every voxel.
    max_iter : int
        Maximum number of Newton steps.

    Returns
    -------
    numpy.ndarray
        ``tau^2`` per voxel, never negative: float64 of shape ``(n_voxels,)``, or of shape ``()``
        for estimates of shape ``(K,)`` (``float(tau2)`` gives the number).

    Raises
    ------
    ValueError
        For bad shapes or variances (as :func:`random_effects`), or ``tol``/``max_iter`` <= 0.
    RuntimeError
        If some voxels have not converged after ``max_iter`` steps.

    See Also
    --------
    dersimonian_laird_tau2 : the one-step method-of-moments estimator.

    Examples
    --------
    >>> float(paule_mandel_tau2([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0]))  # equal variances: = DL
    3.0
    >>> paule_mandel_tau2([1.0, 1.1, 0.9], [1.0, 1.0, 1.0])  # less spread than the noise
    array(0.)
    """
    b, v, squeeze = _inputs(estimates, variances)
    if not tol > 0:
        raise ValueError(f"tol must be > 0; got tol={tol}.")
    check_count(max_iter, "max_iter")
    target = b.shape[0] - 1
    tau2 = np.zeros(b.shape[1])
    for step_number in range(int(max_iter) + 1):
        w = 1.0 / (v + tau2)
        resid2 = (b - (w * b).sum(axis=0) / w.sum(axis=0)) ** 2
        excess = (w * resid2).sum(axis=0) - target  # Q(tau^2) - (K - 1)
        active = (excess > tol * target) | ((tau2 > 0) & (excess < -tol * target))
        if not active.any():
            break
        if step_number == max_iter:
            raise RuntimeError(
                f"Paule-Mandel did not converge in {max_iter} steps in "
                f"{int(active.sum())} voxel(s); raise max_iter or use "
                "method='DL'."
            )
        step = excess / np.maximum((w**2 * resid2).sum(axis=0), np.finfo(float).tiny)
        tau2 = np.where(active, np.maximum(tau2 + step, 0.0), tau2)
    return tau2.reshape(()) if squeeze else tau2


def random_effects(
    estimates: npt.ArrayLike, variances: npt.ArrayLike, use_t: bool = False, method: str = "DL"
) -> GroupEstimate:
    """Variance-weighted random effects with ``tau^2`` by DerSimonian-Laird or Paule-Mandel.

    Weights ``w* = 1/(s^2 + tau^2)``: an imprecise subject counts less, but never less than a
    subject of the between-subject spread allows. The estimate is ``sum(w* b)/sum(w*)`` with
    standard error ``1/sqrt(sum(w*))``.

    Parameters
    ----------
    estimates, variances : array-like, shape (K,) or (K, n_voxels)
        Subject estimates and their first-level variances (> 0).
    use_t : bool
        Refer the statistic to a t with ``K - 1`` df instead of the normal (the default, as in
        statsmodels' ``combine_effects``).
    method : {"DL", "PM"}
        Estimator of ``tau^2``: DerSimonian-Laird (:func:`dersimonian_laird_tau2`, default) or
        Paule-Mandel (:func:`paule_mandel_tau2`).

    Returns
    -------
    GroupEstimate
        With ``tau2`` set.

    Raises
    ------
    ValueError
        If the shapes disagree, a variance is not positive, fewer than 2 estimates are given or
        ``method`` is unknown.

    See Also
    --------
    statsmodels.stats.meta_analysis.combine_effects : ``method_re="chi2"`` is the same
        DerSimonian-Laird estimator, except that it does not truncate a negative ``tau^2`` at 0;
        ``method_re="iterated"`` is Paule-Mandel.

    Examples
    --------
    >>> re = random_effects([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    >>> re.tau2, re.estimate, round(re.se, 4)
    (3.0, 0.0, 1.1547)
    >>> random_effects([0.0, 1.0, 3.0], [0.5, 1.0, 2.0], method="PM").method
    'random effects (PM)'
    """
    if method not in TAU2_METHODS:
        upper = str(method).upper()
        hint = f" (did you mean {upper!r}?)" if upper in TAU2_METHODS else ""
        raise ValueError(f"method must be one of {TAU2_METHODS}; got {method!r}{hint}.")
    b, v, squeeze = _inputs(estimates, variances)
    tau2 = _dl_tau2(b, v) if method == "DL" else np.atleast_1d(paule_mandel_tau2(b, v))
    w = 1.0 / (v + tau2)
    sum_w = w.sum(axis=0)
    estimate = (w * b).sum(axis=0) / sum_w
    df = b.shape[0] - 1 if use_t else np.inf
    return _result(f"random effects ({method})", estimate, 1.0 / np.sqrt(sum_w), df, squeeze, tau2)


def nilearn_fixed_effects(
    estimates: npt.ArrayLike, variances: npt.ArrayLike, precision_weighted: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """nilearn's ``compute_fixed_effects`` on arrays: each column becomes a voxel of an image.

    Parameters
    ----------
    estimates, variances : array-like, shape (K, n_voxels)
        One row per run (or subject).
    precision_weighted : bool, default True
        Passed on to nilearn: weight each row by its precision ``1 / variance`` (as
        :func:`fixed_effects` does), or average the rows with equal weights.

    Returns
    -------
    effect, variance : numpy.ndarray, shape (n_voxels,)

    Examples
    --------
    >>> effect, variance = nilearn_fixed_effects([[1.0, 0.0], [2.0, 1.0]], np.ones((2, 2)))
    >>> effect, variance
    (array([1.5, 0.5]), array([0.5, 0.5]))
    """
    import nibabel as nib
    from nilearn.glm import compute_fixed_effects

    b, v, _ = _inputs(estimates, variances)
    shape, affine = (b.shape[1], 1, 1), np.eye(4)
    images = [nib.Nifti1Image(row.reshape(shape), affine) for row in np.r_[b, v]]
    mask = nib.Nifti1Image(np.ones(shape, dtype=np.uint8), affine)
    effect, variance = compute_fixed_effects(
        images[: len(b)], images[len(b) :], mask=mask, precision_weighted=precision_weighted
    )[:2]
    return effect.get_fdata().ravel(), variance.get_fdata().ravel()
