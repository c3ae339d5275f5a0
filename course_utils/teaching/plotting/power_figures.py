"""Figures of power: the noncentral t, power curves, a slider explorer, whole-brain power,
effect-size inflation, circular ROIs and the subjects-or-scans trade-off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from course_utils.experiments import power
from course_utils.teaching.plotting.style import OKABE_ITO

__all__ = [
    "CORRECTIONS",
    "plot_circularity",
    "plot_inflation",
    "plot_power_at",
    "plot_power_curves",
    "plot_t_distributions",
    "plot_tradeoff",
    "plot_whole_brain_power",
    "power_explorer",
]

#: The corrections the explorer offers: label -> whether alpha is divided by the voxels.
CORRECTIONS = {"none (one ROI or one voxel)": False, "Bonferroni over the brain's voxels": True}


def plot_t_distributions(d: float, n: int, alpha: float = 0.05, ax=None, title: str | None = None):
    """The t statistic without an effect (central t) and with one (noncentral t), with the
    two-sided rejection region shaded: power is the noncentral area beyond the thresholds.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_t_distributions(0.5, 20)
    >>> ax.get_xlabel(), len(ax.lines)
    ('t statistic (df = 19)', 4)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    df, nc = n - 1, d * np.sqrt(n)
    crit = stats.t.isf(alpha / 2, df)
    x = np.linspace(min(-5.0, -crit - 1), max(5.0, nc + 4, crit + 1), 600)
    null, alt = stats.t.pdf(x, df), stats.nct.pdf(x, df, nc)
    ax.plot(x, null, color=OKABE_ITO[7], label="no effect (central t)")
    ax.plot(x, alt, color=OKABE_ITO[0], label=f"d = {d:g} (noncentral t, nc = {nc:.2f})")
    for sign in (1, -1):
        side = sign * x > crit
        ax.fill_between(x[side], alt[side], color=OKABE_ITO[0], alpha=0.35)
        ax.axvline(sign * crit, color=OKABE_ITO[3], linestyle="--")
    ax.fill_between(
        [],
        [],
        color=OKABE_ITO[0],
        alpha=0.35,
        label=f"power = {power.analytic_power(d, n, alpha):.3f}",
    )
    ax.set_xlabel(f"t statistic (df = {df})")
    ax.set_ylabel("probability density")
    ax.legend(loc="upper left")
    ax.set_title(
        title or f"{n} subjects, d = {d:g}: |t| > {crit:.2f} rejects (alpha = {alpha:g}, two-sided)"
    )
    return ax


def plot_power_curves(
    d_values: Sequence[float],
    levels: Mapping[str, float],
    n_max: int = 200,
    target: float = 0.8,
    axes=None,
):
    """Power against the number of subjects, one panel per threshold, one curve per d, with
    the smallest N that reaches ``target`` marked.

    Parameters
    ----------
    d_values : sequence of float
    levels : mapping of str to float
        Panel title -> per-test level (e.g. :func:`course_utils.experiments.power.thresholds`).
    n_max : int, default 200
    target : float, default 0.8
    axes : sequence of matplotlib axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> fig = plot_power_curves([0.5, 1.0], {"ROI": 0.05, "voxel": 0.001}, n_max=80)
    >>> [ax.get_title() for ax in fig.axes]
    ['ROI', 'voxel']
    """
    if axes is None:
        fig, axes = plt.subplots(1, len(levels), figsize=(4.2 * len(levels), 3.8), sharey=True)
    axes = np.atleast_1d(axes)
    n = np.arange(2, n_max + 1)
    for ax, (name, alpha) in zip(axes, levels.items(), strict=True):
        curves = power.analytic_power(np.asarray(d_values)[:, None], n[None, :], alpha)
        for k, (d, curve) in enumerate(zip(d_values, curves, strict=True)):
            color = OKABE_ITO[k % len(OKABE_ITO)]
            ax.plot(n, curve, color=color, label=f"d = {d:g}")
            reached = np.flatnonzero(curve >= target)
            if reached.size:
                ax.plot(n[reached[0]], curve[reached[0]], "o", color=color, markersize=5)
        ax.axhline(target, color=OKABE_ITO[7], linestyle=":", linewidth=1)
        ax.set_xlabel("number of subjects N")
        ax.set_title(name)
        ax.set_ylim(0, 1.02)
    axes[0].set_ylabel("power (two-sided)")
    axes[-1].legend(loc="lower right", fontsize=9)
    return axes[0].figure


def plot_power_at(
    d: float, n: int, alpha: float, label: str = "", n_max: int = 200, target: float = 0.8, ax=None
):
    """One power curve with a chosen study marked: what the explorer's sliders draw.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_power_at(0.5, 30, 0.05)
    >>> "power 0.75" in ax.get_title()
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    grid = np.arange(2, max(n_max, n) + 1)
    ax.plot(
        grid,
        power.analytic_power(d, grid, alpha),
        color=OKABE_ITO[0],
        label=f"d = {d:g}, per-test alpha = {alpha:.3g}",
    )
    here = power.analytic_power(d, n, alpha)
    ax.plot(n, here, "o", color=OKABE_ITO[3], markersize=8, label=f"N = {n}: power {here:.2f}")
    ax.axhline(target, color=OKABE_ITO[7], linestyle=":", linewidth=1)
    try:
        needed = power.n_for_power(d, alpha, target)
        ax.axvline(
            needed,
            color=OKABE_ITO[2],
            linestyle="--",
            label=f"{target:.0%} power from N = {needed}",
        )
    except ValueError:
        needed = None
    ax.set_xlim(0, grid[-1])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("number of subjects N")
    ax.set_ylabel("power (two-sided)")
    ax.legend(loc="lower right")
    ax.set_title(f"{label + ': ' if label else ''}N = {n}, d = {d:g}: power {here:.2f}")
    return ax


def power_explorer(
    n_voxels: int,
    d: float = 0.5,
    n: int = 30,
    alpha: float = 0.05,
    correction: str = "none (one ROI or one voxel)",
    n_max: int = 200,
):
    """Sliders for N, d, alpha and the correction that redraw the power curve (JupyterLab).

    Where widgets cannot run (the site, the tests) show :func:`plot_power_at` at the same
    defaults instead (see ``plotting.interactive_available``).

    Returns
    -------
    ipywidgets.VBox
        The controls, a one-line summary and the figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> box = power_explorer(67402)
    >>> box.children[1].value
    'N = 30, d = 0.5, per-test alpha 0.05: <b>power 0.75</b>; 80% power needs N = 34'
    >>> box.children[0].children[3].value = "Bonferroni over the brain's voxels"
    >>> box.children[1].value.endswith("needs N = 147")
    True
    """
    import io

    import ipywidgets as widgets

    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {list(CORRECTIONS)}; got {correction!r}.")
    controls = [
        widgets.IntSlider(
            value=n, min=3, max=n_max, description="N subjects", continuous_update=False
        ),
        widgets.FloatSlider(
            value=d, min=0.1, max=2.0, step=0.05, description="d", continuous_update=False
        ),
        widgets.SelectionSlider(
            options=[0.1, 0.05, 0.01, 0.005, 0.001],
            value=alpha,
            description="alpha",
            continuous_update=False,
        ),
        widgets.Dropdown(options=list(CORRECTIONS), value=correction, description="correction"),
    ]
    summary, picture = widgets.HTML(), widgets.Image(format="png")

    def update(change=None):
        n_, d_, alpha_, corr = (c.value for c in controls)
        level = alpha_ / n_voxels if CORRECTIONS[corr] else alpha_
        here = power.analytic_power(d_, n_, level)
        try:
            needed = f"80% power needs N = {power.n_for_power(d_, level)}"
        except ValueError:
            needed = "80% power is out of reach"
        summary.value = (
            f"N = {n_}, d = {d_:g}, per-test alpha {level:.3g}: <b>power {here:.2f}</b>; {needed}"
        )
        fig, ax = plt.subplots(figsize=(7, 3.8))
        plot_power_at(
            d_,
            n_,
            level,
            label="Bonferroni" if CORRECTIONS[corr] else "one test",
            n_max=n_max,
            ax=ax,
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        picture.value = buffer.getvalue()

    for control in controls:
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox(controls[:2] + controls[2:]), summary, picture])


def plot_whole_brain_power(
    table: pd.DataFrame,
    strong_d: float = 0.8,
    axes=None,
    title: str = "Whole-brain power against the ground truth",
):
    """Share of the truly active voxels found, by number of subjects, for max-T and clusters
    (from :func:`course_utils.experiments.power.whole_brain_power`): every study as a dot, means
    joined.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> table = pd.DataFrame({"n_subjects": [10, 10, 30], "share_max_t": [0.0, 0.1, 0.3],
    ...                       "share_cluster": [0.1, 0.2, 0.5], "strong_max_t": [0.2, 0.3, 1],
    ...                       "strong_cluster": [0.5, 0.4, 1]})
    >>> fig = plot_whole_brain_power(table)
    >>> fig.axes[0].get_ylabel()
    'share of active voxels found'
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    panels = (
        ("share", "all truly active voxels (d > 0)"),
        ("strong", f"voxels with true d >= {strong_d:g}"),
    )
    for ax, (prefix, name) in zip(axes, panels, strict=True):
        for k, (method, label) in enumerate(
            (("max_t", "max-T (voxels)"), ("cluster", "cluster size"))
        ):
            column = f"{prefix}_{method}"
            ax.plot(table["n_subjects"], table[column], "o", color=OKABE_ITO[k], alpha=0.5)
            means = table.groupby("n_subjects")[column].mean()
            ax.plot(means.index, means.to_numpy(), "-", color=OKABE_ITO[k], label=label)
        ax.set_xlabel("number of subjects N")
        ax.set_title(name)
        ax.set_ylim(-0.02, 1.02)
    axes[0].set_ylabel("share of active voxels found")
    axes[0].legend(loc="upper left")
    axes[0].figure.suptitle(title)
    return axes[0].figure


def plot_inflation(
    simulated: pd.DataFrame,
    d: float,
    brain: pd.DataFrame | None = None,
    axes=None,
    brain_title: str = "Stand-in: voxels found by max-T",
):
    """The winner's curse: the effect size reported by what passes a threshold, by N.

    Left: simulated studies at true ``d`` (from
    :func:`course_utils.experiments.power.winners_curse`).
    Right, when ``brain`` is given: mean estimated and true d of the voxels max-T found
    (from :func:`course_utils.experiments.power.whole_brain_power`).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> sim = pd.DataFrame({"mean_d_significant": [1.6, 0.6], "mean_d_all": [0.5, 0.5]},
    ...                    index=pd.Index([10, 90], name="n_subjects"))
    >>> fig = plot_inflation(sim, 0.5)
    >>> fig.axes[0].get_ylabel()
    "Cohen's d"
    """
    panels = 1 if brain is None else 2
    if axes is None:
        fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 3.8), sharey=True)
    axes = np.atleast_1d(axes)
    ax = axes[0]
    ax.plot(
        simulated.index,
        simulated["mean_d_significant"],
        "o-",
        color=OKABE_ITO[3],
        label="mean d of significant studies",
    )
    ax.plot(
        simulated.index,
        simulated["mean_d_all"],
        "s--",
        color=OKABE_ITO[0],
        label="mean d of all studies",
    )
    ax.axhline(d, color=OKABE_ITO[7], linestyle=":", label=f"true d = {d:g}")
    ax.set_title("Simulated studies")
    ax.set_ylabel("Cohen's d")
    if brain is not None:
        means = brain.groupby("n_subjects")[["d_est_max_t", "d_true_max_t"]].mean()
        axes[1].plot(
            means.index,
            means["d_est_max_t"],
            "o-",
            color=OKABE_ITO[3],
            label="estimated d (t / sqrt(N))",
        )
        axes[1].plot(
            means.index,
            means["d_true_max_t"],
            "s--",
            color=OKABE_ITO[2],
            label="true d of the same voxels",
        )
        axes[1].set_title(brain_title)
    for ax in axes:
        ax.set_xlabel("number of subjects N")
        ax.legend(loc="upper right")
    return axes[0].figure


def plot_circularity(
    table: pd.DataFrame, alpha: float = 0.05, ax=None, title: str = "ROI tests on null data"
):
    """False-positive rate of each kind of ROI with its 95% interval (from
    :func:`course_utils.experiments.power.circularity_null`) against the nominal ``alpha``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> table = pd.DataFrame({"rate": [0.05, 1.0], "ci_low": [0.04, 0.99], "ci_high": [0.06, 1],
    ...                       "n_datasets": [500, 500]}, index=["anatomical", "circular"])
    >>> ax = plot_circularity(table)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['anatomical', 'circular']
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(table) + 1.8))
    rows = np.arange(len(table))
    rate = table["rate"].to_numpy(dtype=float)
    error = np.vstack(
        [rate - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - rate]
    )
    ax.errorbar(
        rate,
        rows,
        xerr=error,
        fmt="o",
        color=OKABE_ITO[0],
        capsize=4,
        label="measured rate, 95% interval",
    )
    ax.axvline(alpha, color=OKABE_ITO[3], linestyle="--", label=f"nominal {alpha:g}")
    ax.set_yticks(rows, [str(name) for name in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(f"share of {int(table['n_datasets'].iloc[0])} null data sets with p < {alpha:g}")
    ax.legend(loc="center right")
    ax.set_title(title)
    return ax


def plot_tradeoff(budget: pd.DataFrame, by_scans: pd.DataFrame, axes=None):
    """More subjects or longer scans (tables from :func:`~.power.scan_tradeoff`).

    Left: power at a fixed total number of scans, against how many subjects share them.
    Right: power against scans per subject, one line per number of subjects.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from course_utils.experiments.power import scan_tradeoff
    >>> fig = plot_tradeoff(scan_tradeoff([10, 30], [300, 100]),
    ...                     scan_tradeoff([10, 10, 30, 30], [100, 400, 100, 400]))
    >>> fig.axes[1].get_xlabel()
    'scans per subject'
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    ax = axes[0]
    ax.plot(budget["subjects"], budget["power"], "o-", color=OKABE_ITO[0])
    for _, row in budget.iterrows():
        ax.annotate(
            f"{row['scans_per_subject']:.0f} scans",
            (row["subjects"], row["power"]),
            textcoords="offset points",
            xytext=(4, -12),
            fontsize=9,
        )
    ax.set_xlabel("number of subjects N")
    ax.set_ylabel("power (two-sided)")
    ax.set_title(f"{int(budget['total_scans'].iloc[0])} scans in all")
    for k, (subjects, rows) in enumerate(by_scans.groupby("subjects")):
        axes[1].plot(
            rows["scans_per_subject"],
            rows["power"],
            "o-",
            color=OKABE_ITO[(k + 1) % len(OKABE_ITO)],
            label=f"N = {subjects}",
        )
    axes[1].set_xlabel("scans per subject")
    axes[1].set_title("Longer scans, same subjects")
    axes[1].legend(loc="lower right")
    for ax in axes:
        ax.set_ylim(0, 1.02)
    return axes[0].figure
