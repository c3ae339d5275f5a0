"""Figures of the two levels of variance: subject estimates, intervals, components, convergence,
null statistics and the comparison of group tests (rates against the design, runs over
sessions and Cochran's Q are in ``_heterogeneity_figures``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from course_utils.teaching.plotting._map_figures import plot_error_rates
from course_utils.teaching.plotting._style import OKABE_ITO

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes


def plot_beta_distribution(
    values: npt.ArrayLike,
    ax: Axes | None = None,
    true_mean: float | None = None,
    xlabel: str = "estimated amplitude (% signal change)",
    title: str | None = None,
    bins: int = 20,
) -> Axes:
    """Histogram of subject estimates, with zero, their mean and (optionally) the true mean.

    Parameters
    ----------
    values : array-like, shape (n_subjects,)
        One estimate per subject.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    true_mean : float, optional
        The population mean, drawn as a dashed line (simulations know it).
    xlabel : str
        Label of the x axis, with units.
    title : str, optional
        Figure title (default says what is shown).
    bins : int, default 20
        Number of bins.

    Returns
    -------
    matplotlib.axes.Axes
        The histogram (seaborn's ``histplot``) with zero, the sample mean and the true mean.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_beta_distribution([0.5, 1.0, 1.5, 2.0], true_mean=1.0)
    >>> ax.get_ylabel(), len(ax.patches)
    ('number of subjects', 20)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    values = np.asarray(values, dtype=float)
    sns.histplot(values, bins=bins, color=OKABE_ITO[0], alpha=0.8, ax=ax)
    ax.axvline(0, color="black", linewidth=1, label="zero")
    ax.axvline(values.mean(), color=OKABE_ITO[1], linewidth=2, label="sample mean")
    if true_mean is not None:
        ax.axvline(
            true_mean, color=OKABE_ITO[3], linestyle="--", linewidth=2, label="population mean"
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("number of subjects")
    ax.legend()
    ax.set_title(title or "Distribution of subject estimates")
    return ax


def plot_subject_intervals(
    estimates: npt.ArrayLike,
    ses: npt.ArrayLike,
    group: Mapping[str, tuple[float, float]] | None = None,
    ax: Axes | None = None,
    xlabel: str = "estimate (% signal change)",
    title: str | None = None,
) -> Axes:
    """Forest plot: each subject's estimate with its 95 % interval, then group estimates.

    Parameters
    ----------
    estimates, ses : array-like, shape (n_subjects,)
        Subject estimates and their first-level standard errors.
    group : mapping of str to (estimate, se), optional
        Group estimates drawn below the subjects as diamonds (e.g. fixed and random effects).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    xlabel : str
        Label of the x axis, with units.
    title : str, optional
        Figure title (default says what is shown).

    Returns
    -------
    matplotlib.axes.Axes
        One row per subject, then one per group estimate.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_subject_intervals([1.0, 2.0], [0.5, 0.2], group={"OLS": (1.5, 0.5)})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['subject 1', 'subject 2', 'OLS']
    """

    estimates, ses = np.asarray(estimates, dtype=float), np.asarray(ses, dtype=float)
    group = dict(group or {})
    n = estimates.size
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 1.2 + 0.25 * (n + len(group))))
    rows = np.arange(n)
    ax.errorbar(
        estimates, rows, xerr=1.96 * ses, fmt="o", color=OKABE_ITO[0], capsize=2, markersize=4
    )
    labels = [f"subject {i + 1}" for i in range(n)]
    for i, (name, (est, se)) in enumerate(group.items()):
        colour = OKABE_ITO[(i + 1) % len(OKABE_ITO)]
        ax.errorbar(
            [est], [n + i + 0.5], xerr=[1.96 * se], fmt="D", color=colour, capsize=4, markersize=7
        )
        labels.append(name)
    ax.set_yticks(list(rows) + [n + i + 0.5 for i in range(len(group))], labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_title(title or "Estimates with 95 % intervals")
    return ax


def plot_variance_components(
    first_level_variances: npt.ArrayLike,
    tau2: float,
    ax: Axes | None = None,
    unit: str = "(% signal change)$^2$",
    title: str | None = None,
    tau2_label: str = r"between subjects, $\tau^2$",
    true_tau2: float | None = None,
) -> Axes:
    """Stacked bars of each subject's variance: between subjects ``tau^2`` + first level ``s_k^2``.

    The total bar length is the variance of that subject's estimate, ``tau^2 + s_k^2``; the
    label at the end of each bar gives the subject's share of the weight in variance-weighted
    random effects, ``1/(tau^2 + s_k^2)`` divided by the sum over subjects.

    Parameters
    ----------
    first_level_variances : array-like, shape (n_subjects,)
        Sampling variance of each subject's estimate, ``s_k^2``.
    tau2 : float
        Between-subject variance.
    ax : matplotlib Axes, optional
        Where to draw.
    unit : str
        Unit of the variances, for the axis label.
    title : str, optional
        Figure title.
    tau2_label : str
        Legend entry of the ``tau2`` bars (say when ``tau2`` is an estimate, e.g. "DL estimate").
    true_tau2 : float, optional
        The true between-subject variance (simulations know it), drawn as a dashed line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_variance_components([0.1, 0.4], tau2=0.25)
    >>> [t.get_text().strip() for t in ax.texts]
    ['share of weight 0.65', 'share of weight 0.35']
    """

    s2 = np.asarray(first_level_variances, dtype=float)
    n = s2.size
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.2 + 0.3 * n), layout="constrained")
    rows = np.arange(n)
    ax.barh(rows, np.full(n, tau2), color=OKABE_ITO[1], label=tau2_label)
    ax.barh(rows, s2, left=tau2, color=OKABE_ITO[0], label=r"first level, $s_k^2$")
    weights = 1.0 / (tau2 + s2)
    weights /= weights.sum()
    for row, total, weight in zip(rows, tau2 + s2, weights, strict=True):
        ax.text(total, row, f" share of weight {weight:.2f}", va="center")
    ax.set_yticks(rows, [f"subject {i + 1}" for i in rows])
    ax.invert_yaxis()
    if true_tau2 is not None:
        ax.axvline(
            true_tau2, color="black", linestyle="--", label=rf"true $\tau^2$ = {true_tau2:g}"
        )
    ax.set_xlim(0, 1.5 * float((tau2 + s2).max()))
    ax.set_xlabel(f"variance of the subject's estimate {unit}")
    ax.legend(loc="lower right")
    ax.set_title(title or "Two sources of variance in each subject's estimate")
    return ax


def plot_convergence(
    x: npt.ArrayLike,
    series: Mapping[str, npt.ArrayLike],
    ax: Axes | None = None,
    reference: float | None = None,
    reference_label: str = "truth",
    xlabel: str = "number of subjects",
    ylabel: str = "estimate (% signal change)",
    title: str | None = None,
    logy: bool = False,
) -> Axes:
    """Plot several estimators against a growing sample size (log x axis, one tick per size).

    Parameters
    ----------
    x : array-like
        Sample sizes (subjects, scans), increasing.
    series : mapping of str to array-like
        Estimator name to its values at each ``x``. Later series are drawn with smaller markers
        and dashed lines, so overlapping estimators stay visible.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    reference : float or array-like, optional
        A horizontal line (e.g. the true value), or a dotted curve with one value per ``x``
        (e.g. a theoretical standard error).
    reference_label, xlabel, ylabel, title : str
        Labels (with units).
    logy : bool
        Log scale on the y axis too (for standard errors).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_convergence([10, 100], {"OLS": [1.2, 1.0], "RFX": [1.1, 1.0]}, reference=1.0)
    >>> len(ax.lines), ax.get_xscale()
    (3, 'log')
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    x = np.asarray(x, dtype=float)
    markers, lines = ["s", "o", "x", "^", "v", "D"], ["-", "-", "--", ":", "-.", "--"]
    for i, (name, values) in enumerate(series.items()):
        ax.plot(
            x,
            values,
            marker=markers[i % 6],
            linestyle=lines[i % 6],
            markersize=max(9 - 1.5 * i, 4),
            label=name,
        )
    if reference is not None and np.ndim(reference) == 0:
        ax.axhline(reference, color="black", linestyle=":", label=reference_label)
    elif reference is not None:
        ax.plot(
            x,
            np.asarray(reference, dtype=float),
            color="black",
            linestyle=":",
            label=reference_label,
        )
    from matplotlib.ticker import NullLocator

    ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.xaxis.set_minor_locator(NullLocator())
    if logy:  # label 1-2-5 steps, so a range within one decade still gets readable ticks
        ax.set_yscale("log")
        low, high = ax.get_ylim()
        steps = [m * 10.0**e for e in range(-6, 7) for m in (1, 2, 5)]
        ticks = [t for t in steps if low <= t <= high]
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_true_and_estimated(
    true_betas: npt.ArrayLike,
    estimates: npt.ArrayLike,
    ax: Axes | None = None,
    bins: int = 40,
    xlabel: str = "amplitude (% signal change)",
    title: str | None = None,
) -> Axes:
    """Overlaid histograms of the subjects' true amplitudes and their first-level estimates.

    The true amplitudes spread with the between-subject variance ``tau^2`` only; the estimates
    add each subject's first-level sampling variance ``s_k^2``, so their histogram is wider.
    The legend gives each sample's variance.

    Parameters
    ----------
    true_betas, estimates : array-like, shape (n_subjects,)
        True amplitudes and their estimates.
    ax : matplotlib Axes, optional
        Where to draw.
    bins : int
        Number of bins, shared by both histograms.
    xlabel, title : str
        Labels (with units).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_true_and_estimated([0.5, 1.0, 1.5], [0.2, 1.1, 2.0])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['true amplitudes (variance 0.250)', 'estimates (variance 0.810)']
    """
    true_betas = np.asarray(true_betas, dtype=float)
    estimates = np.asarray(estimates, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    edges = np.histogram_bin_edges(np.r_[true_betas, estimates], bins=bins)
    ax.hist(
        true_betas,
        bins=edges,
        color=OKABE_ITO[1],
        alpha=0.6,
        label=f"true amplitudes (variance {true_betas.var(ddof=1):.3f})",
    )
    ax.hist(
        estimates,
        bins=edges,
        histtype="step",
        linewidth=2,
        color=OKABE_ITO[4],
        label=f"estimates (variance {estimates.var(ddof=1):.3f})",
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("number of subjects")
    ax.set_ylim(0, 1.4 * ax.get_ylim()[1])  # room for the legend above the histograms
    ax.legend(loc="upper left")
    ax.set_title(title or "True amplitudes and their first-level estimates")
    return ax


def plot_method_comparison(
    null: pd.DataFrame,
    power: pd.DataFrame,
    alpha: float = 0.05,
    title: str | None = None,
    unit: str = "% signal change",
    calibrated_power: npt.ArrayLike | None = None,
) -> np.ndarray:
    """Three panels per method: false-positive rate, spread of the estimate, power.

    The two rate panels are :func:`~course_utils.teaching.plotting.plot_error_rates`, the one
    figure of a table of measured rates; the middle panel draws the spread of the estimate the
    same way (a dot and its interval per method).

    Parameters
    ----------
    null, power : pandas.DataFrame
        From :func:`course_utils.experiments.two_levels.method_table`, on studies without and
        with an effect (same methods, same order): the rate layout (``rate``, ``ci_low``,
        ``ci_high``, ``n_sim``), then the standard deviation of the estimate with its interval
        (``estimate_sd``, ``sd_low``, ``sd_high``), taken from ``null``.
    alpha : float, default 0.05
        The nominal false-positive rate, drawn as a dashed line in the false-positive panel
        (not in the power panel, where it means nothing).
    title : str, optional
        Title of the figure (say which data).
    unit : str, default "% signal change"
        Unit of the estimates.
    calibrated_power : array-like, optional
        Power of each method at a threshold calibrated to give ``alpha`` false positives in
        the null studies (same order): drawn as open markers in the power panel.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The three panels.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> row = {"rate": 0.05, "ci_low": 0.04, "ci_high": 0.06, "n_sim": 2000,
    ...        "estimate_sd": 0.2, "sd_low": 0.19, "sd_high": 0.21}
    >>> t = pd.DataFrame([row, row], index=pd.Index(["OLS", "DL"], name="method"))
    >>> power = t.assign(rate=0.5, ci_low=0.45, ci_high=0.55)
    >>> axes = plot_method_comparison(t, power)
    >>> [ax.get_title() for ax in axes]
    ['False positives', 'Spread of the estimate', 'Power']
    """
    fig, axes = plt.subplots(1, 3, figsize=(11, 2.4 + 0.45 * len(null)), layout="constrained")
    plot_error_rates(
        null,
        alpha,
        ax=axes[0],
        title="False positives",
        xlabel="false-positive rate\n(share of null studies)",
        xlim=(0.0, max(2 * alpha, 1.15 * float(null["ci_high"].max()))),
    )
    rows = np.arange(len(null))
    sd = null["estimate_sd"].to_numpy(dtype=float)
    axes[1].errorbar(
        sd,
        rows,
        xerr=[
            sd - null["sd_low"].to_numpy(dtype=float),
            null["sd_high"].to_numpy(dtype=float) - sd,
        ],
        fmt="o",
        color=OKABE_ITO[0],
        capsize=4,
    )
    axes[1].set_ylim(axes[0].get_ylim())  # the rows of the rate panels, top to bottom
    axes[1].set_xlim(0.0, 1.15 * float(null["sd_high"].max()))
    axes[1].set_xlabel(f"SD of the estimate over studies\n({unit})")
    axes[1].set_title("Spread of the estimate")
    plot_error_rates(
        power,
        alpha,
        ax=axes[2],
        title="Power",
        xlabel="power\n(share of studies with an effect)",
    )
    for line in axes[2].get_lines():  # the nominal rate means nothing for power
        if line.get_label().startswith("nominal"):
            line.remove()
    if calibrated_power is not None:
        (calibrated,) = axes[2].plot(
            np.asarray(calibrated_power, dtype=float),
            rows,
            "o",
            markerfacecolor="none",
            markersize=9,
            color=OKABE_ITO[5],
            label=f"power at a calibrated {alpha:g}",
        )
    for ax in axes[1:]:
        ax.set_yticks(rows, [""] * len(rows))
    handles, labels = axes[0].get_legend_handles_labels()
    if calibrated_power is not None:
        handles, labels = [*handles, calibrated], [*labels, calibrated.get_label()]
    for ax in axes[::2]:  # one legend for the figure, below the panels
        ax.get_legend().remove()
    labels = [label.replace("measured rate", "measured value") for label in labels]
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles))
    fig.suptitle(title or "Group tests over simulated studies")
    return axes


def plot_null_statistics(
    statistics: Mapping[str, npt.ArrayLike],
    z_variance: float | None = None,
    alpha: float = 0.05,
    ax: Axes | None = None,
    title: str | None = None,
    t_df: float | None = None,
    *,
    normal: bool = True,
    limit: float = 8.0,
    bins: int = 64,
    xlabel: str = "group statistic (no true effect)",
) -> Axes:
    """Histograms of statistics with no true effect, against the distribution they are read with.

    The first series is drawn filled and the others as outlines; dotted lines mark the two-sided
    thresholds at ``alpha`` (of the normal, or of the t when ``normal=False``; of both, in the
    legend, when ``t_df`` is given with ``normal=True``), so the share of values beyond them is
    the false-positive rate. Used for group statistics (a fixed-effects z
    against N(0, 1)) and for first-level t values (naive against prewhitened).

    Parameters
    ----------
    statistics : mapping of str to array-like
        Name of a test to its statistic (z or t) in each null study or voxel.
    z_variance : float, optional
        A theoretical variance of the first statistic, drawn as a dashed N(0, z_variance).
    alpha : float, default 0.05
        Two-sided level of the dotted thresholds.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default says what is shown).
    t_df : float, optional
        Degrees of freedom of a t-test among the statistics: its t density is drawn too
        (dash-dotted, "what the t-test assumes"), and the normal becomes what the z test assumes.
    normal : bool, default True
        Draw N(0, 1) and its thresholds; with ``normal=False`` (and ``t_df`` given) the t
        density alone is the reference and the thresholds are the t's.
    limit : float, default 8
        The x axis runs from ``-limit`` to ``limit``.
    bins : int, default 64
        Number of histogram bins over that range.
    xlabel : str
        Label of the x axis.

    Returns
    -------
    matplotlib.axes.Axes
        Densities over all values: a statistic beyond the axis is not drawn but still counts.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> ax = plot_null_statistics({"wide": rng.normal(0, 2, 500)}, z_variance=4.0)
    >>> [line.get_label() for line in ax.lines][:2]
    ['N(0, 1): what the test assumes', 'N(0, 4): theory']
    >>> ax = plot_null_statistics({"naive": rng.standard_t(30, 500)}, t_df=30, normal=False)
    >>> [line.get_label() for line in ax.lines][0]
    't(30): what the t-test assumes'
    >>> ax = plot_null_statistics({"z": rng.normal(0, 2, 500)}, t_df=19)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][-2:]
    ['z test thresholds +-1.96', 't-test thresholds +-2.09']
    """
    from scipy import stats

    if not normal and t_df is None:
        raise ValueError("normal=False needs t_df: the t distribution is then the reference.")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    edges = np.linspace(-limit, limit, bins + 1)
    for i, (name, values) in enumerate(statistics.items()):
        values = np.asarray(values, dtype=float)
        # density over all values, so the share beyond the axis still counts
        weights = np.full(values.size, 1.0 / (values.size * (edges[1] - edges[0])))
        ax.hist(
            values,
            bins=edges,
            weights=weights,
            alpha=0.5 if i == 0 else 1.0,
            histtype="bar" if i == 0 else "step",
            linewidth=1.8,
            color=OKABE_ITO[i % len(OKABE_ITO)],
            label=name,
        )
    grid = np.linspace(-limit, limit, 400)
    if normal:
        test = "the test" if t_df is None else "the z test"
        ax.plot(grid, stats.norm.pdf(grid), color="black", label=f"N(0, 1): what {test} assumes")
    if z_variance is not None:
        ax.plot(
            grid,
            stats.norm.pdf(grid, scale=np.sqrt(z_variance)),
            color="black",
            linestyle="--",
            label=f"N(0, {z_variance:.3g}): theory",
        )
    if t_df is not None:
        ax.plot(
            grid,
            stats.t.pdf(grid, t_df),
            color=OKABE_ITO[5] if normal else "black",
            linestyle="-." if normal else "-",
            label=f"t({t_df:g}): what the t-test assumes",
        )
    critical = stats.norm.isf(alpha / 2) if normal else stats.t.isf(alpha / 2, t_df)
    both = normal and t_df is not None  # a z test and a t-test: each has its thresholds
    for i, edge in enumerate((-critical, critical)):
        label = f"z test thresholds +-{critical:.2f}" if both and i == 0 else None
        ax.axvline(edge, color="grey", linestyle=":", linewidth=1.2, label=label)
    if both:
        t_critical = stats.t.isf(alpha / 2, t_df)
        for i, edge in enumerate((-t_critical, t_critical)):
            label = f"t-test thresholds +-{t_critical:.2f}" if i == 0 else None
            ax.axvline(edge, color=OKABE_ITO[5], linestyle=":", linewidth=1.2, label=label)
        xlabel_end = "dotted: each test's thresholds"
    else:
        xlabel_end = f"dotted: +-{critical:.2f}"
    ax.set_xlim(-limit, limit)
    ax.set_xlabel(f"{xlabel}; {xlabel_end}")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title or "Statistics of null studies")
    return ax
