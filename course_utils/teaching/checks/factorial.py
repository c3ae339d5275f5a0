"""Checks of the factorial-designs notebook: an interaction contrast and the df of an F-test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from course_utils.teaching.checks.contrasts import condition_contrast_exercise
from course_utils.teaching.checks.core import Exercise, Incorrect

__all__ = ["interaction_contrast_exercise", "partitioned_df_exercise"]

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


def partitioned_df_exercise(n_subjects: int, levels: tuple[int, int] = (2, 3)) -> Exercise:
    """Exercise: the degrees of freedom ``(df1, df2)`` of the F-test of the second factor.

    With partitioned error the task effect (``levels[1]`` levels) is tested against the
    task-by-subject interaction: ``df1 = levels[1] - 1`` and ``df2 = df1 * (n - 1)``.

    Parameters
    ----------
    n_subjects : int
        Subjects of the within-subject design, at least 2.
    levels : tuple of two int, default (2, 3)
        Levels of the two factors; the question is about the second.

    Returns
    -------
    Exercise
        Its answer is ``(df1, df2)``; the pooled error, n instead of n - 1, levels instead of
        contrasts, a between-subject df and swapped numbers get their own messages.

    Raises
    ------
    ValueError
        With fewer than two subjects.

    Examples
    --------
    >>> q = partitioned_df_exercise(30)
    >>> q.check((2, 58)).status
    'correct'
    >>> print(q.check((2, 145)).message)
    (2, 145) are the degrees of freedom of the pooled error, ...
    """
    if n_subjects < 2:
        raise ValueError("Need at least two subjects.")
    a, b = levels
    df1 = b - 1
    want = (df1, df1 * (n_subjects - 1))
    named = {
        (
            df1,
            (a * b - 1) * (n_subjects - 1),
        ): "are the degrees of freedom of the pooled error, which lumps every effect-by-subject "
        "interaction together. With partitioned error the task effect is tested against "
        "the task-by-subject interaction alone.",
        (
            df1,
            n_subjects - 1,
        ): "use n - 1 for df2, as for a one-df effect; the task effect has more than one "
        "contrast, and each contributes n - 1 to the error's degrees of freedom.",
        (
            b,
            b * (n_subjects - 1),
        ): "count levels, not contrasts: a factor with k levels has k - 1 degrees of freedom.",
        (
            df1,
            df1 * n_subjects,
        ): "use n - 1 per contrast, not n: each contrast's scores lose one df to their mean.",
        (
            df1,
            a * b * n_subjects - a * b,
        ): "is the df of a between-subject design (every map from a different person); here "
        "every subject contributes all six maps.",
    }

    def checker(answer: Any) -> None:
        try:
            values = tuple(float(v) for v in np.asarray(answer, dtype=float).reshape(-1))
        except (TypeError, ValueError):
            raise Incorrect("give two numbers, (df1, df2).") from None
        if len(values) != 2:
            raise Incorrect(f"give two numbers, (df1, df2); got {len(values)}.")
        got = tuple(int(round(v)) for v in values)
        if got == want:
            return
        if got[::-1] == want:
            raise Incorrect(
                "you swapped them: df1 (the effect's) comes first, then df2 (the error's)."
            )
        shown = f"({got[0]}, {got[1]})"
        if got in named:
            raise Incorrect(f"{shown} {named[got]}")
        if got[0] != want[0]:
            raise Incorrect(f"df1 = {got[0]} is not the task effect's: it has {b} levels.")
        raise Incorrect(
            f"df2 = {got[1]} does not follow from {n_subjects} subjects; each of the "
            "effect's contrasts has its own scores across subjects."
        )

    return Exercise(
        f"Degrees of freedom of the task effect ({n_subjects} subjects)",
        checker,
        hint="df1: contrasts needed to describe differences between the task levels. df2: the "
        "error is the task-by-subject interaction; every contrast's scores across the "
        "subjects have n - 1 degrees of freedom.",
    )
