"""Figures of heterogeneity: what fixed effects leave out, and how random effects estimate it.

The false-positive rate of fixed effects against the design (subjects, runs), the spread of one
subject's fixed-effects estimate over sessions when runs differ, and Cochran's ``Q`` as a
function of ``tau^2`` with the Paule-Mandel and DerSimonian-Laird estimates on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils.teaching.plotting._style import OKABE_ITO

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes


def plot_session_spread(
    table: pd.DataFrame,
    theory: npt.ArrayLike | None = None,
    ax: Axes | None = None,
    unit: str = "% signal change",
    title: str | None = None,
) -> Axes:
    """One subject's fixed-effects standard error against the spread of its estimate over sessions.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`course_utils.experiments.two_levels.session_spread`: index ``run_sd``,
        columns ``reported_se``, ``session_sd``, ``sd_low``, ``sd_high``.
    theory : array-like, optional
        The spread in theory at each ``run_sd`` (drawn dotted).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    unit : str, default "% signal change"
        Unit of the amplitudes.
    title : str, optional
        Figure title (say which data).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"reported_se": [0.12, 0.12], "session_sd": [0.12, 0.18],
    ...                       "sd_low": [0.11, 0.17], "sd_high": [0.13, 0.19]},
    ...                      index=pd.Index([0.0, 0.25], name="run_sd"))
    >>> ax = plot_session_spread(table, theory=[0.125, 0.177])
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['fixed-effects SE of one session', 'spread in theory']
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    x = table.index.to_numpy(dtype=float)
    sd = table["session_sd"].to_numpy(dtype=float)
    errors = [sd - table["sd_low"].to_numpy(float), table["sd_high"].to_numpy(float) - sd]
    ax.plot(
        x,
        table["reported_se"].to_numpy(dtype=float),
        "s-",
        color=OKABE_ITO[0],
        label="fixed-effects SE of one session",
    )
    if theory is not None:
        ax.plot(x, np.asarray(theory, dtype=float), ":", color="black", label="spread in theory")
    ax.errorbar(
        x,
        sd,
        yerr=errors,
        fmt="o",
        capsize=3,
        color=OKABE_ITO[1],
        label="SD of the estimate over sessions (95 % interval)",
    )
    ax.set_ylim(0, 1.15 * float(table["sd_high"].max()))
    ax.set_xlabel(f"run-to-run SD of the true amplitude ({unit})")
    ax.set_ylabel(f"SE or SD ({unit})")
    ax.legend(loc="lower right")
    ax.set_title(title or "Fixed effects over runs: standard error and spread over sessions")
    return ax


def plot_q_curve(
    tau2: npt.ArrayLike,
    q: npt.ArrayLike,
    df: int,
    dl: float | None = None,
    pm: float | None = None,
    true_tau2: float | None = None,
    ax: Axes | None = None,
    unit: str = "(% signal change)$^2$",
    title: str | None = None,
) -> Axes:
    """Cochran's ``Q`` against ``tau^2``, with its expectation ``K - 1`` and the estimates on it.

    The y axis runs from 0 to ``3 (K - 1)``, so that the crossing of ``K - 1`` stays readable
    when ``Q(0)`` is far larger; the legend sits beside the axes.

    Parameters
    ----------
    tau2, q : array-like
        A grid of ``tau^2`` values and ``Q`` at each
        (:func:`course_utils.stats.mixed.cochran_q`).
    df : int
        ``K - 1``, the expectation of ``Q`` at the true ``tau^2`` (a dashed line).
    dl, pm : float, optional
        DerSimonian-Laird's and Paule-Mandel's ``tau^2`` (marked on the curve).
    true_tau2 : float, optional
        The true ``tau^2`` (simulations know it), a grey vertical line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    unit : str
        Unit of ``tau^2``, for the axis label.
    title : str, optional
        Figure title (say which data).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> grid = np.linspace(0, 6, 50)
    >>> ax = plot_q_curve(grid, 8 / (1 + grid / 1.0), 2, dl=3.0, pm=3.0, true_tau2=2.0)
    >>> [line.get_label().split()[0] for line in ax.lines]
    ['Q', 'K', 'PM:', 'DL:', 'true']
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.6))
    tau2, q = np.asarray(tau2, dtype=float), np.asarray(q, dtype=float)
    ax.plot(tau2, q, color=OKABE_ITO[0], linewidth=2, label=r"Q at each $\tau^2$")
    ax.axhline(
        df,
        color=OKABE_ITO[3],
        linestyle="--",
        label=rf"K - 1 = {df} (expected Q at the true $\tau^2$)",
    )
    if pm is not None:
        ax.plot(
            [pm], [df], "o", color=OKABE_ITO[1], markersize=9, label=rf"PM: Q = K - 1 at {pm:.3f}"
        )
    if dl is not None:
        ax.plot(
            [dl],
            [np.interp(dl, tau2, q)],
            "D",
            markerfacecolor="none",
            markersize=9,
            color=OKABE_ITO[4],
            label=rf"DL: one step from Q(0), {dl:.3f}",
        )
    if true_tau2 is not None:
        ax.axvline(true_tau2, color="grey", linestyle=":", label=rf"true $\tau^2$ = {true_tau2:g}")
    ax.set_xlim(float(tau2.min()), float(tau2.max()))
    ax.set_ylim(0, 3 * df)  # where Q crosses K - 1; Q(0) may lie far above
    ax.set_xlabel(rf"between-subject variance $\tau^2$ {unit}")
    ax.set_ylabel(r"Cochran's Q($\tau^2$)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside the curve, not on it
    ax.set_title(title or r"Cochran's Q falls as $\tau^2$ grows")
    return ax


def plot_rates_against(
    table: pd.DataFrame,
    x: str,
    theory: npt.ArrayLike | None = None,
    alpha: float = 0.05,
    ax: Axes | None = None,
    xlabel: str | None = None,
    title: str | None = None,
) -> Axes:
    """Measured false-positive rates with their intervals against a setting (log x axis).

    Parameters
    ----------
    table : pandas.DataFrame
        A rate table with a ``method`` column, ``rate``, ``ci_low``, ``ci_high`` and the
        column ``x`` (e.g. :func:`course_utils.experiments.two_levels.null_rates`).
    x : str
        The column of the setting (``"n_subjects"``, ``"n_runs"``).
    theory : array-like, optional
        Theoretical rate of the first method at each of its rows, drawn dotted.
    alpha : float, default 0.05
        Nominal rate, drawn dashed.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    xlabel, title : str, optional
        Axis label (default the column name) and title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"method": ["FE", "OLS"] * 2, "k": [5, 5, 10, 10],
    ...                       "rate": [0.4, 0.05, 0.4, 0.05], "ci_low": [0.3, 0.03] * 2,
    ...                       "ci_high": [0.5, 0.07] * 2})
    >>> ax = plot_rates_against(table, "k", theory=[0.39, 0.39])
    >>> ax.get_xscale(), ax.get_ylabel()
    ('log', 'false-positive rate')
    """
    from matplotlib.ticker import NullLocator

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    methods = list(dict.fromkeys(table["method"]))
    for i, method in enumerate(methods):
        rows = table[table["method"] == method]
        settings = rows[x].to_numpy(dtype=float)
        rate = rows["rate"].to_numpy(dtype=float)
        errors = [rate - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - rate]
        ax.errorbar(
            settings,
            rate,
            yerr=errors,
            fmt="o-",
            capsize=3,
            label=method,
            color=OKABE_ITO[i % len(OKABE_ITO)],
        )
        if i == 0 and theory is not None:
            ax.plot(
                settings,
                np.asarray(theory, dtype=float),
                color="black",
                linestyle=":",
                label=f"{method}, theory",
            )
    ax.axhline(alpha, color=OKABE_ITO[3], linestyle="--", label=f"nominal {alpha:g}")
    ticks = np.unique(table[x].to_numpy(dtype=float))
    ax.set_xscale("log")
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel("false-positive rate")
    ax.legend()
    ax.set_title(title or f"False-positive rate against {x}")
    return ax
