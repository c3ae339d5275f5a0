"""Figures of within-subject factorial designs: the cell means, the sphericity of an effect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils.stats import anova
from course_utils.teaching.plotting._style import OKABE_ITO

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
