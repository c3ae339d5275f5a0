"""Figures of within-subject factorial designs: cell means and null error rates."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from course_utils.teaching.plotting.style import OKABE_ITO


def plot_cell_means(
    cells: Mapping[tuple, np.ndarray],
    ax=None,
    title: str | None = None,
    ylabel: str = "mean effect (map units)",
):
    """Interaction plot: the mean of each cell across subjects, with its standard error.

    Parameters
    ----------
    cells : dict of (line level, x level) to array-like of shape (n_subjects,)
        Each cell's value per subject (e.g. an ROI mean); the first level picks the line (e.g.
        the modality), the second the position on the x axis (e.g. the task).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Say which region and which data.
    ylabel : str
        Label of the y axis, with units.

    Returns
    -------
    matplotlib.axes.Axes
        Parallel lines mean no interaction; lines that diverge or cross show one.

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
    for k, line in enumerate(lines):
        values = [np.asarray(cells[(line, x)], dtype=float) for x in xs]
        means = [v.mean() for v in values]
        errors = [v.std(ddof=1) / np.sqrt(v.size) for v in values]
        ax.errorbar(
            np.arange(len(xs)) + 0.04 * (k - (len(lines) - 1) / 2),
            means,
            yerr=errors,
            marker="o",
            capsize=4,
            color=OKABE_ITO[k % len(OKABE_ITO)],
            label=str(line),
        )
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xticks(np.arange(len(xs)), [str(x) for x in xs])
    ax.set_ylabel(ylabel)
    ax.legend(title="error bars: 1 SE", loc="best")
    ax.set_title(title or "Cell means")
    return ax
