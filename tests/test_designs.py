"""The classic tests as designs: what each beta equals, and agreement with scipy.stats."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils.stats import designs, glm


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
    np.testing.assert_allclose(dummy.coef("intercept"), m2)  # reference group's mean
    np.testing.assert_allclose(dummy.coef("intercept") + dummy.coef("is_group1"), m1)
    np.testing.assert_allclose(dummy.t[1], ref.statistic, rtol=1e-10)

    coded = glm.regress(designs.two_sample(n1, n2, "effect"), y)
    np.testing.assert_allclose(coded.coef("intercept"), (m1 + m2) / 2)  # not mean(y) if n1 != n2
    np.testing.assert_allclose(coded.coef("group1_vs_group2"), (m1 - m2) / 2)
    np.testing.assert_allclose(coded.t[1], ref.statistic, rtol=1e-10)
    # The mean of all values sits (n1 - n2) / (n1 + n2) slopes from the intercept: zero only
    # for equal group sizes.
    np.testing.assert_allclose(
        y.mean() - coded.coef("intercept"),
        (n1 - n2) / (n1 + n2) * coded.coef("group1_vs_group2"),
        atol=1e-12,
    )

    cells = glm.regress(designs.two_sample(n1, n2, "cell_means"), y)
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
    np.testing.assert_allclose(
        cen.coef("intercept"), raw.coef("intercept") + raw.coef("age") * age.mean()
    )
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


def test_standard_coding_names_are_aliases():
    for alias, name in designs.CODING_ALIASES.items():
        pd.testing.assert_frame_equal(
            designs.two_sample(4, 3, alias), designs.two_sample(4, 3, name)
        )
    with pytest.raises(ValueError, match="Did you mean 'effect'"):
        designs.two_sample(3, 3, coding="efect")


@pytest.mark.parametrize("seed", range(4))
def test_variance_inflation_matches_statsmodels(seed):
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    rng = np.random.default_rng(seed)
    n1, n2 = 9 + seed, 11
    age = np.r_[rng.uniform(20, 40, n1), rng.uniform(30, 70, n2)]
    X = designs.add_covariate(designs.two_sample(n1, n2, "treatment"), age, "age")
    X["score"] = rng.normal(size=n1 + n2) + 0.05 * age
    vif = designs.variance_inflation(X)
    assert list(vif.index) == ["is_group1", "age", "score"]  # the intercept has none
    for name in vif.index:
        ref = variance_inflation_factor(X.to_numpy(), X.columns.get_loc(name))
        np.testing.assert_allclose(vif[name], ref, rtol=1e-8)
    # Without an intercept the R^2 is measured around zero, as statsmodels does unstandardised.
    cells = designs.add_covariate(
        designs.two_sample(n1, n2, "cell_means"), age, "age", center=False
    )
    X_no_constant = cells[["group1", "age"]]
    for name in X_no_constant.columns:
        ref = variance_inflation_factor(
            X_no_constant.to_numpy(), X_no_constant.columns.get_loc(name), standardize=False
        )
        np.testing.assert_allclose(designs.variance_inflation(X_no_constant)[name], ref, rtol=1e-8)
    # Two columns that add up to one imply an intercept: the VIFs are centred.
    r = np.corrcoef(cells["group1"], age)[0, 1]
    np.testing.assert_allclose(designs.variance_inflation(cells)["age"], 1 / (1 - r**2))


def test_variance_inflation_of_one_covariate_is_one_over_one_minus_r_squared():
    rng = np.random.default_rng(7)
    age = rng.uniform(20, 70, 30)
    X = designs.add_covariate(designs.two_sample(12, 18, "effect"), age, "age")
    r = np.corrcoef(X["group1_vs_group2"], age)[0, 1]
    np.testing.assert_allclose(designs.variance_inflation(X), 1 / (1 - r**2))


def test_variance_inflation_refuses_dependent_columns():
    X = designs.two_sample(3, 3, "cell_means").assign(intercept=1.0, twice=lambda d: 2 * d.group1)
    with pytest.raises(ValueError, match="linear combination"):
        designs.variance_inflation(X)
    with pytest.raises(ValueError, match="at least two columns"):
        designs.variance_inflation(designs.one_sample(4))


def test_ancova_group_beta_is_the_plain_difference_minus_slope_times_age_gap():
    # The identity the notebook's ANCOVA section checks, here against statsmodels' formula API.
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    n1, n2 = 15, 12
    age = np.r_[rng.uniform(20, 35, n1), rng.uniform(45, 70, n2)]
    group = np.repeat(["young", "old"], [n1, n2])
    y = 0.5 + 0.04 * age + 0.6 * (group == "young") + rng.normal(0, 0.1, n1 + n2)
    base = designs.two_sample(n1, n2, "treatment", labels=("young", "old"))
    plain = glm.regress(base, y)
    adjusted = glm.regress(designs.add_covariate(base, age, "age"), y)
    gap = age[:n1].mean() - age[n1:].mean()
    np.testing.assert_allclose(
        adjusted.coef("is_young"), plain.coef("is_young") - adjusted.coef("age") * gap
    )
    table = pd.DataFrame({"y": y, "age": age, "group": group})
    ref = smf.ols("y ~ C(group, Treatment('old')) + age", data=table).fit()
    term = "C(group, Treatment('old'))[T.young]"
    np.testing.assert_allclose(adjusted.coef("is_young"), ref.params[term])
    np.testing.assert_allclose(adjusted.se_of("is_young"), ref.bse[term])
    np.testing.assert_allclose(adjusted.t_of("is_young"), ref.tvalues[term])


def test_paired_and_unpaired_tests_share_the_estimate_not_the_error():
    rng = np.random.default_rng(4)
    ids = [f"S{i:02d}" for i in range(1, 16)]
    level = rng.normal(30, 10, 15)
    a = pd.Series(level + 10 + rng.normal(0, 2, 15), index=ids)
    b = pd.Series(level + 5 + rng.normal(0, 2, 15), index=ids)
    y, X = designs.paired(a, b)
    paired = glm.regress(X, y.to_numpy())
    unpaired = glm.regress(
        designs.two_sample(15, 15, "effect", labels=("a", "b")), np.r_[a.to_numpy(), b.to_numpy()]
    )
    np.testing.assert_allclose(paired.coef("a_vs_b"), unpaired.coef("a_vs_b"))
    np.testing.assert_allclose(paired.t_of("a_vs_b"), stats.ttest_rel(a, b).statistic)
    np.testing.assert_allclose(unpaired.t_of("a_vs_b"), stats.ttest_ind(a, b).statistic)
    assert paired.se_of("a_vs_b") < unpaired.se_of("a_vs_b")


def test_slope_contrast_gives_the_least_squares_slope():
    rng = np.random.default_rng(0)
    for levels in ([1, 2, 3, 4], [1, 2, 4, 8], [0.5, 3.0, 4.0]):
        means = rng.normal(size=len(levels))
        slope = np.polyfit(levels, means, 1)[0]
        np.testing.assert_allclose(designs.slope_contrast(levels) @ means, slope)
    np.testing.assert_allclose(designs.slope_contrast([1, 2, 3, 4]), [-0.3, -0.1, 0.1, 0.3])
    with pytest.raises(ValueError, match="not all equal"):
        designs.slope_contrast([2, 2, 2])


def test_contrast_covariance_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30), "one": 1.0})
    X["b"] += 0.8 * X["a"]  # correlated columns
    y = X.to_numpy() @ [1.0, -0.5, 2.0] + rng.normal(size=30)
    fit = sm.OLS(y, X).fit()
    contrasts = {"a-b": [1, -1, 0], "a+b": [1, 1, 0]}
    C = np.array(list(contrasts.values()), dtype=float)
    cov = designs.contrast_covariance(X, contrasts, sigma=np.sqrt(fit.scale))
    np.testing.assert_allclose(cov.to_numpy(), C @ fit.cov_params().to_numpy() @ C.T)
    assert list(cov.index) == ["a-b", "a+b"]
    # Positively correlated columns: their difference is estimated worse than their sum.
    unit = designs.contrast_covariance(X, contrasts)
    assert unit.loc["a-b", "a-b"] > unit.loc["a+b", "a+b"]
    with pytest.raises(ValueError, match="linearly dependent"):
        designs.contrast_covariance(X.assign(c=X["a"] + X["b"]), {"x": [1, 0, 0, 0]})
    with pytest.raises(ValueError, match="one weight per column"):
        designs.contrast_covariance(X, {"x": [1, -1]})
