"""Figures of signals over time: the HRF and simulated time series."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt
    from matplotlib.axes import Axes


def plot_timeseries(
    times: npt.ArrayLike,
    series: Mapping[str, npt.ArrayLike],
    ax: Axes | None = None,
    ylabel: str = "signal change (%)",
    title: str | None = None,
    events: npt.ArrayLike | None = None,
    legend_loc: str = "upper right",
) -> Axes:
    """Plot one or more time series against time, with optional event markers.

    Parameters
    ----------
    times : array-like
        Time of each sample in seconds.
    series : mapping of str to array-like
        Label to values (same length as ``times``).
    ax : matplotlib Axes, optional
        Where to draw; a new wide figure when omitted.
    ylabel, title : str
        Axis label (with units) and title.
    events : array-like, optional
        Event onsets in seconds, drawn as dotted vertical lines.
    legend_loc : str
        Where the legend goes (any matplotlib ``loc``; ``"outside"`` puts it right of the
        axes, clear of the data). Only drawn for two or more series.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_timeseries([0, 1, 2], {"voxel": [0.0, 1.0, 0.5]}, events=[0.0])
    >>> ax.get_xlabel(), len(ax.lines)
    ('time (s)', 2)
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    for onset in [] if events is None else events:
        ax.axvline(onset, color="grey", linestyle=":", linewidth=1)
    for label, values in series.items():
        ax.plot(times, values, label=label, linewidth=1.5)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    if len(series) > 1:
        if legend_loc == "outside":
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        else:
            ax.legend(loc=legend_loc)
    if title:
        ax.set_title(title)
    return ax


def plot_hrf(
    times: npt.ArrayLike,
    hrf: npt.ArrayLike,
    ax: Axes | None = None,
    title: str | None = None,
    label: str | None = None,
    marker: str | None = None,
) -> Axes:
    """Plot a haemodynamic response function and mark its peak.

    Parameters
    ----------
    times : array-like
        Time after the event of each sample, in seconds.
    hrf : array-like
        The response at each time.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default "Haemodynamic response function").
    label : str, optional
        Legend label of the curve (a legend is drawn when given).
    marker : str, optional
        Matplotlib marker of the samples (e.g. ``"o"`` for a coarse grid).

    Returns
    -------
    matplotlib.axes.Axes
        The curve with a dashed line at its peak.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_hrf([0, 2, 4, 6, 8], [0, 0.3, 0.9, 1.0, 0.6], label="HRF")
    >>> ax.get_ylabel()
    'response (per unit amplitude)'
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    times, hrf = np.asarray(times, dtype=float), np.asarray(hrf, dtype=float)
    (line,) = ax.plot(times, hrf, marker=marker, label=label)
    peak = int(np.argmax(hrf))
    ax.axvline(times[peak], color=line.get_color(), linestyle="--", linewidth=1)
    ax.set_xlabel("time after the event (s)")
    ax.set_ylabel("response (per unit amplitude)")
    if label:
        ax.legend()
    ax.set_title(title or "Haemodynamic response function")
    return ax
