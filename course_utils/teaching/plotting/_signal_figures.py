"""Figures of signals over time: the HRF and simulated time series."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy.typing as npt
    import pandas as pd
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
        Figure title (default "Haemodynamic response function", or the title ``ax``
        already has).
    label : str, optional
        Legend label of the curve, followed by its peak time; without it, the dashed peak
        line is labelled with its time.
    marker : str, optional
        Matplotlib marker of the samples (e.g. ``"o"`` for a coarse grid).

    Returns
    -------
    matplotlib.axes.Axes
        The curve with a dashed line at its peak and a legend (upper right).

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
    peak = int(np.argmax(hrf))
    at = f"peak, {times[peak]:.1f} s"
    (line,) = ax.plot(times, hrf, marker=marker, label=f"{label} ({at})" if label else None)
    ax.axvline(
        times[peak],
        color=line.get_color(),
        linestyle="--",
        linewidth=1,
        label=None if label else at,
    )
    ax.set_xlabel("time after the event (s)")
    ax.set_ylabel("response (per unit amplitude)")
    ax.legend(loc="upper right")
    if title or not ax.get_title():  # drawn over an earlier curve: keep its title
        ax.set_title(title or "Haemodynamic response function")
    return ax


def plot_event_sum(
    times: npt.ArrayLike,
    responses: npt.ArrayLike,
    total: npt.ArrayLike,
    ax: Axes | None = None,
    events: npt.ArrayLike | None = None,
    title: str | None = None,
    total_label: str = "sum: the regressor",
) -> Axes:
    """Draw the response to each event (thin lines) and their sum (a thick line).

    Parameters
    ----------
    times : array-like, shape (n,)
        Time of each sample (s).
    responses : array-like, shape (n_events, n)
        The response to each event alone.
    total : array-like, shape (n,)
        The predicted response to all events (the sum, if the system is linear).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    events : array-like, optional
        Event onsets (s), drawn as short ticks under the curves.
    title : str, optional
        Figure title (default says what is shown).
    total_label : str
        Legend label of the thick line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> parts = np.array([[0, 1.0, 0.5, 0], [0, 0, 1.0, 0.5]])
    >>> ax = plot_event_sum(np.arange(4), parts, parts.sum(axis=0), events=[1, 2])
    >>> len(ax.lines), ax.get_ylabel()
    (5, 'response (per unit amplitude)')
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.4))
    times = np.asarray(times, dtype=float)
    for k, response in enumerate(np.atleast_2d(np.asarray(responses, dtype=float))):
        ax.plot(
            times,
            response,
            color="grey",
            linewidth=0.9,
            alpha=0.8,
            label="one event's response" if k == 0 else None,
        )
    ax.plot(times, np.asarray(total, dtype=float), color="black", linewidth=2.2, label=total_label)
    if events is not None:
        ax.plot(
            events,
            np.zeros(len(events)),
            "|",
            color="C1",
            markersize=14,
            markeredgewidth=2,
            label="events",
        )
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("response (per unit amplitude)")
    ax.legend(loc="upper right")
    ax.set_title(title or "Responses to single events and their sum")
    return ax


def plot_fit_and_residuals(
    times: npt.ArrayLike,
    data: npt.ArrayLike,
    fitted: npt.ArrayLike,
    events: npt.ArrayLike | None = None,
    title: str | None = None,
    ylabel: str = "signal change (%)",
    truth: npt.ArrayLike | None = None,
) -> np.ndarray:
    """Data with the fitted model over them (top) and the residuals (bottom).

    Parameters
    ----------
    times : array-like, shape (n,)
        Scan times (s).
    data, fitted : array-like, shape (n,)
        The measured series ``y`` and the model's fit ``X @ beta``.
    events : array-like, optional
        Event onsets (s), drawn as ticks at the bottom of the top panel.
    title : str, optional
        Title of the figure (default says what is shown).
    ylabel : str
        Label of both y axes, with units.
    truth : array-like, optional
        The noise-free signal a simulation knows, drawn dashed in the top panel.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes, shape (2,)
        The fit panel and the residual panel.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> axes = plot_fit_and_residuals([0, 2, 4], [0.1, 1.2, 0.4], [0.0, 1.0, 0.5])
    >>> axes[1].get_xlabel(), len(axes[1].lines)
    ('time (s)', 2)
    """
    times = np.asarray(times, dtype=float)
    data, fitted = np.asarray(data, dtype=float), np.asarray(fitted, dtype=float)
    fig, axes = plt.subplots(
        2, 1, figsize=(9, 4.8), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    axes[0].plot(times, data, ".-", color="grey", linewidth=0.7, label="data y")
    axes[0].plot(times, fitted, color="C0", linewidth=2, label="fit y_hat = X beta_hat")
    if truth is not None:
        axes[0].plot(
            times,
            np.asarray(truth, dtype=float),
            "--",
            color="black",
            linewidth=1.2,
            label="true response",
        )
    if events is not None:
        low = min(data.min(), fitted.min())
        axes[0].plot(
            events, np.full(len(events), low), "|", color="C1", markersize=8, label="events"
        )
    axes[0].set_ylabel(ylabel)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    axes[1].plot(times, data - fitted, color="C2", linewidth=1)
    axes[1].axhline(0, color="black", linewidth=0.8)
    axes[1].set(xlabel="time (s)", ylabel=ylabel, title="residuals y - y_hat")
    fig.suptitle(title or "Data, fitted model and residuals")
    return axes


def plot_design_and_regressor(
    design: pd.DataFrame,
    times: npt.ArrayLike,
    column: str,
    title: str | None = None,
) -> np.ndarray:
    """A design matrix as nilearn draws it (top) and one regressor as a curve under it.

    nilearn's ``plot_design_matrix`` shows each column as colours, each column divided by its
    norm (the square root of its sum of squares) so that all columns share one colour scale;
    it shows where a regressor is high but not its values. The curve under it shows one
    column's values in their units against scan time (s).

    Parameters
    ----------
    design : pandas.DataFrame, shape (n_scans, p)
        The design matrix, one column per regressor.
    times : array-like, shape (n_scans,)
        Scan times (s).
    column : str
        The regressor drawn as a curve.
    title : str, optional
        Title of the figure (default says what is shown).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes, shape (2,)
        The matrix and the curve.

    Raises
    ------
    KeyError
        If ``column`` is not a column of ``design``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> X = pd.DataFrame({"event": [0.0, 1.0, 0.4, 0.1], "constant": 1.0})
    >>> axes = plot_design_and_regressor(X, [0, 2, 4, 6], "event")
    >>> axes[1].get_ylabel(), axes[0].get_ylabel(), len(axes[0].figure.axes)  # + colour bar
    ('event (per unit amplitude)', 'scan number', 3)
    """
    from nilearn.plotting import plot_design_matrix

    if column not in design.columns:
        raise KeyError(f"{column!r} is not a column of the design; its columns: {list(design)}.")
    times = np.asarray(times, dtype=float)
    fig, axes = plt.subplots(
        2,
        1,
        figsize=(8, 6.4),
        layout="constrained",
        gridspec_kw={"height_ratios": [1.5, 1]},
    )
    plot_design_matrix(design, axes=axes[0])
    axes[0].grid(False)
    axes[0].set_title("as an image (each column divided by its norm)")
    colorbar = fig.colorbar(axes[0].images[0], ax=axes[0], location="right", shrink=0.9)
    colorbar.set_label("value / column norm")
    axes[1].plot(times, design[column].to_numpy(dtype=float), color="C0")
    axes[1].axhline(0, color="black", linewidth=0.6)
    axes[1].set(
        xlabel="scan time (s)",
        ylabel=f"{column} (per unit amplitude)",
        title=f"the {column!r} column as a curve, in its units",
    )
    fig.suptitle(title or "Design matrix: image and regressor")
    return axes


def plot_se_ratio(
    ar1: npt.ArrayLike,
    ratio: npt.ArrayLike,
    marks: Sequence[float] = (),
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """How much too small a naive standard error is, against the noise's autocorrelation.

    Parameters
    ----------
    ar1 : array-like
        Lag-1 autocorrelations of the noise.
    ratio : array-like
        Naive (OLS) standard error divided by the beta's true standard deviation, at each
        ``ar1`` (e.g. from :func:`course_utils.experiments.serial_correlation.ols_sd_under_ar1`).
    marks : sequence of float
        Values of ``ar1`` to mark on the curve (interpolated) with their ratio.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default says what is shown).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_se_ratio([0.0, 0.4, 0.8], [1.0, 0.8, 0.6], marks=[0.4])
    >>> ax.get_xlabel(), bool(ax.get_ylim()[0] <= 0.6)
    ('AR(1) coefficient phi of the noise', True)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    ar1, ratio = np.asarray(ar1, dtype=float), np.asarray(ratio, dtype=float)
    ax.plot(ar1, ratio, color="C0", linewidth=2, label="naive SE / true SD")
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="an honest SE")
    for phi in marks:
        value = float(np.interp(phi, ar1, ratio))
        ax.plot([phi], [value], "o", color="C1")
        ax.annotate(f"{value:.2f}", (phi, value), textcoords="offset points", xytext=(6, 6))
    ax.set_ylim(min(0.5, float(ratio.min()) - 0.05), 1.05)
    ax.set(
        xlabel="AR(1) coefficient phi of the noise",
        ylabel="naive SE / true SD (ratio)",
        title=title or "How much too small OLS's standard error is",
    )
    ax.legend(loc="lower left")
    return ax
