"""Tests of experiments.power: analytic and simulated power, whole-brain power, scan trade-off."""

import dataclasses
import itertools

import nibabel as nib
import numpy as np
import pytest
from scipy import integrate, ndimage, stats
from statsmodels.stats.power import TTestPower

from course_utils.experiments import power, simulation
from course_utils.stats import inference

D_GRID = np.array([0.0, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2, 1.5, 2.5])[:, None, None]
N_GRID = np.array([2, 3, 5, 10, 20, 34, 60, 94, 150, 300])[None, :, None]
ALPHAS = np.array([0.05, 0.001, 0.05 / 67402])[None, None, :]


def _integrated_power(d, n, alpha):
    """Two-sided power by integrating the normal tails over the chi-square of the SD."""
    df, nc = n - 1, d * np.sqrt(n)
    crit = stats.t.isf(alpha / 2, df)

    def density(v):
        scale = crit * np.sqrt(v / df)
        return stats.chi2.pdf(v, df) * (stats.norm.sf(scale - nc) + stats.norm.cdf(-scale - nc))

    return integrate.quad(density, 0, np.inf, epsabs=1e-13, epsrel=1e-10, limit=400)[0]


def test_analytic_power_equals_statsmodels_where_it_is_defined():
    ours = power.analytic_power(D_GRID, N_GRID, ALPHAS)
    reference = TTestPower().power(effect_size=D_GRID, nobs=N_GRID, alpha=ALPHAS)
    defined = np.isfinite(reference)
    assert defined.mean() > 0.7 and np.isfinite(ours).all()
    np.testing.assert_allclose(ours[defined], reference[defined], rtol=0, atol=1e-10)
    near = TTestPower().power(
        effect_size=D_GRID, nobs=N_GRID, alpha=ALPHAS / 2, alternative="larger"
    )
    np.testing.assert_allclose(
        ours[~defined], np.broadcast_to(near, ours.shape)[~defined], rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(
    ("d", "n", "alpha"),
    [
        (2.9, 5, 0.05 / 67402),
        (2.25, 7, 0.05 / 67402),
        (0.3, 40, 0.001),
        (0.2, 5, 0.05),
        (1.5, 60, 0.05),
        (0.25, 180, 0.05 / 67402),
    ],
)
def test_analytic_power_equals_numerical_integration(d, n, alpha):
    np.testing.assert_allclose(
        power.analytic_power(d, n, alpha), _integrated_power(d, n, alpha), rtol=1e-8, atol=1e-12
    )


def test_one_sided_power_equals_statsmodels():
    ours = power.analytic_power(D_GRID, N_GRID, ALPHAS, two_sided=False)
    reference = TTestPower().power(
        effect_size=D_GRID, nobs=N_GRID, alpha=ALPHAS, alternative="larger"
    )
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-10)


def test_power_without_effect_is_alpha_and_symmetric_in_d():
    np.testing.assert_allclose(power.analytic_power(0.0, [5, 50], 0.01), 0.01, rtol=1e-9)
    np.testing.assert_allclose(power.analytic_power(-0.7, 12), power.analytic_power(0.7, 12))
    assert isinstance(power.analytic_power(0.5, 10), float)


@pytest.mark.parametrize("bad", [{"n": 1}, {"alpha": 0.0}, {"alpha": 1.5}, {"d": np.nan}])
def test_analytic_power_rejects_bad_arguments(bad):
    args = {"d": 0.5, "n": 10, "alpha": 0.05} | bad
    with pytest.raises(ValueError):
        power.analytic_power(**args)


def test_n_for_power_is_the_smallest_n_reaching_the_target():
    d = np.array([0.2, 0.35, 0.5, 0.8, 1.2, 1.5])[:, None]
    alpha = np.array([0.05, 0.001, 0.05 / 67402])[None, :]
    n = power.n_for_power(d, alpha, 0.8)
    assert n.shape == (6, 3) and n.dtype.kind == "i"
    assert (power.analytic_power(d, n, alpha) >= 0.8).all()
    assert (power.analytic_power(d, n - 1, alpha) < 0.8).all()
    assert power.n_for_power(0.5) == 34 and power.n_for_power(0.5, 0.001) == 74
    assert power.n_for_power(-0.5) == 34


def test_n_for_power_is_the_ceiling_of_solve_power_where_that_converges():
    for d, alpha in [(0.5, 0.05), (0.8, 0.05), (0.5, 0.001), (1.0, 0.001)]:
        real = TTestPower().solve_power(effect_size=d, alpha=alpha, power=0.8)
        assert power.n_for_power(d, alpha) == int(np.ceil(real))


def test_n_for_power_one_sided_needs_fewer_and_unreachable_raises():
    assert power.n_for_power(0.5, 0.05, two_sided=False) < power.n_for_power(0.5, 0.05)
    with pytest.raises(ValueError, match="never reaches"):
        power.n_for_power(0.0)
    with pytest.raises(ValueError, match="power must be"):
        power.n_for_power(0.5, power=1.0)


def test_per_test_levels():
    levels = power.per_test_levels(1000, 0.05, 0.001)
    assert list(levels.values()) == [0.05, 0.001, 0.05 / 1000]
    with pytest.raises(ValueError, match="n_voxels"):
        power.per_test_levels(0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1}, "n \\(subjects per study\\) must be an integer >= 2"),
        ({"n": 10.5}, "n \\(subjects per study\\) must be an integer >= 2"),
        ({"n_sim": 0}, "n_sim \\(studies simulated\\) must be an integer >= 1"),
        ({"n_sim": 100.0}, "n_sim \\(studies simulated\\) must be an integer >= 1"),
        ({"alpha": 1.5}, "alpha must be"),
    ],
)
def test_simulated_power_checks_its_arguments_first(kwargs, message):
    arguments = {"d": 0.5, "n": 20, "n_sim": 100} | kwargs
    with pytest.raises(ValueError, match=message):
        power.simulated_power(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_subjects": 1}, "n_subjects \\(subjects per study\\) must be an integer >= 2"),
        ({"n_sim": 0}, "n_sim \\(studies simulated\\) must be an integer >= 1"),
        ({"alpha": 0.0}, "alpha must be"),
    ],
)
def test_simulated_tradeoff_checks_its_arguments_first(kwargs, message):
    arguments = {"n_subjects": 20, "n_tr": 100, "n_sim": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        power.simulated_tradeoff(**arguments)


@pytest.mark.parametrize(
    ("d", "n", "alpha"), [(0.35, 10, 0.05), (0.8, 20, 0.001), (0.0, 15, 0.05), (1.0, 8, 0.01)]
)
@pytest.mark.slow  # statistical calibration: many simulations
def test_simulated_power_contains_the_formula(d, n, alpha):
    sim = power.simulated_power(d, n, alpha, n_sim=20_000, seed=3)
    assert sim.contains(power.analytic_power(d, n, alpha))
    assert sim.n_sim == 20_000 and sim.power == sim.hits / 20_000 and sim.level == 0.999


@pytest.mark.slow  # statistical calibration: many simulations
def test_simulated_power_is_reproducible_and_one_sided():
    a = power.simulated_power(0.5, 12, n_sim=3000, seed=5)
    b = power.simulated_power(0.5, 12, n_sim=3000, seed=5)
    assert a == b
    one = power.simulated_power(0.5, 12, n_sim=20_000, seed=5, two_sided=False)
    assert one.contains(power.analytic_power(0.5, 12, two_sided=False))


@pytest.fixture(scope="module")
def truth(standin):
    return standin.truth


def test_cohens_d_is_the_table_d_at_each_region_centre(truth):
    # profiles = identity: voxel k is the centre of region k and of nothing else
    k = truth.profiles.shape[0]
    one_per_region = dataclasses.replace(
        truth, profiles=np.eye(k, dtype=np.float32), sex_profile=np.zeros(k, np.float32)
    )
    for _, row in truth.regions.iterrows():
        region = list(dict.fromkeys(truth.regions["region"])).index(row["region"])
        d = one_per_region.cohens_d(row["condition"])
        np.testing.assert_allclose(d[region], row["d"], rtol=1e-9)


def test_cohens_d_of_a_contrast_and_its_support(truth):
    d = truth.cohens_d("audio_left_hand")
    support = truth.support("audio_left_hand")
    assert (d[~support] == 0).all() and (d[support] > 0).all()
    assert d.max() <= truth.regions.query("condition == 'audio_left_hand'")["d"].max() + 1e-9
    # a difference of two conditions: the shared half of the noise cancels
    k = truth.profiles.shape[0]
    flat = dataclasses.replace(
        truth,
        profiles=np.eye(k, dtype=np.float32),
        heterogeneity=0.0,
        sex_profile=np.zeros(k, np.float32),
    )
    weights = {"audio_left_hand": 1.0, "audio_right_hand": -1.0}
    effect = truth.amplitudes @ np.array([weights.get(c, 0) for c in truth.conditions])
    np.testing.assert_allclose(flat.cohens_d(weights), effect / np.sqrt(1.25))
    with pytest.raises(ValueError, match="Unknown condition"):
        truth.cohens_d("audio_left_foot")


def _smooth_data(n=8, shape=(10, 12, 9), seed=0):
    rng = np.random.default_rng(seed)
    mask = np.zeros(shape, bool)
    mask[1:-1, 1:-1, 1:-1] = True
    mask[3, 3, 3] = False
    noise = ndimage.gaussian_filter(rng.standard_normal((n, *shape)), (0, 1.2, 1.2, 1.2))
    Y = noise[:, mask].astype(np.float32)
    Y[:, :30] += 2.0 * Y.std()
    return Y, nib.Nifti1Image(mask.astype(np.uint8), np.eye(4))


def test_whole_brain_power_tests_each_study_with_the_course_permutation_test():
    """Every one of the 2**8 flips enumerated: the max-T and cluster-size nulls and decisions
    whole_brain_power relies on equal a brute force (t of each flipped map, scipy labelling)."""
    Y, mask_img = _smooth_data()
    mask = np.asarray(mask_img.dataobj).astype(bool)
    threshold = stats.t.isf(0.01, 7)
    res = inference.permutation_test(Y, n_perm=1000, cluster_threshold=threshold, mask_img=mask_img)
    assert res.exact and res.n_perm == 256
    faces = ndimage.generate_binary_structure(3, 1)
    max_t, largest = [], []
    for signs in itertools.product((1.0, -1.0), repeat=8):
        t = stats.ttest_1samp(Y * np.array(signs)[:, None], 0).statistic
        max_t.append(np.abs(t).max())
        sizes = [0]
        for sign in (1, -1):
            volume = np.zeros(mask.shape, bool)
            volume[mask] = sign * t > threshold
            labels, count = ndimage.label(volume, faces)
            if count:
                sizes.append(int(np.bincount(labels.ravel())[1:].max()))
        largest.append(max(sizes))
    np.testing.assert_allclose(np.sort(res.max_null), np.sort(max_t), rtol=1e-5)
    np.testing.assert_array_equal(np.sort(res.clusters.max_size_null), np.sort(largest))
    exceed = (np.array(max_t)[:, None] >= np.abs(res.t) * (1 - 1e-5)).sum(axis=0)
    np.testing.assert_array_equal(res.p_fwe <= 0.05, exceed / 256 <= 0.05)
    significant = np.flatnonzero(res.clusters.p_fwe <= 0.05) + 1
    found = np.isin(res.clusters.labels, significant)
    assert (res.p_fwe <= 0.05).any() and found.sum() > (res.p_fwe <= 0.05).sum()


def test_whole_brain_power_table():
    rng = np.random.default_rng(0)
    truth = np.zeros(512)
    truth[:64] = 1.0
    truth[64:72] = 0.3
    pool = (rng.normal(size=(40, 512)) + truth).astype(np.float32)
    mask_img = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.eye(4))
    table = power.whole_brain_power(
        pool, truth, [5, 20], replicates=3, n_perm=99, mask_img=mask_img, seed=0
    )
    assert table.groupby("n_subjects").size().to_dict() == {5: 3, 20: 2}  # 40 // 20 = 2
    shares = table.filter(regex="^(share|strong)_")
    assert ((shares >= 0) & (shares <= 1)).all().all()
    means = table.groupby("n_subjects").mean()
    assert means.loc[20, "share_max_t"] > means.loc[5, "share_max_t"]
    with pytest.raises(ValueError, match="Study sizes"):
        power.whole_brain_power(pool, truth, [50], mask_img=mask_img)
    with pytest.raises(ValueError, match="no active voxel"):
        power.whole_brain_power(pool, np.zeros(512), [5], mask_img=mask_img)
    with pytest.raises(TypeError):  # the tuning parameters are keyword-only
        power.whole_brain_power(pool, truth, [5], 3, mask_img=mask_img)


def test_whole_brain_power_strong_voxels_have_either_sign():
    """A strong negative effect counts as strong: the tests are two-sided."""
    rng = np.random.default_rng(0)
    truth = np.zeros(512)
    truth[:64] = -1.5  # only negative effects: every strong voxel is negative
    pool = (rng.normal(size=(20, 512)) + truth).astype(np.float32)
    mask_img = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.eye(4))
    table = power.whole_brain_power(
        pool, truth, [20], replicates=1, n_perm=99, mask_img=mask_img, seed=0
    )
    assert table["share_max_t"].iloc[0] > 0.5
    assert table["strong_max_t"].iloc[0] == table["share_max_t"].iloc[0]


@pytest.mark.slow  # statistical calibration: many simulations
def test_first_level_variance_matches_the_simulator():
    runs = simulation.simulate_first_level(
        4000, seed=0, group_mean=0.0, group_sd=0.0, sigma=2.0, n_tr=120, n_trials=12
    )
    expected = power.first_level_variance(120, sigma=2.0)
    np.testing.assert_allclose(runs.variances.mean(), expected, rtol=0.02)
    np.testing.assert_allclose(runs.estimates.var(), expected, rtol=0.08)
    with pytest.raises(ValueError, match="at least 10"):
        power.first_level_variance(5)


def test_scan_tradeoff_and_its_simulation():
    table = power.scan_tradeoff([10, 30, 100], [300, 100, 30], 0.3, 0.5, 2.0)
    assert (table["total_scans"] == 3000).all() and table["power"].is_monotonic_increasing
    s2 = power.first_level_variance([300, 100, 30], 2.0)
    np.testing.assert_allclose(table["d"], 0.3 / np.sqrt(0.25 + s2))
    sim = power.simulated_tradeoff(30, 100, 0.3, 0.5, 2.0, n_sim=600, seed=4)
    assert sim.contains(float(table.loc[1, "power"]))
