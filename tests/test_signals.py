"""Tests of experiments.signals: the HRF, convolution, event regressors, AR(1) noise."""

import numpy as np
import pytest
from nilearn.glm.first_level import glover_hrf
from scipy import stats

from course_utils import _utils
from course_utils.experiments import signals


def test_hrf_peaks_near_5_s_with_height_1():
    times, hrf = signals.canonical_hrf()
    assert hrf.max() == pytest.approx(1.0)
    assert 4.5 <= times[np.argmax(hrf)] <= 5.5
    assert times[0] == 0 and np.allclose(np.diff(times), signals.FINE_DT)


def test_hrf_is_nilearn_glover_rescaled():
    _, hrf = signals.canonical_hrf(dt=0.2)
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
    np.testing.assert_allclose(
        signals.double_gamma_hrf(times), reference / reference.max(), atol=1e-12
    )


def test_double_gamma_parameters_move_the_shape():
    t = np.arange(0, 40, 0.05)
    base = signals.double_gamma_hrf(t)
    later = signals.double_gamma_hrf(t, delay=8.0)
    assert t[np.argmax(later)] > t[np.argmax(base)] + 1.5
    assert signals.double_gamma_hrf(t, ratio=0.0).min() == 0  # no undershoot
    assert signals.double_gamma_hrf(t, ratio=1.0).min() < base.min()  # a deeper one
    deep_late = signals.double_gamma_hrf(t, undershoot=16.0)
    assert t[np.argmin(deep_late)] > t[np.argmin(base)] + 2
    width = [(signals.double_gamma_hrf(t, dispersion=d) > 0.5).sum() for d in (0.6, 1.5)]
    assert width[1] > width[0]
    # ratio 0: a gamma density, peaking at its mode delay - dispersion
    assert t[np.argmax(signals.double_gamma_hrf(t, ratio=0.0))] == pytest.approx(5.1, abs=0.05)


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
        signals.double_gamma_hrf(**args)


@pytest.mark.parametrize("kwargs", [{"dt": 0}, {"dt": 1.0}, {"dt": -0.1}, {"time_length": 10.0}])
def test_hrf_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        signals.canonical_hrf(**kwargs)


def test_hrf_peak_guard_catches_a_shifted_hrf(monkeypatch):
    import nilearn.glm.first_level as first_level

    original = first_level.glover_hrf

    def late(t_r, oversampling=1, time_length=32.0):  # a response 3 s later than Glover's
        h = original(t_r=t_r, oversampling=oversampling, time_length=time_length)
        return np.r_[np.zeros(int(round(3.0 / t_r))), h][: h.size]

    monkeypatch.setattr(first_level, "glover_hrf", late)
    with pytest.raises(RuntimeError, match="peaks at"):
        signals.canonical_hrf()


def test_convolution_is_causal_and_matches_numpy():
    rng = np.random.default_rng(1)
    x, k = rng.normal(size=50), rng.normal(size=7)
    np.testing.assert_allclose(signals.convolve_causal(x, k), np.convolve(x, k)[:50])
    rows = rng.normal(size=(3, 50))
    np.testing.assert_allclose(signals.convolve_causal(rows, k)[2], np.convolve(rows[2], k)[:50])
    impulse = np.zeros(40)
    impulse[20] = 1.0
    out = signals.convolve_causal(impulse, np.ones(5))
    assert np.all(out[:20] == 0)  # nothing before the event


def test_mode_same_moves_the_response_earlier():
    _, hrf = signals.canonical_hrf()
    train = np.zeros(1000)
    train[300] = 1.0
    causal = np.argmax(signals.convolve_causal(train, hrf))
    same = np.argmax(np.convolve(train, hrf, mode="same"))
    assert (causal - 300) * signals.FINE_DT == pytest.approx(5.1, abs=0.3)
    assert same <= 300


def test_convolution_bad_inputs():
    with pytest.raises(ValueError, match="kernel"):
        signals.convolve_causal([1.0, 2.0], np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        signals.convolve_causal([], [1.0])


def test_event_regressor_peak_and_block_growth():
    x = signals.event_regressor([20.0], n_tr=40, t_r=1.0)
    assert np.argmax(x) == 25 and x.max() == pytest.approx(1.0, abs=0.02)
    block = signals.event_regressor([5.0], n_tr=60, t_r=1.0, durations=20.0)
    _, hrf = signals.canonical_hrf()
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
        signals.event_regressor(onsets, **args)


def test_trial_onsets_bad_counts():
    with pytest.raises(ValueError, match="n_trials"):
        signals.trial_onsets(100, 0, 2.0)
    with pytest.raises(ValueError, match="t_r"):
        signals.trial_onsets(100, 4, -2.0)


@pytest.mark.parametrize("phi", [0.0, 0.3, 0.7])
def test_ar1_noise_variance_and_autocorrelation(phi):
    e = signals.ar1_noise(400, sigma=1.5, seed=3, ar1=phi, size=(200,))
    assert e.shape == (200, 400)
    np.testing.assert_allclose(e.std(), 1.5, rtol=0.03)
    lag1 = np.mean([np.corrcoef(row[:-1], row[1:])[0, 1] for row in e])
    assert lag1 == pytest.approx(phi, abs=0.02)
    # stationary: the first sample has the same spread as the others
    np.testing.assert_allclose(e[:, 0].std(), 1.5, rtol=0.15)


def test_ar1_noise_lag_k_is_phi_to_the_k():
    e = signals.ar1_noise(200_000, sigma=1.0, seed=5, ar1=0.6)
    lag3 = np.corrcoef(e[:-3], e[3:])[0, 1]
    assert lag3 == pytest.approx(0.6**3, abs=0.02)


def test_ar1_noise_is_normal_and_seeded():
    e = signals.ar1_noise(5000, sigma=1.0, seed=0)
    assert stats.normaltest(e).pvalue > 0.01
    np.testing.assert_array_equal(e, signals.ar1_noise(5000, sigma=1.0, seed=0))
    gen = np.random.default_rng(0)
    np.testing.assert_array_equal(e, signals.ar1_noise(5000, 1.0, seed=gen))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"ar1": 1.0}, ValueError),
        ({"ar1": -1.5}, ValueError),
        ({"sigma": -1.0}, ValueError),
        ({"seed": "zero"}, TypeError),
        ({"seed": None}, TypeError),
        ({"n": 0}, ValueError),
    ],
)
def test_ar1_noise_bad_inputs(kwargs, error):
    args = {"n": 10, "sigma": 1.0, "seed": 0} | kwargs
    with pytest.raises(error):
        signals.ar1_noise(**args)


def test_simulate_timeseries_noise_free_and_noisy():
    clean = signals.simulate_timeseries(200, 5, amplitude=2.0, t_r=1.0, sigma=0.0, seed=0)
    assert clean.max() == pytest.approx(2.0, abs=0.05)
    onsets = signals.trial_onsets(200, 5, 1.0)
    assert np.argmax(clean[:80]) == pytest.approx(onsets[0] + 5, abs=1)
    noisy = signals.simulate_timeseries(200, 5, amplitude=2.0, t_r=1.0, sigma=0.5, seed=0)
    np.testing.assert_allclose((noisy - clean).std(), 0.5, rtol=0.15)


def test_simulate_timeseries_amplitude_recovered_by_regression():
    amps = np.array([0.5, 1.0, 3.0])
    y = signals.simulate_timeseries(300, 10, amplitude=amps, t_r=2.0, sigma=0.1, seed=1)
    x = signals.event_regressor(signals.trial_onsets(300, 10, 2.0), 300, 2.0)
    X = np.column_stack([np.ones(300), x])
    coef = np.linalg.lstsq(X, y.T, rcond=None)[0]
    np.testing.assert_allclose(coef[1], amps, atol=0.05)


def test_simulate_timeseries_bad_amplitude():
    with pytest.raises(ValueError, match="amplitude"):
        signals.simulate_timeseries(100, 4, amplitude=np.ones((2, 2)), t_r=2.0, sigma=1.0, seed=0)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"ar1": 1.2}, ValueError),
        ({"seed": 1.5}, TypeError),
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
        "seed": 0,
    } | kwargs
    with pytest.raises(error):
        signals.simulate_timeseries(**args)


def test_plot_hrf_marks_the_peak():
    import matplotlib.pyplot as plt

    from course_utils.teaching import plotting

    times, hrf = signals.canonical_hrf()
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


def test_dispersion_moves_the_peak_earlier_and_widens_it():
    # with the delay fixed, the first gamma density peaks at delay - dispersion
    t = np.arange(0, 32, 0.1)
    peaks = [t[np.argmax(signals.double_gamma_hrf(t, dispersion=d))] for d in (0.5, 0.9, 2.0)]
    np.testing.assert_allclose(peaks, [5.4, 5.0, 3.9], atol=1e-9)
    alone = [t[np.argmax(signals.double_gamma_hrf(t, dispersion=d, ratio=0.0))] for d in (0.5, 2.0)]
    np.testing.assert_allclose(alone, [6.0 - 0.5, 6.0 - 2.0], atol=0.051)


def test_event_regressor_matches_nilearn_compute_regressor():
    from nilearn.glm.first_level import compute_regressor

    onsets = signals.trial_onsets(200, 5, 2.0)
    ours = signals.event_regressor(onsets, 200, 2.0)
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

    v = signals.ar1_covariance(6, sigma=2.0, ar1=phi)
    # statsmodels' AR(1) autocovariances have innovation variance 1: rescale to variance 1
    acov = ArmaProcess([1.0, -phi]).acovf(6)
    np.testing.assert_allclose(v[0], 4.0 * acov / acov[0], atol=1e-12)
    np.testing.assert_allclose(v, v.T)
    e = signals.ar1_noise(6, sigma=2.0, seed=3, ar1=phi, size=(200_000,))
    np.testing.assert_allclose(np.cov(e, rowvar=False), v, atol=0.06)


def test_ar1_covariance_gives_the_exact_ols_variance():
    # B V B' with B = pinv(X) is the variance of the OLS slope under AR(1) noise
    x = signals.event_regressor(signals.trial_onsets(100, 4, 2.0), 100, 2.0)
    X = np.column_stack([np.ones(100), x])
    v = signals.ar1_covariance(100, sigma=0.5, ar1=0.4)
    bread = np.linalg.pinv(X)
    exact = (bread @ v @ bread.T)[1, 1]
    noise = signals.ar1_noise(100, 0.5, seed=0, ar1=0.4, size=(20_000,))
    slopes = (bread @ noise.T)[1]
    np.testing.assert_allclose(slopes.var(), exact, rtol=0.05)
    # prewhitening with inv(cholesky(V)) makes the noise white
    w = np.linalg.inv(np.linalg.cholesky(v))
    np.testing.assert_allclose(w @ v @ w.T, np.eye(100), atol=1e-10)


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 3, "ar1": 1.0}, {"n": 3, "sigma": -1.0}])
def test_ar1_covariance_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        signals.ar1_covariance(**kwargs)


def test_seed_is_keyword_only():
    with pytest.raises(TypeError):
        signals.ar1_noise(10, 1.0, 0)
    with pytest.raises(TypeError):
        signals.simulate_timeseries(50, 3, 1.0, 2.0, 1.0, 0)


@pytest.mark.parametrize(
    "check, args",
    [
        (_utils.check_positive, (0.0, "x")),
        (_utils.check_positive, (np.inf, "x")),
        (_utils.check_positive, (-1.0, "x", True)),
        (_utils.check_count, (True, "n")),
        (_utils.check_count, (2, "n", 3)),
        (signals.ar_coefficient, (-1.0,)),
    ],
)
def test_argument_checks_reject(check, args):
    with pytest.raises(ValueError, match="must"):
        check(*args)


def test_argument_checks_accept():
    assert _utils.check_positive(0, "x", allow_zero=True) == 0.0
    assert _utils.check_count(np.int32(3), "n", minimum=3) == 3
    assert signals.ar_coefficient(-0.5) == -0.5


def test_jittered_onsets_gaps_within_range_and_run():
    onsets = signals.jittered_onsets(300.0, isi=(2.0, 6.0), seed=3)
    gaps = np.diff(onsets)
    assert onsets[0] == 10.0 and onsets[-1] <= 280.0 + 1e-9
    assert gaps.min() >= 2.0 - 0.1 and gaps.max() <= 6.0 + 0.1  # rounded to the 0.1 s grid
    np.testing.assert_allclose(onsets, np.round(onsets / 0.1) * 0.1)
    # uniform gaps: their mean is near the middle of the range (60+ gaps, sd 1.15 / sqrt(n))
    assert abs(gaps.mean() - 4.0) < 4 * (4 / np.sqrt(12)) / np.sqrt(gaps.size)
    np.testing.assert_array_equal(onsets, signals.jittered_onsets(300.0, seed=3))


def test_jittered_onsets_use_all_of_the_run():
    onsets = signals.jittered_onsets(300.0, isi=(2.0, 6.0), seed=0)
    assert onsets[-1] > 280.0 - 6.1  # no room left for one more gap


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"isi": (6.0, 2.0)}, "shortest"),
        ({"isi": (0.0, 2.0)}, "isi"),
        ({"run_length": 25.0}, "no room"),
    ],
)
def test_jittered_onsets_bad_inputs(kwargs, match):
    args = {"run_length": 300.0, "seed": 0} | kwargs
    with pytest.raises(ValueError, match=match):
        signals.jittered_onsets(**args)
