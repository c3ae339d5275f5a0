"""Checks of the factorial-designs notebook: an interaction's F-contrast, a corrected test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats

from course_utils.stats import anova
from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["corrected_test_exercise", "interaction_f_contrast_exercise"]


def interaction_f_contrast_exercise(cells: Sequence[str], n_subjects: int) -> Exercise:
    """Exercise: the two-row F-contrast of a 2 x 3 interaction over the six cells.

    Any 2 x 6 matrix whose rows span the interaction's space is right (an F-contrast tests the
    space its rows span, not the rows themselves); the checker compares row spaces. The cells
    are the rows of :func:`course_utils.stats.anova.contrast_table` (first factor 2 levels, the
    second 3, the second varying fastest).

    Parameters
    ----------
    cells : sequence of str
        The six cell names in the order of the answer's columns (``contrasts.index``).
    n_subjects : int
        Number of subjects (named in the feedback about the error term).

    Returns
    -------
    Exercise
        Named mistakes: not 2 x 6, rows that do not sum to zero (they test the grand mean
        too), a row with a main effect in it (of the first or the second factor), rank 1 (two
        rows that are one contrast).

    Raises
    ------
    ValueError
        Not six cells.

    Examples
    --------
    >>> q = interaction_f_contrast_exercise(list("abcdef"), 20)
    >>> q.check([[1, -1, 0, -1, 1, 0], [1, 1, -2, -1, -1, 2]]).status
    'correct'
    >>> print(q.check([[1, -1, 0, -1, 1, 0], [2, -2, 0, -2, 2, 0]]).message)
    the two rows are one contrast (rank 1): ...
    """
    cells = [str(c) for c in cells]
    if len(cells) != 6:
        raise ValueError(f"Give the six cells of the 2 x 3 design; got {len(cells)}.")
    by_effect = anova.effect_contrasts((2, 3))
    first, second, inter = by_effect[(0,)], by_effect[(1,)], by_effect[(0, 1)]

    def checker(answer: Any) -> None:
        try:
            rows = np.atleast_2d(np.asarray(answer, dtype=float))
        except (TypeError, ValueError):
            raise Incorrect("give a 2 x 6 array of numbers (rows: contrasts).") from None
        if rows.shape != (2, 6):
            raise Incorrect(
                f"give 2 rows of 6 weights, one weight per cell in the order {cells}; "
                f"got shape {rows.shape}. The interaction has (2 - 1) x (3 - 1) = 2 df."
            )
        sums = rows.sum(axis=1)
        if np.any(np.abs(sums) > 1e-8 * np.abs(rows).max(axis=1).clip(1)):
            raise Incorrect(
                f"your rows sum to {np.round(sums, 4).tolist()}: a contrast between cells "
                "sums to 0, otherwise it also tests the grand mean."
            )
        for k, row in enumerate(rows):
            for name, space in (("first factor (modality)", first), ("task", second)):
                if np.linalg.norm(space.T @ row) > 1e-8 * max(np.linalg.norm(row), 1):
                    raise Incorrect(
                        f"row {k + 1} contains a main effect of the {name}: its weights, "
                        "averaged over the other factor's levels, are not all 0. Each "
                        "interaction row is a modality difference times a task difference."
                    )
        if np.linalg.matrix_rank(rows, tol=1e-8 * np.abs(rows).max()) < 2:
            raise Incorrect(
                "the two rows are one contrast (rank 1): one row is a multiple of the "
                "other, so they test 1 df of the interaction's 2. Use a second task "
                "difference (e.g. sentence vs button press beside computation vs sentence)."
            )
        if np.linalg.norm(rows - (rows @ inter) @ inter.T) > 1e-8 * np.abs(rows).max():
            raise Incorrect("the rows do not lie in the interaction's space.")

    return Exercise(
        "F-contrast of the modality x task interaction",
        checker,
        hint="Take a modality difference (video minus audio) and a task difference (e.g. "
        "computation minus sentence), and give each cell the product of its two weights: "
        "that is one row. A second, different task difference gives the second row. Its "
        f"error: the interaction-by-subject variability, 2 and 2 x ({n_subjects} - 1) df.",
    )


def corrected_test_exercise(
    cells: Mapping[tuple, np.ndarray],
    alpha: float,
    factors: tuple[str, str] = ("modality", "task"),
    effect: str = "task",
) -> Exercise:
    """Exercise: an effect's Greenhouse-Geisser-corrected p in a region, and the decision.

    The answer is a dict ``{"p": p_gg, "significant": p_gg < alpha}``, with ``p_gg`` from
    :func:`course_utils.stats.anova.rm_anova` on the region's cell values.

    Parameters
    ----------
    cells : dict of (level, level) to array-like of shape (n_subjects,)
        Each cell's value per subject in the region (e.g. an ROI mean).
    alpha : float
        The level of the test.
    factors : tuple of two str, default ("modality", "task")
        The factors' names, in the order of the cells' keys.
    effect : str, default "task"
        The effect asked about.

    Returns
    -------
    Exercise
        The p to 0.1 % (relative). Named mistakes: the uncorrected p, the pooled error's p,
        the lower-bound (epsilon = 1/df1) p, a decision that does not follow from the p.

    Raises
    ------
    ValueError
        An effect the design does not have.

    Examples
    --------
    >>> Y, s, f = anova.simulate_null(12, {"a": 2, "b": 3}, {"b": (2.0, 0.2)}, n_sim=1, seed=1)
    >>> cells = {(a, b): Y[(f["a"] == a) & (f["b"] == b), 0] for a in (0, 1) for b in (0, 1, 2)}
    >>> q = corrected_test_exercise(cells, 0.05, ("a", "b"), "b")
    >>> row = anova.rm_anova(Y, s, f).table().loc["b"]
    >>> q.check({"p": row["p_gg"], "significant": bool(row["p_gg"] < 0.05)}).status
    'correct'
    >>> print(q.check({"p": row["p"], "significant": bool(row["p"] < 0.05)}).message)
    that is the uncorrected p; ...
    """
    Y, subjects, levels = anova.stack_cells(cells, factors)
    maps, pooled = anova.rm_anova(Y, subjects, levels), anova.pooled_anova(Y, subjects, levels)
    if effect not in maps.effects:
        raise ValueError(f"No effect {effect!r}; the effects are {list(maps.effects)}.")
    row = maps.table().loc[effect]
    want, n = float(row["p_gg"]), len(Y) // len(cells)
    lower = float(stats.f.sf(row["F"], 1, n - 1))
    named = [
        (
            float(row["p"]),
            "that is the uncorrected p; the question asks for the "
            f"Greenhouse-Geisser p (epsilon {row['eps_gg']:.3f} times both df).",
        ),
        (
            float(pooled[effect]["p"][0]),
            "that is the pooled error's p; this effect is tested "
            "against its own effect-by-subject error.",
        ),
        (
            lower,
            "that is the lower-bound correction (epsilon = 1/df1, df 1 and n - 1), the "
            "most conservative; the question asks for the Greenhouse-Geisser estimate.",
        ),
    ]

    def same(got: float, target: float) -> bool:
        return bool(np.isclose(got, target, rtol=1e-3, atol=1e-12))

    def checker(answer: Any) -> None:
        if not isinstance(answer, Mapping) or set(answer) != {"p", "significant"}:
            raise Incorrect('give a dict {"p": ..., "significant": True or False}.')
        try:
            got = float(answer["p"])
        except (TypeError, ValueError):
            raise Incorrect('"p" should be a number.') from None
        decision = answer["significant"]
        if not isinstance(decision, (bool, np.bool_)):
            raise Incorrect('"significant" should be True or False.')
        if not same(got, want):
            for target, message in named:
                if same(got, target):
                    raise Incorrect(message)
            raise Incorrect(
                f"p = {got:.4g} is not this effect's Greenhouse-Geisser p in this region; "
                "read the p_gg column of the region's ANOVA table."
            )
        if bool(decision) != (want < alpha):
            raise Incorrect(
                f"the p is right, but p = {want:.4g} is "
                f"{'below' if want < alpha else 'not below'} alpha = {alpha:g}: the "
                "decision follows from the corrected p."
            )

    return Exercise(
        f"Greenhouse-Geisser test of the {effect} effect",
        checker,
        hint="The region's ANOVA table has a p_gg column: the p with both degrees of "
        "freedom multiplied by epsilon. Compare it with ALPHA.",
    )
