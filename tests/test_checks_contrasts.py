"""Tests of checks.contrasts: contrasts up to a positive scale, or at the scale of a unit."""

import numpy as np
import pytest

from course_utils.teaching.checks.contrasts import (
    condition_contrast_exercise,
    expect_contrast,
    last_versus_rest_exercise,
    slope_exercise,
)
from course_utils.teaching.checks.core import Incorrect


def test_contrast_equivalents_and_typical_mistakes():
    for right in ([1, -1, 0], [0.5, -0.5, 0], [3, -3, 0]):
        expect_contrast(right, [1, -1, 0])
    cases = {
        "does not sum to zero": [1, 0, 0],
        "points the wrong way": [-1, 1, 0],
        "has 2 weights": [1, -1],
        "all zeros": [0, 0, 0],
        "does not compare the right conditions": [1, 0, -1],
        "should be a list": "up",
    }
    for message, answer in cases.items():
        with pytest.raises(Incorrect, match=message):
            expect_contrast(answer, [1, -1, 0])


def test_last_versus_rest():
    q = last_versus_rest_exercise(4)
    statuses = [q.check(a).status for a in (..., [1, 1, 1, -3], [-1 / 3, -1 / 3, -1 / 3, 1])]
    assert statuses == ["not attempted", "incorrect", "correct"]
    assert "wrong way" in q.check([1, 1, 1, -3]).message


def test_condition_contrast_over_named_conditions():
    q = condition_contrast_exercise(
        {"a": 1, "b": -1}, ["a", "b", "c"], "demo", mistakes=[({"a": 1, "c": -1}, "not c")]
    )
    assert q.check({"a": 2, "b": -2}).correct and q.check([1, -1, 0]).correct
    assert q.check({"a": 0.5, "c": -0.5}).message == "not c"
    assert "Did you mean 'a'?" in q.check({"A": 1, "b": -1}).message
    assert "should be a number" in q.check({"a": "one", "b": -1}).message
    assert "not as text" in q.check("a minus b").message
    assert "wrong way" in q.check({"a": -1, "b": 1}).message


def test_last_versus_rest_needs_the_percent_scale():
    q = last_versus_rest_exercise(4)
    assert q.check([-1 / 3, -1 / 3, -1 / 3, 1]).correct
    assert "3 times the difference" in q.check([-1, -1, -1, 3]).message
    assert "0.5 times the difference" in q.check([-1 / 6, -1 / 6, -1 / 6, 0.5]).message
    assert "does not sum to zero" in q.check([0, 0, 0, 1]).message
    assert "wrong way" in q.check([1 / 3, 1 / 3, 1 / 3, -1]).message
    assert "right conditions" in q.check([-1, 0, 0, 1]).message


def test_slope_exercise_names_the_typical_mistakes():
    q = slope_exercise((1, 2, 4, 8))
    centred = np.array([1, 2, 4, 8]) - 3.75
    assert q.check(centred / (centred @ centred)).correct
    assert q.check(list(centred / (centred @ centred))).correct
    messages = {
        "equally spaced": [-0.3, -0.1, 0.1, 0.3],
        "equally spaced ": [-1.5, -0.5, 0.5, 1.5],
        "does not sum to zero": [1, 2, 4, 8],
        "wrong way": -centred / (centred @ centred),
        "sum of their absolute values": centred / np.abs(centred).sum(),
        "28.75 times the slope": centred,
        "one number per load": "steep",
        "has 3 weights": [1, 2, 3],
    }
    for message, answer in messages.items():
        assert message.strip() in q.check(answer).message, (message, q.check(answer).message)


def test_slope_exercise_for_equally_spaced_levels_accepts_the_slope_weights():
    q = slope_exercise((1, 2, 3, 4))
    assert q.check([-0.3, -0.1, 0.1, 0.3]).correct
    assert "5 times the slope" in q.check([-1.5, -0.5, 0.5, 1.5]).message


def test_rounded_weights_are_named_and_asked_for_as_fractions():
    q = last_versus_rest_exercise(4)
    for rounded in ([-0.33, -0.33, -0.33, 1], [-0.333, -0.333, -0.333, 1], [-0.3, -0.3, -0.3, 1]):
        result = q.check(rounded)
        assert result.status == "incorrect"
        assert "rounded to" in result.message and "-1/3" in result.message
    assert "rounded to 2 decimals" in q.check([-0.33, -0.33, -0.33, 1]).message
    assert "sums to 0.01" in q.check([-0.33, -0.33, -0.33, 1]).message
    # Sums to zero, but out of proportion: still named as rounding.
    message = q.check([-0.33, -0.33, -0.34, 1]).message
    assert "rounded to 2 decimals" in message and "out of proportion" in message
    # Answers that are not roundings keep their own messages.
    assert "does not sum to zero" in q.check([0, 0, 0, 1]).message
    assert "right conditions" in q.check([-0.5, -0.5, 0, 1]).message
    reversed_message = q.check([0.33, 0.33, 0.33, -1]).message
    assert "rounded to 2 decimals" in reversed_message and "wrong way" in reversed_message
    # Rounded slope weights for unequally spaced loads are named too.
    assert (
        "rounded to 2 decimals"
        in slope_exercise((1, 2, 4, 8)).check([-0.10, -0.06, 0.01, 0.15]).message
    )
