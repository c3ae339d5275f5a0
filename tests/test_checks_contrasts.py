"""Tests of checks.contrasts: contrasts up to a positive scale, over columns or conditions."""

import pytest

from course_utils.teaching.checks.contrasts import (
    condition_contrast_exercise,
    expect_contrast,
    last_versus_rest_exercise,
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
