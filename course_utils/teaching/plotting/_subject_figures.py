"""Figures about subjects: a quality-control strip per subject, and what pairing gains.

- :func:`plot_subject_qc`: each subject's mean and spread over the brain mask as a strip of
  dots, with the robust-z cut drawn and the flagged subjects named;
- :func:`plot_pairing_gain`: per voxel, how much larger the paired |t| is than the two-sample
  |t| on the same maps, against how strongly a subject's two maps go together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils._utils import as_generator
from course_utils.experiments.qc import MAD_SCALE
from course_utils.teaching.plotting._style import OKABE_ITO

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes


def plot_subject_qc(
    summary: pd.DataFrame,
    flagged: Sequence[str] = (),
    cut: float = 3.5,
    units: str = "map units",
    title: str | None = None,
    *,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Strip plots of each subject's mean and spread over the mask, flagged subjects named.

    Parameters
    ----------
    summary : pandas.DataFrame
        The table of :func:`course_utils.experiments.qc.subject_summary` (columns ``mean`` and
        ``spread``,
        indexed by subject).
    flagged : sequence of str
        Subjects to draw in another colour and name.
    cut : float, default 3.5
        The robust-z cut; drawn as dashed lines at ``median +/- cut * 1.4826 * MAD``.
    units : str
        Units of the maps, for the axis labels.
    title : str, optional
        Figure title (default says what is shown).
    seed : int or numpy.random.Generator, default 0
        Seed of the horizontal jitter (the figure is reproducible).

    Returns
    -------
    numpy.ndarray of matplotlib Axes
        The two panels, mean then spread.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"mean": [0.1, 0.0, 0.2, 0.1], "spread": [1.0, 1.1, 0.9, 4.0]},
    ...                      index=pd.Index(["S1", "S2", "S3", "S4"], name="subject"))
    >>> axes = plot_subject_qc(table, flagged=["S4"])
    >>> [ax.get_ylabel() for ax in axes]
    ['mean over the mask (map units)', 'spread over the mask: SD (map units)']
    >>> [t.get_text() for t in axes[1].texts]
    ['S4']
    """
    missing = {"mean", "spread"} - set(summary.columns)
    if missing:
        raise ValueError(
            f"summary lacks the columns {sorted(missing)}: pass the table of qc.subject_summary."
        )
    names = [str(s) for s in summary.index]
    unknown = sorted(set(flagged) - set(names))
    if unknown:
        raise ValueError(f"flagged subjects {unknown} are not in the summary.")
    fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
    jitter = as_generator(seed).uniform(-0.12, 0.12, len(names))
    is_flagged = np.isin(names, list(flagged))
    panels = [("mean", "mean over the mask"), ("spread", "spread over the mask: SD")]
    for ax, (column, label) in zip(axes, panels, strict=True):
        values = summary[column].to_numpy(dtype=float)
        ax.scatter(
            jitter[~is_flagged],
            values[~is_flagged],
            s=22,
            alpha=0.75,
            color=OKABE_ITO[0],
            label="subject",
        )
        ax.scatter(
            jitter[is_flagged],
            values[is_flagged],
            s=40,
            color=OKABE_ITO[3],
            marker="D",
            label="flagged",
        )
        for k in np.flatnonzero(is_flagged):
            ax.annotate(
                names[k],
                (jitter[k], values[k]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                color=OKABE_ITO[3],
            )
        centre = np.median(values)
        scale = MAD_SCALE * np.median(np.abs(values - centre))
        ax.axhline(centre, color="black", linewidth=0.8, label="median")
        for sign in (-1, 1):
            ax.axhline(
                centre + sign * cut * scale,
                color="black",
                linestyle="--",
                linewidth=0.8,
                label=f"robust z = ±{cut:g}" if sign > 0 else None,
            )
        ax.set_xlim(-0.5, 0.5)
        ax.set_xticks([])
        ax.set_ylabel(f"{label} ({units})")
        ax.set_xlabel(f"{len(names)} subjects (jittered)")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4)
    fig.suptitle(title or "Each subject's map, summarised over the brain mask")
    return axes


def plot_pairing_gain(
    correlation: npt.ArrayLike,
    gain: npt.ArrayLike,
    ax: Axes | None = None,
    title: str | None = None,
    max_points: int = 20000,
    *,
    seed: int | np.random.Generator = 0,
) -> Axes:
    """Per voxel: paired |t| / two-sample |t| on the same maps, against their correlation.

    For two conditions measured on the same ``n`` subjects, the paired and the two-sample t
    share their numerator (the mean difference); their ratio is
    ``sqrt((var_a + var_b) / var(a - b))``, which is above 1 exactly where the subjects' two
    maps are positively correlated, and equals ``1 / sqrt(1 - r)`` when both conditions have
    the same variance (the curve drawn; unequal variances fall below it).

    Parameters
    ----------
    correlation : array-like, shape (n_voxels,)
        Correlation across subjects between the two conditions, per voxel.
    gain : array-like, shape (n_voxels,)
        ``|t paired| / |t two-sample|`` per voxel.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default says what is shown).
    max_points : int, default 20000
        Voxels drawn at most (an even subsample, seeded), to keep the figure light.
    seed : int or numpy.random.Generator, default 0
        Seed of the subsample.

    Returns
    -------
    matplotlib.axes.Axes
        The voxels, the equal-variance curve and the no-gain line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> r = np.linspace(-0.5, 0.9, 50)
    >>> ax = plot_pairing_gain(r, 1 / np.sqrt(1 - r))
    >>> ax.get_xlabel()
    "correlation across subjects between a voxel's two maps"
    """
    r = np.asarray(correlation, dtype=float)
    g = np.asarray(gain, dtype=float)
    if r.shape != g.shape or r.ndim != 1:
        raise ValueError(
            f"correlation and gain must be 1D of the same length; got {r.shape} and {g.shape}."
        )
    keep = np.isfinite(r) & np.isfinite(g)
    index = np.flatnonzero(keep)
    if index.size > max_points:
        rng = as_generator(seed)
        index = np.sort(rng.choice(index, max_points, replace=False))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(
        r[index],
        g[index],
        s=3,
        alpha=0.25,
        color=OKABE_ITO[0],
        rasterized=True,
        label=f"voxels ({index.size} of {int(keep.sum())} drawn)",
    )
    grid = np.linspace(min(-0.5, float(r[keep].min(initial=0))), 0.97, 200)
    ax.plot(
        grid,
        1 / np.sqrt(1 - grid),
        color=OKABE_ITO[3],
        linewidth=2,
        label="equal variances: 1 / sqrt(1 - r)",
    )
    ax.axhline(1, color="black", linewidth=0.8, linestyle="--", label="no gain")
    ax.set_xlabel("correlation across subjects between a voxel's two maps")
    ax.set_ylabel("|t paired| / |t two-sample|")
    ax.set_ylim(0, max(3.0, float(np.percentile(g[keep], 99.5)) if keep.any() else 3.0))
    ax.legend(loc="upper left")
    ax.set_title(title or "What pairing gains, voxel by voxel")
    return ax
