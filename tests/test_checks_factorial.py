"""Feedback of the factorial-designs exercises: every typical mistake is named."""

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from course_utils.experiments.data import CONDITIONS
from course_utils.stats import anova
from course_utils.teaching.checks import factorial

VS, AS, VC, AC = "video_sentence", "audio_sentence", "video_computation", "audio_computation"


@pytest.mark.parametrize(
    "answer,words",
    [
        ({VS: 1, VC: 1, AS: -1, AC: -1}, "main effect of modality"),
        ({VS: 1, AS: 1, VC: -1, AC: -1}, "main effect of task"),
        ({VS: 1, AS: -1}, "simple effect of modality for sentences"),
        ({VC: 2, AC: -2}, "simple effect of modality for computation"),
        ({VS: 1, VC: -1}, "simple effect of task within video"),
        ({VS: -1, AS: 1, VC: 1, AC: -1}, "opposite sign"),
        ({VS: 1, AS: -1, VC: -1}, "sum to -1"),
        ({VS: 1, AS: -1, "video_left_hand": 1, "audio_left_hand": -1}, "button presses"),
    ],
)
def test_interaction_mistakes_are_named(answer, words):
    feedback = factorial.interaction_contrast_exercise(CONDITIONS).check(answer)
    assert feedback.status == "incorrect" and words in feedback.message


def test_interaction_accepts_any_positive_scale_and_says_not_attempted():
    q = factorial.interaction_contrast_exercise(CONDITIONS)
    assert q.check({VS: 0.5, AS: -0.5, VC: -0.5, AC: 0.5}).correct
    assert q.check(...).status == "not attempted"
    assert q.check("interaction").status == "incorrect"


def test_interaction_without_the_conditions_is_unavailable():
    q = factorial.interaction_contrast_exercise(["horizontal_checkerboard"])
    assert "nothing was checked" in q.check({VS: 1}).message


def _region(seed=1, n=12):
    """A region's cell values whose task scores are far from spherical (epsilon about 0.6)."""
    Y, s, f = anova.simulate_null(n, {"a": 2, "b": 3}, {"b": (2.0, 0.2)}, n_sim=1, seed=seed)
    cells = {(a, b): Y[(f["a"] == a) & (f["b"] == b), 0] for a in (0, 1) for b in (0, 1, 2)}
    return cells, anova.rm_anova(Y, s, f)


def test_corrected_df_is_epsilon_times_both_df_as_pingouin_computes_it():
    cells, maps = _region()
    long = pd.DataFrame(
        [{"s": s, "a": a, "b": b, "y": v} for (a, b), vs in cells.items() for s, v in enumerate(vs)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eps = pg.rm_anova(long, dv="y", within=["a", "b"], subject="s", correction=True)
    eps = float(eps.set_index("Source").loc["b", "eps"])
    assert eps < 0.9  # the region is non-spherical: the correction matters
    q = factorial.corrected_df_exercise(cells, ("a", "b"), "b")
    assert q.check((2 * eps, 22 * eps)).correct
    assert q.check(np.array([2 * eps, 22 * eps]) * (1 + 2e-5)).correct  # rounding is fine
    assert q.check(...).status == "not attempted"


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda e, e2: (2, 22), "uncorrected"),
        (lambda e, e2: (2 * e, 22), "epsilon to df1 only"),
        (lambda e, e2: (2, 22 * e), "epsilon to df2 only"),
        (lambda e, e2: (2, 55), "pooled error's degrees of freedom"),
        (lambda e, e2: (2 * e, 55 * e), "pooled error's df2"),
        (lambda e, e2: (1, 11), "lower-bound"),
        (lambda e, e2: (3 * e, 33 * e), "counts levels"),
        (lambda e, e2: (2 * e, 24 * e), "uses n, not n - 1"),
        (lambda e, e2: (2 * e2, 22 * e2), "epsilon of 'a:b'"),
        (lambda e, e2: (22 * e, 2 * e), "swapped"),
        (lambda e, e2: (2.5, 20), "impossible"),
        (lambda e, e2: (1.5, 20), "df2 / df1 should be n - 1 = 11"),
        (lambda e, e2: (2,), "two numbers"),
        (lambda e, e2: "two", "two numbers"),
    ],
)
def test_corrected_df_mistakes_are_named(make, words):
    cells, maps = _region()
    eps, eps_int = float(maps["b"]["eps_gg"][0]), float(maps["a:b"]["eps_gg"][0])
    feedback = factorial.corrected_df_exercise(cells, ("a", "b"), "b").check(make(eps, eps_int))
    assert feedback.status == "incorrect" and words in feedback.message, feedback.message


def test_corrected_df_of_an_unknown_effect_is_an_error():
    cells, _ = _region()
    with pytest.raises(ValueError, match="No effect 'task'"):
        factorial.corrected_df_exercise(cells, ("a", "b"), "task")
