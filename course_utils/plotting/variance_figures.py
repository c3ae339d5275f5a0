"""Figures of the two levels of variance: subject estimates, intervals, components, convergence."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_utils.plotting.style import (
    OKABE_ITO,
)


def plot_beta_distribution(values, ax=None, true_mean: float | None = None,
                           xlabel: str = "estimated amplitude (% signal change)",
                           title: str | None = None, bins: int = 20):
    """Histogram of subject estimates, with zero, their mean and (optionally) the true mean.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_beta_distribution([0.5, 1.0, 1.5, 2.0], true_mean=1.0)
    >>> ax.get_ylabel()
    'number of subjects'
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    values = np.asarray(values, dtype=float)
    ax.hist(values, bins=bins, color=OKABE_ITO[0], alpha=0.8)
    ax.axvline(0, color="black", linewidth=1, label="zero")
    ax.axvline(values.mean(), color=OKABE_ITO[1], linewidth=2, label="sample mean")
    if true_mean is not None:
        ax.axvline(true_mean, color=OKABE_ITO[3], linestyle="--", linewidth=2,
                   label="population mean")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("number of subjects")
    ax.legend()
    ax.set_title(title or "Distribution of subject estimates")
    return ax


def plot_subject_intervals(estimates, ses, group=None, ax=None,
                           xlabel: str = "estimate (% signal change)", title: str | None = None):
    """Forest plot: each subject's estimate with its 95 % interval, then group estimates.

    Parameters
    ----------
    estimates, ses : array-like, shape (n_subjects,)
        Subject estimates and their first-level standard errors.
    group : mapping of str to (estimate, se), optional
        Group estimates drawn below the subjects as diamonds (e.g. fixed and random effects).

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
    ax.errorbar(estimates, rows, xerr=1.96 * ses, fmt="o", color=OKABE_ITO[0], capsize=2,
                markersize=4)
    labels = [f"subject {i + 1}" for i in range(n)]
    for i, (name, (est, se)) in enumerate(group.items()):
        colour = OKABE_ITO[(i + 1) % len(OKABE_ITO)]
        ax.errorbar([est], [n + i + 0.5], xerr=[1.96 * se], fmt="D", color=colour, capsize=4,
                    markersize=7)
        labels.append(name)
    ax.set_yticks(list(rows) + [n + i + 0.5 for i in range(len(group))], labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_title(title or "Estimates with 95 % intervals")
    return ax


def plot_variance_components(first_level_variances, tau2: float, ax=None,
                             unit: str = "(% signal change)$^2$", title: str | None = None):
    """Stacked bars of each subject's variance: between subjects ``tau^2`` + first level ``s_k^2``.

    The total bar length is the variance of that subject's estimate, ``tau^2 + s_k^2``; the
    label at the end of each bar gives the subject's random-effects weight ``1/(tau^2 + s_k^2)``
    as a share of the total.

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

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_variance_components([0.1, 0.4], tau2=0.25)
    >>> [t.get_text().strip() for t in ax.texts]
    ['weight 0.65', 'weight 0.35']
    """

    s2 = np.asarray(first_level_variances, dtype=float)
    n = s2.size
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.2 + 0.3 * n))
    rows = np.arange(n)
    ax.barh(rows, np.full(n, tau2), color=OKABE_ITO[1], label=r"between subjects, $\tau^2$")
    ax.barh(rows, s2, left=tau2, color=OKABE_ITO[0], label=r"first level, $s_k^2$")
    weights = 1.0 / (tau2 + s2)
    weights /= weights.sum()
    for row, total, weight in zip(rows, tau2 + s2, weights, strict=True):
        ax.text(total, row, f" weight {weight:.2f}", va="center", fontsize="small")
    ax.set_yticks(rows, [f"subject {i + 1}" for i in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.25 * float((tau2 + s2).max()))
    ax.set_xlabel(f"variance of the subject's estimate {unit}")
    ax.legend(loc="lower right")
    ax.set_title(title or "Two sources of variance in each subject's estimate")
    return ax


def plot_convergence(x, series, ax=None, reference: float | None = None,
                     reference_label: str = "truth", xlabel: str = "number of subjects",
                     ylabel: str = "estimate (% signal change)", title: str | None = None,
                     logy: bool = False):
    """Plot several estimators against a growing sample size (log x axis, one tick per size).

    Parameters
    ----------
    x : array-like
        Sample sizes (subjects, scans), increasing.
    series : mapping of str to array-like
        Estimator name to its values at each ``x``. Later series are drawn with smaller markers
        and dashed lines, so overlapping estimators stay visible.
    reference : float, optional
        A horizontal line (e.g. the true value).
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
        ax.plot(x, values, marker=markers[i % 6], linestyle=lines[i % 6],
                markersize=max(9 - 1.5 * i, 4), label=name)
    if reference is not None:
        ax.axhline(reference, color="black", linestyle=":", label=reference_label)
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



