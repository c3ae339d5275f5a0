"""Feedback of the factorial-designs exercises: every typical mistake is named."""

import pytest

from course_utils.experiments.data import CONDITIONS
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


@pytest.mark.parametrize(
    "answer,words",
    [
        ((2, 145), "pooled error"),
        ((2, 29), "n - 1 for df2"),
        ((3, 87), "count levels"),
        ((2, 60), "not n"),
        ((2, 174), "between-subject"),
        ((58, 2), "swapped"),
        ((1, 58), "df1 = 1"),
        ((2, 57), "does not follow"),
        ((2,), "two numbers"),
        ("two", "two numbers"),
    ],
)
def test_degrees_of_freedom_mistakes_are_named(answer, words):
    feedback = factorial.partitioned_df_exercise(30).check(answer)
    assert feedback.status == "incorrect" and words in feedback.message, feedback.message


def test_degrees_of_freedom_correct():
    assert factorial.partitioned_df_exercise(30).check((2, 58)).correct
    assert factorial.partitioned_df_exercise(94).check([2.0, 186.0]).correct
