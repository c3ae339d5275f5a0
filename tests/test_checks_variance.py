"""The exercise of the two-levels-of-variance notebook: course_utils.teaching.checks.variance."""

import numpy as np
import pytest
from scipy import stats

from course_utils.experiments import simulation
from course_utils.stats import mixed
from course_utils.teaching.checks import variance
from course_utils.teaching.checks.variance import _budget_designs, _budget_mistakes, _design_se

# the notebook's exercise: 100 h, 10-minute runs, 20 minutes of set-up per subject
TAU2, S2, BUDGET, RUN, SETUP = 0.25, 2.5, 6000, 10, 20
OPTIONS = (1, 2, 4, 8, 12)
RUNS = np.array(OPTIONS, dtype=float)
SUBJECTS = BUDGET / (RUN * RUNS + SETUP)
SE = np.sqrt((TAU2 + S2 / RUNS) / SUBJECTS)
RIGHT = SE.min()


@pytest.fixture
def q():
    return variance.scanner_time_exercise(TAU2, S2, BUDGET, RUN, SETUP, OPTIONS)


def test_public_names():
    # the formulas stay private
    assert variance.__all__ == ["fixed_effects_runs_exercise", "scanner_time_exercise"]


def test_designs_and_the_best_one():
    runs, subjects = _budget_designs(OPTIONS, BUDGET, RUN, SETUP)
    np.testing.assert_allclose(subjects, [200, 150, 100, 60, 6000 / 140])
    np.testing.assert_allclose(_design_se(TAU2, S2, runs, subjects), SE)
    assert RUNS[np.argmin(SE)] == 4  # sqrt(setup / run * s^2 / tau^2) = 4.5 runs is optimal
    assert RIGHT == pytest.approx(np.sqrt(0.875 / 100))
    # no two designs tie: every standard error is more than 2 % from every other
    ratios = SE[:, None] / SE[None, :]
    assert np.all(np.abs(ratios[~np.eye(SE.size, dtype=bool)] - 1) > 0.02)


def test_tau2_sets_a_floor():
    # without set-up time more subjects always win; with tau^2 = 0, more runs never hurt
    runs, subjects = _budget_designs(OPTIONS, BUDGET, RUN, 0.0)
    assert np.argmin(_design_se(TAU2, S2, runs, subjects)) == 0
    runs, subjects = _budget_designs(OPTIONS, BUDGET, RUN, SETUP)
    assert np.argmin(_design_se(0.0, S2, runs, subjects)) == len(OPTIONS) - 1
    # however many runs, the group variance stays above tau^2 / K
    assert np.all(_design_se(TAU2, S2, runs, subjects) ** 2 > TAU2 / subjects)


@pytest.mark.slow  # statistical calibration: many simulations
def test_design_se_matches_simulated_time_series():
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
    expected = float(_design_se(0.25, run_variance, np.array(runs), np.array(k)))
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
        dict(budget_minutes=0),
        dict(setup_minutes=-5),
        dict(runs_options=(1,)),
        dict(runs_options=(1, 2.5)),
        dict(runs_options=(0, 2)),
    ],
)
def test_bad_arguments(bad):
    arguments = dict(
        tau2=TAU2, run_variance=S2, budget_minutes=BUDGET, run_minutes=RUN, setup_minutes=SETUP
    )
    with pytest.raises(ValueError):
        variance.scanner_time_exercise(**(arguments | bad))


def test_three_outcomes(q):
    assert q.check((..., ...)).status == "not attempted"
    assert q.check(...).status == "not attempted"
    assert q.check((4, 0.5)).status == "incorrect"
    assert q.check((4, RIGHT)).status == "correct"
    q.assert_correct([np.int64(4), np.float64(RIGHT)])
    q.assert_correct({"runs": 4.0, "se": np.array([RIGHT])})
    assert q.check((4, round(RIGHT, 3))).correct  # rounded answers are right


@pytest.mark.parametrize("i", [0, 1, 3, 4])
def test_another_design_is_told_its_se_and_which_way(q, i):
    message = q.check((OPTIONS[i], SE[i])).message
    assert f"{SE[i]:.4f}" in message
    assert ("fewer" if OPTIONS[i] > 4 else "more") + " runs per subject" in message
    assert f"{RIGHT:.3f}" not in message  # the best value is not given away
    # the right standard error with the wrong runs is still wrong
    assert q.check((OPTIONS[i], RIGHT)).status == "incorrect"


@pytest.mark.parametrize(
    "value, words",
    [
        (RIGHT**2, "a variance"),
        (np.sqrt(S2 / RUNS / SUBJECTS).min(), "you left out tau^2"),
        (np.sqrt((TAU2 + S2 / RUNS) * RUNS / (BUDGET / RUN)).min(), "set-up time"),
        (np.sqrt((TAU2 + S2) / (RUNS * SUBJECTS)).min(), "divided tau^2 by the number of runs"),
        (np.sqrt((np.sqrt(TAU2) + S2 / RUNS) / SUBJECTS).min(), "you used tau"),
        (np.sqrt(TAU2 + S2 / 4) / 100, "divided a standard deviation by K"),
        (SE[0], "with 1 run per subject"),
        (SE[1], "with 2 runs per subject"),
        (SE[4], "with 12 runs per subject"),
    ],
)
def test_typical_mistakes_get_their_own_message(q, value, words):
    feedback = q.check((4, value))
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_mistakes_are_distinct_from_the_answer_and_each_other():
    values = [RIGHT] + [value for value, _ in _budget_mistakes(TAU2, S2, RUNS, SUBJECTS, 600)]
    ratios = np.array(values)[:, None] / np.array(values)[None, :]
    off_diagonal = ratios[~np.eye(len(values), dtype=bool)]
    assert np.all(np.abs(off_diagonal - 1) > 0.02)  # more than twice the 1 % tolerance


@pytest.mark.parametrize("factor, words", [(1.3, "30 % too large"), (0.8, "20 % too small")])
def test_other_answers_say_how_far_and_which_way(q, factor, words):
    message = q.check((4, RIGHT * factor)).message
    assert message.endswith(words + ".")
    assert f"{RIGHT:.3f}" not in message  # the right value is not given away


@pytest.mark.parametrize(
    "answer, words",
    [
        ("a lot", "two numbers"),
        (0.0866, "two numbers"),
        ([4, 0.1, 0.2], "two numbers"),
        ({"se": 0.1}, '"runs"'),
        ((3, 0.1), "choose the runs"),
        ((4, [0.1, 0.2]), "one number"),
        ((4, -0.17), "positive"),
        ((4, np.nan), "not a finite number"),
        ((4, 0.0), "positive"),
    ],
)
def test_unusable_answers(q, answer, words):
    feedback = q.check(answer)
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_hint_and_solution_do_not_give_the_answer_away(q):
    assert "tau^2" in q.hint() and "set-up" in q.hint()
    for text in (q.hint(), q.solution()):
        assert "sqrt" not in text and f"{RIGHT:.2f}" not in text


# --- the runs that make fixed effects fail half the time (inside the lesson) -------------------
def _fe_rate(runs, tau2=0.25, s2=1.44):
    """False-positive rate of fixed effects with ``runs`` runs per subject, by formula."""
    return 2 * stats.norm.sf(stats.norm.isf(0.025) / np.sqrt(1 + runs * tau2 / s2))


def test_fixed_effects_runs_three_outcomes_and_the_formula():
    q = variance.fixed_effects_runs_exercise()
    runs = np.arange(1, 200)
    right = int(runs[np.argmax(_fe_rate(runs) >= 0.5)])
    assert right == 43 and _fe_rate(42) < 0.5 <= _fe_rate(43)
    assert q.check(...).status == "not attempted"
    assert q.check(60).status == "incorrect"
    q.assert_correct(43)
    q.assert_correct(43.0)
    # other settings: a larger tau^2 needs fewer runs; a lower target rate too
    variance.fixed_effects_runs_exercise(1.44, 1.44).assert_correct(8)
    r = variance.fixed_effects_runs_exercise(0.25, 1.44, rate=0.2)
    assert r.check(int(runs[np.argmax(_fe_rate(runs) >= 0.2)])).status == "correct"


@pytest.mark.parametrize(
    "value, words",
    [
        (42, "rounded down"),
        (42.88, "runs come whole"),
        (41, "nu / (nu - 4)"),
        (29, "one-sided"),
        (11, "variance of z as its standard deviation"),
        (22, "tau, a standard deviation"),
        (36, "s, a standard deviation"),
        (60, "too many"),
        (5, "too few"),
        (3.3, "whole number"),
        ("often", "one number"),
    ],
)
def test_fixed_effects_runs_mistakes(value, words):
    feedback = variance.fixed_effects_runs_exercise().check(value)
    assert feedback.status == "incorrect" and words in feedback.message
    assert "43 " not in feedback.message


def test_fixed_effects_runs_bad_arguments_and_hint():
    with pytest.raises(ValueError):
        variance.fixed_effects_runs_exercise(-1.0)
    with pytest.raises(ValueError):
        variance.fixed_effects_runs_exercise(0.25, 1.44, rate=0.01)
    hint = variance.fixed_effects_runs_exercise().hint()
    assert "function of R" in hint and "43" not in hint and "norm.sf" not in hint
