"""Serial correlation: a beta's true SD and OLS's naive SE under AR(1) noise."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.arima_process import ArmaProcess

from course_utils.experiments import signals
from course_utils.experiments.serial_correlation import lag_autocorrelation, ols_sd_under_ar1


def _design(n_tr=80, t_r=2.0):
    onsets = signals.jittered_onsets(n_tr * t_r, seed=3)
    return np.column_stack([signals.event_regressor(onsets, n_tr, t_r), np.ones(n_tr)])


def test_white_noise_gives_an_honest_se():
    X = _design()
    true_sd, naive_se = ols_sd_under_ar1(X, 0.0, sigma=2.0)
    expected = 2.0 * np.sqrt(np.linalg.inv(X.T @ X)[0, 0])  # sigma^2 (X'X)^-1
    np.testing.assert_allclose([true_sd, naive_se], [expected, expected], rtol=1e-10)
    assert isinstance(true_sd, float) and isinstance(naive_se, float)  # a number in, out


def test_matches_the_formulas_with_statsmodels_autocovariances():
    X, phi, sigma = _design(), 0.4, 1.5
    n = X.shape[0]
    acov = ArmaProcess([1.0, -phi], [1.0]).acovf(n) * (1 - phi**2) * sigma**2
    V = acov[np.abs(np.subtract.outer(np.arange(n), np.arange(n)))]
    B = np.linalg.pinv(X)
    M = np.eye(n) - X @ B
    true_sd, naive_se = ols_sd_under_ar1(X, phi, sigma=sigma, column=1)
    np.testing.assert_allclose(true_sd, np.sqrt(B[1] @ V @ B[1]), rtol=1e-10)
    naive = np.trace(M @ V) / (n - 2) * np.linalg.inv(X.T @ X)[1, 1]
    np.testing.assert_allclose(naive_se, np.sqrt(naive), rtol=1e-10)


def test_vectorised_over_phi_and_the_ratio_falls():
    X = _design()
    phis = np.array([[0.0, 0.3], [0.6, 0.8]])
    true_sd, naive_se = ols_sd_under_ar1(X, phis)
    assert true_sd.shape == naive_se.shape == (2, 2)
    for index, phi in np.ndenumerate(phis):
        np.testing.assert_allclose(
            [true_sd[index], naive_se[index]], ols_sd_under_ar1(X, phi), rtol=1e-12
        )
    ratio = (naive_se / true_sd).ravel()
    assert np.all(np.diff(ratio) < 0) and ratio[-1] < 0.8


def test_true_sd_matches_simulated_betas():
    X, phi = _design(), 0.5
    noise = signals.ar1_noise(X.shape[0], 1.0, seed=0, ar1=phi, size=(20_000,))
    betas = np.linalg.pinv(X) @ noise.T
    residuals = noise.T - X @ betas
    s2 = (residuals**2).sum(axis=0) / (X.shape[0] - 2)
    true_sd, naive_se = ols_sd_under_ar1(X, phi)
    # sd of 20,000 draws: relative SE 0.5 %; 3 % is over 5 SE
    np.testing.assert_allclose(betas[0].std(ddof=1), true_sd, rtol=0.03)
    naive_var = s2.mean() * np.linalg.inv(X.T @ X)[0, 0]
    np.testing.assert_allclose(np.sqrt(naive_var), naive_se, rtol=0.01)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n > p"):
        ols_sd_under_ar1(np.ones((2, 3)), 0.2)
    with pytest.raises(ValueError, match="ar1"):
        ols_sd_under_ar1(_design(), [0.2, 1.0])
    with pytest.raises(ValueError, match="lag"):
        lag_autocorrelation(np.arange(5.0), 4)


def test_lag_autocorrelation_is_pandas_autocorr():
    e = signals.ar1_noise(500, 1.0, seed=1, ar1=0.3)
    for lag in (1, 2, 5):
        np.testing.assert_allclose(lag_autocorrelation(e, lag), pd.Series(e).autocorr(lag))
