"""Designs: the classic group tests as design matrices, and contrast vectors.

A one-sample, two-sample or paired t-test is a regression whose design matrix says which
observation belongs to which group, subject or condition. This module builds those designs as
labelled :class:`pandas.DataFrame` objects (rows are observations, columns are regressors), so that
:func:`course_utils.stats.glm.regress` can name every beta, and builds and validates contrast
vectors:

- :func:`one_sample`, :func:`two_sample` (three codings: treatment/dummy, effect/sum and cell
  means), :func:`paired` (long format with one mean column per subject), :func:`add_covariate`;
- :func:`variance_inflation`, how much a column's beta is confounded with the others;
- :func:`align_subjects`, which pairs two labelled lists of subjects by ID and refuses to guess;
- :func:`linear_contrast`, :func:`quadratic_contrast` (orthogonal polynomials for ordered levels)
  and :func:`check_contrast`;
- :func:`slope_contrast` (weights whose value is a slope per unit of the levels) and
  :func:`contrast_covariance` (``sigma^2 C (X'X)^-1 C'``: how precisely a design estimates them).

Betas are named after the design's columns throughout; nothing is numbered.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from course_utils import _utils

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "CODINGS",
    "CODING_ALIASES",
    "add_covariate",
    "align_subjects",
    "check_contrast",
    "contrast_covariance",
    "linear_contrast",
    "one_sample",
    "paired",
    "quadratic_contrast",
    "slope_contrast",
    "two_sample",
    "variance_inflation",
]

CODINGS = ("treatment", "effect", "cell_means")
#: Other names of the codings, accepted as aliases: dummy for treatment coding (0 / 1), sum or
#: deviation for effect coding (+1 / -1), intercepts for cell-means coding (one column per
#: group). Effect coding is not called "contrast" coding here: a contrast is a weight vector c.
CODING_ALIASES = {
    "dummy": "treatment",
    "sum": "effect",
    "deviation": "effect",
    "intercepts": "cell_means",
}


def one_sample(n: int) -> pd.DataFrame:
    """Design of a one-sample t-test: a single column of ones.

    Parameters
    ----------
    n : int
        Number of observations (subjects).

    Returns
    -------
    pandas.DataFrame
        One column, ``intercept``; its beta is the mean of the data.

    Examples
    --------
    >>> one_sample(3)
       intercept
    0        1.0
    1        1.0
    2        1.0
    """
    _check_count(n, "n", minimum=2)
    return pd.DataFrame({"intercept": np.ones(n)})


def _check_count(value: object, name: str, minimum: int = 1) -> None:
    if not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}; got {value!r}.")


def two_sample(
    n1: int, n2: int, coding: str = "effect", labels: tuple[str, str] = ("group1", "group2")
) -> pd.DataFrame:
    """Design of a two-sample t-test, with the first ``n1`` rows in group 1.

    Parameters
    ----------
    n1, n2 : int
        Group sizes.
    coding : {"treatment", "effect", "cell_means"} or another name of one of them
        ``"dummy"`` means ``"treatment"``, ``"sum"`` and ``"deviation"`` mean ``"effect"``,
        ``"intercepts"`` means ``"cell_means"`` (same columns, same names).

        - ``"treatment"``: ``intercept`` and ``is_<group1>`` (1 in group 1, 0 in group 2). The
          intercept is group 2's mean (the reference); intercept + slope is group 1's mean.
        - ``"effect"``: ``intercept`` and ``<group1>_vs_<group2>`` (+1 / -1). The intercept is
          the mean of the two group means, ``(m1 + m2) / 2`` (the grand mean only when
          ``n1 == n2``), and the slope is half their difference, ``(m1 - m2) / 2``.
        - ``"cell_means"``: one indicator column per group and no intercept; each beta is a
          group mean, and the contrast ``[1, -1]`` tests their difference.
    labels : tuple of two str
        Group names used in the column names.

    Returns
    -------
    pandas.DataFrame
        ``n1 + n2`` rows, two columns.

    Examples
    --------
    >>> two_sample(2, 1, coding="treatment")
       intercept  is_group1
    0        1.0        1.0
    1        1.0        1.0
    2        1.0        0.0
    >>> list(two_sample(2, 1, coding="cell_means", labels=("young", "old")).columns)
    ['young', 'old']
    >>> two_sample(2, 1, coding="sum").equals(two_sample(2, 1, coding="effect"))
    True
    """
    _check_count(n1, "n1")
    _check_count(n2, "n2")
    coding = CODING_ALIASES.get(coding, coding) if isinstance(coding, str) else coding
    if coding not in CODINGS:
        names = CODINGS + tuple(CODING_ALIASES)
        close = difflib.get_close_matches(str(coding), names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"coding must be one of {CODINGS} (or a standard name: "
            f"{tuple(CODING_ALIASES)}); got {coding!r}.{hint}"
        )
    g1 = np.r_[np.ones(n1), np.zeros(n2)]
    first, second = labels
    if coding == "treatment":
        return pd.DataFrame({"intercept": np.ones(n1 + n2), f"is_{first}": g1})
    if coding == "effect":
        return pd.DataFrame({"intercept": np.ones(n1 + n2), f"{first}_vs_{second}": 2 * g1 - 1})
    return pd.DataFrame({first: g1, second: 1 - g1})


def align_subjects(ids_a: Sequence, ids_b: Sequence) -> tuple[np.ndarray, np.ndarray, list]:
    """Match two lists of subject IDs, so that row ``i`` of both means the same person.

    Parameters
    ----------
    ids_a, ids_b : sequence
        Subject IDs of the two sets of measurements, in their own orders.

    Returns
    -------
    index_a, index_b : numpy.ndarray
        Positions such that ``ids_a[index_a[i]] == ids_b[index_b[i]]``, sorted by ID.
    subjects : list
        The common IDs, in that order.

    Raises
    ------
    ValueError
        When an ID appears twice in a list, or a subject is in one list only: pairing would
        silently compare different people, so the message lists the culprits.

    Examples
    --------
    >>> ia, ib, subjects = align_subjects(["S02", "S01", "S03"], ["S01", "S03", "S02"])
    >>> subjects, ia.tolist(), ib.tolist()
    (['S01', 'S02', 'S03'], [1, 0, 2], [0, 2, 1])
    """
    a, b = list(ids_a), list(ids_b)
    for name, ids in (("first", a), ("second", b)):
        seen, dup = set(), []
        for sid in ids:
            if sid in seen:
                dup.append(sid)
            seen.add(sid)
        if dup:
            raise ValueError(
                f"The {name} list has duplicate subject IDs {sorted(set(dup))}: "
                "each subject must appear once per condition."
            )
    only_a = sorted(set(a) - set(b), key=str)
    only_b = sorted(set(b) - set(a), key=str)
    if only_a or only_b:
        raise ValueError(
            "The two lists do not hold the same subjects: "
            f"only in the first {only_a}, only in the second {only_b}. A paired test needs both "
            "measurements of every subject; drop the unpaired subjects explicitly."
        )
    subjects = sorted(a, key=str)
    pos_a = {sid: i for i, sid in enumerate(a)}
    pos_b = {sid: i for i, sid in enumerate(b)}
    return (
        np.array([pos_a[s] for s in subjects]),
        np.array([pos_b[s] for s in subjects]),
        subjects,
    )


def paired(
    a: pd.Series,
    b: pd.Series,
    labels: tuple[str, str] = ("a", "b"),
) -> tuple[pd.Series, pd.DataFrame]:
    """Long-format design of a paired t-test: a condition column plus one mean per subject.

    Parameters
    ----------
    a, b : pandas.Series
        One value per subject for each condition, indexed by subject ID (any order: they are
        aligned by ID with :func:`align_subjects`).
    labels : tuple of two str
        Condition names, used in the condition column's name.

    Returns
    -------
    y : pandas.Series
        The ``2 n`` values, condition ``a`` then ``b`` for each subject in turn.
    X : pandas.DataFrame
        Column ``<a>_vs_<b>`` (+1 for ``a``, -1 for ``b``) and one indicator column per subject
        (``subject_<ID>``). The condition beta is **half** the mean paired difference
        ``mean(a - b) / 2``; each subject's beta is that subject's mean of the two values.

    Raises
    ------
    ValueError
        When ``a`` and ``b`` are not Series indexed by subject, or do not hold the same subjects.

    Examples
    --------
    >>> a = pd.Series([3.0, 5.0], index=["S01", "S02"])
    >>> b = pd.Series([2.0, 1.0], index=["S02", "S01"])
    >>> y, X = paired(a, b)
    >>> y.tolist()
    [3.0, 1.0, 5.0, 2.0]
    >>> list(X.columns)
    ['a_vs_b', 'subject_S01', 'subject_S02']
    """
    if not isinstance(a, pd.Series) or not isinstance(b, pd.Series):
        raise ValueError(
            "paired() needs two pandas Series indexed by subject ID, so that the "
            "values can be matched by subject rather than by position."
        )
    ia, ib, subjects = align_subjects(a.index, b.index)
    n = len(subjects)
    values = np.empty(2 * n)
    values[0::2] = a.to_numpy(dtype=float)[ia]
    values[1::2] = b.to_numpy(dtype=float)[ib]
    condition = np.tile([1.0, -1.0], n)
    columns = {f"{labels[0]}_vs_{labels[1]}": condition}
    for i, sid in enumerate(subjects):
        col = np.zeros(2 * n)
        col[2 * i : 2 * i + 2] = 1.0
        columns[f"subject_{sid}"] = col
    index = pd.MultiIndex.from_product([subjects, list(labels)], names=["subject", "condition"])
    return pd.Series(values, index=index, name="value"), pd.DataFrame(columns, index=index)


def add_covariate(
    design: pd.DataFrame, values: npt.ArrayLike, name: str = "covariate", center: bool = True
) -> pd.DataFrame:
    """Return ``design`` with one more column holding a covariate (e.g. age), centred or not.

    Parameters
    ----------
    design : pandas.DataFrame
        A design with one row per observation.
    values : array-like
        The covariate, one value per row.
    name : str
        Column name.
    center : bool, default True
        Subtract the covariate's mean. Centring changes what the *other* betas mean (the
        effects at the average covariate instead of at covariate = 0) but not the covariate's
        slope, the fit, or any test of a group difference.

    Returns
    -------
    pandas.DataFrame
        A new design; ``design`` is not modified.

    Examples
    --------
    >>> add_covariate(one_sample(3), [20, 30, 40], name="age")
       intercept   age
    0        1.0 -10.0
    1        1.0   0.0
    2        1.0  10.0
    """
    column = np.asarray(values, dtype=float)
    if column.shape != (len(design),):
        raise ValueError(
            f"The covariate has {column.size} values but the design has "
            f"{len(design)} rows: give one value per observation."
        )
    if not np.isfinite(column).all():
        raise ValueError(f"The covariate {name!r} has missing values; fill or drop those rows.")
    if name in design.columns:
        raise ValueError(f"The design already has a column {name!r}; choose another name.")
    out = design.copy()
    out[name] = column - column.mean() if center else column
    return out


def variance_inflation(design: pd.DataFrame) -> pd.Series:
    """Variance inflation factor (VIF) of every non-constant column of a design.

    The VIF of column ``j`` is ``1 / (1 - R_j^2)``, where ``R_j^2`` is the share of that column's
    variance explained by the other columns: how many times larger the variance of its beta is
    than it would be if the column were uncorrelated with the others. With an intercept (or
    columns that add up to one) ``R_j^2`` is measured around the mean; without one, around zero,
    as in statsmodels' ``variance_inflation_factor``. A VIF near 1 means the beta is estimated
    from variation the other columns do not share; a large VIF means it is not.

    Parameters
    ----------
    design : pandas.DataFrame
        A full-rank design, one row per observation.

    Returns
    -------
    pandas.Series
        One VIF per non-constant column, indexed by column name.

    Raises
    ------
    ValueError
        When the design has fewer than two columns, or a column is an exact combination of the
        others (its VIF is infinite; see :func:`course_utils.stats.glm.dependent_columns`).

    Examples
    --------
    Two groups that differ in age: the group and age columns share much of their variance.

    >>> X = add_covariate(two_sample(3, 3, "dummy"), [20, 25, 30, 40, 45, 60], name="age")
    >>> variance_inflation(X).round(2).to_dict()
    {'is_group1': 4.06, 'age': 4.06}
    """
    values = design.to_numpy(dtype=float)
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError("variance_inflation() needs a design with at least two columns.")
    columns = [str(c) for c in design.columns]
    constant = np.ptp(values, axis=0) == 0
    out = {}
    for j, name in enumerate(columns):
        if constant[j]:
            continue
        x, others = values[:, j], np.delete(values, j, axis=1)
        fitted = others @ np.linalg.lstsq(others, x, rcond=None)[0]
        ones_fit = others @ np.linalg.lstsq(others, np.ones(len(x)), rcond=None)[0]
        has_constant = np.allclose(ones_fit, 1.0, atol=1e-10)
        total = ((x - x.mean()) ** 2).sum() if has_constant else (x**2).sum()
        residual = ((x - fitted) ** 2).sum()
        if residual <= 1e-12 * total:
            raise ValueError(
                f"Column {name!r} is a linear combination of the others: its VIF is "
                "infinite. Drop one of the dependent columns."
            )
        out[name] = float(total / residual)
    return pd.Series(out, name="VIF", dtype=float)


def _orthogonal_polynomials(k: int) -> np.ndarray:
    x = np.arange(k, dtype=float)
    q, _ = np.linalg.qr(np.vander(x, 3, increasing=True))
    return q


def linear_contrast(k: int) -> np.ndarray:
    """Centred linear trend over ``k`` ordered levels: ``0, 1, ..., k-1`` minus their mean.

    Parameters
    ----------
    k : int
        Number of ordered levels (at least 2).

    Returns
    -------
    numpy.ndarray, shape (k,)
        Weights that sum to zero and rise by 1 from level to level.

    Examples
    --------
    >>> linear_contrast(4)
    array([-1.5, -0.5,  0.5,  1.5])
    """
    _check_count(k, "k", minimum=2)
    levels = np.arange(k, dtype=float)
    return levels - levels.mean()


def quadratic_contrast(k: int) -> np.ndarray:
    """Quadratic (inverted-U) trend over ``k`` ordered levels, orthogonal to the linear one.

    The orthogonal polynomial of degree 2, scaled so its largest weight is 1 and signed so that
    an inverted U (high in the middle) gives a positive value. It sums to zero and is orthogonal
    to :func:`linear_contrast`; negate it to look for a U shape.

    Parameters
    ----------
    k : int
        Number of ordered levels (at least 3).

    Returns
    -------
    numpy.ndarray, shape (k,)
        Weights that sum to zero, largest weight 1.

    Examples
    --------
    >>> quadratic_contrast(4)
    array([-1.,  1.,  1., -1.])
    >>> float(quadratic_contrast(4) @ linear_contrast(4))
    0.0
    """
    _check_count(k, "k", minimum=3)
    c = _orthogonal_polynomials(k)[:, 2]
    c = c / np.abs(c).max()
    if c[k // 2] < 0:
        c = -c
    c[np.abs(c) < 1e-12] = 0.0
    return np.round(c, 12) + 0.0


def check_contrast(
    c: npt.ArrayLike, n_columns: int, zero_sum: bool = True, names: Sequence[str] | None = None
) -> np.ndarray:
    """Validate a contrast vector and return it as a float array.

    The checks of every contrast (:func:`course_utils._utils.check_contrast`: one finite weight
    per column, not all zero), plus the zero sum of a comparison.

    Parameters
    ----------
    c : array-like
        The weights.
    n_columns : int
        How many weights are expected (columns of the design, or levels of a factor).
    zero_sum : bool, default True
        Require the weights to sum to zero, as a comparison between conditions must (a
        one-sample test of a single mean is the exception).
    names : sequence of str, optional
        Column or level names, quoted in the error messages.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        Wrong length, non-finite or all-zero weights, or weights that do not sum to zero.

    Examples
    --------
    >>> check_contrast([-1, 1, 1, -1], 4)
    array([-1.,  1.,  1., -1.])
    >>> check_contrast([-1, 1, 1, -2], 4)
    Traceback (most recent call last):
    ...
    ValueError: The contrast [-1.0, 1.0, 1.0, -2.0] sums to -1 instead of 0: ...
    """
    weights = _utils.check_contrast(c, n_columns, columns=names)
    total = weights.sum()
    if zero_sum and not np.isclose(total, 0.0, atol=1e-10 * np.abs(weights).max()):
        raise ValueError(
            f"The contrast {weights.tolist()} sums to {total:g} instead of 0: a comparison "
            "between conditions must give the same total weight to both sides, otherwise it also "
            "tests the overall mean."
        )
    return weights


def slope_contrast(levels: npt.ArrayLike) -> np.ndarray:
    """Weights whose value is the least-squares slope of the level means against ``levels``.

    The centred levels divided by their sum of squares, ``c = (x - mean) / sum((x - mean)^2)``:
    ``c @ means`` is the slope of the line fitted to the means, in the response's unit per unit
    of ``x`` (e.g. % signal change per item). Unlike :func:`linear_contrast`, the levels need
    not be equally spaced.

    Parameters
    ----------
    levels : array-like
        The value of each level (e.g. the memory load in items), at least two distinct values.

    Returns
    -------
    numpy.ndarray
        One weight per level; they sum to zero.

    Raises
    ------
    ValueError
        Fewer than two levels, non-finite values, or all levels equal.

    Examples
    --------
    >>> slope_contrast([1, 2, 3, 4])
    array([-0.3, -0.1,  0.1,  0.3])
    >>> float(slope_contrast([1, 2, 4, 8]) @ np.array([0.5, 1.0, 2.0, 4.0]))  # 0.5 per unit
    0.5
    """
    x = np.asarray(levels, dtype=float).ravel()
    if x.size < 2 or not np.isfinite(x).all() or np.ptp(x) == 0:
        raise ValueError(
            f"levels must be at least two finite values, not all equal; got {x.tolist()}."
        )
    centred = x - x.mean()
    return centred / (centred @ centred)


def contrast_covariance(
    design: pd.DataFrame, contrasts: Mapping[str, npt.ArrayLike], *, sigma: float = 1.0
) -> pd.DataFrame:
    """Covariance of contrast estimates, ``sigma^2 C (X'X)^-1 C'``, before any data are seen.

    The diagonal holds each ``Var(c' beta_hat)``: the squared standard error a contrast will
    have when the noise has standard deviation ``sigma``. It depends on the design and the
    contrast only, so it compares designs (the inverse of a variance is a contrast's
    *efficiency*). Off the diagonal, two contrasts are uncorrelated when ``c1' (X'X)^-1 c2 = 0``;
    orthogonal weights (``c1' c2 = 0``) ensure it only when ``X'X`` is proportional to ``I``.

    Parameters
    ----------
    design : pandas.DataFrame
        A full-rank design, one column per regressor.
    contrasts : mapping of str to array-like
        Contrast name to one weight per design column.
    sigma : float, default 1.0
        Standard deviation of the noise, in the data's unit.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and labelled by the contrasts' names.

    Raises
    ------
    ValueError
        A contrast without one finite weight per column, or a rank-deficient design.

    Examples
    --------
    Two conditions with 4 and 1 observations: a mean of 1 observation varies 4 times more.

    >>> X = pd.DataFrame({"a": [1.0, 1, 1, 1, 0], "b": [0.0, 0, 0, 0, 1]})
    >>> contrast_covariance(X, {"a": [1, 0], "b": [0, 1], "a-b": [1, -1]}).round(2)
          a     b   a-b
    a    0.25  0.00  0.25
    b    0.00  1.00 -1.00
    a-b  0.25 -1.00  1.25
    """
    values = design.to_numpy(dtype=float)
    names = [str(c) for c in design.columns]
    rows = np.vstack(
        [_utils.check_contrast(c, values.shape[1], columns=names) for c in contrasts.values()]
    )
    if np.linalg.matrix_rank(values) < values.shape[1]:
        raise ValueError(
            f"The design's columns {names} are linearly dependent: (X'X) has no inverse."
        )
    _, r = np.linalg.qr(values)
    half = np.linalg.solve(r.T, rows.T)  # R^-T C', so half' half = C (X'X)^-1 C'
    labels = [str(name) for name in contrasts]
    return pd.DataFrame(sigma**2 * half.T @ half, index=labels, columns=labels)
