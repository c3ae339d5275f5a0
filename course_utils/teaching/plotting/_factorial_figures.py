"""Figures of within-subject factorial designs: F-maps, cell means, error terms, sphericity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils.stats import anova
from course_utils.teaching.plotting._style import OKABE_ITO
from course_utils.teaching.plotting._subject_figures import label_colorbar

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_WITHIN_SE_LABEL = "error bars: 1 within-subject SE\n(Cousineau-Morey)"


def plot_cell_means(
    cells: Mapping[tuple, np.ndarray],
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str = "mean effect (map units)",
) -> Axes:
    """Interaction plot: the mean of each cell across subjects, with within-subject error bars.

    The error bars are one Cousineau-Morey standard error
    (:func:`course_utils.stats.anova.within_subject_se`): each subject's offset (its mean over
    all cells) is removed first, because it cancels in every within-subject test; bars with it
    would be as long as the differences between subjects, not those the tests judge.

    Parameters
    ----------
    cells : dict of (line level, x level) to array-like of shape (n_subjects,)
        Each cell's value per subject (e.g. an ROI mean), the same subjects in the same order
        in every cell; the first level picks the line (e.g. the modality), the second the
        position on the x axis (e.g. the task).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Say which region and which data.
    ylabel : str
        Label of the y axis, with units.

    Returns
    -------
    matplotlib.axes.Axes
        One line per first level, in the order of ``cells`` (an ``ErrorbarContainer`` each, in
        ``ax.containers``): parallel lines mean no interaction; lines that diverge or cross
        show one.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_cell_means({("audio", "x"): [1, 2], ("audio", "y"): [2, 3],
    ...                       ("video", "x"): [0, 1], ("video", "y"): [3, 4]}, title="demo")
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['audio', 'video']
    """
    if not cells:
        raise ValueError("cells is empty: give one array of subject values per cell.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    lines = list(dict.fromkeys(key[0] for key in cells))
    xs = list(dict.fromkeys(key[1] for key in cells))
    missing = [(line, x) for line in lines for x in xs if (line, x) not in cells]
    if missing:
        raise ValueError(f"cells lacks {missing}: give every (line, x) combination.")
    keys = [(line, x) for line in lines for x in xs]
    values = np.column_stack([np.asarray(cells[key], dtype=float) for key in keys])
    means = values.mean(axis=0).reshape(len(lines), len(xs))
    se = anova.within_subject_se(values).reshape(len(lines), len(xs))
    shift = 0.04 * (np.arange(len(lines)) - (len(lines) - 1) / 2)
    for k, line in enumerate(lines):
        ax.errorbar(
            np.arange(len(xs)) + shift[k],
            means[k],
            yerr=se[k],
            marker="o",
            capsize=4,
            color=OKABE_ITO[k % len(OKABE_ITO)],
            label=str(line),
        )
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xticks(np.arange(len(xs)), [str(x) for x in xs])
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", title=_WITHIN_SE_LABEL)
    ax.set_title(title or "Cell means")
    return ax


def plot_epsilon_histogram(
    observed: np.ndarray,
    null: np.ndarray,
    threshold: float = 0.75,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "Greenhouse-Geisser epsilon",
) -> Axes:
    """Estimated Greenhouse-Geisser epsilons against their distribution under sphericity.

    Both as densities on one axis (the counts differ): the observed values filled, the null
    (epsilons of simulated spherical data with the same subjects and levels) as an outline,
    and a dashed line at ``threshold`` with the share of each below it in the legend.

    Parameters
    ----------
    observed : array-like
        The estimated epsilons (e.g. one per voxel).
    null : array-like
        Epsilons of simulated data that are spherical.
    threshold : float, default 0.75
        The value whose shares below are compared.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Say which effect and which data.
    xlabel : str
        Label of the x axis.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: the observed histogram first in ``ax.patches``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_epsilon_histogram(np.linspace(0.5, 1, 100), np.linspace(0.8, 1, 100))
    >>> [text.get_text() for text in ax.get_legend().get_texts()][:2]
    ['observed: 50.0% below 0.75', 'spherical (simulated): 0.0% below 0.75']
    """
    observed, null = np.ravel(observed), np.ravel(null)
    if observed.size == 0 or null.size == 0:
        raise ValueError("observed and null need at least one epsilon each.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    low = min(float(observed.min()), float(null.min()), threshold)
    bins = np.linspace(np.floor(low * 20) / 20, 1.0, 51)
    for values, name, style in [
        (observed, "observed", {"color": OKABE_ITO[0], "alpha": 0.7}),
        (null, "spherical (simulated)", {"histtype": "step", "color": "k", "linewidth": 1.5}),
    ]:
        share = float(np.mean(values < threshold))
        ax.hist(
            values,
            bins=bins,
            density=True,
            label=f"{name}: {share:.1%} below {threshold:g}",
            **style,
        )
    ax.axvline(threshold, color="0.4", linestyle="--", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(loc="upper left")
    ax.set_title(title or "Estimated epsilon, observed and under sphericity")
    return ax


def plot_f_glass_brains(
    images: Mapping[str, object],
    vmin: Mapping[str, float],
    title: str,
    cbar_labels: Mapping[str, str] | None = None,
    panel_height: float = 2.5,
) -> plt.Figure:
    """F-maps as glass brains, one panel per effect, each with its own sequential scale.

    F is never negative, so the colour map is sequential (no diverging map centred on 0), and
    each effect's scale runs from its threshold's F (``vmin``) to its own largest F: an effect
    with F up to 200 is not clipped at another's maximum.

    Parameters
    ----------
    images : mapping of str to nibabel image
        Panel title (say the effect and ``F(df1, df2)``) -> F-map, 0 where not drawn.
    vmin : mapping of str to float
        Panel title -> the F of the threshold (the bottom of that panel's colour bar).
    title : str
        Figure title (say what is shown, and which data).
    cbar_labels : mapping of str to str, optional
        Panel title -> label of its colour bar, e.g. ``"F(1, 29)"`` (default ``"F"``).
    panel_height : float, default 2.5
        Height of the row in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib
    >>> values = np.zeros((53, 63, 46), dtype="float32")
    >>> values[20:25, 10:15, 20:25] = 30.0
    >>> img = nib.Nifti1Image(values, np.diag([-3.0, 3.0, 3.0, 1.0]))
    >>> fig = plot_f_glass_brains({"a: F(1, 9)": img}, {"a: F(1, 9)": 22.9}, title="F")
    >>> fig.get_suptitle()
    'F'
    """
    from nilearn import plotting as niplot

    if not images:
        raise ValueError("images is empty: give at least one map to draw.")
    missing = [name for name in images if name not in vmin]
    if missing:
        raise ValueError(f"vmin lacks {missing}: give each panel its threshold's F.")
    height = panel_height + 0.9
    fig, axes = plt.subplots(
        1, len(images), figsize=(5 * len(images), height), layout="none", squeeze=False
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.75 / height, bottom=0.02, wspace=0.05)
    for ax, (name, img) in zip(axes.flat, images.items(), strict=True):
        low = float(vmin[name])
        high = max(float(np.nanmax(np.asarray(img.dataobj))), low * 1.01)
        display = niplot.plot_glass_brain(
            img,
            axes=ax,
            colorbar=True,
            plot_abs=False,
            symmetric_cbar=False,
            cmap="viridis",
            threshold=low,
            vmin=low,
            vmax=high,
            display_mode="xz",
        )
        label_colorbar(display, (cbar_labels or {}).get(name, "F"))
        ax.set_title(name, fontsize=11, loc="left")
    fig.suptitle(title)
    return fig


def plot_ratio_histogram(
    ratio: np.ndarray,
    marks: Mapping[str, float],
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "ratio of error mean squares",
) -> Axes:
    """Histogram of a positive ratio per voxel on a log axis, with marked values.

    Parameters
    ----------
    ratio : array-like
        Positive values (e.g. one effect's error mean square over another's, per voxel).
    marks : mapping of str to float
        Label -> value, drawn as vertical lines (e.g. the median, a percentile).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Say which ratio and which data.
    xlabel : str
        Label of the x axis.

    Returns
    -------
    matplotlib.axes.Axes
        One line per mark (``ax.lines``) besides the dotted line at 1.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_ratio_histogram(np.exp(np.linspace(-1, 1, 200)), {"median": 1.0})
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['median: 1.00']
    """
    ratio = np.ravel(np.asarray(ratio, dtype=float))
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    if ratio.size == 0:
        raise ValueError("ratio needs at least one positive finite value.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    bins = np.geomspace(ratio.min(), ratio.max(), 61)
    ax.hist(ratio, bins=bins, color=OKABE_ITO[0], alpha=0.7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="0.4", linestyle=":", linewidth=1)
    for k, (label, value) in enumerate(marks.items()):
        ax.axvline(
            value,
            color=OKABE_ITO[(k + 1) % len(OKABE_ITO)],
            linestyle="--",
            linewidth=1.5,
            label=f"{label}: {value:.2f}",
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("voxels")
    ax.legend(loc="upper right")
    ax.set_title(title or "Ratio per voxel")
    return ax
