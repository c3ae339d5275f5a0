"""Plotting: the course figure style and the figures that several notebooks share.

Every figure in the course uses :func:`use_course_style` (colour-blind-safe Okabe-Ito colours,
readable font sizes) and has labelled axes with units and a title that says what it shows.
"""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

#: Okabe & Ito (2008) colour-blind-safe palette, in the order the course uses it.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Diverging colour map for signed maps (t, beta, differences): blue negative, red positive.
DIVERGING_CMAP = "RdBu_r"


def use_course_style() -> None:
    """Apply the course figure style to matplotlib.

    Sets the Okabe-Ito colour cycle, font sizes readable on a projector, a light grid and a
    figure resolution that keeps the site small.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> use_course_style()
    >>> mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
    '#0072B2'
    """
    import warnings

    # nilearn's brain plots place their own axes, which matplotlib's constrained layout cannot
    # arrange; it says so at every draw, although the figure is fine.
    warnings.filterwarnings("ignore", message="There are no gridspecs with layoutgrids")
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 13,
            "axes.labelsize": 12,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "legend.frameon": False,
            "figure.dpi": 90,
            "savefig.dpi": 90,
            "figure.constrained_layout.use": True,
            "image.cmap": "viridis",
        }
    )


def source_title(title: str, source: str | None) -> str:
    """Return a figure title that names the data source when it is not the real data.

    Parameters
    ----------
    title : str
        What the figure shows.
    source : str or None
        Data source label, e.g. ``"synthetic stand-in (seed 0)"``; None or ``"localizer"``
        leave the title unchanged.

    Returns
    -------
    str
        The title, with ``[synthetic stand-in ...]`` appended for synthetic data.

    Examples
    --------
    >>> source_title("Mean map", "synthetic stand-in (seed 0)")
    'Mean map [synthetic stand-in (seed 0)]'
    >>> source_title("Mean map", None)
    'Mean map'
    """
    if not source or source.lower().startswith("localizer"):
        return title
    return f"{title} [{source}]"


# --- Figures for designs, GLM and contrasts (notebooks 03-04) ---------------------------------


def plot_design(design, ax=None, title: str | None = None):
    """Draw a design matrix as a heatmap: rows are observations, columns are regressors.

    Parameters
    ----------
    design : pandas.DataFrame
        The design; its column names label the x axis.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default "Design matrix").

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from course_utils.designs import two_sample
    >>> ax = plot_design(two_sample(3, 2, "contrast"))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['intercept', 'group1_vs_group2']
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        width = min(1.2 + 0.45 * design.shape[1], 9)
        _, ax = plt.subplots(figsize=(width, 3.6))
    values = design.to_numpy(dtype=float)
    limit = float(np.abs(values).max()) or 1.0
    image = ax.imshow(values, aspect="auto", cmap="gray", vmin=-limit, vmax=limit,
                      interpolation="nearest")
    ax.set_xticks(range(design.shape[1]), [str(c) for c in design.columns], rotation=60,
                  ha="right")
    ax.set_ylabel("observation (row)")
    ax.set_xlabel("regressor (column)")
    ax.grid(False)
    ax.set_title(title or "Design matrix")
    ax.figure.colorbar(image, ax=ax, label="value", shrink=0.8)
    return ax


def plot_estimates(names, values, errors=None, ax=None, ylabel: str = "estimate",
                   title: str | None = None):
    """Bar plot of betas or contrast values, with optional error bars (e.g. 1.96 x SE).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_estimates(["linear", "quadratic"], [0.9, -0.1], errors=[0.2, 0.2])
    >>> ax.get_ylabel()
    'estimate'
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.8 * len(names) + 1.5), 3.2))
    values = np.asarray(values, dtype=float)
    colours = [OKABE_ITO[0] if v >= 0 else OKABE_ITO[3] for v in values]
    ax.bar([str(n) for n in names], values, color=colours,
           yerr=None if errors is None else np.asarray(errors, dtype=float), capsize=4)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_groups(groups, ax=None, ylabel: str = "value", title: str | None = None, seed: int = 0):
    """Each group's values as jittered dots with the group mean as a bar.

    Parameters
    ----------
    groups : mapping of str to array-like
        Group name to values.
    seed : int
        Seed of the horizontal jitter (the figure is reproducible).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_groups({"young": [1, 2, 3], "old": [2, 3, 5]})
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['young', 'old']
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(groups) + 1.5, 3.4))
    rng = np.random.default_rng(seed)
    for i, values in enumerate(groups.values()):
        values = np.asarray(values, dtype=float)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.scatter(i + rng.uniform(-0.15, 0.15, values.size), values, color=colour, alpha=0.7,
                   s=18, label=None)
        ax.hlines(values.mean(), i - 0.3, i + 0.3, color="black", linewidth=2)
    ax.set_xticks(range(len(groups)), list(groups))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax



# --- Figures for simulation and mixed effects (notebooks 01-02) -------------------------------


def plot_timeseries(times, series, ax=None, ylabel: str = "signal change (%)",
                    title: str | None = None, events=None):
    """Plot one or more time series against time, with optional event markers.

    Parameters
    ----------
    times : array-like
        Time of each sample in seconds.
    series : mapping of str to array-like
        Label to values (same length as ``times``).
    ax : matplotlib Axes, optional
        Where to draw; a new wide figure when omitted.
    ylabel, title : str
        Axis label (with units) and title.
    events : array-like, optional
        Event onsets in seconds, drawn as dotted vertical lines.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_timeseries([0, 1, 2], {"voxel": [0.0, 1.0, 0.5]}, events=[0.0])
    >>> ax.get_xlabel(), len(ax.lines)
    ('time (s)', 2)
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    for onset in [] if events is None else events:
        ax.axvline(onset, color="grey", linestyle=":", linewidth=1)
    for label, values in series.items():
        ax.plot(times, values, label=label, linewidth=1.5)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def plot_hrf(times, hrf, ax=None, title: str | None = None, label: str | None = None,
             marker: str | None = None):
    """Plot a haemodynamic response function and mark its peak.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_hrf([0, 2, 4, 6, 8], [0, 0.3, 0.9, 1.0, 0.6], label="HRF")
    >>> ax.get_ylabel()
    'response (per unit amplitude)'
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    times, hrf = np.asarray(times, dtype=float), np.asarray(hrf, dtype=float)
    line, = ax.plot(times, hrf, marker=marker, label=label)
    peak = int(np.argmax(hrf))
    ax.axvline(times[peak], color=line.get_color(), linestyle="--", linewidth=1)
    ax.set_xlabel("time after the event (s)")
    ax.set_ylabel("response (per unit amplitude)")
    if label:
        ax.legend()
    ax.set_title(title or "Haemodynamic response function")
    return ax


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
    import matplotlib.pyplot as plt
    import numpy as np

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
    import matplotlib.pyplot as plt
    import numpy as np

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
    import matplotlib.pyplot as plt
    import numpy as np

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
    import matplotlib.pyplot as plt
    import numpy as np

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



# --- Figures for group maps and inference (notebooks 05-07) -----------------------------------


def plot_max_null(result, alpha: float = 0.05, ax=None, bonferroni: float | None = None,
                  title: str | None = None):
    """Histogram of the max-T null distribution of a permutation test, with its FWE threshold.

    Parameters
    ----------
    result : course_utils.inference.PermutationResult
        From :func:`course_utils.inference.permutation_test`.
    alpha : float, default 0.05
        FWE level of the threshold drawn (:func:`course_utils.inference.fwe_threshold`).
    ax : matplotlib.axes.Axes, optional
    bonferroni : float, optional
        A Bonferroni threshold on the same scale, drawn for comparison.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from course_utils.inference import permutation_test
    >>> res = permutation_test(np.random.default_rng(0).normal(size=(12, 80)), n_perm=200)
    >>> ax = plot_max_null(res, bonferroni=4.5)
    >>> len(ax.lines), ax.get_xlabel()
    (3, 'largest |t| over the map in each permutation')
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from course_utils.inference import fwe_threshold

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    null = np.asarray(result.max_null, dtype=float)
    null = null[np.isfinite(null)]
    stat = "|t|" if result.two_sided else "t"
    ax.hist(null, bins=min(60, max(10, null.size // 20)), color=OKABE_ITO[0], alpha=0.7,
            label=f"max-{stat} null ({result.n_perm} permutations)")
    threshold = fwe_threshold(result, alpha)
    if np.isfinite(threshold):
        ax.axvline(threshold, color=OKABE_ITO[3], linewidth=2,
                   label=f"FWE {alpha:g} threshold: {threshold:.2f}")
    if bonferroni is not None:
        ax.axvline(bonferroni, color=OKABE_ITO[7], linestyle="--",
                   label=f"Bonferroni: {bonferroni:.2f}")
    observed = float(np.max(np.abs(result.t) if result.two_sided else result.t))
    ax.axvline(observed, color=OKABE_ITO[2], linestyle=":", linewidth=2,
               label=f"observed max {stat}: {observed:.2f}")
    ax.set_xlabel(f"largest {stat} over the map in each permutation")
    ax.set_ylabel("number of permutations")
    ax.legend(loc="upper right")
    ax.set_title(title or f"Max-{stat} null distribution and the corrected threshold")
    return ax


def plot_error_rates(table, alpha: float = 0.05, ax=None, title: str | None = None):
    """Measured family-wise error rate of each method with its confidence interval.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`course_utils.inference.familywise_error_rate` (index: method; columns
        ``fwe_rate``, ``ci_low``, ``ci_high``, ``n_datasets``).
    alpha : float, default 0.05
        Nominal rate, drawn as a dashed line.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"fwe_rate": [0.9, 0.05], "ci_low": [0.85, 0.03],
    ...                       "ci_high": [0.94, 0.08], "n_datasets": [200, 200]},
    ...                      index=pd.Index(["uncorrected", "max-t"], name="method"))
    >>> ax = plot_error_rates(table)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['uncorrected', 'max-t']
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(table) + 1.8))
    rows = np.arange(len(table))
    rate = table["fwe_rate"].to_numpy(dtype=float)
    errors = np.vstack([rate - table["ci_low"].to_numpy(dtype=float),
                        table["ci_high"].to_numpy(dtype=float) - rate])
    n_sets = int(table["n_datasets"].iloc[0]) if "n_datasets" in table else None
    ax.errorbar(rate, rows, xerr=errors, fmt="o", color=OKABE_ITO[0], capsize=4,
                label="measured rate and interval")
    ax.axvline(alpha, color=OKABE_ITO[3], linestyle="--", label=f"nominal {alpha:g}")
    ax.set_yticks(rows, [str(name) for name in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("family-wise error rate (share of null studies with any detection)")
    ax.legend(loc="lower right")
    suffix = f" ({n_sets} null studies)" if n_sets else ""
    ax.set_title(title or f"How often each method finds something in pure noise{suffix}")
    return ax


def interactive_available() -> bool:
    """True when interactive widgets can be shown (ipywidgets installed, not a static build).

    The notebook tests and the site build set ``COURSE_STATIC_FIGURES=1``: there, widgets cannot
    be used, and notebooks show a static figure instead.
    """
    import os

    if os.environ.get("COURSE_STATIC_FIGURES", "").strip() not in ("", "0"):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def threshold_counts(values, thresholds, two_sided: bool = True):
    """Number of voxels whose statistic exceeds each threshold (``|value|`` when two-sided).

    NaN voxels never count.

    Examples
    --------
    >>> threshold_counts([-4.0, 1.0, 2.5, 5.0, float("nan")], [2.0, 4.5]).tolist()
    [3, 1]
    """
    import numpy as np

    stat = np.asarray(values, dtype=float).ravel()
    stat = stat[np.isfinite(stat)]
    if two_sided:
        stat = np.abs(stat)
    ordered = np.sort(stat)
    return ordered.size - np.searchsorted(ordered, np.asarray(thresholds, dtype=float),
                                          side="right")


def plot_threshold_curve(values, thresholds=None, marks=None, ax=None, two_sided: bool = True,
                         title: str = "Voxels surviving each threshold"):
    """Static figure: how many voxels survive as the threshold rises (log scale).

    Parameters
    ----------
    values : array-like
        The statistic of every voxel (e.g. a t-map's masked values).
    thresholds : array-like, optional
        Thresholds to draw (default: 0 to the largest value).
    marks : mapping of str to float, optional
        Named thresholds to mark with vertical lines (e.g. ``{"Bonferroni": 5.4}``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_threshold_curve([1.0, 2.0, 6.0], marks={"t = 4": 4.0})
    >>> ax.get_xlabel()
    'threshold on |t|'
    """
    import matplotlib.pyplot as plt
    import numpy as np

    stat = np.asarray(values, dtype=float)
    top = float(np.nanmax(np.abs(stat) if two_sided else stat))
    grid = np.linspace(0, max(top, 1e-9), 200) if thresholds is None else np.asarray(thresholds)
    counts = threshold_counts(stat, grid, two_sided=two_sided)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    ax.step(grid, np.maximum(counts, 0.8), where="post", color=OKABE_ITO[0])
    ax.set_yscale("log")
    ax.set_xlabel("threshold on |t|" if two_sided else "threshold on t")
    ax.set_ylabel("voxels above threshold")
    for i, (name, value) in enumerate((marks or {}).items()):
        n_above = int(threshold_counts(stat, [value], two_sided=two_sided)[0])
        ax.axvline(value, color=OKABE_ITO[(i + 1) % len(OKABE_ITO)], linestyle="--",
                   label=f"{name}: {value:.2f} ({n_above} voxels)")
    if marks:
        ax.legend()
    ax.set_title(title)
    return ax


def threshold_explorer(stat_img, mask_img=None, start: float = 3.0, maximum: float | None = None,
                       title: str = "t-map"):
    """A slider over the threshold with a live count of surviving voxels and a glass brain.

    Parameters
    ----------
    stat_img : nibabel image
        The statistic map (voxels outside the mask should be 0 or NaN).
    mask_img : nibabel image, optional
        Analysis mask: only its voxels are counted.
    start, maximum : float
        Initial and largest threshold of the slider.
    title : str
        Title of the glass brain.

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook (it redraws when the slider moves). Use
        :func:`plot_threshold_curve` where widgets cannot run.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib, numpy as np
    >>> img = nib.Nifti1Image(np.linspace(-5, 5, 64, dtype="float32").reshape(4, 4, 4),
    ...                       np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> box = threshold_explorer(img, start=4.0)
    >>> box.children[1].value
    '<b>14</b> of 64 voxels have |t| above 4.00'
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    import numpy as np
    from nilearn import plotting as niplot

    data = np.asarray(stat_img.dataobj, dtype=float)
    inside = (np.asarray(mask_img.dataobj) > 0) if mask_img is not None else np.ones(data.shape,
                                                                                      bool)
    values = data[inside]
    top = float(np.nanmax(np.abs(values))) if maximum is None else float(maximum)
    slider = widgets.FloatSlider(value=min(start, top), min=0.0, max=max(top, 0.1), step=0.1,
                                 description="|t| >", continuous_update=False)
    label = widgets.HTML()
    picture = widgets.Image(format="png")

    def update(change=None):
        import io

        threshold = slider.value
        count = int(threshold_counts(values, [threshold])[0])
        label.value = (f"<b>{count}</b> of {values.size} voxels have |t| above "
                       f"{threshold:.2f}")
        fig = plt.figure(figsize=(7, 2.6))
        niplot.plot_glass_brain(stat_img, threshold=threshold, colorbar=True, plot_abs=False,
                                cmap=DIVERGING_CMAP, figure=fig,
                                title=f"{title}, |t| > {threshold:.2f}")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        picture.value = buffer.getvalue()

    slider.observe(update, names="value")
    update()
    return widgets.VBox([slider, label, picture])
