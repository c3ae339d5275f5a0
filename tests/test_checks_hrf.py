"""Tests of checks.hrf: the regressor exercise of notebook 01 and its feedback."""

import numpy as np
import pytest
from nilearn.glm.first_level import compute_regressor, glover_hrf

from course_utils.experiments import signals
from course_utils.teaching.checks import hrf as hrf_checks

ONSETS, N_TR, T_R = np.array([12.0, 63.3, 110.0]), 60, 2.5
STEPS = 25  # 2.5 s / 0.1 s


@pytest.fixture(scope="module")
def q():
    return hrf_checks.regressor_exercise(ONSETS, N_TR, T_R)


def fine_events(index):
    u = np.zeros(N_TR * STEPS)
    u[np.asarray(index, dtype=int)] = 1.0
    return u


def by_hand(index=None, hrf=None):
    """The regressor built step by step: impulses on the 0.1 s grid, causal, downsampled."""
    index = np.round(ONSETS / 0.1) if index is None else index
    hrf = signals.canonical_hrf()[1] if hrf is None else hrf
    return np.convolve(fine_events(index), hrf)[: N_TR * STEPS][::STEPS]


def test_public_names():
    assert hrf_checks.__all__ == ["beta_units_exercise", "regressor_exercise"]


def test_the_hand_built_regressor_is_correct(q):
    answer = by_hand()
    assert q.check(answer).correct
    q.assert_correct(list(answer))  # a list is fine
    q.assert_correct(answer[:, None])  # and so is a column
    np.testing.assert_allclose(answer, signals.event_regressor(ONSETS, N_TR, T_R), atol=1e-12)


def test_placeholder_is_not_attempted(q):
    assert q.check(...).status == "not attempted"


def test_it_agrees_with_nilearn_up_to_its_grid_and_scale(q):
    # nilearn's regressor (oversampling 50, HRF summing to 1) has the same timing; scaled to the
    # same height it is within 0.02 of ours, and the feedback says it is close, not right
    frame_times = np.arange(N_TR) * T_R
    reg = compute_regressor(np.vstack([ONSETS, np.zeros(3), np.ones(3)]), "glover", frame_times)[0][
        :, 0
    ]
    right = by_hand()
    scaled = reg * (right @ right) / (reg @ right)
    assert np.abs(scaled - right).max() < 0.03
    feedback = q.check(scaled)
    assert feedback.status == "incorrect" and "close" in feedback.message
    assert "at the right time" in feedback.message


def test_hrf_sampled_at_the_tr_is_named_and_late(q):
    coarse = glover_hrf(t_r=T_R, oversampling=1)
    scans = np.zeros(N_TR)
    scans[np.round(ONSETS / T_R).astype(int)] = 1.0
    message = q.check(np.convolve(scans, coarse / coarse.max())[:N_TR]).message
    assert "sampled the HRF at the TR" in message
    assert "peaks at scan time 20 s" in message and "2.5 s too late" in message
    # unscaled as well: the same diagnosis plus a word on the height
    message = q.check(np.convolve(scans, coarse)[:N_TR]).message
    assert "sampled the HRF at the TR" in message and "height" in message


def test_mode_same_is_named_and_early(q):
    same = np.convolve(
        fine_events(np.round(ONSETS / 0.1)), signals.canonical_hrf()[1], mode="same"
    )[::STEPS]
    message = q.check(same).message
    assert "mode='same'" in message and "15 s too early" in message


@pytest.mark.parametrize(
    "length, words",
    [
        (N_TR * STEPS, "not downsampled"),
        (N_TR * STEPS + 319, "full convolution"),
        (N_TR * STEPS // 2, "one value in every 2"),
        (N_TR - 1, "needs 60 values"),
    ],
)
def test_wrong_lengths_say_what_went_wrong(q, length, words):
    feedback = q.check(np.zeros(length))
    assert feedback.status == "incorrect" and words in feedback.message


def test_seconds_and_scans_mixed_up(q):
    seconds_as_steps = by_hand(index=np.round(ONSETS))
    assert "index = its onset in seconds" in q.check(seconds_as_steps).message
    scans_as_steps = by_hand(index=np.round(ONSETS / T_R))
    assert "used them as indices" in q.check(scans_as_steps).message
    onsets_in_scans = signals.event_regressor(ONSETS / T_R, N_TR, T_R)
    message = q.check(onsets_in_scans).message
    assert "onsets in scans" in message and "too early" in message


def test_height_offset_and_shift(q):
    right = by_hand()
    assert "height is 2 times" in q.check(2 * right).message
    unscaled = by_hand(hrf=glover_hrf(t_r=0.1, oversampling=1))
    assert "height is 0.0348 times" in q.check(unscaled).message
    assert "plus a constant +0.1" in q.check(right + 0.1).message
    assert "2.5 s too late" in q.check(np.roll(right, 1)).message
    assert "2.5 s too early" in q.check(np.roll(right, -1)).message
    assert "all zeros" in q.check(np.zeros(N_TR)).message


@pytest.mark.parametrize(
    "answer, words",
    [
        ("abc", "array of numbers"),
        (np.ones((3, 20)), "shape (3, 20)"),
        (np.full(N_TR, np.nan), "NaN"),
    ],
)
def test_unusable_answers(q, answer, words):
    feedback = q.check(answer)
    assert feedback.status == "incorrect" and words in feedback.message


def test_hint_names_the_steps_without_the_numbers(q):
    hint = q.hint()
    assert "0.1 s" in hint and "causally" in hint and "one value per scan" in hint
    assert "1500" not in hint and "25" not in hint and "120" not in hint
    assert "12 s" in hint  # the first event of this design


@pytest.mark.parametrize("onsets", [[12.0], [50.0, 20.0], [12.0, 200.0]])
def test_bad_designs(onsets):
    with pytest.raises(ValueError):
        hrf_checks.regressor_exercise(onsets, N_TR, T_R)


def _voxel():
    x = signals.event_regressor([10.0, 40.0, 70.0], 50, 2.0)
    noise = np.random.default_rng(3).normal(0, 0.3, 50)
    y = 0.8 * x + noise
    beta = np.linalg.lstsq(np.c_[x, np.ones(50)], y, rcond=None)[0][0]
    return x, y, beta


def test_beta_units_right_answer_is_the_refit():
    x, y, beta = _voxel()
    q = hrf_checks.beta_units_exercise(x, y, baseline=800.0, factor=0.5)
    refit = np.linalg.lstsq(np.c_[0.5 * x, np.ones(50)], 800 * (1 + y / 100), rcond=None)[0][0]
    np.testing.assert_allclose(refit, beta * 16, rtol=1e-9)
    assert q.check(refit).status == "correct"
    assert q.check(np.array([refit])).status == "correct"
    q.assert_correct(beta * 8 / 0.5)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda b: b * 8 * 0.5, "divide by 0.5"),
        (lambda b: b / 0.5, "no longer in percent"),
        (lambda b: b * 800 / 0.5, "800 / 100 = 8"),
        (lambda b: b * 16 + 800, "constant column takes the baseline"),
        (lambda b: b * 3, "times the right beta"),
    ],
)
def test_beta_units_feedback_names_the_mistake(wrong, words):
    x, y, beta = _voxel()
    feedback = hrf_checks.beta_units_exercise(x, y).check(wrong(beta))
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_beta_units_other_factor_and_bad_input():
    x, y, beta = _voxel()
    q = hrf_checks.beta_units_exercise(x, y, baseline=1000.0, factor=2.0)
    assert q.check(beta * 10 / 2).status == "correct"
    assert q.check("a lot").status == "incorrect"
    assert q.check(...).status == "not attempted"
    with pytest.raises(ValueError, match="positive"):
        hrf_checks.beta_units_exercise(x, y, factor=0.0)
    with pytest.raises(ValueError, match="1-D"):
        hrf_checks.beta_units_exercise(x, y[:-1])


@pytest.mark.parametrize(
    ("to_scan", "words"),
    [(np.round, "went to scan 5, 12.5 s"), (np.floor, "went to scan 4, 10 s")],
)
def test_own_hrf_subsampled_with_events_on_scans_is_named(q, to_scan, words):
    # the course's own curve kept once per scan (hrf[::25]), events rounded or truncated to
    # scans: named as that mistake, and never told "at the right time" (its values differ)
    scans = np.zeros(N_TR)
    scans[to_scan(ONSETS / T_R).astype(int)] = 1.0
    hrf = signals.canonical_hrf()[1]
    subsampled = np.convolve(scans, hrf[::STEPS])[:N_TR]
    for answer in (subsampled, 3 * subsampled):  # scaled too: the same diagnosis
        message = q.check(answer).message
        assert "hrf[::25]" in message and words in message
        assert "at the right time" not in message


def test_not_the_right_values_is_never_at_the_right_time(q):
    # a wrong answer whose first peak falls on the right scan: the timing clause says so
    # without calling the answer's timing right
    wrong = by_hand().copy()
    wrong[30:] = 0.0
    message = q.check(wrong).message
    assert message.startswith("not the right values")
    assert "at the right scan, though its values differ" in message
    assert "at the right time" not in message
