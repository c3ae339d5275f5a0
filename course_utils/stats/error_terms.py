"""The error terms of a within-subject ANOVA: each effect's effect-by-subject mean square.

:func:`course_utils.stats.anova.rm_anova` tests each effect against its own error, the mean
square of the effect-by-subject interaction (the variance of the subjects' orthonormal contrast
scores, averaged over the effect's contrasts); :func:`~course_utils.stats.anova.pooled_anova`
tests every effect against their df-weighted mean. Whether pooling helps or hurts depends on
how similar these error mean squares are: :func:`error_mean_squares` gives them per voxel, and
:func:`spread_for_ratio` the effect-by-subject spread with which
:func:`~course_utils.stats.anova.simulate_null` reproduces a chosen ratio of two of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from course_utils._utils import voxel_blocks
from course_utils.stats import anova

__all__ = ["error_mean_squares", "spread_for_ratio"]


def error_mean_squares(
    cells: Mapping[tuple, np.ndarray], factor_names: Sequence[str]
) -> dict[str, np.ndarray]:
    """Each effect's error mean square (effect-by-subject interaction), per voxel.

    For an effect with ``q`` orthonormal contrasts, ``MS = SS_error / (q (n - 1))``: the
    subjects' contrast scores' variance, averaged over the ``q`` contrasts. It is the
    denominator of the effect's partitioned F (:func:`~course_utils.stats.anova.rm_anova`).

    Parameters
    ----------
    cells : dict of tuple to array-like
        Cell (one level per factor) -> array of shape (n_subjects, n_voxels) or
        (n_subjects,), as :func:`~course_utils.stats.anova.stack_cells` takes them; every
        combination of levels once.
    factor_names : sequence of str
        Names of the factors, in the order of the cells' tuples.

    Returns
    -------
    dict of str to numpy.ndarray
        Effect name (``"a"``, ``"b"``, ``"a:b"``, as in ``rm_anova``) -> mean square, shape
        (n_voxels,) (or (1,) for one value per subject).

    Raises
    ------
    ValueError
        A missing cell, cells of different shapes, keys of the wrong length, or fewer than two
        subjects.

    Examples
    --------
    >>> Y, s, f = anova.simulate_null(400, {"a": 2, "b": 3}, {"b": 2.0}, n_sim=1, seed=0)
    >>> cells = {(a, b): Y[(f["a"] == a) & (f["b"] == b)] for a in (0, 1) for b in (0, 1, 2)}
    >>> ms = error_mean_squares(cells, ("a", "b"))   # expected 1 + 2**2 for b, 1 otherwise
    >>> {effect: round(float(value[0]), 1) for effect, value in ms.items()}
    {'a': 1.0, 'b': 4.9, 'a:b': 1.0}
    """
    names = tuple(factor_names)
    if not cells or any(not isinstance(k, tuple) or len(k) != len(names) for k in cells):
        raise ValueError(f"cells needs tuples of {len(names)} levels as keys, one per factor.")
    levels = [sorted({key[k] for key in cells}, key=str) for k in range(len(names))]
    grid = list(np.ndindex(*(len(lv) for lv in levels)))
    keys = [tuple(levels[k][i] for k, i in enumerate(index)) for index in grid]
    missing = [key for key in keys if key not in cells]
    if missing:
        raise ValueError(f"cells lacks {missing}: give every combination of levels.")
    arrays = [np.asarray(cells[key]) for key in keys]
    arrays = [a.reshape(a.shape[0], -1) for a in arrays]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError("Every cell needs an array of the same shape (subjects, voxels).")
    n, n_vox = arrays[0].shape
    if n < 2:
        raise ValueError(f"An error mean square needs at least two subjects; got {n}.")
    contrasts = anova.effect_contrasts(tuple(len(lv) for lv in levels))
    out = {":".join(names[i] for i in effect): np.empty(n_vox) for effect in contrasts}
    for voxels in voxel_blocks(n_vox, anova.BLOCK_VOXELS):
        block = np.stack([a[:, voxels] for a in arrays], axis=1).astype(np.float64)
        for name, matrix in zip(out, contrasts.values(), strict=True):
            scores = np.einsum("scv,cq->sqv", block, matrix)
            centred = scores - scores.mean(axis=0)
            ss = np.einsum("sqv,sqv->v", centred, centred)
            out[name][voxels] = ss / (matrix.shape[1] * (n - 1))
    return out


def spread_for_ratio(ratio: float, effect: str, other: str, noise_sd: float = 1.0) -> dict:
    """The ``effect_sd`` of :func:`~course_utils.stats.anova.simulate_null` for an MS ratio.

    In those simulations an effect's expected error mean square is its spread squared plus
    ``noise_sd**2``; this adds spread to ``effect`` (``ratio > 1``) or to ``other``
    (``ratio < 1``) so that the expected ratio of their error mean squares is ``ratio``,
    every other effect keeping the noise alone.

    Parameters
    ----------
    ratio : float
        Wanted ratio MS(effect) / MS(other), positive.
    effect, other : str
        Effect names, as in ``simulate_null``.
    noise_sd : float, default 1
        The simulation's noise SD.

    Returns
    -------
    dict of str to float
        ``{effect: sd}`` or ``{other: sd}`` (empty for a ratio of 1).

    Raises
    ------
    ValueError
        A ratio that is not a positive finite number.

    Examples
    --------
    >>> spread_for_ratio(5.0, "task", "modality")
    {'task': 2.0}
    >>> spread_for_ratio(0.5, "task", "modality")
    {'modality': 1.0}
    """
    ratio = float(ratio)
    if not np.isfinite(ratio) or ratio <= 0:
        raise ValueError(f"ratio must be a positive number; got {ratio}.")
    if ratio == 1:
        return {}
    if ratio > 1:
        return {effect: float(noise_sd * np.sqrt(ratio - 1))}
    return {other: float(noise_sd * np.sqrt(1 / ratio - 1))}
