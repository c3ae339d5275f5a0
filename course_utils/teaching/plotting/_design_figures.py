"""Figures of designs, group comparisons and estimates (t-tests as regressions, contrasts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils._utils import as_generator
from course_utils.stats import designs, glm
from course_utils.stats.designs import align_subjects
from course_utils.teaching.plotting._style import OKABE_ITO

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes


def plot_design(
    design: pd.DataFrame,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    widen: Mapping[str, int] | None = None,
) -> Axes:
    """Draw a design matrix as a heatmap: rows are observations, columns are regressors.

    The colours are diverging around 0 (white): positive values red, negative blue, on a
    symmetric scale shown by a colour bar, so a column of ones is a solid red band, never the
    background. Rows are numbered from 1 (the subject or scan number) with integer ticks. A
    small design (at most 60 rows) gets thin cell outlines, and a very small one (at most 12
    rows and 10 columns) its values written in the cells.

    Parameters
    ----------
    design : pandas.DataFrame
        The design; its column names label the x axis.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default "Design matrix").
    widen : mapping of str to int, optional
        Column name to its drawn width, in cells (default 1 for every column).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` is the heatmap.

    Raises
    ------
    ValueError
        When ``widen`` names a column the design does not have, or a width below 1.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from course_utils.stats.designs import two_sample
    >>> ax = plot_design(two_sample(3, 2, "effect"))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['intercept', 'group1_vs_group2']
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['1', '2', '3', '4', '5']
    >>> ax.images[0].cmap(ax.images[0].norm(1.0))[:3] != (1.0, 1.0, 1.0)  # ones are coloured
    True
    >>> ax = plot_design(two_sample(3, 2, "effect"), widen={"group1_vs_group2": 3})
    >>> ax.images[0].get_array().shape, ax.get_xticks().tolist()
    ((5, 4), [0.0, 2.0])
    """
    from matplotlib.ticker import MaxNLocator

    from course_utils.teaching.plotting._style import DIVERGING_CMAP

    if ax is None:
        width = min(1.8 + 0.45 * design.shape[1], 9)
        _, ax = plt.subplots(figsize=(width, 3.6))
    values = design.to_numpy(dtype=float)
    n_rows, n_columns = values.shape
    names = [str(c) for c in design.columns]
    widen = dict(widen or {})
    unknown = sorted(set(widen) - set(names))
    if unknown or any(int(w) < 1 for w in widen.values()):
        raise ValueError(
            f"widen must map columns of the design to widths >= 1; got {widen} "
            f"(unknown: {unknown})."
        )
    widths = np.array([int(widen.get(name, 1)) for name in names])
    edges = np.r_[0, np.cumsum(widths)] - 0.5  # column boundaries, in cells
    centres = edges[:-1] + widths / 2
    limit = float(np.abs(values).max()) or 1.0
    image = ax.imshow(
        np.repeat(values, widths, axis=1),
        aspect="auto",
        cmap=DIVERGING_CMAP,
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.set_xticks(centres, names, rotation=60, ha="right")
    numbers = MaxNLocator(nbins=6, integer=True, steps=[1, 2, 5, 10]).tick_values(1, n_rows)
    numbers = sorted({1, *(int(k) for k in numbers if 1 <= k <= n_rows)})
    if len(numbers) > 2 and numbers[1] - numbers[0] <= (numbers[-1] - numbers[-2]) / 2:
        numbers.pop(1)  # 1 and a close neighbour (1, 2, 5, 10...) would crowd
    ax.set_yticks([k - 1 for k in numbers], [str(k) for k in numbers])
    ax.set_ylabel("observation (row number)")
    ax.set_xlabel("regressor (column)")
    ax.grid(False)
    if n_rows <= 60:  # thin outlines: each cell, a column of ones included, stays visible
        ax.set_xticks(edges, minor=True)
        ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="0.6", linewidth=0.4)
        ax.tick_params(which="minor", length=0)
    if n_rows <= 12 and n_columns <= 10:
        for (row, col), value in np.ndenumerate(values):
            strong = abs(value) > 0.6 * limit
            ax.text(
                centres[col],
                row,
                f"{value:g}",
                ha="center",
                va="center",
                fontsize="x-small",
                color="white" if strong else "black",
            )
    for spine in ax.spines.values():
        spine.set_visible(True)
    ax.set_title(title or "Design matrix")
    ax.figure.colorbar(image, ax=ax, label="value (no unit)", shrink=0.8)
    return ax


def plot_estimates(
    names: Sequence[str],
    values: npt.ArrayLike,
    errors: npt.ArrayLike | None = None,
    ax: Axes | None = None,
    ylabel: str = "estimate",
    title: str | None = None,
) -> Axes:
    """Bar plot of betas or contrast values, with optional error bars (e.g. 1.96 x SE).

    Parameters
    ----------
    names : sequence of str
        One label per bar.
    values : array-like
        The estimates; positive bars in blue, negative in vermillion.
    errors : array-like, optional
        Half-length of each error bar.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    ylabel : str
        Label of the y axis, with units.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.axes.Axes
        The bars with a line at zero.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_estimates(["linear", "quadratic"], [0.9, -0.1], errors=[0.2, 0.2])
    >>> ax.get_ylabel()
    'estimate'
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.8 * len(names) + 1.5), 3.2))
    values = np.asarray(values, dtype=float)
    colours = [OKABE_ITO[0] if v >= 0 else OKABE_ITO[3] for v in values]
    ax.bar(
        [str(n) for n in names],
        values,
        color=colours,
        yerr=None if errors is None else np.asarray(errors, dtype=float),
        capsize=4,
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_groups(
    groups: Mapping[str, npt.ArrayLike],
    ax: Axes | None = None,
    ylabel: str = "value",
    title: str | None = None,
    *,
    seed: int | np.random.Generator = 0,
) -> Axes:
    """Each group's values as jittered dots with the group mean as a bar.

    Parameters
    ----------
    groups : mapping of str to array-like
        Group name to values.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    ylabel : str
        Label of the y axis, with units.
    title : str, optional
        Figure title.
    seed : int or numpy.random.Generator, default 0
        Seed of the horizontal jitter (the figure is reproducible).

    Returns
    -------
    matplotlib.axes.Axes
        One column of dots per group, its mean as a black bar.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_groups({"young": [1, 2, 3], "old": [2, 3, 5]})
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['young', 'old']
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(groups) + 1.5, 3.4))
    rng = as_generator(seed)
    for i, values in enumerate(groups.values()):
        values = np.asarray(values, dtype=float)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.scatter(
            i + rng.uniform(-0.15, 0.15, values.size),
            values,
            color=colour,
            alpha=0.7,
            s=18,
            label=None,
        )
        ax.hlines(values.mean(), i - 0.3, i + 0.3, color="black", linewidth=2)
    ax.set_xticks(range(len(groups)), list(groups))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_coded_groups(
    first: npt.ArrayLike,
    second: npt.ArrayLike,
    labels: tuple[str, str] = ("group1", "group2"),
    *,
    ylabel: str = "value",
    title: str | None = None,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Two groups as a regression: y against a 0/1 (dummy) and a -1/+1 (effect) code.

    Each panel places every value at its group's code on the x axis (slightly jittered) and
    draws the regression line that :func:`course_utils.stats.glm.regress` fits to the design of
    :func:`course_utils.stats.designs.two_sample` with that coding. The line passes through the
    two group means (black bars); the diamond at code 0 is the intercept: the reference group's
    mean in the 0/1 panel, the midpoint of the two means in the -1/+1 panel. A dotted grey line
    marks the mean of all values, which differs from that midpoint when the groups differ in size.
    Each panel's title gives its fitted line; one legend below both panels names the marks.

    Parameters
    ----------
    first, second : array-like
        The values of the first group (coded 1 and +1) and of the second (coded 0 and -1).
    labels : tuple of two str
        Group names, used in the design's column names and the shared legend.
    ylabel : str
        Label of the y axis, with units.
    title : str, optional
        Title of the figure.
    seed : int or numpy.random.Generator, default 0
        Seed of the horizontal jitter.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The 0/1 panel and the -1/+1 panel. In each, ``ax.lines[0]`` is the fitted line, drawn
        over the codes from the second group's to the first group's.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> axes = plot_coded_groups([1.0, 2.0, 3.0], [0.0, 1.0])
    >>> [ax.lines[0].get_xydata().tolist() for ax in axes]
    [[[0.0, 0.5], [1.0, 2.0]], [[-1.0, 0.5], [1.0, 2.0]]]
    """
    a = np.asarray(first, dtype=float).ravel()
    b = np.asarray(second, dtype=float).ravel()
    y = np.r_[a, b]
    rng = as_generator(seed)
    fig, axes = plt.subplots(1, 2, figsize=(9, 5.0), sharey=True, layout="constrained")
    headings = ("treatment (dummy) coding, 0 / 1", "effect coding, -1 / +1")
    for k, (ax, coding) in enumerate(zip(axes, ("treatment", "effect"), strict=True)):
        X = designs.two_sample(a.size, b.size, coding, labels=labels)
        fit = glm.regress(X, y)
        column = str(X.columns[1])
        intercept, slope = fit.coef("intercept"), fit.coef(column)
        codes = (float(X[column].iloc[0]), float(X[column].iloc[-1]))  # first, second group
        first_panel = k == 0  # the shared legend takes its entries from the first panel
        ax.plot(
            [codes[1], codes[0]],
            [intercept + slope * codes[1], intercept + slope * codes[0]],
            color="black",
            linewidth=1.5,
            label="fitted line" if first_panel else None,
        )
        for i, (code, values) in enumerate(((codes[0], a), (codes[1], b))):
            ax.scatter(
                code + rng.uniform(-0.08, 0.08, values.size),
                values,
                s=18,
                alpha=0.7,
                color=OKABE_ITO[i],
                label=labels[i] if first_panel else None,
            )
            ax.hlines(
                values.mean(),
                code - 0.15,
                code + 0.15,
                color="black",
                linewidth=2.5,
                label="group mean" if first_panel and i == 0 else None,
            )
        ax.axhline(
            y.mean(),
            color="grey",
            linestyle=":",
            linewidth=1,
            label="mean of all values" if first_panel else None,
        )
        ax.plot(
            [0],
            [intercept],
            marker="D",
            color=OKABE_ITO[2],
            markersize=8,
            linestyle="none",
            label="intercept (height at code 0)" if first_panel else None,
        )
        ax.set_xticks(sorted({*codes, 0.0}))
        ax.set_xlabel(f"code in column {column} (no unit)")
        sign = "-" if slope < 0 else "+"
        ax.set_title(f"{headings[k]}\nfit: y = {intercept:.2f} {sign} {abs(slope):.2f} × code")
    fig.legend(loc="outside lower center", ncol=3, fontsize=10)
    axes[0].set_ylabel(ylabel)
    if title:
        fig.suptitle(title)
    return axes


def plot_paired(
    a: pd.Series | npt.ArrayLike,
    b: pd.Series | npt.ArrayLike,
    labels: tuple[str, str] = ("a", "b"),
    ax: Axes | None = None,
    ylabel: str = "value",
    title: str | None = None,
) -> Axes:
    """Paired data: each subject's two values joined by a line, with the condition means.

    The lines show what pairing exploits: subjects differ a lot in level (the lines sit at very
    different heights) but change by similar amounts (the lines are close to parallel).

    Parameters
    ----------
    a, b : pandas.Series or array-like
        One value per subject in each condition. Two Series are matched by subject ID (their
        index, any order); arrays must already be in the same subject order.
    labels : tuple of two str
        Condition names for the x axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    ylabel, title : str
        Axis label (with units) and title.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When the two conditions do not hold the same subjects (or, for arrays, as many values).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> a = pd.Series([3.0, 5.0], index=["S01", "S02"])
    >>> ax = plot_paired(a, pd.Series([4.0, 1.0], index=["S02", "S01"]))
    >>> [line.get_ydata().tolist() for line in ax.lines[:2]]
    [[3.0, 1.0], [5.0, 4.0]]
    """
    import pandas as pd

    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        ia, ib, _ = align_subjects(a.index, b.index)
        first, second = a.to_numpy(dtype=float)[ia], b.to_numpy(dtype=float)[ib]
    else:
        first, second = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if first.shape != second.shape or first.ndim != 1:
            raise ValueError(
                f"a and b must hold one value per subject each; got shapes "
                f"{first.shape} and {second.shape}."
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(3.8, 3.6))
    for u, v in zip(first, second, strict=True):
        ax.plot([0, 1], [u, v], color="grey", alpha=0.6, linewidth=1, marker="o", markersize=4)
    for x, values, colour in ((0, first, OKABE_ITO[0]), (1, second, OKABE_ITO[1])):
        ax.hlines(values.mean(), x - 0.15, x + 0.15, color=colour, linewidth=3)
    ax.set_xticks([0, 1], list(labels))
    ax.set_xlim(-0.4, 1.4)
    ax.set_xlabel("condition")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_covariate_fit(
    covariate: npt.ArrayLike,
    y: npt.ArrayLike,
    group: npt.ArrayLike,
    lines: Mapping[str, tuple[float, float]],
    *,
    at: float | None = None,
    truth: tuple[Mapping[str, float], float] | None = None,
    ax: Axes | None = None,
    xlabel: str = "covariate",
    ylabel: str = "value",
    title: str | None = None,
) -> Axes:
    """Groups against a covariate, with each group's fitted line (e.g. from an ANCOVA).

    Each line is solid over the covariate values its own group covers and dashed beyond them,
    where it is an extrapolation: a model's prediction for subjects the group does not have.

    Parameters
    ----------
    covariate, y : array-like, shape (n,)
        The covariate (x axis) and the response (y axis).
    group : array-like of str, shape (n,)
        Each observation's group; every group must have a line.
    lines : mapping of str to (intercept, slope)
        Each group's fitted line ``y = intercept + slope * covariate``, in the covariate's own
        units (not centred).
    at : float, optional
        A covariate value at which to mark the vertical gap between the first two lines (the
        adjusted group difference, at e.g. the mean covariate).
    truth : (mapping of str to float, float), optional
        The simulation's true lines, ``(intercepts, slope)``: one intercept per group and the
        common slope, in the covariate's own units. Each is drawn as a dashed grey line over
        the whole covariate range, after the fitted lines, and named ("true: young") in the
        right margin, outside the data.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    xlabel, ylabel, title : str
        Axis labels (with units) and title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_covariate_fit([20, 30, 50, 60], [1.0, 1.5, 2.0, 2.5], ["y", "y", "o", "o"],
    ...                         {"y": (0.0, 0.05), "o": (-0.5, 0.05)}, at=40)
    >>> sorted({line.get_linestyle() for line in ax.lines})
    ['-', '--', ':']
    >>> ax = plot_covariate_fit([20, 30, 50, 60], [1.0, 1.5, 2.0, 2.5], ["y", "y", "o", "o"],
    ...                         {"y": (0.0, 0.05), "o": (-0.5, 0.05)},
    ...                         truth=({"y": 0.2, "o": -0.2}, 0.04))
    >>> [round(float(line.get_ydata()[0]), 2) for line in ax.lines if line.get_color() == "grey"]
    [1.0, 0.6]
    """
    x = np.asarray(covariate, dtype=float)
    values = np.asarray(y, dtype=float)
    labels = np.asarray(group).astype(str)
    if not x.shape == values.shape == labels.shape or x.ndim != 1:
        raise ValueError("covariate, y and group must hold one value per observation each.")
    missing = sorted(set(labels.tolist()) - set(lines))
    if missing:
        raise ValueError(
            f"No fitted line for the groups {missing}; give one (intercept, slope) per group."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.8))
    span = np.linspace(x.min(), x.max(), 100)
    for i, (name, (intercept, slope)) in enumerate(lines.items()):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        own = labels == name
        ax.scatter(x[own], values[own], color=colour, s=22, alpha=0.8, label=f"{name} (data)")
        inside = (span >= x[own].min()) & (span <= x[own].max())
        ax.plot(span, intercept + slope * span, color=colour, linestyle="--", linewidth=1)
        ax.plot(
            span[inside],
            intercept + slope * span[inside],
            color=colour,
            linewidth=2.2,
            label=f"{name} (fit; dashed = extrapolated)",
        )
    if truth is not None:
        intercepts, true_slope = truth
        for k, name in enumerate(lines):
            ax.plot(
                span,
                intercepts[name] + true_slope * span,
                color="grey",
                linestyle="--",
                linewidth=1.2,
                label="true lines (simulation)" if k == 0 else None,
            )
            ax.annotate(
                f"true: {name}",
                xy=(1.0, intercepts[name] + true_slope * span[-1]),
                xycoords=("axes fraction", "data"),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=10,
                color="dimgrey",
            )
    if at is not None and len(lines) >= 2:
        (i1, s1), (i2, s2) = list(lines.values())[:2]
        ax.axvline(at, color="black", linestyle=":", linewidth=1)
        ax.annotate(
            "",
            xy=(at, i1 + s1 * at),
            xytext=(at, i2 + s2 * at),
            arrowprops={"arrowstyle": "<->", "color": "black"},
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    if title:
        ax.set_title(title)
    return ax
