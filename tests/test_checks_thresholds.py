"""Tests of course_utils.teaching.checks.thresholds: the Bonferroni exercise of notebook 08."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from course_utils.experiments import data
from course_utils.teaching.checks import thresholds

CONDITION = "horizontal_checkerboard"
N = 8


@pytest.fixture(scope="module")
def ds():
    return data.synthetic_localizer(seed=4, n_subjects=N, conditions=[CONDITION], cache=False)


@pytest.fixture(scope="module")
def q(ds):
    return thresholds.bonferroni_threshold_exercise(ds, CONDITION)


@pytest.fixture(scope="module")
def m(ds):
    return ds.array(CONDITION).shape[1]


def test_the_two_sided_t_threshold_is_correct(q, m):
    right = stats.t.isf(0.05 / m / 2, N - 1)
    assert q.check(right).correct
    q.assert_correct(np.array([right]))  # a one-element array is fine
    assert "one number" in q.check(str(right)).message  # text is not a number
    # statsmodels' Bonferroni agrees: just above the threshold significant, just below not
    p = np.ones(m)
    p[:2] = 2 * stats.t.sf(right * np.array([1 + 1e-6, 1 - 1e-6]), N - 1)
    reject = multipletests(p, alpha=0.05, method="bonferroni")[0]
    assert reject[0] and not reject[1:].any()


def test_the_expected_value_comes_from_the_data_not_the_notebook(ds, m):
    # a different number of voxels or subjects changes the answer: it is read off the data
    fewer = data.synthetic_localizer(seed=4, n_subjects=N - 2, conditions=[CONDITION], cache=False)
    q_fewer = thresholds.bonferroni_threshold_exercise(fewer, CONDITION)
    assert q_fewer.check(stats.t.isf(0.05 / m / 2, N - 3)).correct
    assert not q_fewer.check(stats.t.isf(0.05 / m / 2, N - 1)).correct


def test_placeholder_is_not_attempted(q):
    assert q.check(...).status == "not attempted"
    assert q.check(None).status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda m, df: stats.t.isf(0.05 / m, df), "one-sided"),
        (lambda m, df: stats.t.isf(0.05 / 2, df), "uncorrected"),
        (lambda m, df: stats.t.isf(0.05, df), "uncorrected one-sided"),
        (lambda m, df: 0.05 / m / 2, "p-value threshold"),
        (lambda m, df: 0.05 / m, "p-value threshold"),
        (lambda m, df: stats.norm.isf(0.05 / m / 2), "z threshold"),
        (lambda m, df: stats.norm.isf(0.05 / m), "one-sided z"),
        (lambda m, df: stats.t.isf(0.05 / m / 2, df + 1), f"{N} degrees of freedom"),
        (lambda m, df: stats.t.isf(0.05 / m / 2, df - 1), f"{N - 2} degrees of freedom"),
        (lambda m, df: stats.t.isf(0.05 / N / 2, df), "number of subjects"),
        (lambda m, df: stats.t.isf((1 - 0.95 ** (1 / m)) / 2, df), "Sidak"),
        (lambda m, df: -stats.t.isf(0.05 / m / 2, df), "negative"),
    ],
)
def test_typical_mistakes_are_named(q, m, wrong, words):
    feedback = q.check(wrong(m, N - 1))
    assert feedback.status == "incorrect"
    assert words in feedback.message


def test_dividing_by_the_whole_box_is_named(q, ds):
    n_grid = int(np.prod(ds.mask_img.shape))
    feedback = q.check(stats.t.isf(0.05 / n_grid / 2, N - 1))
    assert feedback.status == "incorrect" and "box" in feedback.message


def test_another_number_is_told_its_error_rate_and_distance(q, m):
    right = stats.t.isf(0.05 / m / 2, N - 1)
    lenient = q.check(right - 1.0)
    assert lenient.status == "incorrect"
    assert "too lenient" in lenient.message and "1.000 t units below" in lenient.message
    implied = m * 2 * stats.t.sf(right - 1.0, N - 1)
    assert f"{implied:.3g}" in lenient.message
    strict = q.check(right + 2.0)
    assert "too strict" in strict.message and "above" in strict.message
    assert "at most 0" in q.check(0.0).message


@pytest.mark.parametrize(
    "answer",
    [
        "six",
        {"t": 5.0},
        [1.0, 2.0],
        np.ones((2, 2)),
        float("nan"),
        np.inf,
        object(),
        [[...]],
        3 + 2j,
    ],
)
def test_odd_answers_never_raise(q, answer):
    feedback = q.check(answer)
    assert feedback.status in ("incorrect", "not attempted")


def test_bad_arguments_are_explained(ds):
    with pytest.raises(ValueError, match="alpha"):
        thresholds.bonferroni_threshold_exercise(ds, CONDITION, alpha=5)


def test_corrected_threshold_recognises_uncorrected_bonferroni_and_fdr():
    from scipy import stats

    from course_utils.stats import inference
    from course_utils.stats import thresholds as stats_thresholds

    rng = np.random.default_rng(0)
    y = rng.normal(size=(12, 400)).astype(np.float32)
    y[:, :40] += 1.2
    q = thresholds.corrected_threshold_exercise(y, "max-T", method="max-t", n_perm=500, seed=1)
    right = inference.permutation_test(y, n_perm=500, seed=1).fwe_threshold(0.05)
    assert q.check(right).correct
    other_seed = inference.permutation_test(y, n_perm=500, seed=7).fwe_threshold(0.05)
    assert q.check(other_seed).correct  # Monte Carlo error is tolerated
    df = 11
    assert "arbitrary |t| > 3.5" in q.check(3.5).message
    assert "p < 0.05 at each voxel" in q.check(stats.t.isf(0.025, df)).message
    assert "uncorrected" in q.check(stats.t.isf(0.0005, df)).message
    assert "Bonferroni" in q.check(stats_thresholds.bonferroni_threshold(0.05, 400, df)).message
    t = stats.ttest_1samp(y, 0).statistic
    p = 2 * stats.t.sf(np.abs(t), df)
    fdr = np.abs(t)[p <= stats_thresholds.fdr_threshold(p)].min()
    assert "FDR threshold" in q.check(fdr).message
    assert "a p-value" in q.check(stats_thresholds.fdr_threshold(p)).message
    assert "too low" in q.check(right * 0.8).message
    assert "too high" in q.check(right * 1.3).message
    for junk in ("6", [6.0, 6.0], True, {"t": 6}):
        assert q.check(junk).status == "incorrect"
    q = thresholds.corrected_threshold_exercise(y, "FDR", method="fdr")
    assert q.check(fdr).correct
    assert "Bonferroni" in q.check(stats_thresholds.bonferroni_threshold(0.05, 400, df)).message
    one_sided = stats.t.sf(t, df)
    fdr1 = t[one_sided <= stats_thresholds.fdr_threshold(one_sided)].min()
    assert "one-sided FDR" in q.check(fdr1).message
    with pytest.raises(ValueError, match="method"):
        thresholds.corrected_threshold_exercise(y, "x", method="bonferroni")


def test_corrected_threshold_when_nothing_survives():

    y = np.random.default_rng(2).normal(size=(10, 50))
    q = thresholds.corrected_threshold_exercise(lambda: y, "FDR", method="fdr")  # data given lazily
    assert q.check(np.inf).correct
    assert "infinite" in q.check(4.0).message


def test_corrected_threshold_rejects_nan_and_accepts_infinity_only_when_nothing_survives():
    y = np.random.default_rng(2).normal(size=(10, 50))
    q = thresholds.corrected_threshold_exercise(y, "FDR", method="fdr")
    assert "that is not a finite number" in q.check(np.nan).message
    assert q.check(-1.0).status == "incorrect"
