"""Repeated-measures ANOVA: equal to statsmodels' AnovaRM and pingouin, F = t^2, pooled = OLS."""

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.anova import AnovaRM

from course_utils.stats import anova


def _long(levels, n=12, seed=0, n_voxels=None):
    """Random balanced long-format data with subject effects and unequal effect variances."""
    rng = np.random.default_rng(seed)
    grid = np.array(np.meshgrid(*[np.arange(k) for k in levels], indexing="ij"))
    cells = grid.reshape(len(levels), -1).T
    rows = [(s, *c) for s in range(n) for c in cells]
    names = [f"f{k}" for k in range(len(levels))]
    d = pd.DataFrame(rows, columns=["s", *names])
    shape = (len(d),) if n_voxels is None else (len(d), n_voxels)
    y = rng.normal(size=shape)
    y += (rng.normal(size=(n,) + shape[1:]) * 2)[d.s.to_numpy()]
    slopes = rng.normal(0, 1.5, (n,) + shape[1:])
    y += (slopes[d.s.to_numpy()].T * d[names[-1]].to_numpy()).T  # subject x last factor
    d = d.sample(frac=1, random_state=seed)  # rows in any order
    return d, y[d.index.to_numpy()], names


@pytest.mark.parametrize("levels", [(2, 2), (2, 3), (3, 3), (2, 2, 2)])
def test_rm_anova_equals_statsmodels_anovarm(levels):
    d, y, names = _long(levels)
    d = d.assign(y=y)
    ours = anova.rm_anova(d.y.to_numpy(), d.s.to_numpy(), {n: d[n].to_numpy() for n in names})
    ours = ours.table()
    ref = AnovaRM(d, "y", "s", within=names).fit().anova_table
    assert ours.index.tolist() == list(ref.index)
    np.testing.assert_allclose(ours["F"], ref["F Value"], rtol=1e-8)
    np.testing.assert_allclose(ours["p"], ref["Pr > F"], rtol=1e-8, atol=1e-14)
    np.testing.assert_array_equal(ours["df1"], ref["Num DF"])
    np.testing.assert_array_equal(ours["df2"], ref["Den DF"])


@pytest.mark.parametrize("levels", [(2, 3), (3, 3), (3, 4)])
def test_greenhouse_geisser_equals_pingouin(levels):
    d, y, names = _long(levels, seed=3)
    d = d.assign(y=y)
    ours = anova.rm_anova(d.y.to_numpy(), d.s.to_numpy(), {n: d[n].to_numpy() for n in names})
    ours = ours.table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pg.rm_anova(d, dv="y", within=names, subject="s", correction=True)
    np.testing.assert_allclose(ours["eps_gg"], ref["eps"], rtol=1e-8)
    np.testing.assert_allclose(ours["p_gg"], ref["p_GG_corr"], rtol=1e-8)
    assert (ours["eps_gg"] < 1).any()  # the data were made nonspherical


def test_one_df_effects_are_one_sample_tests_on_contrast_scores():
    d, y, names = _long((2, 2), n=15, seed=5)
    table = anova.rm_anova(y, d.s.to_numpy(), {n: d[n].to_numpy() for n in names}).table()
    wide = pd.DataFrame({"y": y, "s": d.s, "a": d.f0, "b": d.f1}).pivot_table(
        index="s", columns=["a", "b"], values="y"
    )
    scores = {
        "f0": wide[1].mean(axis=1) - wide[0].mean(axis=1),
        "f1": wide.xs(1, level="b", axis=1).mean(axis=1)
        - wide.xs(0, level="b", axis=1).mean(axis=1),
        "f0:f1": (wide[(1, 1)] - wide[(1, 0)]) - (wide[(0, 1)] - wide[(0, 0)]),
    }
    for effect, score in scores.items():
        t = stats.ttest_1samp(score, 0)
        np.testing.assert_allclose(table.loc[effect, "F"], t.statistic**2, rtol=1e-10)
        np.testing.assert_allclose(table.loc[effect, "p"], t.pvalue, rtol=1e-8)


def test_many_voxels_equal_one_at_a_time_and_chunks_do_not_matter(monkeypatch):
    d, y, names = _long((2, 3), n=9, seed=2, n_voxels=40)
    factors = {n: d[n].to_numpy() for n in names}
    maps = anova.rm_anova(y, d.s.to_numpy(), factors)
    assert isinstance(maps, anova.AnovaMaps) and maps.F.shape == (3, 40)
    for v in (0, 17, 39):
        one = anova.rm_anova(y[:, v], d.s.to_numpy(), factors)
        assert isinstance(one, anova.AnovaMaps) and one.F.shape == (3, 1)  # one type always
        pd.testing.assert_frame_equal(maps.table(v), one.table(), rtol=1e-10)
    monkeypatch.setattr(anova, "BLOCK_VOXELS", 7)
    again = anova.rm_anova(y.astype(np.float32), d.s.to_numpy(), factors)
    np.testing.assert_allclose(again.F, maps.F, rtol=1e-4)
    assert maps["f1"]["F"].shape == (40,) and maps["f0:f1"]["df2"] == 16.0


def test_pooled_error_equals_ols_with_subject_columns():
    d, y, names = _long((2, 3), n=10, seed=4)
    d = d.assign(y=y)
    ours = anova.pooled_anova(d.y.to_numpy(), d.s.to_numpy(), {n: d[n].to_numpy() for n in names})
    assert ours.error == "pooled"
    ours = ours.table()
    fit = smf.ols("y ~ C(s) + C(f0) * C(f1)", d).fit()
    ref = sm.stats.anova_lm(fit, typ=2).loc[["C(f0)", "C(f1)", "C(f0):C(f1)"]]
    np.testing.assert_allclose(ours["F"], ref["F"], rtol=1e-8)
    np.testing.assert_allclose(ours["p"], ref["PR(>F)"], rtol=1e-8)
    assert (ours["df2"] == fit.df_resid).all() and (ours["eps_gg"] == 1).all()


def test_bad_designs_get_clear_errors():
    d, y, names = _long((2, 3), n=5)
    factors = {n: d[n].to_numpy() for n in names}
    s = d.s.to_numpy()
    with pytest.raises(ValueError, match="subjects has 29 entries but Y has 30"):
        anova.rm_anova(y, s[:-1], factors)
    with pytest.raises(ValueError, match="only one level"):
        anova.rm_anova(y, s, {"f0": np.zeros(30), "f1": factors["f1"]})
    with pytest.raises(ValueError, match="is missing"):
        anova.rm_anova(y[1:], s[1:], {k: v[1:] for k, v in factors.items()})
    twice = {k: np.r_[v, v[:1]] for k, v in factors.items()}
    with pytest.raises(ValueError, match="appears 2 times"):
        anova.rm_anova(np.r_[y, y[:1]], np.r_[s, s[:1]], twice)
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        anova.rm_anova(bad, s, factors)
    with pytest.raises(ValueError, match="':'"):
        anova.rm_anova(y, s, {"a:b": factors["f0"], "f1": factors["f1"]})
    with pytest.raises(ValueError, match="dict"):
        anova.rm_anova(y, s, [factors["f0"]])


def test_simulate_null_takes_keyword_n_sim_and_seed():
    Y, s, f = anova.simulate_null(8, {"a": 2, "b": 3}, {"b": 1.0}, n_sim=4, seed=1)
    assert Y.shape == (48, 4) and s.shape == (48,) and set(f) == {"a", "b"}
    again, _, _ = anova.simulate_null(
        8, {"a": 2, "b": 3}, {"b": 1.0}, n_sim=4, seed=np.random.default_rng(1)
    )
    np.testing.assert_array_equal(Y, again)  # an int seed and its generator give the same data
    with pytest.raises(TypeError):
        anova.simulate_null(8, {"a": 2}, {}, 4)  # n_sim is keyword-only
    with pytest.raises(TypeError, match="seed"):
        anova.simulate_null(8, {"a": 2}, {}, n_sim=4, seed=None)
    with pytest.raises(ValueError, match="Unknown effects"):
        anova.simulate_null(8, {"a": 2}, {"b": 1.0}, n_sim=4)


def test_within_subject_se_removes_offsets_and_is_the_paired_se_for_two_cells():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(15, 2)) + rng.normal(0, 10, (15, 1))
    paired = stats.sem(values[:, 1] - values[:, 0]) / np.sqrt(2)
    np.testing.assert_allclose(anova.within_subject_se(values), [paired, paired], rtol=1e-12)
    shifted = values + rng.normal(0, 50, (15, 1))  # other subject offsets: the same bars
    np.testing.assert_allclose(anova.within_subject_se(shifted), anova.within_subject_se(values))
    with pytest.raises(ValueError, match="at least two"):
        anova.within_subject_se(values[:1])
    with pytest.raises(ValueError, match="finite"):
        anova.within_subject_se(np.r_[values, [[np.nan, 1.0]]])


def test_within_subject_se_scales_the_normalised_variance_by_j_over_j_minus_1():
    values = np.random.default_rng(3).normal(size=(10, 6))
    normalised = values - values.mean(axis=1, keepdims=True) + values.mean()
    plain = normalised.std(axis=0, ddof=1) / np.sqrt(10)
    np.testing.assert_allclose(anova.within_subject_se(values), plain * np.sqrt(6 / 5))


def test_contrast_table_labels_the_effect_contrasts_in_sorted_cell_order():
    table = anova.contrast_table({"modality": ("video", "audio"), "task": ("read", "calc", "act")})
    assert table.index[:3].tolist() == ["audio act", "audio calc", "audio read"]
    assert table.columns.tolist() == [
        "modality 1",
        "task 1",
        "task 2",
        "modality:task 1",
        "modality:task 2",
    ]
    every = np.hstack(list(anova.effect_contrasts((2, 3)).values()))
    np.testing.assert_array_equal(table.to_numpy(), every)
