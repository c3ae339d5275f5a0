"""Figures of power: the noncentral t, power curves, a slider explorer, whole-brain power,
effect-size inflation, circular ROIs and the subjects-or-scans trade-off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from course_utils.experiments import power
from course_utils.teaching.plotting._style import OKABE_ITO

if TYPE_CHECKING:
    import ipywidgets
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The corrections the explorer offers: label -> whether alpha is divided by the voxels.
_CORRECTIONS = {"none (one ROI or one voxel)": False, "Bonferroni over the brain's voxels": True}


def plot_t_distributions(
    d: float, n: int, alpha: float = 0.05, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """The t statistic without an effect (central t) and with one (noncentral t), with the
    two-sided rejection region shaded: power is the noncentral area beyond the thresholds.

    Parameters
    ----------
    d : float
        True effect size (Cohen's d).
    n : int
        Number of subjects.
    alpha : float, default 0.05
        Two-sided level of the test.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default gives N, d, the threshold and alpha).

    Returns
    -------
    matplotlib.axes.Axes
        Both densities, the thresholds and the shaded power.

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
    axes: Sequence[Axes] | np.ndarray | None = None,
) -> Figure:
    """Power against the number of subjects, one panel per threshold, one curve per d, with
    the smallest N that reaches ``target`` marked.

    Parameters
    ----------
    d_values : sequence of float
        Effect sizes (Cohen's d), one curve each.
    levels : mapping of str to float
        Panel title -> per-test level (e.g. :func:`course_utils.experiments.power.per_test_levels`).
    n_max : int, default 200
        Largest number of subjects drawn.
    target : float, default 0.8
        Power to reach, drawn as a dotted line; the first N that reaches it is marked.
    axes : sequence of matplotlib axes, optional
        One per level; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The figure of the panels.

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
    d: float,
    n: int,
    alpha: float,
    label: str = "",
    n_max: int = 200,
    target: float = 0.8,
    ax: Axes | None = None,
) -> Axes:
    """One power curve with a chosen study marked: what the explorer's sliders draw.

    Parameters
    ----------
    d : float
        True effect size (Cohen's d).
    n : int
        Number of subjects of the study marked.
    alpha : float
        Per-test two-sided level.
    label : str, optional
        Prefix of the title (e.g. the correction).
    n_max : int, default 200
        Largest number of subjects drawn.
    target : float, default 0.8
        Power to reach: a dotted line, and the N that reaches it as a dashed one.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The power curve with the study marked.

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
) -> ipywidgets.VBox:
    """Sliders for N, d, alpha and the correction that redraw the power curve (JupyterLab).

    Where widgets cannot run (the site, the tests) show :func:`plot_power_at` at the same
    defaults instead (see ``plotting.interactive_available``).

    Parameters
    ----------
    n_voxels : int
        Voxels of the brain, for the Bonferroni correction.
    d : float, default 0.5
        Initial effect size.
    n : int, default 30
        Initial number of subjects.
    alpha : float, default 0.05
        Initial level (one of 0.1, 0.05, 0.01, 0.005, 0.001).
    correction : str
        Initial correction: ``"none (one ROI or one voxel)"`` or
        ``"Bonferroni over the brain's voxels"``.
    n_max : int, default 200
        Largest number of subjects of the slider and the curve.

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

    if correction not in _CORRECTIONS:
        raise ValueError(f"correction must be one of {list(_CORRECTIONS)}; got {correction!r}.")
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
        widgets.Dropdown(options=list(_CORRECTIONS), value=correction, description="correction"),
    ]
    summary, picture = widgets.HTML(), widgets.Image(format="png")

    def update(change: object = None) -> None:
        n_, d_, alpha_, corr = (c.value for c in controls)
        level = alpha_ / n_voxels if _CORRECTIONS[corr] else alpha_
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
            label="Bonferroni" if _CORRECTIONS[corr] else "one test",
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
    axes: Sequence[Axes] | np.ndarray | None = None,
    title: str = "Whole-brain power against the ground truth",
) -> Figure:
    """Share of the truly active voxels found, by number of subjects, for max-T and clusters
    (from :func:`course_utils.experiments.power.whole_brain_power`): every study as a dot, means
    joined.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per simulated study: ``n_subjects`` and the shares found, ``share_max_t``,
        ``share_cluster``, ``strong_max_t``, ``strong_cluster``.
    strong_d : float, default 0.8
        The effect size above which a voxel counts as strong (for the right panel's title).
    axes : sequence of two matplotlib axes, optional
        Where to draw; a new figure when omitted.
    title : str
        Figure title (say which data).

    Returns
    -------
    matplotlib.figure.Figure
        Left: all truly active voxels; right: the strong ones.

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
    axes: Sequence[Axes] | np.ndarray | None = None,
    brain_title: str = "Stand-in: voxels found by max-T",
) -> Figure:
    """The winner's curse: the effect size reported by what passes a threshold, by N.

    Left: simulated studies at true ``d`` (from
    :func:`course_utils.experiments.selection.winners_curse`).
    Right, when ``brain`` is given: mean estimated and true d of the voxels max-T found
    (from :func:`course_utils.experiments.power.whole_brain_power`).

    Parameters
    ----------
    simulated : pandas.DataFrame
        Indexed by ``n_subjects``; columns ``mean_d_significant`` and ``mean_d_all``.
    d : float
        The true effect size of the simulated studies.
    brain : pandas.DataFrame, optional
        One row per whole-brain study: ``n_subjects``, ``d_est_max_t`` and ``d_true_max_t``.
    axes : sequence of matplotlib axes, optional
        One (two with ``brain``); a new figure when omitted.
    brain_title : str
        Title of the right panel (say which data).

    Returns
    -------
    matplotlib.figure.Figure
        The figure of the panels.

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


def plot_tradeoff(
    budget: pd.DataFrame, by_scans: pd.DataFrame, axes: Sequence[Axes] | np.ndarray | None = None
) -> Figure:
    """More subjects or longer scans: power at a budget of scans, power by scans per subject.

    The tables come from :func:`course_utils.experiments.power.scan_tradeoff`.

    Left: power at a fixed total number of scans, against how many subjects share them.
    Right: power against scans per subject, one line per number of subjects.

    Parameters
    ----------
    budget : pandas.DataFrame
        At a fixed total of scans: columns ``subjects``, ``scans_per_subject``, ``power`` and
        ``total_scans``.
    by_scans : pandas.DataFrame
        Columns ``subjects``, ``scans_per_subject`` and ``power``.
    axes : sequence of two matplotlib axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The two panels.

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
