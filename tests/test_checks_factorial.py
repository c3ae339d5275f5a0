"""Feedback of the factorial-designs exercises: every typical mistake is named."""

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from course_utils.stats import anova
from course_utils.teaching.checks import factorial

CELLS = ["a bp", "a comp", "a sent", "v bp", "v comp", "v sent"]
ROW1 = [0, -1, 1, 0, 1, -1]  # (video - audio) x (computation - sentence)
ROW2 = [1, 0, -1, -1, 0, 1]  # (video - audio) x (sentence - button press)


@pytest.mark.parametrize(
    "rows",
    [
        [ROW1, ROW2],
        [np.add(ROW1, ROW2), np.subtract(ROW1, ROW2) * 3],  # another basis, any scale
        anova.effect_contrasts((2, 3))[(0, 1)].T,  # the orthonormal one
    ],
)
def test_any_basis_of_the_interaction_is_right(rows):
    assert factorial.interaction_f_contrast_exercise(CELLS, 20).check(rows).correct


@pytest.mark.parametrize(
    "rows,words",
    [
        ([ROW1], "2 rows of 6"),
        ([ROW1, ROW2, ROW1], "2 rows of 6"),
        ([ROW1, [1, 0, 0, 0, 0, 0]], "sum to"),
        ([ROW1, [-1, -1, -1, 1, 1, 1]], "main effect of the first factor"),
        ([ROW1, [1, 1, -2, 1, 1, -2]], "main effect of the task"),
        ([ROW1, np.multiply(ROW1, -2)], "rank 1"),
        ("rows", "2 x 6 array"),
    ],
)
def test_interaction_mistakes_are_named(rows, words):
    feedback = factorial.interaction_f_contrast_exercise(CELLS, 20).check(rows)
    assert feedback.status == "incorrect" and words in feedback.message, feedback.message


def test_interaction_needs_six_cells_and_says_not_attempted():
    with pytest.raises(ValueError, match="six cells"):
        factorial.interaction_f_contrast_exercise(CELLS[:4], 20)
    assert factorial.interaction_f_contrast_exercise(CELLS, 20).check(...).status == (
        "not attempted"
    )


def _region(seed=1, n=12):
    """A region's cell values whose task scores are far from spherical (epsilon about 0.6)."""
    Y, s, f = anova.simulate_null(n, {"a": 2, "b": 3}, {"b": (2.0, 0.2)}, n_sim=1, seed=seed)
    cells = {(a, b): Y[(f["a"] == a) & (f["b"] == b), 0] for a in (0, 1) for b in (0, 1, 2)}
    return cells, anova.rm_anova(Y, s, f), anova.pooled_anova(Y, s, f)


def test_corrected_p_is_the_greenhouse_geisser_p_as_pingouin_computes_it():
    cells, maps, _ = _region()
    long = pd.DataFrame(
        [{"s": s, "a": a, "b": b, "y": v} for (a, b), vs in cells.items() for s, v in enumerate(vs)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pg.rm_anova(long, dv="y", within=["a", "b"], subject="s", correction=True)
    row = table.set_index("Source").loc["b"]  # its epsilon and F, both df times epsilon
    p_gg = float(stats.f.sf(row["F"], 2 * row["eps"], 22 * row["eps"]))
    assert maps["b"]["eps_gg"][0] < 0.9  # the region is non-spherical: the correction matters
    q = factorial.corrected_test_exercise(cells, 0.05, ("a", "b"), "b")
    assert q.check({"p": p_gg, "significant": p_gg < 0.05}).correct
    assert q.check({"p": p_gg * (1 + 2e-4), "significant": p_gg < 0.05}).correct
    assert q.check(...).status == "not attempted"


@pytest.mark.parametrize(
    "which,words",
    [
        ("uncorrected", "uncorrected p"),
        ("pooled", "pooled error's p"),
        ("lower", "lower-bound"),
        ("other", "is not this effect's"),
        ("flip", "decision follows"),
    ],
)
def test_corrected_p_mistakes_are_named(which, words):
    cells, maps, pooled = _region()
    row = maps.table().loc["b"]
    p = {
        "uncorrected": row["p"],
        "pooled": pooled["b"]["p"][0],
        "lower": stats.f.sf(row["F"], 1, 11),
        "other": 0.5,
        "flip": row["p_gg"],
    }[which]
    decision = bool(p < 0.05) != (which == "flip")
    feedback = factorial.corrected_test_exercise(cells, 0.05, ("a", "b"), "b").check(
        {"p": p, "significant": decision}
    )
    assert feedback.status == "incorrect" and words in feedback.message, feedback.message


@pytest.mark.parametrize(
    "answer",
    [0.01, {"p": 0.01}, {"p": "x", "significant": True}, {"p": 0.01, "significant": "yes"}],
)
def test_corrected_p_wants_a_dict_of_a_number_and_a_bool(answer):
    cells, _, _ = _region()
    feedback = factorial.corrected_test_exercise(cells, 0.05, ("a", "b"), "b").check(answer)
    assert feedback.status == "incorrect"


def test_corrected_p_of_an_unknown_effect_is_an_error():
    cells, _, _ = _region()
    with pytest.raises(ValueError, match="No effect 'task'"):
        factorial.corrected_test_exercise(cells, 0.05, ("a", "b"), "task")
