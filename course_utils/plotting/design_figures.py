"""Figures of designs, group comparisons and estimates (t-tests as regressions, contrasts)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_utils.plotting.style import (
    OKABE_ITO,
)


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



