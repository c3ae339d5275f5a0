"""Checks of the factorial-designs notebook: an interaction contrast, corrected df of an F."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.stats import anova
from course_utils.teaching.checks.contrasts import condition_contrast_exercise
from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["corrected_df_exercise", "interaction_contrast_exercise"]

#: The 2 x 2 of the exercise: modality (audio, video) x task (computation, sentence).
_CELLS = ("audio_computation", "audio_sentence", "video_computation", "video_sentence")


def interaction_contrast_exercise(conditions: Sequence[str]) -> Exercise:
    """Exercise: the modality x task interaction of the 2 x 2 (computation, sentence) as weights.

    The question asks for "how much more reading than hearing activates a voxel for sentences
    than for computation": ``(video_sentence - audio_sentence) - (video_computation -
    audio_computation)``. Any positive rescaling is right.

    Parameters
    ----------
    conditions : sequence of str
        The conditions of the data set (``ds.conditions``); the answer is a dict over them.

    Returns
    -------
    Exercise
        Names the typical mistakes: a main effect (of modality or of task) instead of the
        interaction, a simple effect (one task's or one modality's difference only), the
        interaction with the opposite sign, weights that do not sum to zero, the button-press
        conditions.

    Examples
    --------
    >>> from course_utils.experiments.data import CONDITIONS
    >>> q = interaction_contrast_exercise(CONDITIONS)
    >>> q.check({"video_sentence": 1, "audio_sentence": -1, "video_computation": -1,
    ...          "audio_computation": 1}).status
    'correct'
    >>> print(q.check({"video_sentence": 1, "video_computation": 1, "audio_sentence": -1,
    ...                "audio_computation": -1}).message)
    that is the main effect of modality (all video minus all audio), ...
    >>> print(q.check({"video_sentence": 1, "audio_sentence": -1}).message)
    that is the simple effect of modality for sentences only (video_sentence - audio_sentence), ...
    """
    missing = [c for c in _CELLS if c not in conditions]
    if missing:
        return Exercise.unavailable(
            "Interaction contrast",
            f"this copy of the data lacks {missing}, so the 2 x 2 "
            "cannot be formed; nothing was checked.",
        )
    ac, as_, vc, vs = _CELLS
    expected = {vs: 1, as_: -1, vc: -1, ac: 1}
    mistakes = [
        (
            {vs: 1, vc: 1, as_: -1, ac: -1},
            "that is the main effect of modality (all video minus all audio), the same for both "
            "tasks. The interaction asks whether that difference *changes* with the task: subtract "
            "the computation difference from the sentence difference.",
        ),
        (
            {vs: 1, as_: 1, vc: -1, ac: -1},
            "that is the main effect of task (sentences minus computation, both modalities). The "
            "interaction is a difference of differences: (video - audio) for sentences minus "
            "(video - audio) for computation.",
        ),
        (
            {vs: 1, as_: -1},
            "that is the simple effect of modality for sentences only (video_sentence - "
            "audio_sentence), which also contains the main effect of modality. Subtract the same "
            "difference for computation.",
        ),
        (
            {vc: 1, ac: -1},
            "that is the simple effect of modality for computation only; the interaction compares "
            "it with the same difference for sentences.",
        ),
        (
            {vs: 1, vc: -1},
            "that is the simple effect of task within video only (reading sentences minus reading "
            "numbers); subtract the same difference within audio.",
        ),
        (
            {vs: -1, as_: 1, vc: 1, ac: -1},
            "that is the interaction with the opposite sign: its F (and |t|) is the same, but the "
            "question asks for (video - audio) for sentences minus (video - audio) for "
            "computation, so that positive t means reading adds more for sentences.",
        ),
    ]
    base = condition_contrast_exercise(
        expected, list(conditions), "Interaction contrast", mistakes=mistakes
    )

    def checker(answer: Any) -> None:
        if isinstance(answer, dict):
            hands = [c for c, w in answer.items() if c.endswith("_hand") and w != 0]
            if hands:
                raise Incorrect(
                    f"{hands} are button presses; the 2 x 2 of this question is "
                    "modality x (computation, sentence)."
                )
            try:
                total = float(sum(float(w) for w in answer.values()))
            except (TypeError, ValueError):
                total = 0.0
            if abs(total) > 1e-9:
                raise Incorrect(
                    f"your weights sum to {total:g}; a contrast between conditions "
                    "sums to 0 (otherwise it also tests the overall mean)."
                )
        feedback = base.check(answer)
        if not feedback.correct:
            raise Incorrect(feedback.message)

    return Exercise(
        "Interaction contrast",
        checker,
        hint="Write the modality difference (video minus audio) for sentences, then the same "
        "difference for computation, and subtract the second from the first. Each of the "
        "four conditions ends up with a weight of +1 or -1.",
    )


def _short(value: float) -> str:
    return f"{value:.4g}"


def corrected_df_exercise(
    cells: Mapping[tuple, np.ndarray],
    factors: tuple[str, str] = ("modality", "task"),
    effect: str = "task",
) -> Exercise:
    """Exercise: the Greenhouse-Geisser-corrected degrees of freedom of an effect in a region.

    The answer is ``(eps * df1, eps * df2)``, with ``eps`` the effect's estimated epsilon in
    these data (:func:`course_utils.stats.anova.rm_anova`) and ``df1, df2`` its partitioned
    degrees of freedom: both are multiplied.

    Parameters
    ----------
    cells : dict of (level, level) to array-like of shape (n_subjects,)
        Each cell's value per subject in the region (e.g. an ROI mean), as
        :func:`course_utils.stats.anova.stack_cells` takes them.
    factors : tuple of two str, default ("modality", "task")
        The factors' names, in the order of the cells' keys.
    effect : str, default "task"
        The effect asked about (an effect of :func:`~course_utils.stats.anova.rm_anova`).

    Returns
    -------
    Exercise
        Its answer is two numbers ``(df1, df2)`` (to 0.01 %). Named mistakes: the uncorrected
        df, epsilon applied to one df only, the pooled error's df (corrected or not), the
        lower-bound correction, another effect's epsilon, levels instead of contrasts, n
        instead of n - 1, the two numbers swapped.

    Raises
    ------
    ValueError
        An effect the design does not have (and what :func:`rm_anova` raises).

    Examples
    --------
    >>> from course_utils.stats import anova
    >>> Y, s, f = anova.simulate_null(12, {"a": 2, "b": 3}, {"b": (2.0, 0.2)}, n_sim=1, seed=1)
    >>> cells = {(a, b): Y[(f["a"] == a) & (f["b"] == b), 0] for a in (0, 1) for b in (0, 1, 2)}
    >>> q = corrected_df_exercise(cells, ("a", "b"), "b")
    >>> eps = float(anova.rm_anova(Y, s, f)["b"]["eps_gg"][0])
    >>> q.check((2 * eps, 22 * eps)).status
    'correct'
    >>> print(q.check((2, 22)).message)
    (2, 22) are the uncorrected degrees of freedom; ...
    """
    Y, subjects, levels = anova.stack_cells(cells, factors)
    maps, pooled = anova.rm_anova(Y, subjects, levels), anova.pooled_anova(Y, subjects, levels)
    if effect not in maps.effects:
        raise ValueError(f"No effect {effect!r}; the effects are {list(maps.effects)}.")
    fields = maps[effect]
    df1, df2, eps = fields["df1"], fields["df2"], float(fields["eps_gg"][0])
    n = len(Y) // len(cells)
    pooled_df2 = pooled[effect]["df2"]
    want = (eps * df1, eps * df2)
    named = [
        (
            (df1, df2),
            "are the uncorrected degrees of freedom; the correction multiplies both "
            f"by the estimated epsilon of this effect here ({eps:.3f}).",
        ),
        (
            (eps * df1, df2),
            "applies epsilon to df1 only; the correction multiplies df2 too: "
            "the error's contrast scores are just as non-spherical.",
        ),
        ((df1, eps * df2), "applies epsilon to df2 only; df1 is multiplied too."),
        (
            (df1, pooled_df2),
            "are the pooled error's degrees of freedom, uncorrected; this "
            "effect is tested against its own effect-by-subject error.",
        ),
        (
            (eps * df1, eps * pooled_df2),
            "corrects the pooled error's df2; the partitioned "
            f"error of this effect has {df2:g} before the correction.",
        ),
        (
            (1, n - 1),
            "are the lower-bound correction (epsilon = 1/df1), the most "
            "conservative; the question asks for the Greenhouse-Geisser estimate.",
        ),
        (
            (eps * (df1 + 1), eps * (df1 + 1) * (n - 1)),
            "counts levels, not contrasts: a "
            f"factor with {df1 + 1:g} levels has {df1:g} degrees of freedom before the correction.",
        ),
        (
            (eps * df1, eps * df1 * n),
            "uses n, not n - 1, in df2: each contrast's scores lose "
            "one degree of freedom to their mean.",
        ),
    ]
    for other in maps.effects:
        other_eps = float(maps[other]["eps_gg"][0])
        if other != effect and abs(other_eps - eps) > 1e-3 and other_eps < 1:
            named.append(
                (
                    (other_eps * df1, other_eps * df2),
                    f"uses the epsilon of {other!r} ({other_eps:.3f}); each effect has its "
                    f"own, and {effect!r}'s is asked for.",
                )
            )

    def close(got: tuple[float, float], target: tuple[float, float]) -> bool:
        return bool(np.allclose(got, target, rtol=1e-4, atol=1e-6))

    def checker(answer: Any) -> None:
        try:
            values = np.asarray(answer, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise Incorrect("give two numbers, (df1, df2).") from None
        if values.size != 2:
            raise Incorrect(f"give two numbers, (df1, df2); got {values.size}.")
        got = (float(values[0]), float(values[1]))
        if close(got, want):
            return
        shown = f"({_short(got[0])}, {_short(got[1])})"
        if close(got[::-1], want):
            raise Incorrect("you swapped them: df1 (the effect's) comes first, then df2.")
        for target, message in named:
            if close(got, target):
                raise Incorrect(f"{shown} {message}")
        if not 1 - 1e-6 <= got[0] <= df1 + 1e-6:
            raise Incorrect(
                f"df1 = {_short(got[0])} is impossible here: the correction keeps it "
                f"between 1 (epsilon = 1/{df1:g}) and {df1:g} (epsilon = 1)."
            )
        ratio = got[1] / got[0] if got[0] else float("nan")
        raise Incorrect(
            f"{shown} is not it: df2 / df1 should be n - 1 = {n - 1} (epsilon multiplies both), "
            f"yours is {_short(ratio)}; and epsilon is this effect's in these data."
        )

    return Exercise(
        f"Corrected degrees of freedom of the {effect} effect",
        checker,
        hint="Run the repeated-measures ANOVA on this region's cell values (or read its "
        "table): it gives the effect's df and its Greenhouse-Geisser epsilon. The "
        "correction multiplies the degrees of freedom by epsilon.",
    )
