"""Figures of contrasts: weights drawn over a design's columns, subjects' profiles over levels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course_utils._utils import check_contrast
from course_utils.teaching.plotting._design_figures import plot_design
from course_utils.teaching.plotting._style import DIVERGING_CMAP, OKABE_ITO

if TYPE_CHECKING:
    import numpy.typing as npt


def plot_design_with_contrast(
    design: pd.DataFrame,
    contrast: npt.ArrayLike,
    *,
    title: str | None = None,
    contrast_title: str | None = None,
) -> np.ndarray:
    """A contrast drawn above the design's columns, as SPM displays it.

    A vector (a t-contrast) is drawn as one bar per column, above the column whose beta the
    weight multiplies, with its value written on it (blue positive, vermillion negative). A
    matrix (an F-contrast, one row per question) is drawn as a small heatmap with one row per
    contrast row. The design below is :func:`plot_design`; both panels share the columns.

    Parameters
    ----------
    design : pandas.DataFrame
        The design; its column names label the x axis.
    contrast : array-like, shape (k,) or (q, k)
        One weight per design column, or ``q`` rows of them.
    title : str, optional
        Title of the design panel (default "Design matrix").
    contrast_title : str, optional
        Title above the contrast (default: the weights, e.g. "contrast c = [-1, 1, 1, -1]").

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The contrast panel and the design panel. For a vector, ``axes[0].patches`` are the
        bars, one per column in the design's column order.

    Raises
    ------
    ValueError
        When a row of the contrast does not have one finite weight per design column.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = pd.DataFrame(np.repeat(np.eye(3), 2, axis=0), columns=["a", "b", "c"])
    >>> top, bottom = plot_design_with_contrast(X, [-1, 0, 1])
    >>> [round(float(bar.get_height()), 1) for bar in top.patches]
    [-1.0, 0.0, 1.0]
    >>> [round(float(bar.get_x() + bar.get_width() / 2), 1) for bar in top.patches]
    [0.0, 1.0, 2.0]
    >>> top, _ = plot_design_with_contrast(X, [[1, -1, 0], [0, 1, -1]])
    >>> top.images[0].get_array().shape
    (2, 3)
    """
    names = [str(c) for c in design.columns]
    rows = np.atleast_2d(np.asarray(contrast, dtype=float))
    if rows.ndim != 2:
        raise ValueError(f"contrast must be a vector or a matrix; got shape {rows.shape}.")
    rows = np.vstack([check_contrast(row, len(names), columns=names) for row in rows])
    vector = np.ndim(contrast) == 1
    top_height = 1.3 if vector else 0.45 * rows.shape[0] + 0.5
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(min(2.4 + 0.7 * len(names), 9), top_height + 4.2),
        height_ratios=[top_height, 4.2],
        layout="constrained",
    )
    plot_design(design, ax=bottom, title=title)
    positions = np.arange(len(names), dtype=float)
    if vector:
        weights = rows[0]
        colours = [OKABE_ITO[0] if w >= 0 else OKABE_ITO[3] for w in weights]
        top.bar(positions, weights, width=0.6, color=colours)
        top.axhline(0, color="black", linewidth=0.8)
        span = float(np.abs(weights).max())
        top.set_ylim(-1.6 * span, 1.6 * span)
        for x, w in zip(positions, weights, strict=True):
            top.annotate(
                f"{w:.3g}",
                (x, w),
                xytext=(0, 3 if w >= 0 else -3),
                textcoords="offset points",
                ha="center",
                va="bottom" if w >= 0 else "top",
                fontsize="small",
            )
        top.set_ylabel("weight")
        top.set_yticks([])
        label = ", ".join(f"{w:.3g}" for w in weights)
        top.set_title(contrast_title or f"contrast c = [{label}]")
    else:
        limit = float(np.abs(rows).max())
        top.imshow(rows, aspect="auto", cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        for (i, j), w in np.ndenumerate(rows):
            strong = abs(w) > 0.6 * limit
            top.text(
                j,
                i,
                f"{w:.3g}",
                ha="center",
                va="center",
                fontsize="small",
                color="white" if strong else "black",
            )
        top.set_yticks(range(rows.shape[0]), [f"row {i + 1}" for i in range(rows.shape[0])])
        top.set_title(contrast_title or f"F-contrast: {rows.shape[0]} rows")
        top.grid(False)
    top.set_xlim(bottom.get_xlim())
    top.set_xticks(positions, [""] * len(names))
    # An invisible twin of the design's colour bar keeps the two panels' columns aligned.
    spacer = fig.colorbar(bottom.images[0], ax=top, shrink=0.8)
    spacer.ax.set_visible(False)
    return np.array([top, bottom])


def plot_level_profiles(
    values: npt.ArrayLike,
    levels: Sequence,
    *,
    xlabel: str = "level",
    ylabel: str = "response",
    title: str | None = None,
) -> np.ndarray:
    """Every subject's profile over ordered levels (a spaghetti plot), raw and centred.

    Left, each subject's responses as one grey line and the mean over subjects with its 95 %
    confidence band (seaborn's ``lineplot``): subjects sit at different heights. Right, the
    same lines after subtracting each subject's own mean over the levels: what a contrast whose
    weights sum to zero sees, since it gives every subject's constant offset a value of zero.
    Both panels share the y axis, so the spread that the offsets add stays visible.

    Parameters
    ----------
    values : array-like, shape (n_subjects, n_levels)
        One row per subject, one column per level.
    levels : sequence
        The levels' labels (x axis), in order.
    xlabel, ylabel : str
        Axis labels, with units; the right panel's y label adds "minus the subject's mean".
    title : str, optional
        Figure title (say which data it shows).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The raw and the centred panel. In each, ``ax.lines[:n_subjects]`` are the subjects'
        lines in row order, and ``ax.lines[n_subjects]`` the mean.

    Raises
    ------
    ValueError
        When ``values`` is not a matrix with one column per level.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> raw, centred = plot_level_profiles([[1.0, 2.0, 3.0], [4.0, 4.0, 7.0]], ["a", "b", "c"])
    >>> raw.lines[1].get_ydata().tolist(), centred.lines[1].get_ydata().tolist()
    ([4.0, 4.0, 7.0], [-1.0, -1.0, 2.0])
    """
    import seaborn as sns

    data = np.asarray(values, dtype=float)
    labels = [str(level) for level in levels]
    if data.ndim != 2 or data.shape[1] != len(labels) or data.shape[0] < 1:
        raise ValueError(
            f"values must be a (subjects x levels) matrix with {len(labels)} columns; got "
            f"shape {data.shape}."
        )
    n_subjects = data.shape[0]
    panels = (data, data - data.mean(axis=1, keepdims=True))  # as measured, centred
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True, layout="constrained")
    x = np.arange(len(labels))
    for ax, matrix in zip(axes, panels, strict=True):
        for row in matrix:
            ax.plot(x, row, color="grey", alpha=0.45, linewidth=1)
        long = pd.DataFrame(
            {"level": np.tile(x, n_subjects), "value": matrix.ravel()},
        )
        sns.lineplot(
            data=long,
            x="level",
            y="value",
            errorbar=("ci", 95),
            color=OKABE_ITO[0],
            linewidth=2.5,
            marker="o",
            ax=ax,
            label="mean, 95 % CI",
            seed=0,
        )
        ax.set_xticks(x, labels)
        ax.set_xlabel(xlabel)
        ax.legend(loc="upper left")
    axes[0].set_ylabel(ylabel)
    axes[0].set_title(f"{n_subjects} subjects, as measured")
    axes[1].set_ylabel(f"{ylabel}\nminus the subject's mean")
    axes[1].yaxis.set_tick_params(labelleft=True)
    axes[1].yaxis.label.set_visible(True)
    axes[1].set_title("each subject's offset removed")
    if title:
        fig.suptitle(title)
    return axes
