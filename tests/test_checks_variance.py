"""The exercise of the two-levels-of-variance notebook: course_utils.teaching.checks.variance."""

import numpy as np
import pytest

from course_utils.experiments import simulation
from course_utils.stats import mixed
from course_utils.teaching.checks import variance
from course_utils.teaching.checks.variance import _expected_group_se, _mistakes

# the notebook's numbers: tau^2 = 0.64, one 100-scan run at sigma = 3 %, 25 subjects x 4 runs
_SIM = simulation.simulate_first_level(2, seed=0)
S2_RUN = 9.0 * np.linalg.inv(_SIM.design.T @ _SIM.design)[1, 1]
RIGHT = np.sqrt((0.64 + S2_RUN / 4) / 25)


@pytest.fixture
def q():
    return variance.group_se_exercise(0.64, S2_RUN, n_subjects=25, n_runs=4)


def test_public_names():
    assert variance.__all__ == ["group_se_exercise"]  # the formula stays private


def test_expected_group_se_formula():
    assert _expected_group_se(0.64, S2_RUN, 25, 4) == pytest.approx(RIGHT)
    assert _expected_group_se(1.0, 3.0, 4) == pytest.approx(1.0)
    assert _expected_group_se(0.0, 2.0, 2, 4) == pytest.approx(0.5)


@pytest.mark.slow  # statistical calibration: many simulations
def test_expected_group_se_matches_simulated_time_series():
    # 2000 studies of 10 subjects x 4 runs, each run fitted from its time series
    n_studies, k, runs, sigma = 2000, 10, 4, 2.0
    sim = simulation.simulate_first_level(
        k * n_studies,
        seed=np.random.default_rng(1),
        group_mean=1.0,
        group_sd=0.5,
        sigma=sigma,
        n_runs=runs,
        n_tr=40,
        n_trials=4,
    )
    run_variance = sigma**2 * np.linalg.inv(sim.design.T @ sim.design)[1, 1]
    group_means = sim.subject_estimates.reshape(n_studies, k).mean(axis=1)
    expected = _expected_group_se(0.25, run_variance, k, runs)
    # the SD of 2000 group means is within 4 of its standard errors (1 / sqrt(2 * 1999))
    assert group_means.std(ddof=1) == pytest.approx(expected, rel=4 / np.sqrt(2 * 1999))
    # and the two-stage OLS standard error estimates it (root mean square over studies)
    ols = mixed.ols_summary(sim.subject_estimates.reshape(n_studies, k).T)
    assert np.sqrt(np.mean(ols.se**2)) == pytest.approx(expected, rel=0.03)


@pytest.mark.parametrize(
    "bad",
    [
        dict(tau2=-0.1),
        dict(run_variance=0.0),
        dict(n_subjects=0),
        dict(n_runs=2.5),
        dict(n_subjects=True),
    ],
)
def test_expected_group_se_rejects_bad_arguments(bad):
    arguments = dict(tau2=0.64, run_variance=0.5, n_subjects=10, n_runs=1) | bad
    with pytest.raises(ValueError):
        _expected_group_se(**arguments)


def test_three_outcomes(q):
    assert q.check(...).status == "not attempted"
    assert q.check(0.5).status == "incorrect"
    assert q.check(RIGHT).status == "correct"
    q.assert_correct(np.float64(RIGHT))
    q.assert_correct(np.array([RIGHT]))


def test_rounded_inputs_are_right(q):
    # a student who rounds s2_run to 0.57 and tau^2 stays 0.64
    assert q.check(np.sqrt((0.64 + 0.57 / 4) / 25)).correct
    assert q.check(round(RIGHT, 3)).correct


@pytest.mark.parametrize(
    "value, words",
    [
        (RIGHT**2, "variance of the group mean"),
        (np.sqrt(0.64 / 25), "left out the first-level variance"),
        (np.sqrt(S2_RUN / 4 / 25), "fixed-effects standard error"),
        (np.sqrt(S2_RUN / 25), "fixed-effects standard error of single runs"),
        (np.sqrt((0.64 + S2_RUN) / 25), "mean of 4 runs"),
        (np.sqrt((0.64 + S2_RUN) / 100), "tau^2, the difference between subjects, stays"),
        (np.sqrt(0.64 + S2_RUN / 4), "spread of one subject's estimate"),
        (np.sqrt(0.64 + S2_RUN / 4) / 25, "divided a standard deviation by 25"),
        (np.sqrt((0.8 + S2_RUN / 4) / 25), "you used tau, a standard deviation"),
    ],
)
def test_typical_mistakes_get_their_own_message(q, value, words):
    feedback = q.check(value)
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_mistakes_are_distinct_from_the_answer_and_each_other():
    values = [RIGHT] + [value for value, _ in _mistakes(0.64, S2_RUN, 25, 4)]
    ratios = np.array(values)[:, None] / np.array(values)[None, :]
    off_diagonal = ratios[~np.eye(len(values), dtype=bool)]
    assert np.all(np.abs(off_diagonal - 1) > 0.05)  # far more than the 1 % tolerance


@pytest.mark.parametrize("factor, words", [(1.3, "30 % too large"), (0.8, "20 % too small")])
def test_other_answers_say_how_far_and_which_way(q, factor, words):
    message = q.check(RIGHT * factor).message
    assert message.endswith(words + ".")
    assert f"{RIGHT:.3f}" not in message  # the right value is not given away


@pytest.mark.parametrize(
    "answer, words",
    [
        ("0.2", None),
        ("a lot", "one number"),
        ([0.1, 0.2], "one number"),
        (-0.17, "positive"),
        (np.nan, "not a finite number"),
        (np.inf, "not a finite number"),
        (0.0, "positive"),
    ],
)
def test_unusable_answers(q, answer, words):
    feedback = q.check(answer)
    assert feedback.status == "incorrect"
    if words:
        assert words in feedback.message


def test_hint_and_solution_do_not_give_the_answer_away(q):
    assert "tau^2" in q.hint() and "square root" in q.hint()
    for text in (q.hint(), q.solution()):
        assert "sqrt" not in text and f"{RIGHT:.2f}" not in text
