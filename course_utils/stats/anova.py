"""Repeated-measures ANOVA for within-subject factorial designs, over many voxels at once.

In a within-subject design every subject has one map per cell (e.g. modality x task). Each effect
(a main effect or an interaction) is a set of orthonormal contrasts of the cells; a subject's
contrast *scores* are its cell values times those contrasts. Two ways to test an effect:

- **partitioned error** (:func:`rm_anova`; Henson & Penny, 2003): against the effect-by-subject
  interaction, i.e. the variability of the effect's own scores across subjects. For a one-df
  effect this is a one-sample t-test on the scores, ``F = t**2``. Effects with several df also
  assume sphericity (the scores' covariance proportional to the identity); the
  Greenhouse-Geisser epsilon measures the departure and corrects the degrees of freedom.
- **pooled error** (:func:`pooled_anova`): one GLM with a column per subject and the cell effects,
  whose residual pools the effect-by-subject variability of *all* effects, with more degrees of
  freedom. It is valid only when every effect's scores have the same variance (and no
  correlation); otherwise an effect that varies more across subjects than the others gets an
  inflated F. SPM's "flexible factorial" pools the error too, but models the nonsphericity with
  one covariance (ReML) pooled over the voxels that respond, valid only where that covariance
  holds (McFarquhar, 2019); this plain pooled GLM does not model it at all.

:func:`within_subject_se` gives the error bars of cell means that match these tests (Cousineau
2005, with Morey's 2008 correction): the subjects' offsets, which cancel in every within-subject
contrast, are removed first.

The sums of squares of both equal those of the classical ANOVA tables (statsmodels ``AnovaRM``
for the partitioned one; ``ols('y ~ C(subject) + C(a) * C(b)')`` for the pooled one).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import linalg, stats

from course_utils._utils import as_generator, as_subjects_by_voxels, voxel_blocks

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "AnovaMaps",
    "BLOCK_VOXELS",
    "contrast_table",
    "effect_contrasts",
    "pooled_anova",
    "rm_anova",
    "simulate_null",
    "stack_cells",
    "within_subject_se",
]

#: Voxels per block of :func:`_sums` (bounds its float64 arrays: subjects x cells x block; Y is
#: never copied whole, each block gathers its rows). A quarter of ``_utils.CHUNK_VOXELS`` because
#: it is faster here: the einsums over (subjects, contrasts, voxels) stay in cache (rm_anova of
#: 20 subjects x 6 cells x 60,000 voxels: 0.089 s with 4,096, 0.102 s with 16,384).
BLOCK_VOXELS = 4096


@dataclass(frozen=True)
class AnovaMaps:
    """F-maps of every effect of a repeated-measures ANOVA (what :func:`rm_anova` returns).

    One outcome is one voxel: :meth:`table` gives its ANOVA table.

    Parameters
    ----------
    effects : tuple of str
        Effect names: the factors, then their interactions (``"a:b"``), in the order given.
    F, p : numpy.ndarray, shape (n_effects, n_voxels)
        F statistics and their p-values (uncorrected for nonsphericity).
    df1, df2 : numpy.ndarray, shape (n_effects,)
        Degrees of freedom of each F.
    eps_gg : numpy.ndarray, shape (n_effects, n_voxels)
        Greenhouse-Geisser epsilon (1 for one-df effects and for the pooled error).
    p_gg : numpy.ndarray, shape (n_effects, n_voxels)
        p-values with ``df1 * eps`` and ``df2 * eps`` degrees of freedom.
    error : str
        ``"partitioned"`` or ``"pooled"``.

    Returns
    -------
    AnovaMaps
        A frozen record; ``maps["task"]`` gives one effect's fields as a dict.

    Examples
    --------
    >>> Y, subjects, factors = simulate_null(6, {"a": 2}, {}, n_sim=3, seed=0)
    >>> maps = rm_anova(Y, subjects, factors)
    >>> maps.effects, maps.F.shape, maps["a"]["df2"]
    (('a',), (1, 3), 5.0)
    """

    effects: tuple[str, ...]
    F: np.ndarray
    df1: np.ndarray
    df2: np.ndarray
    p: np.ndarray
    eps_gg: np.ndarray
    p_gg: np.ndarray
    error: str

    def table(self, voxel: int = 0) -> pd.DataFrame:
        """The ANOVA table of one voxel (of the only one, for one outcome): one row per effect.

        Parameters
        ----------
        voxel : int, default 0
            Column of ``Y``.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``effect``, columns ``F``, ``df1``, ``df2``, ``p``, ``eps_gg``, ``p_gg``.

        Examples
        --------
        >>> Y, subjects, factors = simulate_null(6, {"a": 2, "b": 2}, {}, n_sim=2, seed=0)
        >>> rm_anova(Y, subjects, factors).table(voxel=1).index.tolist()
        ['a', 'b', 'a:b']
        """
        return pd.DataFrame(
            {
                "F": self.F[:, voxel],
                "df1": self.df1,
                "df2": self.df2,
                "p": self.p[:, voxel],
                "eps_gg": self.eps_gg[:, voxel],
                "p_gg": self.p_gg[:, voxel],
            },
            index=pd.Index(self.effects, name="effect"),
        )

    def __getitem__(self, effect: str) -> dict:
        """The fields of one effect, e.g. ``maps["task"]["F"]`` (a map)."""
        if effect not in self.effects:
            raise KeyError(f"No effect {effect!r}; the effects are {list(self.effects)}.")
        k = self.effects.index(effect)
        return {
            "F": self.F[k],
            "df1": float(self.df1[k]),
            "df2": float(self.df2[k]),
            "p": self.p[k],
            "eps_gg": self.eps_gg[k],
            "p_gg": self.p_gg[k],
        }


@dataclass(frozen=True)
class _Layout:
    values: np.ndarray  # (n_obs, n_voxels), as given (no copy)
    rows: np.ndarray  # (n_subjects, n_cells): the row of Y holding each subject's cell
    factors: tuple[str, ...]
    levels: tuple[tuple, ...]
    subjects: tuple


def _layout(Y: npt.ArrayLike, subjects: npt.ArrayLike, factors: Mapping) -> _Layout:
    """Check a long-format design and arrange Y as subjects x cells x voxels."""
    if np.ndim(Y) not in (1, 2):
        raise ValueError(
            f"Y must be (n_obs,) or (n_obs, n_voxels), one row per subject x cell; "
            f"got shape {np.shape(Y)}."
        )
    values = as_subjects_by_voxels(Y, min_subjects=1)  # rows are observations here
    n_obs = values.shape[0]
    if not isinstance(factors, Mapping) or not factors:
        raise ValueError(
            "factors must be a dict {factor name: the level of each row}, e.g. "
            "{'modality': [...], 'task': [...]}."
        )
    subjects = np.asarray(subjects)
    for name, column in [("subjects", subjects), *factors.items()]:
        if len(column) != n_obs:
            raise ValueError(
                f"{name} has {len(column)} entries but Y has {n_obs} rows: give one "
                "per row of Y (long format: one row per subject x cell)."
            )
    names = tuple(str(name) for name in factors)
    if any(":" in name for name in names):
        raise ValueError(f"Factor names cannot contain ':' (it joins interaction names): {names}.")
    codes, levels = [], []
    for name in names:
        code, uniques = pd.factorize(pd.Series(np.asarray(factors[name])), sort=True)
        if (code < 0).any():
            raise ValueError(f"Factor {name!r} has missing levels (NaN/None) in some rows.")
        if len(uniques) < 2:
            raise ValueError(
                f"Factor {name!r} has only one level ({uniques[0]!r}): a factor "
                "needs at least two levels to have an effect."
            )
        codes.append(code)
        levels.append(tuple(uniques))
    subject_code, subject_ids = pd.factorize(pd.Series(subjects), sort=True)
    if (subject_code < 0).any():
        raise ValueError("subjects has missing IDs (NaN/None) in some rows.")
    shape = tuple(len(lv) for lv in levels)
    cell = np.ravel_multi_index(tuple(codes), shape)
    n_cells = int(np.prod(shape))
    counts = np.zeros((len(subject_ids), n_cells), dtype=np.int64)
    np.add.at(counts, (subject_code, cell), 1)
    if (counts != 1).any():
        s, c = np.argwhere(counts != 1)[0]
        where = dict(
            zip(
                names,
                (lv[i] for lv, i in zip(levels, np.unravel_index(c, shape), strict=True)),
                strict=True,
            )
        )
        what = "is missing" if counts[s, c] == 0 else f"appears {counts[s, c]} times"
        raise ValueError(
            f"The design is not balanced: subject {subject_ids[s]!r} in cell {where} "
            f"{what}. Every subject needs exactly one row per cell "
            f"({n_cells} cells); drop incomplete subjects or average repeats first."
        )
    rows = np.empty((len(subject_ids), n_cells), dtype=np.int64)
    rows[subject_code, cell] = np.arange(n_obs)
    return _Layout(values, rows, names, tuple(levels), tuple(subject_ids))


def effect_contrasts(levels: tuple[int, ...]) -> dict[tuple[int, ...], np.ndarray]:
    """Orthonormal contrasts of the cells for every effect of a factorial design.

    Parameters
    ----------
    levels : tuple of int
        Number of levels of each factor; cells are ordered as ``numpy.ravel_multi_index``
        orders them (the last factor varies fastest).

    Returns
    -------
    dict
        Effect (a tuple of factor positions, main effects first) -> matrix of shape
        ``(n_cells, df)`` with orthonormal columns, orthogonal to the other effects' and to the
        grand mean.

    Examples
    --------
    >>> c = effect_contrasts((2, 3))
    >>> [(effect, m.shape) for effect, m in c.items()]
    [((0,), (6, 1)), ((1,), (6, 2)), ((0, 1), (6, 2))]
    >>> every = np.hstack(list(c.values()))
    >>> bool(np.allclose(every.T @ every, np.eye(5))), bool(np.allclose(every.sum(axis=0), 0))
    (True, True)
    """
    average = [np.full((n, 1), 1 / np.sqrt(n)) for n in levels]
    within = [linalg.null_space(np.ones((1, n))) for n in levels]
    out = {}
    for size in range(1, len(levels) + 1):
        for effect in itertools.combinations(range(len(levels)), size):
            matrix = np.ones((1, 1))
            for k in range(len(levels)):
                matrix = np.kron(matrix, within[k] if k in effect else average[k])
            out[effect] = matrix
    return out


def contrast_table(levels: Mapping[str, Sequence]) -> pd.DataFrame:
    """The orthonormal contrasts of every effect, labelled, in the cell order of the ANOVA.

    Parameters
    ----------
    levels : dict of str to sequence
        Factor name -> its levels. Levels are sorted, as :func:`rm_anova` sorts them.

    Returns
    -------
    pandas.DataFrame
        One row per cell (``"level level"``), one column per contrast (``"effect j"``): the
        columns of :func:`effect_contrasts`.

    Examples
    --------
    >>> contrast_table({"a": ["y", "x"], "b": [1, 2]}).round(2)
         a 1  b 1  a:b 1
    x 1 -0.5 -0.5    0.5
    x 2 -0.5  0.5   -0.5
    y 1  0.5 -0.5   -0.5
    y 2  0.5  0.5    0.5
    """
    names = [str(name) for name in levels]
    ordered = [sorted(levels[name]) for name in levels]
    columns = {}
    for effect, matrix in effect_contrasts(tuple(len(lv) for lv in ordered)).items():
        label = ":".join(names[i] for i in effect)
        for j, column in enumerate(matrix.T):
            columns[f"{label} {j + 1}"] = column
    cells = [" ".join(map(str, cell)) for cell in itertools.product(*ordered)]
    return pd.DataFrame(columns, index=cells)


def within_subject_se(values: npt.ArrayLike) -> np.ndarray:
    """Standard error of each cell mean of a within-subject design, without subject offsets.

    Cousineau (2005): remove each subject's mean over the cells and add the grand mean; Morey
    (2008): scale the variance of these normalised values by ``J / (J - 1)`` (``J`` cells, a
    ValueError for fewer than two, or two subjects, or NaN). What remains is the variability
    that the within-subject tests see.

    Parameters
    ----------
    values : array-like, shape (n_subjects, n_cells)
        Each subject's value in every cell (e.g. a region's mean).

    Returns
    -------
    numpy.ndarray, shape (n_cells,)
        The Cousineau-Morey standard error of each cell's mean.

    Examples
    --------
    >>> values = np.array([[0.0], [10.0], [20.0]]) + [[1.0, 2.0], [1.5, 2.5], [0.5, 1.5]]
    >>> within_subject_se(values).tolist()     # every subject: cell 2 = cell 1 + 1
    [0.0, 0.0]
    >>> (values.std(axis=0, ddof=1) / np.sqrt(3)).round(2).tolist()  # between-subject
    [5.63, 5.63]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or min(values.shape) < 2 or not np.isfinite(values).all():
        raise ValueError(
            "values must be finite, (n_subjects, n_cells) with at least two of each; got "
            f"shape {values.shape}."
        )
    n, cells = values.shape
    normalised = values - values.mean(axis=1, keepdims=True) + values.mean()
    return normalised.std(axis=0, ddof=1) * np.sqrt(cells / (cells - 1) / n)


def _sums(
    layout: _Layout,
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per effect: SS of the effect, SS of its error, df1 and the GG epsilon (voxel arrays)."""
    n, n_vox = layout.rows.shape[0], layout.values.shape[1]
    contrasts = effect_contrasts(tuple(len(lv) for lv in layout.levels))
    ss_eff = np.empty((len(contrasts), n_vox))
    ss_err = np.empty((len(contrasts), n_vox))
    eps = np.ones((len(contrasts), n_vox))
    for voxels in voxel_blocks(n_vox, BLOCK_VOXELS):
        block = layout.values[:, voxels][layout.rows].astype(np.float64)
        for k, matrix in enumerate(contrasts.values()):
            scores = np.einsum("scv,cq->sqv", block, matrix)  # (subjects, df1, voxels)
            mean = scores.mean(axis=0)
            centred = scores - mean
            ss_eff[k, voxels] = n * np.einsum("qv,qv->v", mean, mean)
            err = np.einsum("sqv,sqv->v", centred, centred)
            ss_err[k, voxels] = err
            q = matrix.shape[1]
            if q > 1:  # Greenhouse-Geisser: (tr S)^2 / (q tr S^2), S the scores' covariance
                cov = np.einsum("sjv,skv->jkv", centred, centred) / (n - 1)
                trace2 = np.einsum("jkv,jkv->v", cov, cov)
                with np.errstate(divide="ignore", invalid="ignore"):
                    value = (err / (n - 1)) ** 2 / (q * trace2)
                eps[k, voxels] = np.where(trace2 > 0, value, 1.0)
    df1 = np.array([m.shape[1] for m in contrasts.values()], dtype=float)
    names = tuple(":".join(layout.factors[i] for i in effect) for effect in contrasts)
    return names, ss_eff, ss_err, df1, np.clip(eps, 1 / df1[:, None], 1.0)


def _f_maps(
    names: tuple[str, ...],
    ss_eff: np.ndarray,
    ss_err: np.ndarray,
    df1: np.ndarray,
    df2: np.ndarray,
    eps: np.ndarray,
    error: str,
) -> AnovaMaps:
    with np.errstate(divide="ignore", invalid="ignore"):
        F = (ss_eff / df1[:, None]) / (ss_err / df2[:, None])
    F = np.where(ss_err > 0, F, np.where(ss_eff > 0, np.inf, 0.0))
    p = stats.f.sf(F, df1[:, None], df2[:, None])
    p_gg = stats.f.sf(F, eps * df1[:, None], eps * df2[:, None])
    return AnovaMaps(names, F, df1, df2, p, eps, p_gg, error)


def rm_anova(Y: npt.ArrayLike, subjects: npt.ArrayLike, factors: Mapping) -> AnovaMaps:
    """Repeated-measures ANOVA with partitioned error terms, for one outcome or many voxels.

    Each effect is tested against its own effect-by-subject interaction (Henson & Penny, 2003):
    ``F = (SS_effect / df1) / (SS_error / df2)`` with ``df1`` the effect's degrees of freedom and
    ``df2 = df1 * (n_subjects - 1)``. The Greenhouse-Geisser epsilon of effects with more than one
    df corrects both df for nonsphericity (``p_gg``).

    Parameters
    ----------
    Y : array-like, shape (n_obs,) or (n_obs, n_voxels)
        The outcome in long format: one row per subject x cell.
    subjects : array-like, shape (n_obs,)
        The subject of each row.
    factors : dict of str to array-like
        Factor name -> the level of each row, e.g. ``{"modality": ..., "task": ...}``. Every
        subject needs exactly one row per combination of levels (a balanced within-subject
        design).

    Returns
    -------
    AnovaMaps
        Per effect (``"modality"``, ``"task"``, ``"modality:task"``): ``F``, ``df1``, ``df2``,
        ``p``, ``eps_gg``, ``p_gg``, one value per voxel (one outcome is one voxel: its table is
        ``rm_anova(...).table()``).

    Raises
    ------
    ValueError
        Lengths of ``Y``, ``subjects`` and the factors that differ, a factor with one level, a
        missing or repeated cell, NaN, or fewer than two subjects.

    See Also
    --------
    pooled_anova : the same effects against one pooled error term.
    statsmodels.stats.anova.AnovaRM : the same F, df and p for one outcome (no sphericity
        correction).

    References
    ----------
    Henson, R. N. A. & Penny, W. D. (2003). ANOVAs and SPM. Technical report, Wellcome Department
    of Imaging Neuroscience. Greenhouse, S. W. & Geisser, S. (1959). Psychometrika 24:95-112.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> subjects = np.repeat(np.arange(8), 4)
    >>> a = np.tile(["x", "x", "y", "y"], 8)
    >>> b = np.tile(["u", "v", "u", "v"], 8)
    >>> y = rng.normal(size=32) + (a == "y") * 1.5      # a main effect of a only
    >>> table = rm_anova(y, subjects, {"a": a, "b": b}).table()
    >>> table.index.tolist(), table["df2"].tolist()
    (['a', 'b', 'a:b'], [7.0, 7.0, 7.0])
    >>> bool(table.loc["a", "p"] < 0.01)
    True
    """
    layout = _layout(Y, subjects, factors)
    n = layout.rows.shape[0]
    if n < 2:
        raise ValueError(f"A repeated-measures ANOVA needs at least two subjects; got {n}.")
    names, ss_eff, ss_err, df1, eps = _sums(layout)
    return _f_maps(names, ss_eff, ss_err, df1, df1 * (n - 1), eps, "partitioned")


def pooled_anova(Y: npt.ArrayLike, subjects: npt.ArrayLike, factors: Mapping) -> AnovaMaps:
    """The same effects tested against one pooled error (subjects as a factor, no correction).

    The error is the residual of one GLM with a column per subject and every cell effect, i.e.
    the sum of all effect-by-subject interactions, with ``(n_cells - 1) * (n_subjects - 1)``
    degrees of freedom. Valid only under sphericity of *all* the within-subject contrasts
    together; shown to compare with :func:`rm_anova`.

    Parameters
    ----------
    Y, subjects, factors
        As in :func:`rm_anova`.

    Returns
    -------
    AnovaMaps
        As :func:`rm_anova`'s, with ``error="pooled"``; ``eps_gg`` is 1 and ``p_gg == p`` (no
        correction). Raises what :func:`rm_anova` raises.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> subjects = np.repeat(np.arange(8), 6)
    >>> a, b = np.tile(np.repeat([0, 1], 3), 8), np.tile([0, 1, 2], 16)
    >>> table = pooled_anova(rng.normal(size=48), subjects, {"a": a, "b": b}).table()
    >>> table["df2"].tolist()      # (6 - 1) x (8 - 1) for every effect
    [35.0, 35.0, 35.0]
    """
    layout = _layout(Y, subjects, factors)
    n = layout.rows.shape[0]
    if n < 2:
        raise ValueError(f"A repeated-measures ANOVA needs at least two subjects; got {n}.")
    names, ss_eff, ss_err, df1, _ = _sums(layout)
    pooled = ss_err.sum(axis=0, keepdims=True).repeat(len(names), axis=0)
    df2 = np.full(len(names), df1.sum() * (n - 1))
    return _f_maps(names, ss_eff, pooled, df1, df2, np.ones_like(pooled), "pooled")


def stack_cells(
    cells: Mapping[tuple, np.ndarray], factor_names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Long format from one ``subjects x voxels`` array per cell (same subjects, same order).

    Parameters
    ----------
    cells : dict of tuple to array-like
        Cell (one level per factor) -> array of shape (n_subjects, n_voxels) or (n_subjects,).
    factor_names : tuple of str
        Names of the factors, in the order of the cells' tuples.

    Returns
    -------
    Y : numpy.ndarray, shape (n_cells * n_subjects, ...)
        The arrays one below the other, float32.
    subjects : numpy.ndarray
        Row index of each row's subject (0 to n_subjects - 1).
    factors : dict of str to numpy.ndarray
        The level of each row, per factor.

    Examples
    --------
    >>> Y, subjects, factors = stack_cells({("a", 1): np.zeros((3, 5)),
    ...                                     ("b", 1): np.ones((3, 5))}, ("letter", "number"))
    >>> Y.shape, subjects.tolist(), factors["letter"].tolist()
    ((6, 5), [0, 1, 2, 0, 1, 2], ['a', 'a', 'a', 'b', 'b', 'b'])
    """
    if not cells:
        raise ValueError("cells is empty: give one array per cell.")
    arrays = [np.asarray(a, dtype=np.float32) for a in cells.values()]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(
            "Every cell needs an array of the same shape (the same subjects and "
            f"voxels); got {sorted({a.shape for a in arrays})}."
        )
    for key in cells:
        if not isinstance(key, tuple) or len(key) != len(factor_names):
            raise ValueError(
                f"Cell {key!r} should be a tuple of {len(factor_names)} levels, one "
                f"per factor {factor_names}."
            )
    n = arrays[0].shape[0]
    Y = np.concatenate(arrays, axis=0)
    subjects = np.tile(np.arange(n), len(arrays))
    factors = {
        name: np.repeat(np.array([key[k] for key in cells]), n)
        for k, name in enumerate(factor_names)
    }
    return Y, subjects, factors


def simulate_null(
    n_subjects: int,
    levels: Mapping[str, int],
    effect_sd: Mapping[str, object],
    *,
    n_sim: int,
    noise_sd: float = 1.0,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Many null within-subject studies at once (columns), with chosen effect-by-subject spread.

    No effect is present in the population; each subject has its own random effect on every
    effect's orthonormal contrasts (:func:`effect_contrasts`), with standard deviation
    ``effect_sd[effect]`` (a sequence gives one per contrast column: unequal values break
    sphericity), plus independent noise in every cell.

    Parameters
    ----------
    n_subjects : int
    levels : dict of str to int
        Factor name -> number of levels.
    effect_sd : dict of str to float or sequence of float
        Effect name (``"a"``, ``"a:b"``) -> SD of the subjects' scores on its contrasts; effects
        not named get 0.
    n_sim : int
        Number of null studies (the columns of ``Y``).
    noise_sd : float, default 1
        SD of the independent noise of each cell.
    seed : int or numpy.random.Generator, default 0
        Seed of the draws (:func:`course_utils._utils.as_generator`).

    Returns
    -------
    Y, subjects, factors
        As :func:`rm_anova` takes them; ``Y`` has shape (n_subjects * n_cells, n_sim).

    Examples
    --------
    >>> Y, s, f = simulate_null(10, {"a": 2, "b": 3}, {"b": 2.0}, n_sim=500, seed=0)
    >>> Y.shape
    (60, 500)
    >>> p = rm_anova(Y, s, f)["b"]["p"]
    >>> 0.02 < float((p < 0.05).mean()) < 0.08       # partitioned error: valid
    True
    """
    names = tuple(levels)
    counts = tuple(int(levels[name]) for name in names)
    contrasts = effect_contrasts(counts)
    by_name = {":".join(names[i] for i in effect): m for effect, m in contrasts.items()}
    unknown = set(effect_sd) - set(by_name)
    if unknown:
        raise ValueError(f"Unknown effects {sorted(unknown)}; the effects are {list(by_name)}.")
    rng = as_generator(seed)
    n_cells = int(np.prod(counts))
    cells = noise_sd * rng.standard_normal((n_subjects, n_cells, n_sim))
    for name, sd in effect_sd.items():
        matrix = by_name[name]
        sds = np.broadcast_to(np.asarray(sd, dtype=float), (matrix.shape[1],))
        scores = rng.standard_normal((n_subjects, matrix.shape[1], n_sim)) * sds[:, None]
        cells += np.einsum("cq,sqv->scv", matrix, scores)
    grid = np.array(np.unravel_index(np.arange(n_cells), counts))  # (n_factors, n_cells)
    Y = cells.transpose(1, 0, 2).reshape(n_cells * n_subjects, n_sim)
    subjects = np.tile(np.arange(n_subjects), n_cells)
    factors = {name: np.repeat(grid[k], n_subjects) for k, name in enumerate(names)}
    return Y, subjects, factors
