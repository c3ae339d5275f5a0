"""Figures of contrasts: weights over a design's columns, profiles over levels, scores.

Also the contrast's predicted signal in a fast run (what the HRF leaves of it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from course_utils._utils import as_generator, check_contrast
from course_utils.teaching.plotting._design_figures import plot_design
from course_utils.teaching.plotting._style import DIVERGING_CMAP, OKABE_ITO

if TYPE_CHECKING:
    import numpy.typing as npt
    from matplotlib.axes import Axes


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


def plot_contrast_signals(
    runs: Mapping[str, pd.DataFrame],
    weights: npt.ArrayLike,
    *,
    t_r: float,
    trials: Mapping[str, tuple[npt.ArrayLike, npt.ArrayLike]] | None = None,
    n_scans: int = 30,
    title: str | None = None,
) -> np.ndarray:
    """Versions of one run: its regressors (top) and the contrast's predicted signal X c.

    One column per version (e.g. a fixed and a shuffled trial order). Top, the regressors the
    contrast weighs (its non-zero weights). Bottom, the signal the contrast predicts,
    ``X @ weights``, with the trials' weights as stems (the input before the HRF): when the
    weights alternate faster than the HRF (a low-pass filter) can follow, it shrinks the
    signal, and the contrast is estimated less precisely.

    Parameters
    ----------
    runs : mapping of str to pandas.DataFrame
        Version name to design (scans x columns), all with the same columns.
    weights : array-like, shape (n_columns,)
        The contrast, one weight per column.
    t_r : float
        Seconds between scans (the x axis is in seconds).
    trials : mapping of str to (onsets, weights), optional
        Per version, the trials' onsets in seconds and each trial's contrast weight, drawn as
        stems in the bottom panels.
    n_scans : int, default 30
        Number of scans shown from the start of the run.
    title : str, optional
        Figure title (say which data it shows).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes, shape (2, n_versions)
        ``axes[1, j].lines[0]`` is the predicted signal of version ``j``.

    Raises
    ------
    ValueError
        When the weights do not give one finite number per column, or ``t_r`` or ``n_scans``
        is not positive.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 0.5], "b": [1.0, 0.0, 0.5]})
    >>> axes = plot_contrast_signals({"run": X}, [1, -1], t_r=2.0)
    >>> axes[1, 0].lines[0].get_ydata().tolist()
    [-1.0, 1.0, 0.0]
    """
    if t_r <= 0 or n_scans < 1:
        raise ValueError(f"t_r and n_scans must be positive; got {t_r} and {n_scans}.")
    first = next(iter(runs.values()))
    c = check_contrast(weights, first.shape[1])
    fig, axes = plt.subplots(
        2,
        len(runs),
        figsize=(4.6 * len(runs), 5.6),
        sharex=True,
        sharey="row",
        squeeze=False,
        layout="constrained",
    )
    for j, (name, X) in enumerate(runs.items()):
        top, bottom = axes[:, j]
        seconds = t_r * np.arange(min(n_scans, len(X)))
        for k, column in enumerate(np.flatnonzero(c)):
            top.plot(
                seconds,
                X.iloc[: seconds.size, column],
                color=OKABE_ITO[k % 8],
                label=str(X.columns[column]),
            )
        signal = X.to_numpy(dtype=float)[: seconds.size] @ c
        bottom.plot(seconds, signal, color="black", linewidth=2, label="X c (after the HRF)")
        if trials is not None:
            onsets, trial_weights = (np.asarray(a, dtype=float) for a in trials[name])
            shown = onsets <= seconds[-1]
            stems = bottom.stem(
                onsets[shown],
                trial_weights[shown],
                basefmt=" ",
                label="trial weights (input)",
            )
            stems.markerline.set(markersize=4, color=OKABE_ITO[1])
            stems.stemlines.set(color=OKABE_ITO[1], alpha=0.7)
        bottom.axhline(0, color="grey", linewidth=0.8, linestyle="--")
        top.set_title(name)
        bottom.set_xlabel("time (s)")
    axes[0, 0].set_ylabel("regressor (no unit)")
    axes[1, 0].set_ylabel("contrast's predicted\nsignal X c (no unit)")
    axes[0, 0].legend(loc="upper right", ncol=2, fontsize="small")
    axes[1, 0].legend(loc="lower right", fontsize="small")
    if title:
        fig.suptitle(title)
    return axes


def plot_contrast_scores(
    scores: npt.ArrayLike,
    *,
    ax: Axes | None = None,
    ylabel: str = "contrast score",
    title: str | None = None,
    color: str = OKABE_ITO[0],
    seed: int | np.random.Generator = 0,
) -> Axes:
    """One score per subject as dots, their mean with its 95 % confidence interval, and zero.

    The picture of a one-sample t-test: the interval is the mean plus or minus the t
    distribution's 97.5 % quantile (n - 1 degrees of freedom) times the standard error, so it
    excludes the dashed zero line exactly when the two-sided test rejects at 5 %.

    Parameters
    ----------
    scores : array-like, shape (n_subjects,)
        The subjects' contrast scores (at least two).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    ylabel : str
        Label of the y axis, with the contrast's unit.
    title : str, optional
        Axes title.
    color : str
        Colour of the mean and its interval.
    seed : int or numpy.random.Generator, default 0
        Seed of the horizontal jitter of the dots (the figure is reproducible).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[0]`` holds the dots; ``ax.lines[0]`` is the mean (its one point) and
        the legend names the mean, its interval and zero.

    Raises
    ------
    ValueError
        When there are fewer than two finite scores.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_contrast_scores([1.0, 2.0, 3.0])
    >>> ax.lines[0].get_ydata().tolist()
    [2.0]
    """
    values = np.asarray(scores, dtype=float).ravel()
    if values.size < 2 or not np.isfinite(values).all():
        raise ValueError(f"need at least two finite scores; got {values.tolist()}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.6))
    rng = as_generator(seed)
    mean = values.mean()
    half = stats.t.isf(0.025, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    ax.scatter(
        rng.uniform(-0.15, 0.15, values.size),
        values,
        color="grey",
        alpha=0.6,
        s=18,
        label="one subject",
    )
    ax.errorbar(
        np.array([0.4]),
        np.array([mean]),
        yerr=np.full((2, 1), half),
        fmt="o",
        color=color,
        markersize=8,
        capsize=6,
        linewidth=2.5,
        label="mean, 95 % CI",
    )
    ax.axhline(0, color="black", linewidth=1, linestyle="--", label="zero (no effect)")
    ax.set_xlim(-0.5, 0.8)
    ax.set_xticks([])
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax
