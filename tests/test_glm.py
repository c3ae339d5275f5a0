"""course_utils.stats.glm against statsmodels, scipy and nilearn; invariances; bad inputs."""

import functools

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from course_utils import _utils
from course_utils.stats import glm
from course_utils.stats.designs import one_sample


def _random_design(rng, n=25, k=4):
    X = np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])
    return pd.DataFrame(X, columns=["intercept"] + [f"x{j}" for j in range(1, k)])


@pytest.mark.parametrize("seed", range(5))
def test_matches_statsmodels_ols(seed):
    rng = np.random.default_rng(seed)
    X = _random_design(rng, n=20 + seed, k=2 + seed % 3)
    Y = rng.normal(size=(len(X), 7)) + X.to_numpy() @ rng.normal(size=(X.shape[1], 7))
    fit = glm.regress(X, Y)
    c = rng.normal(size=X.shape[1])
    con = glm.contrast(fit, c)
    C = np.eye(X.shape[1])[1:]
    ftest = glm.f_contrast(fit, C)
    for v in range(Y.shape[1]):
        ref = sm.OLS(Y[:, v], X).fit()
        np.testing.assert_allclose(fit.beta[:, v], ref.params, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(fit.se[:, v], ref.bse, rtol=1e-8)
        np.testing.assert_allclose(fit.t[:, v], ref.tvalues, rtol=1e-8)
        np.testing.assert_allclose(fit.p[:, v], ref.pvalues, rtol=1e-8, atol=1e-300)
        np.testing.assert_allclose(fit.residuals[:, v], ref.resid, rtol=1e-8, atol=1e-10)
        tref = ref.t_test(c)
        np.testing.assert_allclose(con.effect[v], tref.effect[0], rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(con.se[v], tref.sd[0, 0], rtol=1e-8)
        np.testing.assert_allclose(con.t[v], tref.tvalue[0, 0], rtol=1e-8)
        np.testing.assert_allclose(con.p[v], tref.pvalue, rtol=1e-8)
        fref = ref.f_test(C)
        np.testing.assert_allclose(ftest.F[v], fref.fvalue, rtol=1e-8)
        np.testing.assert_allclose(ftest.p[v], fref.pvalue, rtol=1e-8, atol=1e-300)
        assert (ftest.df1, ftest.df2) == (fref.df_num, fref.df_denom)


def test_single_outcome_is_labelled_and_scalar():
    rng = np.random.default_rng(1)
    X = _random_design(rng, n=15, k=3)
    y = rng.normal(size=15)
    fit = glm.regress(X, y)
    table = fit.summary()
    assert list(table.index) == ["intercept", "x1", "x2"]
    assert fit.coef("x1") == table.loc["x1", "beta"]
    con = glm.contrast(fit, {"x1": 1, "x2": -1})
    assert isinstance(con.t, float) and con.df == 12
    np.testing.assert_allclose(con.effect, fit.coef("x1") - fit.coef("x2"))
    with pytest.raises(KeyError, match="Did you mean 'x1'"):
        fit.coef("x_1")


def test_float32_data_give_float64_accuracy():
    rng = np.random.default_rng(2)
    X = one_sample(30)
    Y = (1000 + rng.normal(size=(30, 5000))).astype(np.float32)
    fit = glm.regress(X, Y)
    ref = stats.ttest_1samp(Y.astype(np.float64), 0.0)
    np.testing.assert_allclose(fit.t[0], ref.statistic, rtol=1e-6)
    assert fit.residuals.dtype == np.float32
    assert glm.regress(X, Y, keep_residuals=False).residuals is None


def test_chunking_does_not_change_results(monkeypatch):
    rng = np.random.default_rng(3)
    X, Y = _random_design(rng, n=12, k=2), rng.normal(size=(12, 1000))
    whole = glm.regress(X, Y)
    monkeypatch.setattr(glm, "voxel_blocks", functools.partial(_utils.voxel_blocks, size=77))
    chunked = glm.regress(X, Y)
    np.testing.assert_allclose(chunked.t, whole.t, rtol=1e-12)
    np.testing.assert_allclose(chunked.residuals, whole.residuals, rtol=1e-12, atol=1e-14)


def test_ill_conditioned_design_stays_accurate():
    # Two nearly collinear columns: the normal equations lose ~all digits, QR does not.
    rng = np.random.default_rng(4)
    x = rng.normal(size=50)
    X = np.column_stack([np.ones(50), x, x + 1e-6 * rng.normal(size=50)])
    y = X @ np.array([1.0, 2.0, 3.0]) + 1e-3 * rng.normal(size=50)
    fit = glm.regress(X, y)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(fit.beta, ref, rtol=1e-6)


def test_group_map_matches_nilearn_second_level_model():
    from nilearn.glm.second_level import SecondLevelModel

    rng = np.random.default_rng(5)
    shape, affine = (6, 7, 5), np.diag([3.0, 3.0, 3.0, 1.0])
    mask = np.zeros(shape, dtype="uint8")
    mask[1:5, 1:6, 1:4] = 1
    mask_img = nib.Nifti1Image(mask, affine)
    maps = rng.normal(0.3, 1.0, size=(12,) + shape).astype("float32")
    imgs = [nib.Nifti1Image(m, affine) for m in maps]
    design = one_sample(12)
    model = SecondLevelModel(mask_img=mask_img).fit(imgs, design_matrix=design)
    t_img = model.compute_contrast("intercept", output_type="stat")
    p_img = model.compute_contrast("intercept", output_type="p_value")
    inside = mask.astype(bool)
    fit = glm.regress(design, maps[:, inside])
    np.testing.assert_allclose(fit.t[0], t_img.get_fdata()[inside], rtol=1e-5)
    # nilearn's p is one-sided (t.sf); ours is two-sided.
    one_sided = stats.t.sf(fit.t[0], fit.df)
    np.testing.assert_allclose(one_sided, p_img.get_fdata()[inside], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(fit.p[0], 2 * np.minimum(one_sided, 1 - one_sided), rtol=1e-8)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(1e-3, 1e3))
def test_scaling_y_scales_beta_and_keeps_t(seed, scale):
    rng = np.random.default_rng(seed)
    X, y = _random_design(rng, n=15, k=3), rng.normal(size=15)
    a, b = glm.regress(X, y), glm.regress(X, scale * y)
    np.testing.assert_allclose(b.beta, scale * a.beta, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(b.t, a.t, rtol=1e-7, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_reparametrising_keeps_estimable_contrast(seed):
    # Group-intercept coding vs +1/-1 coding: the group difference is the same hypothesis.
    rng = np.random.default_rng(seed)
    n1, n2 = int(rng.integers(3, 12)), int(rng.integers(3, 12))
    y = rng.normal(size=n1 + n2)
    g = np.r_[np.ones(n1), np.zeros(n2)]
    cells = glm.regress(np.column_stack([g, 1 - g]), y)
    effect = glm.regress(np.column_stack([np.ones(n1 + n2), 2 * g - 1]), y)
    a = glm.contrast(cells, [1, -1])
    b = glm.contrast(effect, [0, 2])
    np.testing.assert_allclose(a.t, b.t, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.effect, b.effect, rtol=1e-8, atol=1e-12)


def test_rank_deficient_design_names_the_columns():
    X = pd.DataFrame(
        {
            "intercept": np.ones(6),
            "group1": [1, 1, 1, 0, 0, 0.0],
            "group2": [0, 0, 0, 1, 1, 1.0],
            "age": np.arange(6.0),
        }
    )
    with pytest.raises(ValueError, match=r"\['intercept', 'group1', 'group2'\]") as err:
        glm.regress(X, np.arange(6.0))
    assert "age" not in str(err.value).split("(")[0]
    assert glm.dependent_columns(X.drop(columns="intercept")) == []


@pytest.mark.parametrize(
    ("X", "Y", "message"),
    [
        (np.ones((5, 1)), np.ones(4), "one row of Y per row of X"),
        (np.ones((5, 1)), np.array([1, 2, np.nan, 4, 5]), "NaN"),
        (np.ones((5, 1)), np.ones((5, 2, 2)), r"\(subjects, voxels\)"),
        (np.eye(3), np.ones(3), "no degrees of freedom"),
        (np.array([[1.0], [np.nan], [1.0]]), np.ones(3), "design X contains NaN"),
    ],
)
def test_bad_inputs_are_explained(X, Y, message):
    with pytest.raises(ValueError, match=message):
        glm.regress(X, Y)


def test_bad_contrasts_are_explained():
    rng = np.random.default_rng(6)
    fit = glm.regress(_random_design(rng, n=10, k=3), rng.normal(size=10))
    with pytest.raises(ValueError, match="one weight per column"):
        glm.contrast(fit, [1, -1])
    with pytest.raises(ValueError, match="all zeros"):
        glm.contrast(fit, [0, 0, 0])
    with pytest.raises(ValueError, match="linearly dependent"):
        glm.f_contrast(fit, [[0, 1, 0], [0, 2, 0]])
    with pytest.raises(ValueError, match="all zeros"):
        glm.f_contrast(fit, [[0, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="f_contrast"):
        glm.contrast(fit, [[0, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="all zeros"):
        glm.contrast(fit, {"x1": 0})
    with pytest.raises(KeyError, match="columns are"):
        glm.contrast(fit, {"nope": 1})


def test_results_by_column_name_match_statsmodels():
    rng = np.random.default_rng(9)
    X = _random_design(rng, n=30, k=4)
    y = X.to_numpy() @ np.array([1.0, 0.5, -0.3, 0.0]) + rng.normal(size=30)
    fit = glm.regress(X, y)
    ref = sm.OLS(y, X).fit()
    for name in X.columns:
        np.testing.assert_allclose(fit.coef(name), ref.params[name], rtol=1e-10)
        np.testing.assert_allclose(fit.se_of(name), ref.bse[name], rtol=1e-10)
        np.testing.assert_allclose(fit.t_of(name), ref.tvalues[name], rtol=1e-10)
        np.testing.assert_allclose(fit.p_of(name), ref.pvalues[name], rtol=1e-8)
    names = ["x3", "intercept"]
    np.testing.assert_allclose(fit.coefs(names), ref.params[names].to_numpy(), rtol=1e-10)
    Y = np.column_stack([y, 2 * y])
    many = glm.regress(X, Y)
    assert many.coefs(names).shape == (2, 2)
    np.testing.assert_allclose(many.t_of("x1"), [fit.t_of("x1")] * 2)
    with pytest.raises(KeyError, match="Did you mean 'x1'"):
        fit.t_of("x11")
    with pytest.raises(TypeError, match="list of column names"):
        fit.coefs("x1")


def test_contrast_and_f_contrast_return_one_type_each():
    rng = np.random.default_rng(9)
    X = _random_design(rng, n=14, k=3)
    for Y in (rng.normal(size=14), rng.normal(size=(14, 5))):
        fit = glm.regress(X, Y)
        t = glm.contrast(fit, [0, 1, 0])
        assert isinstance(t, glm.ContrastResult)
        one_row = glm.f_contrast(fit, [0, 1, 0])
        assert isinstance(one_row, glm.FTestResult) and one_row.df1 == 1
        np.testing.assert_allclose(one_row.F, np.square(t.t), rtol=1e-10)
        np.testing.assert_allclose(one_row.p, t.p, rtol=1e-8)
