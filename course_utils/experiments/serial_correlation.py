"""Serial correlation: how autocorrelated noise misleads ordinary least squares (OLS).

fMRI noise is autocorrelated; OLS's standard error assumes it is not. For a design ``X`` and
AR(1) noise of covariance ``V`` (:func:`course_utils.experiments.signals.ar1_covariance`), the
beta ``B y`` (``B = pinv(X)``) has the exact variance ``B V B'``, while OLS's variance estimate
averages ``tr(M V) / (n - p)`` times ``inv(X'X)`` (``M = I - X B`` makes the residuals).
:func:`ols_sd_under_ar1` computes both; their ratio says how much too small the naive standard
error is, for this design and this noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from course_utils._utils import check_positive
from course_utils.experiments import signals

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["lag_autocorrelation", "ols_sd_under_ar1"]


def lag_autocorrelation(x: npt.ArrayLike, lag: int = 1) -> float:
    """Correlation of a time series with itself ``lag`` samples later.

    Parameters
    ----------
    x : array-like, shape (n,)
        The time series.
    lag : int
        How many samples apart the compared values are, from 1 to ``n - 2``.

    Returns
    -------
    float
        The Pearson correlation of ``x[:-lag]`` with ``x[lag:]``.

    Raises
    ------
    ValueError
        If ``x`` is not one-dimensional or ``lag`` is not in [1, n - 2].

    Examples
    --------
    >>> e = signals.ar1_noise(20_000, sigma=1.0, seed=0, ar1=0.5)
    >>> round(lag_autocorrelation(e, 1), 1), round(lag_autocorrelation(e, 2), 1)
    (0.5, 0.3)
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or not 1 <= int(lag) <= x.size - 2:
        raise ValueError(
            f"give a 1-D series and a lag from 1 to n - 2; got shape {x.shape}, lag {lag}."
        )
    lag = int(lag)
    return float(np.corrcoef(x[:-lag], x[lag:])[0, 1])


def ols_sd_under_ar1(
    design: npt.ArrayLike, ar1: npt.ArrayLike, *, sigma: float = 1.0, column: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A beta's true standard deviation, and OLS's standard error, under AR(1) noise.

    The true variance of the OLS beta is ``B V B'``; OLS estimates it, on average, as
    ``tr(M V) / (n - p) * inv(X'X)``. With white noise (``ar1 = 0``) the two agree; with
    positive autocorrelation and a slow regressor the naive one is too small.

    Parameters
    ----------
    design : array-like, shape (n, p)
        The design matrix ``X`` (full column rank).
    ar1 : float or array-like
        Lag-1 autocorrelation(s) of the noise, each in (-1, 1).
    sigma : float
        Standard deviation of the noise (keyword-only).
    column : int
        Which beta (column of ``design``) (keyword-only).

    Returns
    -------
    true_sd : numpy.ndarray or float
        The beta's standard deviation, ``sqrt(B V B')``, for each ``ar1`` (its shape).
    naive_se : numpy.ndarray or float
        The square root of OLS's average variance estimate, for each ``ar1``.

    Raises
    ------
    ValueError
        If ``design`` is not 2-D with more rows than columns, or an ``ar1`` is outside (-1, 1).

    See Also
    --------
    course_utils.experiments.signals.ar1_covariance : the noise covariance ``V``.

    Examples
    --------
    >>> X = np.column_stack([signals.event_regressor([10.0, 40.0, 70.0], 50, 2.0), np.ones(50)])
    >>> true_sd, naive_se = ols_sd_under_ar1(X, [0.0, 0.5])
    >>> np.round(naive_se / true_sd, 2)
    array([1.  , 0.77])
    """
    X = np.asarray(design, dtype=float)
    if X.ndim != 2 or X.shape[0] <= X.shape[1]:
        raise ValueError(f"design must be (n scans, p regressors) with n > p; got {X.shape}.")
    sigma = check_positive(sigma, "sigma")
    phis = np.asarray(ar1, dtype=float)
    n, p = X.shape
    bread = np.linalg.pinv(X)[column]  # the beta is bread @ y
    resid_maker = np.eye(n) - X @ np.linalg.pinv(X)  # M: the residuals are M @ y
    unscaled = np.linalg.inv(X.T @ X)[column, column]
    variances = np.empty((2,) + phis.shape)
    for index, phi in np.ndenumerate(phis):
        V = signals.ar1_covariance(n, sigma, signals.ar_coefficient(phi))
        variances[(0, *index)] = bread @ V @ bread
        variances[(1, *index)] = np.trace(resid_maker @ V) / (n - p) * unscaled
    true_sd, naive_se = np.sqrt(variances)
    return true_sd[()], naive_se[()]
