"""Signals: the HRF, event regressors and the noise of one voxel's time series.

The BOLD response of a voxel is built here, so that the truth behind every simulated number is
known; every random draw is seeded (a keyword-only ``seed``: an int or a
:class:`numpy.random.Generator`).

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

from typing import TYPE_CHECKING

import numpy as np

from course_utils._utils import as_generator, check_count, check_positive

if TYPE_CHECKING:
    import numpy.typing as npt

#: Time step (s) of the fine grid on which responses are built.
FINE_DT = 0.1

#: Where the canonical HRF must peak (s): 5 +/- 0.5 s after a brief event.
HRF_PEAK_RANGE = (4.5, 5.5)

__all__ = [
    "ar_coefficient",
    "FINE_DT",
    "HRF_PEAK_RANGE",
    "ar1_covariance",
    "ar1_noise",
    "canonical_hrf",
    "convolve_causal",
    "double_gamma_hrf",
    "event_regressor",
    "jittered_onsets",
    "simulate_timeseries",
    "trial_onsets",
]


# --- The HRF and convolution ------------------------------------------------------------------


def ar_coefficient(ar1: float) -> float:
    """The lag-1 autocorrelation ``ar1`` as a float, strictly between -1 and 1.

    Parameters
    ----------
    ar1 : float
        Lag-1 autocorrelation of AR(1) noise.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``ar1`` is outside (-1, 1): the noise would not be stationary.

    Examples
    --------
    >>> ar_coefficient(0.3)
    0.3
    """
    ar1 = float(ar1)
    if not -1 < ar1 < 1:
        raise ValueError(
            f"ar1 must lie strictly between -1 and 1 for stationary noise; got {ar1}. "
            "Typical fMRI values are 0.1-0.4; use 0 for white noise."
        )
    return ar1


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

    dt = check_positive(dt, "dt")
    if dt > 0.5:
        raise ValueError(
            f"dt must be at most 0.5 s to resolve the HRF peak; got {dt}. "
            f"Use the default {FINE_DT} s."
        )
    time_length = check_positive(time_length, "time_length")
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
    times: npt.ArrayLike,
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
        check_positive(value, name)
    ratio = check_positive(ratio, "ratio", allow_zero=True)
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
    Onsets are rounded to the 0.1 s grid (:data:`FINE_DT`).

    Parameters
    ----------
    n_tr : int
        Number of scans.
    n_trials : int
        Number of events.
    t_r : float
        Repetition time (s).

    Returns
    -------
    numpy.ndarray, shape (n_trials,)
        Onsets in seconds.

    Raises
    ------
    ValueError
        If a count is not a positive integer or ``t_r`` is not positive.

    Examples
    --------
    >>> trial_onsets(100, 4, 2.0)
    array([ 12.5,  62.5, 112.5, 162.5])
    """
    n_tr, n_trials = check_count(n_tr, "n_tr"), check_count(n_trials, "n_trials")
    t_r = check_positive(t_r, "t_r")
    spacing = n_tr * t_r / n_trials
    return np.round((np.arange(n_trials) + 0.25) * spacing / FINE_DT) * FINE_DT


def event_regressor(
    onsets: npt.ArrayLike, n_tr: int, t_r: float, durations: npt.ArrayLike = 0.0
) -> np.ndarray:
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
    n_tr, t_r = check_count(n_tr, "n_tr"), check_positive(t_r, "t_r")
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


def jittered_onsets(
    run_length: float,
    isi: tuple[float, float] = (2.0, 6.0),
    *,
    seed: int | np.random.Generator,
    first: float = 10.0,
    end_rest: float = 20.0,
) -> np.ndarray:
    """Onsets (s) of brief events with random gaps, as in a rapid event-related design.

    The gaps between onsets (inter-stimulus intervals) are drawn uniformly from ``isi``; the
    first event comes at ``first`` and the last at least ``end_rest`` before the run ends, so
    the last response is seen. Onsets are rounded to the 0.1 s grid (:data:`FINE_DT`).

    Parameters
    ----------
    run_length : float
        Length of the run (s), e.g. ``n_tr * t_r``.
    isi : tuple of float
        Shortest and longest gap between two onsets (s).
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    first, end_rest : float
        Onset of the first event, and rest after the last one (s).

    Returns
    -------
    numpy.ndarray
        Increasing onsets in seconds.

    Raises
    ------
    ValueError
        If ``isi`` is not two positive numbers in order, or the run has no room for an event.

    Examples
    --------
    >>> onsets = jittered_onsets(60.0, seed=0)
    >>> onsets[0], bool(np.all(np.diff(onsets) >= 2.0)), bool(onsets[-1] <= 40.0)
    (np.float64(10.0), True, True)
    """
    low, high = (check_positive(v, "isi") for v in isi)
    if high < low:
        raise ValueError(f"isi must be (shortest, longest) gap in s; got {isi}.")
    last = check_positive(run_length, "run_length") - end_rest
    if not 0 <= first <= last:
        raise ValueError(
            f"no room for events: first={first} s must lie in [0, run_length - end_rest] = "
            f"[0, {last}] s. Lengthen the run or shorten end_rest."
        )
    gaps = as_generator(seed).uniform(low, high, size=int(np.ceil((last - first) / low)) + 1)
    onsets = first + np.concatenate([[0.0], np.cumsum(gaps)])
    return np.round(onsets[onsets <= last] / FINE_DT) * FINE_DT


# --- Noise ------------------------------------------------------------------------------------


def ar1_noise(
    n: int,
    sigma: npt.ArrayLike,
    *,
    seed: int | np.random.Generator,
    ar1: float = 0.0,
    size: tuple[int, ...] = (),
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
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
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
    >>> e = ar1_noise(20_000, sigma=2.0, seed=0, ar1=0.5)
    >>> round(float(e.std()), 1), round(float(np.corrcoef(e[:-1], e[1:])[0, 1]), 1)
    (2.0, 0.5)
    """
    n = check_count(n, "n")
    rng = as_generator(seed)
    ar1 = ar_coefficient(ar1)
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

    n = check_count(n, "n")
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    ar1 = ar_coefficient(ar1)
    return sigma**2 * toeplitz(ar1 ** np.arange(n, dtype=float))


def simulate_timeseries(
    n_tr: int,
    n_trials: int,
    amplitude: npt.ArrayLike,
    t_r: float,
    sigma: npt.ArrayLike,
    *,
    seed: int | np.random.Generator,
    ar1: float = 0.0,
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
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    ar1 : float
        Lag-1 autocorrelation of the noise (0 = white).

    Returns
    -------
    numpy.ndarray, shape (n_tr,) or (k, n_tr)

    Examples
    --------
    >>> y = simulate_timeseries(100, 4, amplitude=2.0, t_r=2.0, sigma=0.0, seed=0)
    >>> y.shape, float(y.max().round(1))
    ((100,), 2.0)
    """
    rng = as_generator(seed)
    regressor = event_regressor(trial_onsets(n_tr, n_trials, t_r), n_tr, t_r)
    amplitude = np.asarray(amplitude, dtype=float)
    if amplitude.ndim > 1 or not np.all(np.isfinite(amplitude)):
        raise ValueError(
            "amplitude must be a finite number or a 1-D array of them; "
            f"got shape {amplitude.shape}."
        )
    signal = amplitude[..., None] * regressor if amplitude.ndim else amplitude * regressor
    noise = ar1_noise(n_tr, sigma, seed=rng, ar1=ar1, size=signal.shape[:-1])
    return signal + noise
