"""Simulated subjects and studies: true effects drawn from a population, and their estimates.

The two levels of a group analysis with a known truth: each subject's true amplitude is drawn
from a normal population N(mean, sd) (``sd`` a standard deviation), and each run adds
first-level noise to the response of :mod:`course_utils.experiments.signals`. Every function is
seeded by a keyword-only ``seed`` (an int or a :class:`numpy.random.Generator`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from course_utils._utils import as_generator, check_count, check_positive
from course_utils.experiments import signals
from course_utils.stats import mixed

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "FirstLevelSimulation",
    "simulate_first_level",
    "simulate_paired",
    "simulate_subject_betas",
    "simulate_two_groups",
    "typical_study",
]


def simulate_subject_betas(
    n_subjects: int, mean: float, sd: float, *, seed: int | np.random.Generator
) -> np.ndarray:
    """True subject effects drawn from a normal population N(mean, sd), ``sd`` a standard deviation.

    Parameters
    ----------
    n_subjects : int
        Number of subjects.
    mean : float
        Population mean (percent signal change).
    sd : float
        Population standard deviation (not the variance), >= 0.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).

    Returns
    -------
    numpy.ndarray, shape (n_subjects,)

    Raises
    ------
    ValueError
        If ``n_subjects`` is not a positive integer, ``sd`` is negative or ``mean`` not finite.

    Examples
    --------
    >>> b = simulate_subject_betas(50_000, mean=1.0, sd=0.5, seed=0)
    >>> round(float(b.mean()), 2), round(float(b.std()), 2)
    (1.0, 0.5)
    """
    n_subjects = check_count(n_subjects, "n_subjects")
    sd = check_positive(sd, "sd", allow_zero=True)
    if not np.isfinite(mean):
        raise ValueError(f"mean must be finite; got {mean}.")
    return as_generator(seed).normal(float(mean), sd, n_subjects)


@dataclass(frozen=True)
class FirstLevelSimulation:
    """Simulated subjects and runs, each fitted by ordinary least squares.

    What :func:`simulate_first_level` returns.

    Parameters
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

    Examples
    --------
    >>> sim = simulate_first_level(3, seed=0, n_runs=2)
    >>> isinstance(sim, FirstLevelSimulation), sim.subject_estimates.shape
    (True, (3,))
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
    *,
    seed: int | np.random.Generator,
    group_mean: float = 1.0,
    group_sd: float = 0.5,
    sigma: npt.ArrayLike = 1.0,
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
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
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
    >>> sim = simulate_first_level(4, seed=0, n_runs=2)
    >>> sim.estimates.shape, sim.variances.shape, sim.df
    ((4, 2), (4, 2), 98)
    """
    rng = as_generator(seed)
    n_subjects, n_runs = check_count(n_subjects, "n_subjects"), check_count(n_runs, "n_runs")
    n_tr = check_count(n_tr, "n_tr", minimum=3)
    sigma = np.asarray(sigma, dtype=float)
    if sigma.ndim and sigma.shape != (n_subjects,):
        raise ValueError(
            f"sigma must be a number or an array of shape ({n_subjects},), one per "
            f"subject; got shape {sigma.shape}."
        )
    if np.any(~np.isfinite(sigma)) or np.any(sigma <= 0):
        raise ValueError("sigma must be > 0: a noise-free run has no first-level variance.")
    true = simulate_subject_betas(n_subjects, group_mean, group_sd, seed=rng)
    onsets = signals.trial_onsets(n_tr, n_trials, t_r)
    regressor = signals.event_regressor(onsets, n_tr, t_r)
    design = np.column_stack([np.ones(n_tr), regressor])
    sigma_runs = np.broadcast_to(sigma[:, None] if sigma.ndim else sigma, (n_subjects, n_runs))
    noise = signals.ar1_noise(n_tr, sigma_runs, seed=rng, ar1=ar1, size=(n_subjects, n_runs))
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


def typical_study(
    n_subjects: int,
    n_studies: int = 200,
    *,
    seed: int | np.random.Generator,
    sigma: npt.ArrayLike = 1.0,
    **kwargs: float,
) -> FirstLevelSimulation:
    """Simulate many studies and return the one whose DerSimonian-Laird ``tau^2`` is typical.

    A single simulated study may be an unlucky draw. This one simulates ``n_studies`` studies
    of ``n_subjects`` subjects with :func:`simulate_first_level` (the same ``sigma`` pattern in
    each) and returns the study whose DL estimate of ``tau^2`` (first run of each subject) lies
    closest to the median over all of them, so an illustration shows what usually happens.

    Parameters
    ----------
    n_subjects : int
        Subjects per study.
    n_studies : int, default 200
        Studies simulated to find the median.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    sigma : float or array-like of shape (n_subjects,)
        Noise standard deviation of each subject, as in :func:`simulate_first_level`.
    **kwargs
        Other arguments of :func:`simulate_first_level` (``group_mean``, ``group_sd``, ...).

    Returns
    -------
    FirstLevelSimulation
        The chosen study: ``n_subjects`` subjects.

    Examples
    --------
    >>> sim = typical_study(10, 50, seed=0)
    >>> sim.estimates.shape
    (10, 1)
    """
    n_subjects, n_studies = (
        check_count(n_subjects, "n_subjects"),
        check_count(n_studies, "n_studies"),
    )
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), (n_subjects,))
    sim = simulate_first_level(
        n_subjects * n_studies, seed=seed, sigma=np.tile(sigma, n_studies), **kwargs
    )
    b = sim.estimates[:, 0].reshape(n_studies, n_subjects).T
    v = sim.variances[:, 0].reshape(n_studies, n_subjects).T
    tau2 = mixed.random_effects(b, v).tau2
    pick = int(np.argmin(np.abs(tau2 - np.median(tau2))))
    rows = slice(pick * n_subjects, (pick + 1) * n_subjects)
    return replace(
        sim,
        true_betas=sim.true_betas[rows],
        estimates=sim.estimates[rows],
        variances=sim.variances[rows],
        data=sim.data[rows],
    )


def simulate_two_groups(
    n1: int,
    n2: int,
    mean1: float,
    mean2: float,
    sd: float,
    *,
    seed: int | np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Subject estimates of two independent groups, N(mean1, sd) and N(mean2, sd).

    Parameters
    ----------
    n1, n2 : int
        Subjects in each group.
    mean1, mean2 : float
        Population means of the groups.
    sd : float
        Population standard deviation, shared by both groups, >= 0.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only); group 1 is drawn first.

    Returns
    -------
    g1, g2 : numpy.ndarray, shapes (n1,) and (n2,)

    Raises
    ------
    ValueError
        If a count is not a positive integer or ``sd`` is negative.

    Examples
    --------
    >>> g1, g2 = simulate_two_groups(20, 10, 1.0, 0.0, 0.5, seed=0)
    >>> g1.shape, g2.shape
    ((20,), (10,))
    """
    rng = as_generator(seed)
    return (
        simulate_subject_betas(n1, mean1, sd, seed=rng),
        simulate_subject_betas(n2, mean2, sd, seed=rng),
    )


def simulate_paired(
    n_subjects: int,
    mean_a: float,
    mean_b: float,
    subject_sd: float,
    within_sd: float,
    *,
    seed: int | np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Two conditions measured in the same subjects.

    Each subject has its own offset, N(0, subject_sd), shared by both conditions; each
    measurement adds independent N(0, within_sd) noise. The paired differences are then
    N(mean_a - mean_b, sqrt(2) * within_sd): the subject offsets cancel.

    Parameters
    ----------
    n_subjects : int
        Number of subjects.
    mean_a, mean_b : float
        Population means of conditions A and B.
    subject_sd : float
        Standard deviation of the subject offsets, >= 0.
    within_sd : float
        Standard deviation of each measurement's noise, >= 0.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).

    Returns
    -------
    a, b : numpy.ndarray, shape (n_subjects,)
        Condition A and B of the same subjects, in the same order.

    Raises
    ------
    ValueError
        If ``n_subjects`` is not a positive integer or a standard deviation is negative.

    Examples
    --------
    >>> a, b = simulate_paired(40_000, 2.0, 1.0, subject_sd=3.0, within_sd=0.5, seed=0)
    >>> round(float((a - b).mean()), 2), round(float((a - b).std()), 2)
    (1.0, 0.71)
    """
    rng = as_generator(seed)
    n_subjects = check_count(n_subjects, "n_subjects")
    subject_sd = check_positive(subject_sd, "subject_sd", allow_zero=True)
    within_sd = check_positive(within_sd, "within_sd", allow_zero=True)
    offsets = rng.normal(0.0, subject_sd, n_subjects)
    a = mean_a + offsets + rng.normal(0.0, within_sd, n_subjects)
    b = mean_b + offsets + rng.normal(0.0, within_sd, n_subjects)
    return a, b
