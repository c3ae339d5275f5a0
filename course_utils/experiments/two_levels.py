"""Two levels of variance, simulated: the full mixed model and the studies that test estimators.

The helpers of the two-levels-of-variance notebook, around the estimators of
:mod:`course_utils.stats.mixed`:

- :func:`fit_mixedlm`: the full two-level model fitted to simulated time series (statsmodels
  ``MixedLM`` with REML, its warnings kept in a :class:`MixedLMFit`);
- :func:`simulate_summary_statistics`: the estimates and first-level variances of many studies,
  drawn without time series;
- :func:`method_table`: rejection rates and spreads of estimators over simulated studies, in
  the layout of every measured rate (:func:`course_utils.stats.error_rates.rate_table`);
- :func:`simulate_subject_means`: subject estimates that average several runs, without time
  series;
- :func:`fixed_effects_z_variance`: how wide the fixed-effects z is under the null, in theory;
- :func:`null_rates`: false-positive rates of fixed effects and of the OLS test by number of
  subjects and of runs (a rate table);
- :func:`simulate_sessions`, :func:`session_spread`: one subject's runs in many sessions, with
  run-to-run variance, and how far the fixed-effects standard error of a session falls short of
  the spread of its estimate over sessions.

Every random draw is seeded by a keyword-only ``seed`` (an int or a
:class:`numpy.random.Generator`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from course_utils._utils import as_generator, check_count
from course_utils.experiments import simulation
from course_utils.stats import error_rates, mixed

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "COLUMNS",
    "MixedLMFit",
    "fit_mixedlm",
    "fixed_effects_z_variance",
    "method_table",
    "null_rates",
    "session_spread",
    "simulate_sessions",
    "simulate_subject_means",
    "simulate_summary_statistics",
]

#: Columns of :func:`method_table` (its index is ``method``): those of
#: :data:`course_utils.stats.error_rates.RATE_COLUMNS`, then the standard deviation of the
#: estimate over the studies and its interval.
COLUMNS = (*error_rates.RATE_COLUMNS[1:], "estimate_sd", "sd_low", "sd_high")


@dataclass(frozen=True)
class MixedLMFit(mixed.GroupEstimate):
    """A :class:`~course_utils.stats.mixed.GroupEstimate` from the full mixed model, with what
    the fit reported (what :func:`fit_mixedlm` returns).

    Parameters
    ----------
    method, estimate, se, stat, p, df, tau2 :
        As in :class:`~course_utils.stats.mixed.GroupEstimate` (floats: one voxel).
    sigma2 : float or None
        REML estimate of the one noise variance of all scans.
    warnings : tuple of str
        The warnings statsmodels issued during the fit (``"Category: message"``, each once).

    Examples
    --------
    >>> fit = MixedLMFit("MixedLM (REML)", 1.0, 0.5, 2.0, 0.0455, np.inf, 0.0,
    ...                  warnings=("ConvergenceWarning: The MLE may be on the boundary",))
    >>> fit.on_boundary
    True
    """

    sigma2: float | None = None
    warnings: tuple[str, ...] = ()

    @property
    def on_boundary(self) -> bool:
        """True when statsmodels warned that the MLE may be on the boundary (``tau^2 = 0``)."""
        return any("boundary" in message for message in self.warnings)


def fit_mixedlm(
    sim: simulation.FirstLevelSimulation,
    run: int = 0,
    subjects: slice | np.ndarray | None = None,
) -> MixedLMFit:
    """Fit the full two-level model to every time series of one run at once (REML).

    ``y_kt = a_k + x_t beta_k + e_kt`` with a fixed intercept ``a_k`` per subject, a random
    slope ``beta_k ~ N(beta, tau^2)`` and **one** noise variance ``sigma^2`` for all scans of
    all subjects (statsmodels ``MixedLM``). Warnings are recorded, not shown: read them, since
    a fit that warns may report a wrong estimate or no standard error (NaN).

    Parameters
    ----------
    sim : FirstLevelSimulation
        From :func:`course_utils.experiments.simulation.simulate_first_level`.
    run : int
        Which run of each subject to fit.
    subjects : slice or array of int, optional
        Which subjects (default all): one study of many simulated at once.

    Returns
    -------
    MixedLMFit
        ``beta`` with its standard error (a z test, as in statsmodels), ``tau2``, ``sigma2``.

    Examples
    --------
    >>> sim = simulation.simulate_first_level(8, seed=2, group_sd=0.5)
    >>> fit = fit_mixedlm(sim)
    >>> fit.on_boundary, bool(abs(fit.estimate - sim.estimates[:, 0].mean()) < 1e-10)
    (False, True)
    """
    import statsmodels.formula.api as smf

    data = sim.data[slice(None) if subjects is None else subjects, run]
    n_subjects, n_tr = data.shape
    long = pd.DataFrame(
        {
            "y": data.ravel(),
            "x": np.tile(sim.design[:, 1], n_subjects),
            "subject": np.repeat(np.arange(n_subjects), n_tr),
        }
    )
    with warnings.catch_warnings(record=True) as caught:  # the standard errors warn too
        warnings.simplefilter("always")
        fit = smf.mixedlm("y ~ 0 + C(subject) + x", long, groups="subject", re_formula="0 + x").fit(
            reml=True
        )
        values = [fit.fe_params["x"], fit.bse_fe["x"], fit.cov_re.iloc[0, 0], fit.scale]
    messages = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    estimate, se, tau2, sigma2 = (float(x) for x in values)
    stat, p = mixed.wald_test(estimate, se, np.inf)
    return MixedLMFit(
        method="MixedLM (REML)",
        estimate=estimate,
        se=se,
        stat=float(stat),
        p=float(p),
        df=float(np.inf),
        tau2=tau2,
        sigma2=sigma2,
        warnings=tuple(messages),
    )


def simulate_summary_statistics(
    first_level_var: npt.ArrayLike,
    *,
    seed: int | np.random.Generator,
    group_mean: float = 0.0,
    group_sd: float = 0.5,
    df: int = 98,
) -> tuple[np.ndarray, np.ndarray]:
    """Subject estimates and first-level variances of many studies, without time series.

    A first-level OLS fit with white noise gives an estimate normal around the true amplitude
    with variance ``s^2 = sigma^2 (X'X)^-1`` and, independently, a variance estimate
    ``s^2 chi2(df) / df``; ``b = group_mean + eta + e`` with ``eta ~ N(0, group_sd)`` and
    ``e ~ N(0, sqrt(s^2))`` (SDs). The same as fitting simulated time series, much faster.

    Parameters
    ----------
    first_level_var : array-like, shape (n_subjects, n_sim)
        True first-level sampling variance ``s^2`` of each subject in each of ``n_sim``
        simulated studies (> 0); any shape works, each entry is one subject of one study.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    group_mean, group_sd : float
        Population mean and standard deviation of the true amplitudes.
    df : int
        Residual degrees of freedom of each first-level fit (``n_tr - 2``).

    Returns
    -------
    b, v : numpy.ndarray, shape of ``first_level_var``
        Estimates and estimated first-level variances.

    Raises
    ------
    ValueError
        If a variance is not positive or ``df`` < 1.

    Examples
    --------
    >>> b, v = simulate_summary_statistics(np.full((20, 5000), 0.3), seed=0, group_sd=0.4)
    >>> b.shape, round(float(b.var()), 2), round(float(v.mean()), 2)  # 0.16 + 0.3, 0.3
    ((20, 5000), 0.46, 0.3)
    """
    s2 = np.asarray(first_level_var, dtype=float)
    if not np.all((s2 > 0) & np.isfinite(s2)):
        raise ValueError("first_level_var must be finite and > 0 (one per subject and study).")
    df = check_count(df, "df")
    rng = as_generator(seed)
    b = group_mean + rng.normal(0.0, group_sd, s2.shape) + rng.normal(0.0, np.sqrt(s2))
    return b, s2 * rng.chisquare(df, s2.shape) / df


def method_table(
    results: Mapping[str, mixed.GroupEstimate], alpha: float = 0.05, confidence: float = 0.95
) -> pd.DataFrame:
    """Rejection rate and spread of the estimate of each method over simulated studies.

    The rates are in the layout of every measured rate of the course
    (:func:`course_utils.stats.error_rates.rate_table`: ``hits`` studies with ``p < alpha``
    out of ``n_sim``, the ``rate`` and its Clopper-Pearson interval ``ci_low``, ``ci_high``);
    the standard deviation of the estimate over the studies and its interval follow.

    Parameters
    ----------
    results : mapping of str to course_utils.stats.mixed.GroupEstimate
        One result per method, each over the same ``n_sim`` simulated studies (one study per
        "voxel").
    alpha : float, default 0.05
        Two-sided significance level: a study counts when ``p < alpha``.
    confidence : float, default 0.95
        Level of the intervals: Clopper-Pearson
        (:func:`course_utils.stats.thresholds.binomial_interval`) for the rate, chi-square for
        the standard deviation.

    Returns
    -------
    pandas.DataFrame
        Index ``method`` (the keys of ``results``); columns :data:`COLUMNS`: ``hits``,
        ``n_sim``, ``rate``, ``ci_low``, ``ci_high``, then ``estimate_sd`` (the standard
        deviation of the estimate over the studies), ``sd_low`` and ``sd_high``.

    Raises
    ------
    ValueError
        No results, or results over different numbers of studies.

    See Also
    --------
    course_utils.teaching.plotting.plot_method_comparison : the figure of two such tables.

    Examples
    --------
    >>> b, v = simulate_summary_statistics(np.full((10, 2000), 0.2), seed=1)
    >>> table = method_table({"OLS": mixed.ols_summary(b)})
    >>> table.columns.tolist()[:5]
    ['hits', 'n_sim', 'rate', 'ci_low', 'ci_high']
    >>> bool(table.loc["OLS", "ci_low"] < 0.05 < table.loc["OLS", "ci_high"])
    True
    """
    hits, spread = {}, {"estimate_sd": [], "sd_low": [], "sd_high": []}
    sizes = set()
    for name, result in results.items():
        p, estimate = np.atleast_1d(result.p), np.atleast_1d(result.estimate)
        n = p.size
        sizes.add(n)
        hits[name] = int((p < alpha).sum())
        sd = float(estimate.std(ddof=1))
        chi2 = stats.chi2.ppf([(1 + confidence) / 2, (1 - confidence) / 2], n - 1)
        low, high = sd * np.sqrt((n - 1) / chi2)
        for column, value in zip(spread, [sd, low, high], strict=True):
            spread[column].append(float(value))
    if len(sizes) != 1:
        raise ValueError(
            "results must hold at least one method, all over the same number of simulated "
            f"studies; got {sorted(sizes) or 'none'}."
        )
    return error_rates.rate_table(hits, sizes.pop(), confidence, **spread)


def simulate_subject_means(
    n_subjects: int,
    n_sim: int,
    *,
    seed: int | np.random.Generator,
    run_variance: float,
    n_runs: int = 1,
    group_mean: float = 0.0,
    group_sd: float = 0.5,
    df_run: int = 98,
) -> tuple[np.ndarray, np.ndarray]:
    """Subject estimates that average ``n_runs`` runs, in ``n_sim`` studies, without time series.

    Each run's estimate has first-level variance ``run_variance``; the mean of ``n_runs`` runs
    has ``run_variance / n_runs``, estimated with ``n_runs * df_run`` degrees of freedom. The
    between-subject spread ``group_sd`` does not shrink with more runs: it is the subject's own
    true amplitude. Drawn by :func:`simulate_summary_statistics`.

    Parameters
    ----------
    n_subjects, n_sim : int
        Subjects per study, and studies.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    run_variance : float
        First-level sampling variance of one run's estimate (> 0).
    n_runs : int, default 1
        Runs averaged per subject.
    group_mean, group_sd : float
        Population mean and standard deviation of the true amplitudes.
    df_run : int, default 98
        Residual degrees of freedom of one run's fit.

    Returns
    -------
    b, v : numpy.ndarray, shape (n_subjects, n_sim)
        Subject estimates and their estimated first-level variances.

    Examples
    --------
    >>> b, v = simulate_subject_means(10, 20_000, seed=0, run_variance=0.4, n_runs=4)
    >>> b.shape, round(float(b.var()), 2), round(float(v.mean()), 2)  # 0.25 + 0.1, 0.1
    ((10, 20000), 0.35, 0.1)
    """
    n_subjects, n_sim = check_count(n_subjects, "n_subjects"), check_count(n_sim, "n_sim")
    n_runs = check_count(n_runs, "n_runs")
    s2 = np.full((n_subjects, n_sim), float(run_variance) / n_runs)
    return simulate_summary_statistics(
        s2, seed=seed, group_mean=group_mean, group_sd=group_sd, df=df_run * n_runs
    )


def fixed_effects_z_variance(
    tau2: npt.ArrayLike, first_level_var: npt.ArrayLike, df: npt.ArrayLike = np.inf
) -> float | np.ndarray:
    """Variance of the fixed-effects z over null studies (population mean 0), in theory.

    With equal first-level variances ``s^2`` the fixed-effects estimate is the mean of the
    subject estimates, whose variance is ``(tau^2 + s^2) / K``, while the fixed-effects
    standard error is ``sqrt(s^2 / K)``: ``K`` cancels and ``Var(z) = (tau^2 + s^2) / s^2``.
    When each ``s^2`` is estimated with ``df`` degrees of freedom (weights ``1 / s_hat^2``),
    ``Var(z) = (tau^2 + s^2) Sum w^2 / Sum w`` tends to that value times ``df / (df - 4)``
    (``E[w^2] / E[w]`` for a scaled inverse chi-square) as ``K`` grows.

    Parameters
    ----------
    tau2 : float or array-like
        Between-subject variance (>= 0).
    first_level_var : float or array-like
        Each subject's first-level sampling variance ``s^2`` (> 0).
    df : float or array-like, default inf
        Degrees of freedom of each estimated ``s^2`` (> 4; ``inf`` when it is known).

    Returns
    -------
    float or numpy.ndarray
        ``(tau2 + s2) / s2 * df / (df - 4)``, broadcast (a float for numbers). A valid test's
        z has variance 1.

    Raises
    ------
    ValueError
        If ``tau2`` is negative, ``first_level_var`` not positive or ``df <= 4``.

    Examples
    --------
    >>> fixed_effects_z_variance(0.25, 0.0625)
    5.0
    >>> round(fixed_effects_z_variance(0.0, 0.0625, df=98), 4)
    1.0426
    """
    tau2 = np.asarray(tau2, dtype=float)
    s2 = np.asarray(first_level_var, dtype=float)
    df = np.asarray(df, dtype=float)
    if np.any(tau2 < 0) or np.any(s2 <= 0) or np.any(~(df > 4)):
        raise ValueError(
            f"tau2 must be >= 0, first_level_var > 0 and df > 4; got {tau2}, {s2} and {df}."
        )
    factor = np.ones_like(df)
    finite = np.isfinite(df)
    factor[finite] = df[finite] / (df[finite] - 4.0)
    out = (tau2 + s2) / s2 * factor
    return float(out) if out.ndim == 0 else out


def null_rates(
    n_subjects: npt.ArrayLike,
    n_runs: npt.ArrayLike = 1,
    *,
    seed: int | np.random.Generator,
    run_variance: float,
    group_sd: float = 0.5,
    n_sim: int = 4000,
    df_run: int = 98,
    alpha: float = 0.05,
    level: float = 0.95,
) -> pd.DataFrame:
    """False-positive rates of fixed effects and of the OLS t-test, by subjects and runs.

    For each pair of ``n_subjects`` and ``n_runs`` (broadcast together), ``n_sim`` studies
    with a population mean of zero are drawn by :func:`simulate_subject_means`, all at once,
    and both group tests run on every study.

    Parameters
    ----------
    n_subjects, n_runs : int or array-like of int
        Subjects per study and runs per subject (broadcast together).
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    run_variance : float
        First-level variance of one run's estimate.
    group_sd : float, default 0.5
        Between-subject standard deviation (``tau``).
    n_sim : int, default 4000
        Null studies per setting.
    df_run : int, default 98
        Residual degrees of freedom of one run's fit.
    alpha : float, default 0.05
        Two-sided level of both tests.
    level : float, default 0.95
        Level of the Clopper-Pearson intervals.

    Returns
    -------
    pandas.DataFrame
        The rate layout of :func:`course_utils.stats.error_rates.rate_table` with ``method``
        as a column (``"fixed effects"``, ``"OLS (t-test)"``), one row per method and
        setting, and the columns ``n_subjects``, ``n_runs`` and ``first_level_var`` (the
        variance of a subject's run mean).

    Examples
    --------
    >>> table = null_rates([5, 20], seed=0, run_variance=0.06, n_sim=500)
    >>> table[["method", "n_subjects", "n_runs"]].values.tolist()[:2]
    [['fixed effects', 5, 1], ['OLS (t-test)', 5, 1]]
    >>> bool((table["rate"][table["method"] == "fixed effects"] > 0.2).all())
    True
    """
    subjects, runs = np.broadcast_arrays(np.atleast_1d(n_subjects), np.atleast_1d(n_runs))
    rng = as_generator(seed)
    tables = []
    for k, r in zip(subjects.ravel(), runs.ravel(), strict=True):
        b, v = simulate_subject_means(
            int(k),
            n_sim,
            seed=rng,
            run_variance=run_variance,
            n_runs=int(r),
            group_sd=group_sd,
            df_run=df_run,
        )
        tests = {"fixed effects": mixed.fixed_effects(b, v), "OLS (t-test)": mixed.ols_summary(b)}
        hits = {name: int((np.asarray(test.p) < alpha).sum()) for name, test in tests.items()}
        extra = {
            "n_subjects": [int(k)] * 2,
            "n_runs": [int(r)] * 2,
            "first_level_var": [run_variance / int(r)] * 2,
        }
        tables.append(error_rates.rate_table(hits, n_sim, level, **extra))
    return pd.concat(tables).reset_index()


def simulate_sessions(
    n_runs: int,
    n_sessions: int,
    *,
    seed: int | np.random.Generator,
    run_variance: float,
    run_sd: float = 0.0,
    amplitude: float = 1.0,
    df_run: int = 98,
) -> tuple[np.ndarray, np.ndarray]:
    """One subject's run estimates in ``n_sessions`` sessions of ``n_runs`` runs (no time series).

    Each run's true amplitude is the subject's ``amplitude`` plus a run deviation drawn from
    ``N(0, run_sd)`` (an SD: habituation, attention, physiology); its estimate adds first-level
    noise of variance ``run_variance``. Drawn by :func:`simulate_summary_statistics`.

    Parameters
    ----------
    n_runs, n_sessions : int
        Runs per session, and sessions.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    run_variance : float
        First-level sampling variance of one run's estimate (> 0).
    run_sd : float, default 0
        Run-to-run standard deviation of the true amplitude (``tau_run``; 0: the runs share one).
    amplitude : float, default 1
        The subject's own amplitude (the mean over runs and sessions).
    df_run : int, default 98
        Residual degrees of freedom of one run's fit.

    Returns
    -------
    b, v : numpy.ndarray, shape (n_runs, n_sessions)
        Run estimates and their estimated first-level variances (a column per session).

    Examples
    --------
    >>> b, v = simulate_sessions(4, 20_000, seed=0, run_variance=0.06, run_sd=0.2)
    >>> b.shape, round(float(b.var()), 2), round(float(v.mean()), 2)  # 0.04 + 0.06, 0.06
    ((4, 20000), 0.1, 0.06)
    """
    n_runs, n_sessions = check_count(n_runs, "n_runs"), check_count(n_sessions, "n_sessions")
    s2 = np.full((n_runs, n_sessions), float(run_variance))
    return simulate_summary_statistics(
        s2, seed=seed, group_mean=amplitude, group_sd=run_sd, df=df_run
    )


def session_spread(
    run_sd: npt.ArrayLike,
    *,
    seed: int | np.random.Generator,
    run_variance: float,
    n_runs: int = 4,
    n_sessions: int = 2000,
    amplitude: float = 1.0,
    df_run: int = 98,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Fixed effects over one subject's runs: its standard error against the spread over sessions.

    For each run-to-run SD, ``n_sessions`` sessions are drawn by :func:`simulate_sessions` and
    each session's runs are combined by :func:`course_utils.stats.mixed.fixed_effects`, all
    sessions at once. The fixed-effects standard error, ``sqrt(1 / sum w)``, knows only the
    first-level noise; the estimate varies over sessions with the run-to-run variance too, as
    ``sqrt((run_sd^2 + s^2) / n_runs)`` for equal first-level variances ``s^2``.

    Parameters
    ----------
    run_sd : float or array-like
        Run-to-run standard deviations of the true amplitude (>= 0), one row each.
    seed : int or numpy.random.Generator
        Seed or generator (keyword-only).
    run_variance : float
        First-level sampling variance of one run's estimate (> 0).
    n_runs, n_sessions : int
        Runs per session and simulated sessions.
    amplitude : float, default 1
        The subject's own amplitude.
    df_run : int, default 98
        Residual degrees of freedom of one run's fit.
    confidence : float, default 0.95
        Level of the chi-square interval of the spread, and of the fixed-effects interval whose
        coverage is counted.

    Returns
    -------
    pandas.DataFrame
        Index ``run_sd``; columns ``reported_se`` (root mean square of the sessions'
        fixed-effects standard errors), ``session_sd`` (standard deviation of the fixed-effects
        estimate over sessions) with its interval ``sd_low``, ``sd_high``, ``coverage`` (share
        of sessions whose interval ``estimate +- z * se`` holds ``amplitude``) and ``n_sessions``.

    Examples
    --------
    >>> table = session_spread([0.0, 0.25], seed=0, run_variance=0.0625, n_sessions=20_000)
    >>> (table["session_sd"] / table["reported_se"]).round(1).tolist()  # 1, sqrt(2)
    [1.0, 1.4]
    """
    sds = np.atleast_1d(np.asarray(run_sd, dtype=float))
    if np.any(~(sds >= 0)):
        raise ValueError(f"run_sd must be >= 0 (standard deviations); got {run_sd}.")
    rng = as_generator(seed)
    n = check_count(n_sessions, "n_sessions", minimum=2)
    chi2 = stats.chi2.ppf([(1 + confidence) / 2, (1 - confidence) / 2], n - 1)
    z = stats.norm.isf((1 - confidence) / 2)
    rows = []
    for sd in sds:
        b, v = simulate_sessions(
            n_runs,
            n,
            seed=rng,
            run_variance=run_variance,
            run_sd=sd,
            amplitude=amplitude,
            df_run=df_run,
        )
        fe = mixed.fixed_effects(b, v)
        spread = float(np.std(fe.estimate, ddof=1))
        low, high = spread * np.sqrt((n - 1) / chi2)
        rows.append(
            {
                "reported_se": float(np.sqrt(np.mean(np.square(fe.se)))),
                "session_sd": spread,
                "sd_low": float(low),
                "sd_high": float(high),
                "coverage": float(np.mean(np.abs(fe.estimate - amplitude) <= z * fe.se)),
                "n_sessions": n,
            }
        )
    return pd.DataFrame(rows, index=pd.Index(sds, name="run_sd"))
