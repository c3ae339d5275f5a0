"""The general linear model: ordinary least squares for one or many voxels, and contrasts.

Every classic test of the course is a regression ``Y = X b + e`` with ``e ~ N(0, sigma^2 I)``:
:func:`regress` fits it for all voxels at once (one QR decomposition of the design, one matrix
product with the data); :func:`contrast` tests a linear combination of the betas (a t-test of a
vector) and :func:`f_contrast` several at once (an F-test of a matrix).

:func:`regress` adds no intercept (as the original lesson's): the design you give is the model.
It never forms the normal equations ``X'X``, which lose half the precision on badly conditioned
designs; it refuses a rank-deficient design and names the linearly dependent columns. Data may be
float32; sums are accumulated in float64, in blocks of voxels (:func:`_utils.voxel_blocks`).
Within-subject factorial designs have their own module, :mod:`course_utils.stats.anova`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import linalg, stats

from course_utils._utils import as_design, as_subjects_by_voxels, check_contrast, voxel_blocks

__all__ = [
    "ContrastResult",
    "FTestResult",
    "RegressionResult",
    "contrast",
    "dependent_columns",
    "f_contrast",
    "regress",
]


@dataclass(frozen=True)
class RegressionResult:
    """The fit of :func:`regress` (made by :func:`regress`, not by hand).

    Parameters
    ----------
    beta, se, t : numpy.ndarray
        Estimates, standard errors and t statistics, shape ``(k,)`` for one outcome or
        ``(k, n_voxels)`` for many (``k`` design columns); the property ``p`` gives two-sided
        p-values on first use (the t distribution's tail is slow for a whole brain).
    df : int
        Residual degrees of freedom, ``n - k``.
    sigma : numpy.ndarray or float
        Residual standard deviation per voxel, ``sqrt(RSS / df)``.
    residuals : numpy.ndarray or None
        ``Y - X beta`` in the data's shape and float type (None if ``keep_residuals=False``).
    columns : tuple of str
        The design's column names (``x0, x1, ...`` for an unlabelled array).
    cov_unscaled : numpy.ndarray
        ``(X'X)^-1``, shape ``(k, k)``: ``sigma^2 * cov_unscaled`` is the betas' covariance.
    n : int
        Number of observations.

    Returns
    -------
    RegressionResult
        A frozen record; ``p`` and the by-name accessors are computed from the fields.

    Examples
    --------
    >>> fit = regress(pd.DataFrame({"intercept": np.ones(3)}), np.array([1.0, 2.0, 3.0]))
    >>> fit.columns, fit.df, fit.n
    (('intercept',), 2, 3)
    """

    beta: np.ndarray
    se: np.ndarray
    t: np.ndarray
    df: int
    sigma: np.ndarray | float
    residuals: np.ndarray | None
    columns: tuple[str, ...]
    cov_unscaled: np.ndarray
    n: int

    @cached_property
    def p(self) -> np.ndarray:
        """Two-sided p-values of the t statistics (computed on first use).

        Returns
        -------
        numpy.ndarray
            The shape of ``t``.

        Examples
        --------
        >>> round(float(regress(np.ones((3, 1)), np.array([1.0, 2.0, 3.0])).p[0]), 4)
        0.0742
        """
        return _two_sided_p(self.t, self.df)

    def summary(self) -> pd.DataFrame:
        """Table of beta, se, t and p, one row per design column (one outcome only).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``column``, with columns ``beta``, ``se``, ``t`` and ``p``.

        Examples
        --------
        >>> fit = regress(pd.DataFrame({"intercept": np.ones(3)}), np.array([1.0, 2.0, 3.0]))
        >>> fit.summary().round(4)
                   beta      se       t       p
        column
        intercept   2.0  0.5774  3.4641  0.0742
        """
        if np.ndim(self.beta) != 1:
            raise ValueError("summary() is for a single outcome; index the arrays for many voxels.")
        return pd.DataFrame(
            {"beta": self.beta, "se": self.se, "t": self.t, "p": self.p},
            index=pd.Index(self.columns, name="column"),
        )

    def coef(self, name: str) -> np.ndarray | float:
        """The betas of one design column, by name.

        Parameters
        ----------
        name : str
            A design column.

        Returns
        -------
        float or numpy.ndarray
            One value per voxel.

        Examples
        --------
        >>> float(regress(np.ones((3, 1)), np.array([1.0, 2.0, 3.0])).coef("x0"))
        2.0
        """
        return self.beta[_column_index(self.columns, name)]

    def se_of(self, name: str) -> np.ndarray | float:
        """The standard error(s) of one design column's beta, by name.

        Parameters
        ----------
        name : str
            A design column.

        Returns
        -------
        float or numpy.ndarray
            One value per voxel.

        Examples
        --------
        >>> round(float(regress(np.ones((3, 1)), np.array([1.0, 2.0, 3.0])).se_of("x0")), 4)
        0.5774
        """
        return self.se[_column_index(self.columns, name)]

    def t_of(self, name: str) -> np.ndarray | float:
        """The t statistic(s) of one design column's beta, by name.

        Parameters
        ----------
        name : str
            A design column.

        Returns
        -------
        float or numpy.ndarray
            One value per voxel (a KeyError names the closest column for a typo).

        Examples
        --------
        >>> X = pd.DataFrame({"intercept": np.ones(4), "dose": [0.0, 1.0, 2.0, 3.0]})
        >>> fit = regress(X, np.array([0.1, 1.2, 1.9, 3.2]))
        >>> bool(fit.t_of("dose") == fit.t[1]), bool(fit.p_of("dose") == fit.p[1])
        (True, True)
        >>> fit.t_of("doze")
        Traceback (most recent call last):
        ...
        KeyError: "No design column 'doze'; the columns are [...]. Did you mean 'dose'?"
        """
        return self.t[_column_index(self.columns, name)]

    def p_of(self, name: str) -> np.ndarray | float:
        """The two-sided p-value(s) of one design column's beta, by name.

        Parameters
        ----------
        name : str
            A design column.

        Returns
        -------
        float or numpy.ndarray
            One value per voxel.

        Examples
        --------
        >>> round(float(regress(np.ones((3, 1)), np.array([1.0, 2.0, 3.0])).p_of("x0")), 4)
        0.0742
        """
        return self.p[_column_index(self.columns, name)]

    def coefs(self, names: Sequence[str]) -> np.ndarray:
        """The betas of several design columns, by name, in the order given.

        Parameters
        ----------
        names : sequence of str
            Column names, e.g. every ``subject_<ID>`` column of a paired design.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(names),)`` for one outcome, ``(len(names), n_voxels)`` for many.

        Examples
        --------
        >>> X = pd.DataFrame({"young": [1.0, 1.0, 0.0, 0.0], "old": [0.0, 0.0, 1.0, 1.0]})
        >>> regress(X, np.array([1.0, 3.0, 5.0, 9.0])).coefs(["old", "young"]).tolist()
        [7.0, 2.0]
        """
        if isinstance(names, str):
            raise TypeError("coefs() takes a list of column names; use coef(name) for one.")
        return self.beta[[_column_index(self.columns, name) for name in names]]


@dataclass(frozen=True)
class ContrastResult:
    """A t-contrast: ``effect = c @ beta`` with its standard error, t and two-sided p.

    Parameters
    ----------
    effect, se, t : float or numpy.ndarray
        ``c @ beta``, its standard error and their ratio (one value per voxel for many).
    df : int
        Residual degrees of freedom of the fit.

    Returns
    -------
    ContrastResult
        What :func:`contrast` returns; ``p`` is computed on first use.

    Examples
    --------
    >>> res = ContrastResult(effect=2.0, se=1.0, t=2.0, df=10)
    >>> round(res.p, 4)
    0.0734
    """

    effect: np.ndarray | float
    se: np.ndarray | float
    t: np.ndarray | float
    df: int

    @cached_property
    def p(self) -> np.ndarray | float:
        """Two-sided p-value(s), computed on first use.

        Returns
        -------
        float or numpy.ndarray
            The shape of ``t``.

        Examples
        --------
        >>> round(ContrastResult(effect=1.0, se=0.5, t=2.0, df=30).p, 4)
        0.0546
        """
        return _two_sided_p(self.t, self.df)


def _two_sided_p(t, df: int):
    p = 2 * stats.t.sf(np.abs(t), df)
    return float(p) if np.ndim(p) == 0 else p


@dataclass(frozen=True)
class FTestResult:
    """An F-contrast of ``q`` rows: ``F`` with ``(df1, df2) = (q, n - k)`` and its p-value.

    Parameters
    ----------
    F, p : float or numpy.ndarray
        The F statistic and its p-value (one value per voxel for many).
    df1, df2 : int
        ``q`` (the contrast's rows) and the fit's residual degrees of freedom.
    effect : numpy.ndarray
        ``c @ beta``, shape ``(q,)`` or ``(q, n_voxels)``.

    Returns
    -------
    FTestResult
        What :func:`f_contrast` returns.

    Examples
    --------
    >>> FTestResult(F=4.0, p=0.05, df1=2, df2=20, effect=np.zeros(2)).df1
    2
    """

    F: np.ndarray | float
    p: np.ndarray | float
    df1: int
    df2: int
    effect: np.ndarray


def _column_index(columns: Sequence[str], name: str) -> int:
    if name not in columns:
        close = difflib.get_close_matches(name, columns, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"No design column {name!r}; the columns are {list(columns)}.{hint}")
    return list(columns).index(name)


def dependent_columns(X) -> list[str]:
    """Names of the design columns involved in a linear dependence (empty when full rank).

    Parameters
    ----------
    X : pandas.DataFrame or array-like, shape (n, k)
        The design.

    Returns
    -------
    list of str
        Columns with a non-zero weight in some combination that equals zero.

    Examples
    --------
    >>> X = pd.DataFrame({"intercept": [1, 1, 1, 1], "g1": [1, 1, 0, 0], "g2": [0, 0, 1, 1]})
    >>> dependent_columns(X)
    ['intercept', 'g1', 'g2']
    >>> dependent_columns(X[["g1", "g2"]])
    []
    """
    values, columns = as_design(X)
    _, s, vt = linalg.svd(values, full_matrices=True)
    tol = (s.max() if s.size else 0.0) * max(values.shape) * np.finfo(float).eps
    rank = int((s > tol).sum())
    null = vt[rank:]
    if null.size == 0:
        return []
    involved = np.abs(null).max(axis=0) > 1e-8
    return [name for name, flag in zip(columns, involved, strict=True) if flag]


def _relation(values: np.ndarray, columns: tuple[str, ...]) -> str:
    _, s, vt = linalg.svd(values, full_matrices=True)
    v = vt[-1]
    v = v / v[np.argmax(np.abs(v))]
    terms = [f"{w:+.3g}*{name}" for w, name in zip(v, columns, strict=True) if abs(w) > 1e-8]
    return " ".join(terms) + " = 0"


def regress(X, Y, keep_residuals: bool = True) -> RegressionResult:
    """Fit ordinary least squares ``Y = X beta + error`` for one outcome or many voxels at once.

    No intercept is added: include a column of ones if the model needs one.

    Parameters
    ----------
    X : pandas.DataFrame or array-like, shape (n, k)
        The design; a DataFrame's column names label the results.
    Y : array-like, shape (n,) or (n, n_voxels)
        The data (float32 is fine: sums are accumulated in float64).
    keep_residuals : bool, default True
        Store the residuals (``Y``'s shape and float type); False saves memory on large maps.

    Returns
    -------
    RegressionResult
        ``beta, se, t, p`` (two-sided), ``df``, ``sigma``, ``residuals``, ``columns``.

    Raises
    ------
    ValueError
        When the shapes disagree, ``Y`` has NaN, no degrees of freedom remain, or the design is
        rank-deficient (the message names the linearly dependent columns).

    Examples
    --------
    A one-sample t-test is a regression on a column of ones:

    >>> y = np.array([1.2, 0.4, 2.1, 1.5, 0.9])
    >>> fit = regress(pd.DataFrame({"intercept": np.ones(5)}), y)
    >>> round(float(fit.beta[0]), 4), round(float(fit.t[0]), 4)
    (1.22, 4.2761)
    >>> round(float(stats.ttest_1samp(y, 0).statistic), 4)
    4.2761
    """
    values, columns = as_design(X)
    one_outcome = np.ndim(Y) == 1
    n, k = values.shape
    if np.ndim(Y) in (1, 2) and np.shape(Y)[0] != n:
        raise ValueError(
            f"X has {n} rows (observations) but Y has {np.shape(Y)[0]}: one row of Y per row of "
            "X. If Y is voxels x subjects, pass Y.T."
        )
    data = as_subjects_by_voxels(Y, min_subjects=1)
    df = n - k
    if df < 1:
        raise ValueError(
            f"The design has {k} columns for {n} observations: no degrees of "
            "freedom are left to estimate the error. Use fewer columns."
        )
    names = dependent_columns(pd.DataFrame(values, columns=columns))
    if names:
        raise ValueError(
            f"The design is rank-deficient: columns {names} are linearly dependent "
            f"({_relation(values, columns)}), so their betas are not defined. Drop one of them "
            "(e.g. the intercept when every group has its own column)."
        )

    q, r = linalg.qr(values, mode="economic")
    r_inv = linalg.solve_triangular(r, np.eye(k))
    cov_unscaled = r_inv @ r_inv.T
    n_vox = data.shape[1]
    beta = np.empty((k, n_vox))
    rss = np.empty(n_vox)
    residuals = np.empty_like(data) if keep_residuals else None
    for block in voxel_blocks(n_vox):
        chunk = data[:, block].astype(np.float64)
        qty = q.T @ chunk
        beta[:, block] = r_inv @ qty
        chunk -= q @ qty  # residuals, in place
        rss[block] = np.einsum("ij,ij->j", chunk, chunk)
        if residuals is not None:
            residuals[:, block] = chunk
    sigma = np.sqrt(rss / df)
    se = np.sqrt(np.diag(cov_unscaled))[:, None] * sigma[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    if one_outcome:  # the same record, with one value per column instead of per voxel
        beta, se, t, sigma = beta[:, 0], se[:, 0], t[:, 0], float(sigma[0])
        residuals = None if residuals is None else residuals[:, 0]
    return RegressionResult(beta, se, t, df, sigma, residuals, columns, cov_unscaled, n)


def _contrast_vector(result: RegressionResult, c) -> np.ndarray:
    if isinstance(c, Mapping | pd.Series):
        weights = np.zeros(len(result.columns))
        for name, w in dict(c).items():
            weights[_column_index(result.columns, str(name))] = float(w)
        c = weights
    if np.ndim(c) == 2:
        raise ValueError(
            "contrast() tests one contrast vector; for a matrix of several rows tested at once "
            "use glm.f_contrast(result, matrix)."
        )
    return check_contrast(c, len(result.columns), columns=result.columns)


def contrast(result: RegressionResult, c) -> ContrastResult:
    """t-test of one linear combination of the betas, ``c @ beta = 0``.

    Parameters
    ----------
    result : RegressionResult
        A fit from :func:`regress`.
    c : array-like of shape (k,), or dict of column name to weight
        One weight per design column (columns not named in a dict get 0).

    Returns
    -------
    ContrastResult
        ``effect, se, t, p`` (two-sided) and ``df``: floats for one outcome, arrays of one
        value per voxel for many.

    Raises
    ------
    ValueError
        Not one weight per column, all zero, or a matrix (use :func:`f_contrast`).

    Examples
    --------
    Two groups coded with one column each; their difference is the contrast ``[1, -1]``:

    >>> X = pd.DataFrame({"g1": [1, 1, 1, 0, 0, 0], "g2": [0, 0, 0, 1, 1, 1]})
    >>> y = np.array([5.0, 6.0, 7.0, 1.0, 2.0, 4.0])
    >>> res = contrast(regress(X, y), {"g1": 1, "g2": -1})
    >>> round(float(res.effect), 3), res.df
    (3.667, 4)
    """
    vector = _contrast_vector(result, c)
    beta = np.asarray(result.beta, dtype=np.float64)
    sigma2 = np.asarray(result.sigma, dtype=np.float64) ** 2
    effect = vector @ beta
    var = float(vector @ result.cov_unscaled @ vector)
    se = np.sqrt(var * sigma2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = effect / se
    if np.ndim(effect) == 0:
        return ContrastResult(float(effect), float(se), float(t), result.df)
    return ContrastResult(effect, se, t, result.df)


def f_contrast(result: RegressionResult, c) -> FTestResult:
    """F-test of ``q`` linear combinations of the betas being zero at once.

    Parameters
    ----------
    result : RegressionResult
        A fit from :func:`regress`.
    c : array-like of shape (q, k)
        One contrast per row, one weight per design column (a vector is one row: its F is the
        square of :func:`contrast`'s t).

    Returns
    -------
    FTestResult
        ``F, p`` (floats for one outcome, one value per voxel for many), ``df1 = q``,
        ``df2 = n - k`` and ``effect`` (``c @ beta``).

    Raises
    ------
    ValueError
        A row without one weight per column or all zero, or linearly dependent rows.

    Examples
    --------
    >>> X = pd.DataFrame(np.repeat(np.eye(3), 3, axis=0), columns=["a", "b", "c"])
    >>> y = np.array([1.0, 2.0, 3.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0])
    >>> res = f_contrast(regress(X, y), [[1, -1, 0], [0, 1, -1]])  # do the 3 means differ?
    >>> round(res.F, 3), res.df1, res.df2
    (21.0, 2, 6)
    """
    rows = np.atleast_2d(np.asarray(c, dtype=np.float64))
    if rows.ndim != 2:
        raise ValueError(
            f"The F-contrast must be a matrix (rows x columns); got shape {rows.shape}."
        )
    k = len(result.columns)
    matrix = np.vstack([check_contrast(row, k, columns=result.columns) for row in rows])
    beta = np.asarray(result.beta, dtype=np.float64)
    sigma2 = np.asarray(result.sigma, dtype=np.float64) ** 2
    q = matrix.shape[0]
    middle = matrix @ result.cov_unscaled @ matrix.T
    if np.linalg.matrix_rank(middle) < q:
        raise ValueError(
            f"The {q} rows of the F-contrast are linearly dependent; drop the redundant rows."
        )
    effect = matrix @ beta
    quad = np.einsum("i...,ij,j...->...", effect, np.linalg.inv(middle), effect)
    with np.errstate(divide="ignore", invalid="ignore"):
        F = quad / q / sigma2
    p = stats.f.sf(F, q, result.df)
    if np.ndim(F) == 0:
        return FTestResult(float(F), float(p), q, result.df, effect)
    return FTestResult(F, p, q, result.df, effect)
