"""The classic tests as designs: what each beta equals, and agreement with scipy.stats."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils import designs, glm


def _groups(seed, n1, n2):
    rng = np.random.default_rng(seed)
    return rng.normal(10, 2, n1), rng.normal(5, 2, n2)


@pytest.mark.parametrize(("n1", "n2"), [(20, 20), (40, 20), (7, 13)])
def test_two_sample_codings_agree_with_scipy_and_each_other(n1, n2):
    g1, g2 = _groups(n1 + n2, n1, n2)
    y = np.r_[g1, g2]
    m1, m2 = g1.mean(), g2.mean()
    ref = stats.ttest_ind(g1, g2)

    dummy = glm.regress(designs.two_sample(n1, n2, "dummy"), y)
    np.testing.assert_allclose(dummy.coef("intercept"), m2)           # reference group's mean
    np.testing.assert_allclose(dummy.coef("intercept") + dummy.coef("is_group1"), m1)
    np.testing.assert_allclose(dummy.t[1], ref.statistic, rtol=1e-10)

    coded = glm.regress(designs.two_sample(n1, n2, "contrast"), y)
    np.testing.assert_allclose(coded.coef("intercept"), (m1 + m2) / 2)  # not mean(y) if n1 != n2
    np.testing.assert_allclose(coded.coef("group1_vs_group2"), (m1 - m2) / 2)
    np.testing.assert_allclose(coded.t[1], ref.statistic, rtol=1e-10)
    if n1 != n2:
        assert not np.isclose(coded.coef("intercept"), y.mean())

    cells = glm.regress(designs.two_sample(n1, n2, "intercepts"), y)
    np.testing.assert_allclose(cells.beta, [m1, m2])
    diff = glm.contrast(cells, [1, -1])
    np.testing.assert_allclose(diff.t, ref.statistic, rtol=1e-10)
    np.testing.assert_allclose(diff.p, ref.pvalue, rtol=1e-8)


def test_one_sample_is_the_mean():
    y = np.random.default_rng(0).normal(1, 1, 25)
    fit = glm.regress(designs.one_sample(25), y)
    np.testing.assert_allclose(fit.beta[0], y.mean())
    ref = stats.ttest_1samp(y, 0)
    np.testing.assert_allclose([fit.t[0], fit.p[0]], [ref.statistic, ref.pvalue], rtol=1e-10)


def test_paired_design_betas_and_scipy():
    rng = np.random.default_rng(1)
    ids = [f"S{i:02d}" for i in range(1, 21)]
    base = rng.normal(30, 10, 20)
    a = pd.Series(base + 10 + rng.normal(0, 2, 20), index=ids)
    b = pd.Series(base + 5 + rng.normal(0, 2, 20), index=ids).sample(frac=1, random_state=3)
    y, X = designs.paired(a, b)
    fit = glm.regress(X, y.to_numpy())
    diff = a - b.loc[a.index]
    np.testing.assert_allclose(fit.coef("a_vs_b"), diff.mean() / 2)
    subject_means = (a + b.loc[a.index]) / 2
    np.testing.assert_allclose(fit.beta[1:], subject_means.sort_index().to_numpy())
    ref = stats.ttest_rel(a.sort_index(), b.sort_index())
    np.testing.assert_allclose(fit.t[0], ref.statistic, rtol=1e-10)
    np.testing.assert_allclose(fit.p[0], ref.pvalue, rtol=1e-8)


def test_paired_refuses_unmatched_subjects():
    a = pd.Series([1.0, 2.0, 3.0], index=["S01", "S02", "S03"])
    with pytest.raises(ValueError, match=r"only in the first \['S03'\]"):
        designs.paired(a, pd.Series([1.0, 2.0], index=["S01", "S02"]))
    with pytest.raises(ValueError, match="duplicate subject IDs"):
        designs.paired(a, pd.Series([1.0, 2.0, 3.0], index=["S01", "S01", "S02"]))
    with pytest.raises(ValueError, match="indexed by subject ID"):
        designs.paired(a.to_numpy(), a.to_numpy())


def test_covariate_centring_changes_intercepts_not_slopes_or_tests():
    rng = np.random.default_rng(2)
    n1, n2 = 15, 12
    age = rng.uniform(20, 60, n1 + n2)
    y = np.r_[np.ones(n1), np.zeros(n2)] * 2 + 0.05 * age + rng.normal(0, 1, n1 + n2)
    base = designs.two_sample(n1, n2, "dummy")
    raw = glm.regress(designs.add_covariate(base, age, "age", center=False), y)
    cen = glm.regress(designs.add_covariate(base, age, "age", center=True), y)
    np.testing.assert_allclose(cen.coef("age"), raw.coef("age"))
    np.testing.assert_allclose(cen.t[1:], raw.t[1:])
    np.testing.assert_allclose(cen.sigma, raw.sigma)
    np.testing.assert_allclose(cen.coef("intercept"),
                               raw.coef("intercept") + raw.coef("age") * age.mean())
    with pytest.raises(ValueError, match="one value per observation"):
        designs.add_covariate(base, age[:-1])
    with pytest.raises(ValueError, match="missing values"):
        designs.add_covariate(base, np.r_[age[:-1], np.nan])
    with pytest.raises(ValueError, match="already has a column"):
        designs.add_covariate(base, age, name="intercept")


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_polynomial_contrasts_are_centred_and_orthogonal(k):
    lin, quad = designs.linear_contrast(k), designs.quadratic_contrast(k)
    assert abs(lin.sum()) < 1e-12 and abs(quad.sum()) < 1e-12
    assert abs(lin @ quad) < 1e-12
    assert quad[k // 2] > 0 and quad[0] < 0  # positive for an inverted U
    np.testing.assert_allclose(np.diff(lin), 1.0)


def test_seed_quadratic_contrast_is_rejected():
    np.testing.assert_allclose(designs.quadratic_contrast(4), [-1, 1, 1, -1])
    with pytest.raises(ValueError, match="sums to -1"):
        designs.check_contrast([-1, 1, 1, -2], 4)
    with pytest.raises(ValueError, match="one weight per column"):
        designs.check_contrast([1, -1], 4, names=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="all zeros"):
        designs.check_contrast([0, 0], 2)
    np.testing.assert_allclose(designs.check_contrast([1, 0], 2, zero_sum=False), [1, 0])


def test_bad_design_arguments():
    with pytest.raises(ValueError, match="Did you mean 'dummy'"):
        designs.two_sample(3, 3, coding="dumy")
    with pytest.raises(ValueError, match="at least 1"):
        designs.two_sample(0, 3)
    with pytest.raises(ValueError, match="at least 2"):
        designs.one_sample(1)
    with pytest.raises(ValueError, match="at least 3"):
        designs.quadratic_contrast(2)
