"""Tests of experiments.simulation: HRF, convolution, noise, simulated subjects, 4D subject."""

import numpy as np
import pytest
from nilearn.glm.first_level import glover_hrf
from scipy import stats

from course_utils.experiments import simulation as sim

# --- HRF and convolution -----------------------------------------------------------------------


def test_hrf_peaks_near_5_s_with_height_1():
    times, hrf = sim.canonical_hrf()
    assert hrf.max() == pytest.approx(1.0)
    assert 4.5 <= times[np.argmax(hrf)] <= 5.5
    assert times[0] == 0 and np.allclose(np.diff(times), sim.FINE_DT)


def test_hrf_is_nilearn_glover_rescaled():
    _, hrf = sim.canonical_hrf(dt=0.2)
    reference = glover_hrf(t_r=0.2, oversampling=1, time_length=32.0)
    np.testing.assert_allclose(hrf, reference / reference.max())


def test_nilearn_hrf_at_tr_resolution_peaks_late():
    # the fact the notebook explains: sampled at TR = 2.4 s, the peak lands at 7.2 s
    h = glover_hrf(t_r=2.4, oversampling=1)
    assert np.argmax(h) * 2.4 == pytest.approx(7.2)


def test_double_gamma_defaults_are_nilearn_glover():
    # nilearn samples t = linspace(0, length, n) and shifts the gammas by one step (loc=dt)
    dt, length = 0.1, 32.0
    reference = glover_hrf(t_r=dt, oversampling=1, time_length=length)
    times = np.linspace(0, length, reference.size) - dt
    np.testing.assert_allclose(sim.double_gamma_hrf(times), reference / reference.max(), atol=1e-12)


def test_double_gamma_parameters_move_the_shape():
    t = np.arange(0, 40, 0.05)
    base = sim.double_gamma_hrf(t)
    later = sim.double_gamma_hrf(t, delay=8.0)
    assert t[np.argmax(later)] > t[np.argmax(base)] + 1.5
    assert sim.double_gamma_hrf(t, ratio=0.0).min() == 0  # no undershoot
    assert sim.double_gamma_hrf(t, ratio=1.0).min() < base.min()  # a deeper one
    deep_late = sim.double_gamma_hrf(t, undershoot=16.0)
    assert t[np.argmin(deep_late)] > t[np.argmin(base)] + 2
    width = [(sim.double_gamma_hrf(t, dispersion=d) > 0.5).sum() for d in (0.6, 1.5)]
    assert width[1] > width[0]
    # ratio 0: a gamma density, peaking at its mode delay - dispersion
    assert t[np.argmax(sim.double_gamma_hrf(t, ratio=0.0))] == pytest.approx(5.1, abs=0.05)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"delay": 0.0},
        {"dispersion": -1.0},
        {"ratio": -0.1},
        {"undershoot": np.nan},
        {"times": np.arange(-5.0, 0.0)},
        {"times": []},
    ],
)
def test_double_gamma_bad_inputs(kwargs):
    args = {"times": np.arange(0, 32, 0.1)} | kwargs
    with pytest.raises(ValueError):
        sim.double_gamma_hrf(**args)


@pytest.mark.parametrize("kwargs", [{"dt": 0}, {"dt": 1.0}, {"dt": -0.1}, {"time_length": 10.0}])
def test_hrf_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        sim.canonical_hrf(**kwargs)


def test_hrf_peak_guard_catches_a_shifted_hrf(monkeypatch):
    import nilearn.glm.first_level as first_level

    original = first_level.glover_hrf

    def late(t_r, oversampling=1, time_length=32.0):  # a response 3 s later than Glover's
        h = original(t_r=t_r, oversampling=oversampling, time_length=time_length)
        return np.r_[np.zeros(int(round(3.0 / t_r))), h][: h.size]

    monkeypatch.setattr(first_level, "glover_hrf", late)
    with pytest.raises(RuntimeError, match="peaks at"):
        sim.canonical_hrf()


def test_convolution_is_causal_and_matches_numpy():
    rng = np.random.default_rng(1)
    x, k = rng.normal(size=50), rng.normal(size=7)
    np.testing.assert_allclose(sim.convolve_causal(x, k), np.convolve(x, k)[:50])
    rows = rng.normal(size=(3, 50))
    np.testing.assert_allclose(sim.convolve_causal(rows, k)[2], np.convolve(rows[2], k)[:50])
    impulse = np.zeros(40)
    impulse[20] = 1.0
    out = sim.convolve_causal(impulse, np.ones(5))
    assert np.all(out[:20] == 0)  # nothing before the event


def test_mode_same_moves_the_response_earlier():
    _, hrf = sim.canonical_hrf()
    train = np.zeros(1000)
    train[300] = 1.0
    causal = np.argmax(sim.convolve_causal(train, hrf))
    same = np.argmax(np.convolve(train, hrf, mode="same"))
    assert (causal - 300) * sim.FINE_DT == pytest.approx(5.1, abs=0.3)
    assert same <= 300


def test_convolution_bad_inputs():
    with pytest.raises(ValueError, match="kernel"):
        sim.convolve_causal([1.0, 2.0], np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        sim.convolve_causal([], [1.0])


def test_event_regressor_peak_and_block_growth():
    x = sim.event_regressor([20.0], n_tr=40, t_r=1.0)
    assert np.argmax(x) == 25 and x.max() == pytest.approx(1.0, abs=0.02)
    block = sim.event_regressor([5.0], n_tr=60, t_r=1.0, durations=20.0)
    _, hrf = sim.canonical_hrf()
    # twenty one-second impulses (at 5, 6, ..., 24 s) add up: block[t] = sum_j h(t - j)
    hrf_1s = hrf[::10]
    expected = [
        sum(hrf_1s[t - j] for j in range(5, 25) if 0 <= t - j < hrf_1s.size) for t in range(60)
    ]
    np.testing.assert_allclose(block, expected, atol=1e-12)
    assert block.max() > 4
    assert np.all(x[:20] == 0)


@pytest.mark.parametrize(
    "onsets, kwargs, match",
    [
        ([100.0], {}, "onsets"),
        ([-1.0], {}, "onsets"),
        ([1.0], {"durations": -2.0}, "durations"),
        ([1.0], {"t_r": 2.05}, "multiple"),
    ],
)
def test_event_regressor_bad_inputs(onsets, kwargs, match):
    args = {"n_tr": 20, "t_r": 2.0} | kwargs
    with pytest.raises(ValueError, match=match):
        sim.event_regressor(onsets, **args)


def test_trial_onsets_bad_counts():
    with pytest.raises(ValueError, match="n_trials"):
        sim.trial_onsets(100, 0, 2.0)
    with pytest.raises(ValueError, match="t_r"):
        sim.trial_onsets(100, 4, -2.0)


# --- noise -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phi", [0.0, 0.3, 0.7])
def test_ar1_noise_variance_and_autocorrelation(phi):
    e = sim.ar1_noise(400, sigma=1.5, rng=3, ar1=phi, size=(200,))
    assert e.shape == (200, 400)
    np.testing.assert_allclose(e.std(), 1.5, rtol=0.03)
    lag1 = np.mean([np.corrcoef(row[:-1], row[1:])[0, 1] for row in e])
    assert lag1 == pytest.approx(phi, abs=0.02)
    # stationary: the first sample has the same spread as the others
    np.testing.assert_allclose(e[:, 0].std(), 1.5, rtol=0.15)


def test_ar1_noise_lag_k_is_phi_to_the_k():
    e = sim.ar1_noise(200_000, sigma=1.0, rng=5, ar1=0.6)
    lag3 = np.corrcoef(e[:-3], e[3:])[0, 1]
    assert lag3 == pytest.approx(0.6**3, abs=0.02)


def test_ar1_noise_is_normal_and_seeded():
    e = sim.ar1_noise(5000, sigma=1.0, rng=0)
    assert stats.normaltest(e).pvalue > 0.01
    np.testing.assert_array_equal(e, sim.ar1_noise(5000, sigma=1.0, rng=0))
    gen = np.random.default_rng(0)
    np.testing.assert_array_equal(e, sim.ar1_noise(5000, 1.0, gen))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"ar1": 1.0}, ValueError),
        ({"ar1": -1.5}, ValueError),
        ({"sigma": -1.0}, ValueError),
        ({"rng": "zero"}, TypeError),
        ({"rng": None}, TypeError),
        ({"n": 0}, ValueError),
    ],
)
def test_ar1_noise_bad_inputs(kwargs, error):
    args = {"n": 10, "sigma": 1.0, "rng": 0} | kwargs
    with pytest.raises(error):
        sim.ar1_noise(**args)


# --- time series and subjects ------------------------------------------------------------------


def test_simulate_timeseries_noise_free_and_noisy():
    clean = sim.simulate_timeseries(200, 5, amplitude=2.0, t_r=1.0, sigma=0.0, rng=0)
    assert clean.max() == pytest.approx(2.0, abs=0.05)
    onsets = sim.trial_onsets(200, 5, 1.0)
    assert np.argmax(clean[:80]) == pytest.approx(onsets[0] + 5, abs=1)
    noisy = sim.simulate_timeseries(200, 5, amplitude=2.0, t_r=1.0, sigma=0.5, rng=0)
    np.testing.assert_allclose((noisy - clean).std(), 0.5, rtol=0.15)


def test_simulate_timeseries_amplitude_recovered_by_regression():
    amps = np.array([0.5, 1.0, 3.0])
    y = sim.simulate_timeseries(300, 10, amplitude=amps, t_r=2.0, sigma=0.1, rng=1)
    x = sim.event_regressor(sim.trial_onsets(300, 10, 2.0), 300, 2.0)
    X = np.column_stack([np.ones(300), x])
    coef = np.linalg.lstsq(X, y.T, rcond=None)[0]
    np.testing.assert_allclose(coef[1], amps, atol=0.05)


def test_simulate_timeseries_bad_amplitude():
    with pytest.raises(ValueError, match="amplitude"):
        sim.simulate_timeseries(100, 4, amplitude=np.ones((2, 2)), t_r=2.0, sigma=1.0, rng=0)


def test_subject_betas_are_normal_with_given_mean_and_sd():
    b = sim.simulate_subject_betas(4000, mean=2.0, sd=1.5, rng=7)
    assert stats.ttest_1samp(b, 2.0).pvalue > 0.01
    # variance test: (n-1) s^2 / sd^2 ~ chi2(n-1)
    chi = (b.size - 1) * b.var(ddof=1) / 1.5**2
    assert 0.005 < stats.chi2.cdf(chi, b.size - 1) < 0.995
    assert stats.kstest(b, stats.norm(2.0, 1.5).cdf).pvalue > 0.01
    assert (b < 0).any()  # a normal population, not a half-normal one


@pytest.mark.parametrize("kwargs", [{"n_subjects": 0}, {"sd": -1.0}, {"mean": np.nan}])
def test_subject_betas_bad_inputs(kwargs):
    args = {"n_subjects": 5, "mean": 0.0, "sd": 1.0, "rng": 0} | kwargs
    with pytest.raises(ValueError):
        sim.simulate_subject_betas(**args)


def test_first_level_estimates_unbiased_with_right_variance():
    s = sim.simulate_first_level(300, rng=2, group_mean=1.0, group_sd=0.5, sigma=1.0, n_runs=2)
    assert s.estimates.shape == (300, 2) and s.data.shape == (300, 2, 100)
    err = s.estimates - s.true_betas[:, None]
    assert abs(err.mean()) < 3 * err.std() / np.sqrt(err.size)
    # the reported variance matches the spread of the errors (white noise, OLS is right)
    np.testing.assert_allclose(err.var(), s.variances.mean(), rtol=0.15)
    X = s.design
    coef = np.linalg.lstsq(X, s.data[4, 1], rcond=None)[0]
    np.testing.assert_allclose(s.estimates[4, 1], coef[1])


def test_first_level_between_subject_spread():
    s = sim.simulate_first_level(2000, rng=3, group_mean=0.5, group_sd=0.8, sigma=0.5)
    assert stats.ttest_1samp(s.true_betas, 0.5).pvalue > 0.01
    # Var(estimate) = sd^2 + first-level variance
    np.testing.assert_allclose(s.subject_estimates.var(), 0.8**2 + s.variances.mean(), rtol=0.1)


def test_first_level_per_subject_sigma():
    sigma = np.ones(10)
    sigma[0] = 10.0
    s = sim.simulate_first_level(10, rng=0, sigma=sigma)
    assert s.variances[0, 0] > 20 * np.median(s.variances[1:, 0])


@pytest.mark.parametrize(
    "kwargs", [{"sigma": np.ones(3)}, {"sigma": 0.0}, {"n_runs": 0}, {"ar1": 2.0}]
)
def test_first_level_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        sim.simulate_first_level(5, rng=0, **kwargs)


def test_two_groups_and_paired():
    g1, g2 = sim.simulate_two_groups(3000, 2000, 1.0, -1.0, 2.0, rng=4)
    assert stats.ttest_1samp(g1, 1.0).pvalue > 0.01 and stats.ttest_1samp(g2, -1.0).pvalue > 0.01
    np.testing.assert_allclose([g1.std(), g2.std()], 2.0, rtol=0.05)
    a, b = sim.simulate_paired(3000, 2.0, 1.5, subject_sd=3.0, within_sd=0.5, rng=5)
    d = a - b
    assert stats.ttest_1samp(d, 0.5).pvalue > 0.01
    np.testing.assert_allclose(d.std(), np.sqrt(2) * 0.5, rtol=0.05)
    np.testing.assert_allclose(a.std(), np.sqrt(3.0**2 + 0.5**2), rtol=0.05)
    with pytest.raises(ValueError):
        sim.simulate_paired(10, 0, 0, subject_sd=-1.0, within_sd=1.0, rng=0)


@pytest.mark.parametrize(
    "args, error",
    [
        ((0, 5, 1.0, 0.0, 1.0, 0), ValueError),
        ((5, 5, 1.0, 0.0, -1.0, 0), ValueError),
        ((5, 5, 1.0, 0.0, 1.0, "seed"), TypeError),
    ],
)
def test_two_groups_bad_inputs(args, error):
    with pytest.raises(error):
        sim.simulate_two_groups(*args)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"ar1": 1.2}, ValueError),
        ({"rng": 1.5}, TypeError),
        ({"sigma": -0.5}, ValueError),
        ({"n_trials": 0}, ValueError),
    ],
)
def test_simulate_timeseries_bad_inputs(kwargs, error):
    args = {
        "n_tr": 50,
        "n_trials": 3,
        "amplitude": 1.0,
        "t_r": 2.0,
        "sigma": 1.0,
        "rng": 0,
    } | kwargs
    with pytest.raises(error):
        sim.simulate_timeseries(**args)


# --- the 4D subject ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def subject():
    return sim.simulate_subject_4d(seed=0)


def test_subject_4d_shapes_and_types(subject):
    img, mask = subject.img, subject.mask_img
    assert img.ndim == 4 and 100 <= img.shape[3] <= 150
    assert img.get_data_dtype() == np.float32
    assert mask.shape == img.shape[:3]
    np.testing.assert_allclose(mask.affine, img.affine)
    assert 1000 < mask.get_fdata().sum() < 6000
    assert subject.t_r == 2.4
    assert list(subject.events.columns) == ["onset", "duration", "trial_type"]
    assert set(subject.events.trial_type) == {"visual", "auditory"}
    assert subject.confounds.shape == (img.shape[3], 6)
    assert subject.design.shape[0] == img.shape[3]
    assert {"visual", "auditory", "constant"} <= set(subject.design.columns)
    assert img.get_fdata(dtype=np.float32).nbytes < 100e6
    for beta in subject.true_betas.values():
        assert beta.shape == img.shape[:3]
        assert 1.0 <= beta.get_fdata().max() <= 3.0


def test_subject_4d_is_seeded():
    a = sim.simulate_subject_4d(seed=1, n_scans=40)
    b = sim.simulate_subject_4d(seed=1, n_scans=40)
    np.testing.assert_array_equal(a.img.get_fdata(), b.img.get_fdata())


def test_first_level_model_recovers_true_betas(subject):
    import warnings

    from nilearn.glm.first_level import FirstLevelModel

    model = FirstLevelModel(
        t_r=subject.t_r, hrf_model="glover", drift_model="cosine", mask_img=subject.mask_img
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(subject.img, events=subject.events, confounds=subject.confounds)
    inside = subject.mask_img.get_fdata() > 0
    for condition, truth in subject.true_betas.items():
        estimate = model.compute_contrast(condition, output_type="effect_size")
        est, true = estimate.get_fdata()[inside], truth.get_fdata()[inside]
        r = np.corrcoef(est, true)[0, 1]
        assert r > 0.8, (condition, r)
        # same unit: nilearn's percent-signal scaling gives back percent signal change
        slope = np.polyfit(true, est, 1)[0]
        assert 0.85 < slope < 1.15, (condition, slope)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_scans": 10},
        {"voxel_size": 2.0},
        {"ar1": 1.0},
        {"noise_sd": -1.0},
        {"block_duration": 500.0},
    ],
)
def test_subject_4d_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        sim.simulate_subject_4d(seed=0, **kwargs)


def test_subject_4d_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        sim.simulate_subject_4d(seed="0")


# --- figures (course_utils.teaching.plotting, notebooks 01-02)
# ----------------------------------------


def test_plot_hrf_marks_the_peak():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    times, hrf = sim.canonical_hrf()
    ax = plotting.plot_hrf(times, hrf, title="HRF")
    peak_line = [line for line in ax.lines if line.get_linestyle() == "--"][0]
    assert peak_line.get_xdata()[0] == pytest.approx(times[np.argmax(hrf)])
    assert ax.get_title() == "HRF" and "s" in ax.get_xlabel()
    plt.close("all")


def test_plot_timeseries_draws_each_series_and_event():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    t = np.arange(10.0)
    ax = plotting.plot_timeseries(t, {"a": t, "b": -t}, events=[1.0, 5.0], title="x")
    assert len(ax.lines) == 4
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_ylabel() == "signal change (%)"
    plt.close("all")


def test_plot_convergence_lines_and_ticks():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    ax = plotting.plot_convergence(
        [5, 10, 20],
        {"a": [3.0, 2.0, 1.0], "b": [2.0, 1.5, 1.0]},
        reference=1.0,
        logy=True,
        title="t",
    )
    assert len(ax.lines) == 3 and ax.get_yscale() == "log" and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "10", "20"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [2.0, 1.5, 1.0])
    assert ax.lines[2].get_ydata()[0] == 1.0 and ax.get_title() == "t"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2"]
    plt.close("all")


# --- claims of notebook 01 (HRF shape, nilearn regressors, AR(1) covariance) -----------------


def test_dispersion_moves_the_peak_earlier_and_widens_it():
    # with the delay fixed, the first gamma density peaks at delay - dispersion
    t = np.arange(0, 32, 0.1)
    peaks = [t[np.argmax(sim.double_gamma_hrf(t, dispersion=d))] for d in (0.5, 0.9, 2.0)]
    np.testing.assert_allclose(peaks, [5.4, 5.0, 3.9], atol=1e-9)
    alone = [t[np.argmax(sim.double_gamma_hrf(t, dispersion=d, ratio=0.0))] for d in (0.5, 2.0)]
    np.testing.assert_allclose(alone, [6.0 - 0.5, 6.0 - 2.0], atol=0.051)


def test_event_regressor_matches_nilearn_compute_regressor():
    from nilearn.glm.first_level import compute_regressor

    onsets = sim.trial_onsets(200, 5, 2.0)
    ours = sim.event_regressor(onsets, 200, 2.0)
    theirs = compute_regressor(
        np.vstack([onsets, np.zeros(5), np.ones(5)]),
        "glover",
        np.arange(200) * 2.0,
        oversampling=50,
    )[0][:, 0]
    assert np.corrcoef(ours, theirs)[0, 1] > 0.9999
    np.testing.assert_allclose(ours / ours.max(), theirs / theirs.max(), atol=0.01)


@pytest.mark.parametrize("phi", [0.0, 0.3, -0.5])
def test_ar1_covariance_matches_statsmodels_and_the_noise(phi):
    from statsmodels.tsa.arima_process import ArmaProcess

    v = sim.ar1_covariance(6, sigma=2.0, ar1=phi)
    # statsmodels' AR(1) autocovariances have innovation variance 1: rescale to variance 1
    acov = ArmaProcess([1.0, -phi]).acovf(6)
    np.testing.assert_allclose(v[0], 4.0 * acov / acov[0], atol=1e-12)
    np.testing.assert_allclose(v, v.T)
    e = sim.ar1_noise(6, sigma=2.0, rng=3, ar1=phi, size=(200_000,))
    np.testing.assert_allclose(np.cov(e, rowvar=False), v, atol=0.06)


def test_ar1_covariance_gives_the_exact_ols_variance():
    # B V B' with B = pinv(X) is the variance of the OLS slope under AR(1) noise
    x = sim.event_regressor(sim.trial_onsets(100, 4, 2.0), 100, 2.0)
    X = np.column_stack([np.ones(100), x])
    v = sim.ar1_covariance(100, sigma=0.5, ar1=0.4)
    bread = np.linalg.pinv(X)
    exact = (bread @ v @ bread.T)[1, 1]
    noise = sim.ar1_noise(100, 0.5, rng=0, ar1=0.4, size=(20_000,))
    slopes = (bread @ noise.T)[1]
    np.testing.assert_allclose(slopes.var(), exact, rtol=0.05)
    # prewhitening with inv(cholesky(V)) makes the noise white
    w = np.linalg.inv(np.linalg.cholesky(v))
    np.testing.assert_allclose(w @ v @ w.T, np.eye(100), atol=1e-10)


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 3, "ar1": 1.0}, {"n": 3, "sigma": -1.0}])
def test_ar1_covariance_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        sim.ar1_covariance(**kwargs)
