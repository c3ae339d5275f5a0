"""Figures of within-subject factorial designs: the cell means."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course_utils.teaching.plotting._style import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_cell_means(
    cells: Mapping[tuple, np.ndarray],
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str = "mean effect (map units)",
) -> Axes:
    """Interaction plot: the mean of each cell across subjects, with its standard error.

    Parameters
    ----------
    cells : dict of (line level, x level) to array-like of shape (n_subjects,)
        Each cell's value per subject (e.g. an ROI mean); the first level picks the line (e.g.
        the modality), the second the position on the x axis (e.g. the task).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Say which region and which data.
    ylabel : str
        Label of the y axis, with units.

    Returns
    -------
    matplotlib.axes.Axes
        Each cell's mean with its standard error (seaborn's ``pointplot``): parallel lines mean
        no interaction; lines that diverge or cross show one.

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
    lines = [str(line) for line in dict.fromkeys(key[0] for key in cells)]
    xs = [str(x) for x in dict.fromkeys(key[1] for key in cells)]
    long = pd.DataFrame(
        [
            {"line": str(line), "x": str(x), "value": value}
            for (line, x), values in cells.items()
            for value in np.asarray(values, dtype=float)
        ]
    )
    sns.pointplot(
        data=long,
        x="x",
        y="value",
        hue="line",
        order=xs,
        hue_order=lines,
        palette=[OKABE_ITO[k % len(OKABE_ITO)] for k in range(len(lines))],
        errorbar="se",
        capsize=0.08,
        dodge=0.04 * (len(lines) - 1),
        ax=ax,
    )
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel("")
    ax.set_ylabel(ylabel)
    sns.move_legend(ax, "best", title="error bars: 1 SE")
    ax.set_title(title or "Cell means")
    return ax
