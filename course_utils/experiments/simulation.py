"""Simulation: BOLD responses, noisy voxels and simulated subjects with a known truth.

Everything the early notebooks simulate comes from here, so the truth behind every number is
known and every function is seeded (a ``seed`` or a :class:`numpy.random.Generator`).

Conventions
-----------
- **Amplitude is percent signal change.** :func:`canonical_hrf` scales nilearn's Glover HRF so
  its peak is 1; a brief event of amplitude ``a`` therefore raises the signal by ``a`` % at the
  peak of its response, about 5 s after the event.
- **Causal convolution.** A response starts at its event and never before it:
  ``np.convolve(x, hrf)[:n]``, never ``mode="same"`` (which centres the kernel and moves the
  response earlier in time).
- **Fine time grid.** Responses are built on a grid of ``dt`` = 0.1 s and sampled at the scan
  times. nilearn's ``glover_hrf`` sampled directly at the TR peaks late (7.2 s at TR = 2.4 s)
  because its first sample is one step after the onset.
- **Normal populations are written N(mean, sd)** in code: ``sd`` is a standard deviation. (The
  notebooks' formulas write the variance, as in $\\mathcal{N}(\\mu, \\sigma^2)$, and say so.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Time step (s) of the fine grid on which responses are built.
FINE_DT = 0.1

#: Where the canonical HRF must peak (s): 5 +/- 0.5 s after a brief event.
HRF_PEAK_RANGE = (4.5, 5.5)

__all__ = [
    "FINE_DT",
    "HRF_PEAK_RANGE",
    "FirstLevelSimulation",
    "SimulatedSubject",
    "ar1_covariance",
    "ar1_noise",
    "canonical_hrf",
    "convolve_causal",
    "double_gamma_hrf",
    "event_regressor",
    "simulate_first_level",
    "simulate_paired",
    "simulate_subject_4d",
    "simulate_subject_betas",
    "simulate_timeseries",
    "simulate_two_groups",
    "trial_onsets",
]


# --- Arguments ------------------------------------------------------------------------------------


def _rng(rng: int | np.random.Generator | None, name: str = "rng") -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(
            f"{name} must be an int seed or a numpy.random.Generator; got {rng!r}. "
            "Pass e.g. np.random.default_rng(0) or 0."
        )
    return np.random.default_rng(int(rng))


def _positive(value: float, name: str, allow_zero: bool = False) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}; got {value}.")
    return value


def _count(value: int, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _ar_coefficient(ar1: float) -> float:
    ar1 = float(ar1)
    if not -1 < ar1 < 1:
        raise ValueError(
            f"ar1 must lie strictly between -1 and 1 for stationary noise; got {ar1}. "
            "Typical fMRI values are 0.1-0.4; use 0 for white noise."
        )
    return ar1


# --- The HRF and convolution ------------------------------------------------------------------


def canonical_hrf(dt: float = FINE_DT, time_length: float = 32.0) -> tuple[np.ndarray, np.ndarray]:
    """The canonical (Glover) HRF on a fine grid, scaled so that its peak is 1.

    nilearn's ``glover_hrf`` is normalised to sum to 1, so its height depends on the sampling
    step; dividing by the maximum gives it a unit: a brief event of amplitude ``a`` convolved
    with this HRF peaks at ``a`` percent signal change.

    Parameters
    ----------
    dt : float
        Sampling step in seconds (default 0.1 s). Must be at most 0.5 s so the peak is resolved.
    time_length : float
        Length of the HRF in seconds (default 32 s).

    Returns
    -------
    times : numpy.ndarray
        Sample times in seconds after the event, ``0, dt, 2 dt, ...``.
    hrf : numpy.ndarray
        HRF values, maximum exactly 1.

    Raises
    ------
    ValueError
        If ``dt`` is not in (0, 0.5] or ``time_length`` is shorter than 15 s.
    RuntimeError
        If the peak falls outside :data:`HRF_PEAK_RANGE` (a check against a changed nilearn).

    See Also
    --------
    nilearn.glm.first_level.glover_hrf : the unscaled HRF.

    Examples
    --------
    >>> times, hrf = canonical_hrf()
    >>> float(hrf.max()), round(float(times[np.argmax(hrf)]), 1)
    (1.0, 5.1)
    """
    from nilearn.glm.first_level import glover_hrf

    dt = _positive(dt, "dt")
    if dt > 0.5:
        raise ValueError(
            f"dt must be at most 0.5 s to resolve the HRF peak; got {dt}. "
            f"Use the default {FINE_DT} s."
        )
    time_length = _positive(time_length, "time_length")
    if time_length < 15:
        raise ValueError(
            f"time_length must be at least 15 s (the HRF lasts ~25 s); got {time_length}."
        )
    hrf = np.asarray(glover_hrf(t_r=dt, oversampling=1, time_length=time_length), dtype=float)
    hrf = hrf / hrf.max()
    times = np.arange(hrf.size) * dt
    peak = times[np.argmax(hrf)]
    if not HRF_PEAK_RANGE[0] <= peak <= HRF_PEAK_RANGE[1]:
        raise RuntimeError(f"the canonical HRF peaks at {peak:.2f} s, outside {HRF_PEAK_RANGE}.")
    return times, hrf


def double_gamma_hrf(
    times,
    *,
    delay: float = 6.0,
    undershoot: float = 12.0,
    dispersion: float = 0.9,
    u_dispersion: float = 0.9,
    ratio: float = 0.48,
) -> np.ndarray:
    """A difference-of-gammas HRF with explicit parameters, scaled so that its peak is 1.

    ``h(t) = g(t; delay/dispersion, dispersion) - ratio * g(t; undershoot/u_dispersion,
    u_dispersion)``, where ``g(t; a, s)`` is the gamma density with shape ``a`` and scale ``s``
    (mean ``a * s``). The defaults are the Glover parameters of nilearn 0.14's ``glover_hrf``;
    changing them shows what each one does to the shape.

    Parameters
    ----------
    times : array-like
        Times after the event (s); the response is 0 at and before time 0.
    delay : float
        Sets when the positive response peaks (s); the peak of the first gamma density is at
        ``delay - dispersion``.
    undershoot : float
        Sets when the undershoot is deepest (s).
    dispersion, u_dispersion : float
        Widths (scale parameters, s) of the response and of the undershoot.
    ratio : float
        Size of the undershoot relative to the response, >= 0.

    Returns
    -------
    numpy.ndarray
        The HRF at ``times``, divided by its maximum over ``times``.

    Raises
    ------
    ValueError
        If a time parameter is not positive, ``ratio`` is negative, or the response has no
        positive value at ``times``.

    See Also
    --------
    canonical_hrf : nilearn's Glover HRF on a fine grid.

    Examples
    --------
    >>> t = np.arange(0, 32, 0.1)
    >>> peak = lambda h: round(float(t[np.argmax(h)]), 1)
    >>> peak(double_gamma_hrf(t)), peak(double_gamma_hrf(t, delay=8.0))
    (5.0, 6.7)
    """
    from scipy.stats import gamma

    times = np.asarray(times, dtype=float)
    for name, value in [
        ("delay", delay),
        ("undershoot", undershoot),
        ("dispersion", dispersion),
        ("u_dispersion", u_dispersion),
    ]:
        _positive(value, name)
    ratio = _positive(ratio, "ratio", allow_zero=True)
    hrf = gamma.pdf(times, delay / dispersion, scale=dispersion) - ratio * gamma.pdf(
        times, undershoot / u_dispersion, scale=u_dispersion
    )
    if times.size == 0 or not np.any(hrf > 0):
        raise ValueError(
            "the HRF has no positive value at these times; give times covering the "
            "response, e.g. np.arange(0, 32, 0.1)."
        )
    return hrf / hrf.max()


def convolve_causal(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Causal convolution along the last axis: output sample ``t`` uses inputs at or before ``t``.

    This is ``np.convolve(x, kernel)[:n]`` for every row of ``x``: the response to an input at
    time ``t0`` starts at ``t0`` and never earlier. (``np.convolve(..., mode="same")`` centres
    the kernel instead and shifts responses earlier by half the kernel's length.)

    Parameters
    ----------
    x : array-like, shape (..., n)
        Input time series (an event train), one per row.
    kernel : array-like, shape (m,)
        The impulse response (the HRF), sampled on the same grid as ``x``.

    Returns
    -------
    numpy.ndarray, shape (..., n)

    Raises
    ------
    ValueError
        If ``kernel`` is not one-dimensional or either input is empty.

    Examples
    --------
    >>> convolve_causal([0, 1, 0, 0, 0], [1.0, 0.5, 0.25])
    array([0.  , 1.  , 0.5 , 0.25, 0.  ])
    """
    from scipy.signal import lfilter

    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 1 or kernel.size == 0:
        raise ValueError(f"kernel must be a non-empty 1-D array; got shape {kernel.shape}.")
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x must have at least one sample along its last axis; got {x.shape}.")
    if x.ndim == 1:
        return np.convolve(x, kernel)[: x.size]
    # the same causal FIR filter, for all rows at once
    return lfilter(kernel, [1.0], x, axis=-1)


def trial_onsets(n_tr: int, n_trials: int, t_r: float) -> np.ndarray:
    """Onsets (s) of ``n_trials`` events spread evenly over a run of ``n_tr`` scans.

    The first event comes a quarter of a spacing after the start, so the run starts at rest.

    Examples
    --------
    >>> trial_onsets(100, 4, 2.0)
    array([ 12.5,  62.5, 112.5, 162.5])
    """
    n_tr, n_trials = _count(n_tr, "n_tr"), _count(n_trials, "n_trials")
    t_r = _positive(t_r, "t_r")
    spacing = n_tr * t_r / n_trials
    return np.round((np.arange(n_trials) + 0.25) * spacing / FINE_DT) * FINE_DT


def event_regressor(onsets, n_tr: int, t_r: float, durations=0.0) -> np.ndarray:
    """Predicted response (percent signal change per unit amplitude) sampled at the scans.

    Events (duration 0) are unit impulses on a fine grid; an event with a duration is a train of
    impulses one every second, so a block's response grows with its length. The train is
    convolved causally with :func:`canonical_hrf` and read at the scan times ``0, t_r, ...``.

    Parameters
    ----------
    onsets : array-like
        Event onsets in seconds, within the run.
    n_tr : int
        Number of scans.
    t_r : float
        Repetition time in seconds.
    durations : float or array-like
        Event durations in seconds (0 for brief events).

    Returns
    -------
    numpy.ndarray, shape (n_tr,)

    Raises
    ------
    ValueError
        If an onset lies outside the run or a duration is negative.

    Examples
    --------
    >>> x = event_regressor([10.0], n_tr=20, t_r=1.0)
    >>> int(np.argmax(x)), float(x.max().round(2))  # peaks ~5 s after the event at 10 s
    (15, 1.0)
    """
    n_tr, t_r = _count(n_tr, "n_tr"), _positive(t_r, "t_r")
    onsets = np.atleast_1d(np.asarray(onsets, dtype=float))
    durations = np.broadcast_to(np.asarray(durations, dtype=float), onsets.shape)
    run_length = n_tr * t_r
    if np.any((onsets < 0) | (onsets >= run_length)) or not np.all(np.isfinite(onsets)):
        raise ValueError(f"onsets must lie in [0, {run_length}) s (n_tr * t_r); got {onsets}.")
    if np.any(durations < 0):
        raise ValueError(f"durations must be >= 0 s; got {durations}.")
    steps_per_scan = int(round(t_r / FINE_DT))
    if not np.isclose(steps_per_scan * FINE_DT, t_r):
        raise ValueError(f"t_r must be a multiple of {FINE_DT} s; got {t_r}.")
    n_fine = n_tr * steps_per_scan
    train = np.zeros(n_fine)
    per_second = int(round(1.0 / FINE_DT))
    for onset, duration in zip(onsets, durations, strict=True):
        start = int(round(onset / FINE_DT))
        if duration == 0:
            train[start] += 1.0
        else:
            stop = min(start + int(round(duration / FINE_DT)), n_fine)
            train[start:stop:per_second] += 1.0
    _, hrf = canonical_hrf()
    fine = convolve_causal(train, hrf)
    return fine[::steps_per_scan]


# --- Noise ------------------------------------------------------------------------------------


def ar1_noise(
    n: int, sigma, rng: int | np.random.Generator, ar1: float = 0.0, size: tuple[int, ...] = ()
) -> np.ndarray:
    """Stationary Gaussian AR(1) noise with standard deviation ``sigma``.

    ``e[0] ~ N(0, sigma)`` and ``e[t] = ar1 * e[t-1] + sqrt(1 - ar1**2) * sigma * z[t]``, so
    every sample has standard deviation ``sigma`` and neighbours correlate by ``ar1``
    (``ar1 = 0`` gives white noise).

    Parameters
    ----------
    n : int
        Number of time points.
    sigma : float or array-like
        Standard deviation of the noise; an array broadcasts against ``size``.
    rng : int or numpy.random.Generator
        Seed or generator.
    ar1 : float
        Lag-1 autocorrelation, in (-1, 1).
    size : tuple of int
        Leading shape: the result has shape ``size + (n,)``.

    Returns
    -------
    numpy.ndarray, shape ``size + (n,)``

    Raises
    ------
    ValueError
        If ``ar1`` is outside (-1, 1) or ``sigma`` is negative.

    Examples
    --------
    >>> e = ar1_noise(20_000, sigma=2.0, rng=0, ar1=0.5)
    >>> round(float(e.std()), 1), round(float(np.corrcoef(e[:-1], e[1:])[0, 1]), 1)
    (2.0, 0.5)
    """
    n = _count(n, "n")
    rng = _rng(rng)
    ar1 = _ar_coefficient(ar1)
    sigma = np.asarray(sigma, dtype=float)
    if np.any(~np.isfinite(sigma)) or np.any(sigma < 0):
        raise ValueError(f"sigma must be finite and >= 0; got {sigma}.")
    size = tuple(size)
    z = rng.standard_normal(size + (n,))
    if ar1 != 0.0:
        from scipy.signal import lfilter

        z[..., 1:] *= np.sqrt(1.0 - ar1**2)
        z = lfilter([1.0], [1.0, -ar1], z, axis=-1)
    return z * sigma[..., None] if sigma.ndim else z * sigma


def ar1_covariance(n: int, sigma: float = 1.0, ar1: float = 0.0) -> np.ndarray:
    """Covariance matrix of the noise that :func:`ar1_noise` draws: ``sigma**2 * ar1**|i - j|``.

    Samples ``k`` scans apart correlate by ``ar1**k``; every sample has variance ``sigma**2``.
    With it, the exact variance of a least-squares estimate under AR(1) noise is
    ``B V B'`` with ``B = pinv(X)``, and ``inv(cholesky(V))`` prewhitens the data.

    Parameters
    ----------
    n : int
        Number of time points.
    sigma : float
        Standard deviation of each sample.
    ar1 : float
        Lag-1 autocorrelation, in (-1, 1); 0 gives ``sigma**2`` times the identity.

    Returns
    -------
    numpy.ndarray, shape (n, n)

    Raises
    ------
    ValueError
        If ``ar1`` is outside (-1, 1) or ``sigma`` is negative.

    See Also
    --------
    ar1_noise : draws noise with this covariance.
    statsmodels.tsa.arima_process.ArmaProcess.acovf : the same autocovariances.

    Examples
    --------
    >>> ar1_covariance(3, sigma=2.0, ar1=0.5)
    array([[4., 2., 1.],
           [2., 4., 2.],
           [1., 2., 4.]])
    """
    from scipy.linalg import toeplitz

    n = _count(n, "n")
    sigma = _positive(sigma, "sigma", allow_zero=True)
    ar1 = _ar_coefficient(ar1)
    return sigma**2 * toeplitz(ar1 ** np.arange(n, dtype=float))


def simulate_timeseries(
    n_tr: int, n_trials: int, amplitude, t_r: float, sigma, rng, ar1: float = 0.0
) -> np.ndarray:
    """One voxel's time series (percent signal change): evenly spaced events plus noise.

    The signal is ``amplitude * event_regressor(trial_onsets(n_tr, n_trials, t_r), n_tr, t_r)``;
    Gaussian noise of standard deviation ``sigma`` (white, or AR(1) with ``ar1``) is added.

    Parameters
    ----------
    n_tr : int
        Number of scans.
    n_trials : int
        Number of brief events, spread evenly (see :func:`trial_onsets`).
    amplitude : float or array-like
        Peak response to one event, percent signal change. An array of shape ``(k,)`` gives
        ``k`` time series (one row each), e.g. one per subject.
    t_r : float
        Repetition time (s), a multiple of 0.1 s.
    sigma : float or array-like
        Noise standard deviation (percent signal change); 0 gives the noise-free signal.
    rng : int or numpy.random.Generator
        Seed or generator.
    ar1 : float
        Lag-1 autocorrelation of the noise (0 = white).

    Returns
    -------
    numpy.ndarray, shape (n_tr,) or (k, n_tr)

    Examples
    --------
    >>> y = simulate_timeseries(100, 4, amplitude=2.0, t_r=2.0, sigma=0.0, rng=0)
    >>> y.shape, float(y.max().round(1))
    ((100,), 2.0)
    """
    rng = _rng(rng)
    regressor = event_regressor(trial_onsets(n_tr, n_trials, t_r), n_tr, t_r)
    amplitude = np.asarray(amplitude, dtype=float)
    if amplitude.ndim > 1 or not np.all(np.isfinite(amplitude)):
        raise ValueError(
            "amplitude must be a finite number or a 1-D array of them; "
            f"got shape {amplitude.shape}."
        )
    signal = amplitude[..., None] * regressor if amplitude.ndim else amplitude * regressor
    noise = ar1_noise(n_tr, sigma, rng, ar1=ar1, size=signal.shape[:-1])
    return signal + noise


# --- Many subjects ----------------------------------------------------------------------------


def simulate_subject_betas(n_subjects: int, mean: float, sd: float, rng) -> np.ndarray:
    """True subject effects drawn from a normal population N(mean, sd), ``sd`` a standard deviation.

    Examples
    --------
    >>> b = simulate_subject_betas(50_000, mean=1.0, sd=0.5, rng=0)
    >>> round(float(b.mean()), 2), round(float(b.std()), 2)
    (1.0, 0.5)
    """
    n_subjects = _count(n_subjects, "n_subjects")
    sd = _positive(sd, "sd", allow_zero=True)
    if not np.isfinite(mean):
        raise ValueError(f"mean must be finite; got {mean}.")
    return _rng(rng).normal(float(mean), sd, n_subjects)


@dataclass(frozen=True)
class FirstLevelSimulation:
    """Simulated subjects and runs, each fitted by ordinary least squares.

    Attributes
    ----------
    true_betas : numpy.ndarray, shape (n_subjects,)
        Each subject's true response amplitude (percent signal change).
    estimates : numpy.ndarray, shape (n_subjects, n_runs)
        First-level OLS estimates of the amplitude, one per run.
    variances : numpy.ndarray, shape (n_subjects, n_runs)
        Their estimated sampling variances, ``sigma_hat**2 * (X'X)^-1``.
    df : int
        Residual degrees of freedom of each run's fit (``n_tr - 2``).
    design : numpy.ndarray, shape (n_tr, 2)
        The first-level design: an intercept and the predicted response.
    data : numpy.ndarray, shape (n_subjects, n_runs, n_tr)
        The simulated time series.
    """

    true_betas: np.ndarray
    estimates: np.ndarray
    variances: np.ndarray
    df: int
    design: np.ndarray
    data: np.ndarray

    @property
    def subject_estimates(self) -> np.ndarray:
        """Mean estimate of each subject over its runs, shape (n_subjects,)."""
        return self.estimates.mean(axis=1)


def simulate_first_level(
    n_subjects: int,
    rng,
    *,
    group_mean: float = 1.0,
    group_sd: float = 0.5,
    sigma=1.0,
    n_runs: int = 1,
    n_tr: int = 100,
    n_trials: int = 10,
    t_r: float = 2.0,
    ar1: float = 0.0,
) -> FirstLevelSimulation:
    """Simulate subjects' time series and fit each run's first-level model.

    Each subject's true amplitude is drawn from N(group_mean, group_sd); each run adds its own
    noise (standard deviation ``sigma``, which may differ per subject) to the same response.
    All runs of all subjects are fitted at once with one least-squares solve.

    Parameters
    ----------
    n_subjects : int
        Number of subjects.
    rng : int or numpy.random.Generator
        Seed or generator.
    group_mean, group_sd : float
        Population mean and standard deviation of the true amplitudes.
    sigma : float or array-like of shape (n_subjects,)
        Standard deviation of the scan-to-scan noise of each subject.
    n_runs, n_tr, n_trials, t_r, ar1 :
        Runs per subject, scans per run, events per run, TR (s), noise autocorrelation.

    Returns
    -------
    FirstLevelSimulation

    Raises
    ------
    ValueError
        If ``sigma`` has the wrong shape, or any count or scale is invalid.

    Examples
    --------
    >>> sim = simulate_first_level(4, rng=0, n_runs=2)
    >>> sim.estimates.shape, sim.variances.shape, sim.df
    ((4, 2), (4, 2), 98)
    """
    rng = _rng(rng)
    n_subjects, n_runs = _count(n_subjects, "n_subjects"), _count(n_runs, "n_runs")
    n_tr = _count(n_tr, "n_tr", minimum=3)
    sigma = np.asarray(sigma, dtype=float)
    if sigma.ndim and sigma.shape != (n_subjects,):
        raise ValueError(
            f"sigma must be a number or an array of shape ({n_subjects},), one per "
            f"subject; got shape {sigma.shape}."
        )
    if np.any(~np.isfinite(sigma)) or np.any(sigma <= 0):
        raise ValueError("sigma must be > 0: a noise-free run has no first-level variance.")
    true = simulate_subject_betas(n_subjects, group_mean, group_sd, rng)
    regressor = event_regressor(trial_onsets(n_tr, n_trials, t_r), n_tr, t_r)
    design = np.column_stack([np.ones(n_tr), regressor])
    sigma_runs = np.broadcast_to(sigma[:, None] if sigma.ndim else sigma, (n_subjects, n_runs))
    noise = ar1_noise(n_tr, sigma_runs, rng, ar1=ar1, size=(n_subjects, n_runs))
    data = true[:, None, None] * regressor + noise
    # one solve for every run of every subject: columns of Y are runs
    y = data.reshape(-1, n_tr).T
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    df = n_tr - design.shape[1]
    resid = y - design @ coef
    sigma2 = np.einsum("ij,ij->j", resid, resid) / df
    unscaled = np.linalg.inv(design.T @ design)[1, 1]
    shape = (n_subjects, n_runs)
    return FirstLevelSimulation(
        true_betas=true,
        estimates=coef[1].reshape(shape),
        variances=(sigma2 * unscaled).reshape(shape),
        df=df,
        design=design,
        data=data,
    )


def simulate_two_groups(
    n1: int, n2: int, mean1: float, mean2: float, sd: float, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Subject estimates of two independent groups, N(mean1, sd) and N(mean2, sd).

    Examples
    --------
    >>> g1, g2 = simulate_two_groups(20, 10, 1.0, 0.0, 0.5, rng=0)
    >>> g1.shape, g2.shape
    ((20,), (10,))
    """
    rng = _rng(rng)
    return (simulate_subject_betas(n1, mean1, sd, rng), simulate_subject_betas(n2, mean2, sd, rng))


def simulate_paired(
    n_subjects: int, mean_a: float, mean_b: float, subject_sd: float, within_sd: float, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Two conditions measured in the same subjects.

    Each subject has its own offset, N(0, subject_sd), shared by both conditions; each
    measurement adds independent N(0, within_sd) noise. The paired differences are then
    N(mean_a - mean_b, sqrt(2) * within_sd): the subject offsets cancel.

    Returns
    -------
    a, b : numpy.ndarray, shape (n_subjects,)
        Condition A and B of the same subjects, in the same order.

    Examples
    --------
    >>> a, b = simulate_paired(40_000, 2.0, 1.0, subject_sd=3.0, within_sd=0.5, rng=0)
    >>> round(float((a - b).mean()), 2), round(float((a - b).std()), 2)
    (1.0, 0.71)
    """
    rng = _rng(rng)
    n_subjects = _count(n_subjects, "n_subjects")
    subject_sd = _positive(subject_sd, "subject_sd", allow_zero=True)
    within_sd = _positive(within_sd, "within_sd", allow_zero=True)
    offsets = rng.normal(0.0, subject_sd, n_subjects)
    a = mean_a + offsets + rng.normal(0.0, within_sd, n_subjects)
    b = mean_b + offsets + rng.normal(0.0, within_sd, n_subjects)
    return a, b


# --- A small 4D subject for the first-level demo ----------------------------------------------

#: Centres (MNI mm) and peak amplitudes (percent signal change) of the simulated effects.
_EFFECTS = {
    "visual": [((0.0, -88.0, 2.0), 2.0)],
    "auditory": [((-54.0, -20.0, 6.0), 1.5), ((54.0, -20.0, 6.0), 1.5)],
}
_MOTION = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"]


@dataclass(frozen=True)
class SimulatedSubject:
    """A small simulated fMRI run with a known truth.

    Attributes
    ----------
    img : nibabel.Nifti1Image
        4D float32 run (scanner units around a baseline of ~1000).
    mask_img : nibabel.Nifti1Image
        3D brain mask (uint8) on the same coarse grid.
    t_r : float
        Repetition time (s).
    events : pandas.DataFrame
        Columns ``onset``, ``duration``, ``trial_type`` (conditions ``visual``, ``auditory``).
    confounds : pandas.DataFrame
        Six motion-like parameters, one row per scan.
    true_betas : dict of str to nibabel.Nifti1Image
        Each condition's true effect map, percent signal change of a sustained block.
    design : pandas.DataFrame
        The design matrix that generated the data: conditions, motion, cosine drifts, constant.
    """

    img: object
    mask_img: object
    t_r: float
    events: pd.DataFrame
    confounds: pd.DataFrame
    true_betas: dict
    design: pd.DataFrame


def simulate_subject_4d(
    seed: int | np.random.Generator = 0,
    *,
    n_scans: int = 120,
    t_r: float = 2.4,
    voxel_size: float = 9.0,
    block_duration: float = 12.0,
    noise_sd: float = 0.5,
    ar1: float = 0.3,
) -> SimulatedSubject:
    """Simulate one subject's 4D run: two block conditions, drifts, motion and AR(1) noise.

    The brain mask is nilearn's packaged MNI152 brain mask resampled (nearest neighbour) to
    ``voxel_size`` mm. Blocks of ``visual`` and ``auditory`` stimulation alternate with rest.
    The design is built by nilearn (Glover HRF, cosine drifts, the motion parameters as
    confounds), so a ``FirstLevelModel`` with the default percent-signal scaling recovers
    ``true_betas`` in percent signal change. The visual effect sits in the occipital pole, the
    auditory effect in both superior temporal gyri (Gaussian blobs, standard deviation 15 mm).

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Seed or generator.
    n_scans : int
        Number of volumes (at least 40).
    t_r : float
        Repetition time (s).
    voxel_size : float
        Voxel size (mm) of the coarse grid, between 4 and 12.
    block_duration : float
        Length of each block (s); blocks and rest periods alternate.
    noise_sd : float
        Standard deviation of the noise, percent signal change.
    ar1 : float
        Lag-1 autocorrelation of the noise.

    Returns
    -------
    SimulatedSubject

    Raises
    ------
    ValueError
        If a size or scale is out of range.

    Examples
    --------
    >>> sub = simulate_subject_4d(seed=0)
    >>> sub.img.shape[3], sub.t_r, sorted(sub.true_betas)
    (120, 2.4, ['auditory', 'visual'])
    >>> sub.confounds.shape
    (120, 6)
    """
    import nibabel as nib
    from nilearn.datasets import load_mni152_brain_mask
    from nilearn.glm.first_level import make_first_level_design_matrix
    from nilearn.image import resample_img

    rng = _rng(seed, "seed")
    n_scans = _count(n_scans, "n_scans", minimum=40)
    t_r = _positive(t_r, "t_r")
    voxel_size = _positive(voxel_size, "voxel_size")
    if not 4 <= voxel_size <= 12:
        raise ValueError(
            f"voxel_size must be between 4 and 12 mm (small and quick); got {voxel_size}."
        )
    block_duration = _positive(block_duration, "block_duration")
    noise_sd = _positive(noise_sd, "noise_sd", allow_zero=True)
    ar1 = _ar_coefficient(ar1)

    mask = resample_img(
        load_mni152_brain_mask(resolution=3),
        target_affine=np.diag([voxel_size] * 3),
        interpolation="nearest",
        force_resample=True,
        copy_header=True,
    )
    inside = mask.get_fdata() > 0
    affine = mask.affine
    n_vox = int(inside.sum())
    coords = nib.affines.apply_affine(affine, np.argwhere(inside))

    # events: visual, rest, auditory, rest, ... until the run ends
    period = 2 * block_duration
    onsets = np.arange(block_duration / 2, n_scans * t_r - block_duration, period)
    if onsets.size < 2:
        raise ValueError(
            f"the run ({n_scans} scans of {t_r} s) is too short for two blocks of "
            f"{block_duration} s; add scans or shorten the blocks."
        )
    types = np.where(np.arange(onsets.size) % 2 == 0, "visual", "auditory")
    events = pd.DataFrame({"onset": onsets, "duration": block_duration, "trial_type": types})

    # motion-like confounds: smooth random walks (mm, and radians scaled to mm-like size)
    steps = rng.normal(0.0, 0.02, (n_scans, 6))
    motion = np.cumsum(steps, axis=0)
    motion -= motion.mean(axis=0)
    confounds = pd.DataFrame(motion, columns=_MOTION)

    frame_times = np.arange(n_scans) * t_r
    design = make_first_level_design_matrix(
        frame_times,
        events,
        hrf_model="glover",
        drift_model="cosine",
        high_pass=0.01,
        add_regs=motion,
        add_reg_names=_MOTION,
    )

    # coefficients per voxel, in percent signal change
    coefs = pd.DataFrame(0.0, index=range(n_vox), columns=design.columns)
    true_maps = {}
    for condition, blobs in _EFFECTS.items():
        effect = np.zeros(n_vox)
        for centre, peak in blobs:
            dist2 = ((coords - np.asarray(centre)) ** 2).sum(axis=1)
            effect += peak * np.exp(-dist2 / (2 * 15.0**2))
        coefs[condition] = effect
        volume = np.zeros(inside.shape, dtype=np.float32)
        volume[inside] = effect
        true_maps[condition] = nib.Nifti1Image(volume, affine)
    drifts = [c for c in design.columns if c.startswith("drift")]
    coefs[drifts] = rng.normal(0.0, 1.0, (n_vox, len(drifts)))
    coefs[_MOTION] = rng.normal(0.0, 2.0, (n_vox, 6))

    percent = design.to_numpy() @ coefs.to_numpy().T  # (n_scans, n_vox), constant column is 0
    percent += ar1_noise(n_scans, noise_sd, rng, ar1=ar1, size=(n_vox,)).T
    baseline = rng.uniform(800.0, 1200.0, n_vox)
    data = np.zeros(inside.shape + (n_scans,), dtype=np.float32)
    data[inside] = (baseline * (1.0 + percent / 100.0)).T
    img = nib.Nifti1Image(data, affine)
    img.header.set_xyzt_units("mm", "sec")
    img.header["pixdim"][4] = t_r
    mask_img = nib.Nifti1Image(inside.astype(np.uint8), affine)
    return SimulatedSubject(
        img=img,
        mask_img=mask_img,
        t_r=t_r,
        events=events,
        confounds=confounds,
        true_betas=true_maps,
        design=design,
    )
