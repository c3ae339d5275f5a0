"""Figures of group maps and inference: thresholds, thresholded glass brains, the max-T null,
error rates, one voxel's TFCE."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils._utils import mask_array
from course_utils.stats.inference import fwe_threshold
from course_utils.teaching.plotting._style import DIVERGING_CMAP, OKABE_ITO

if TYPE_CHECKING:
    from collections.abc import Mapping

    import ipywidgets
    import nibabel as nib
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from course_utils.stats.inference import PermutationResult


def plot_max_null(
    result: PermutationResult,
    alpha: float = 0.05,
    ax: Axes | None = None,
    bonferroni: float | None = None,
    title: str | None = None,
) -> Axes:
    """Histogram of the max-T null distribution of a permutation test, with its FWE threshold.

    Parameters
    ----------
    result : course_utils.stats.inference.PermutationResult
        From :func:`course_utils.stats.inference.permutation_test`.
    alpha : float, default 0.05
        FWE level of the threshold drawn (:func:`course_utils.stats.inference.fwe_threshold`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    bonferroni : float, optional
        A Bonferroni threshold on the same scale, drawn for comparison.
    title : str, optional
        Figure title (default says what is shown).

    Returns
    -------
    matplotlib.axes.Axes
        The histogram with the FWE threshold, the observed maximum and any Bonferroni line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from course_utils.stats.inference import permutation_test
    >>> res = permutation_test(np.random.default_rng(0).normal(size=(12, 80)), n_perm=200)
    >>> ax = plot_max_null(res, bonferroni=4.5)
    >>> len(ax.lines), ax.get_xlabel()
    (3, 'largest |t| over the map in each permutation')
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    null = np.asarray(result.max_null, dtype=float)
    null = null[np.isfinite(null)]
    stat = "|t|" if result.two_sided else "t"
    ax.hist(
        null,
        bins=min(60, max(10, null.size // 20)),
        color=OKABE_ITO[0],
        alpha=0.7,
        label=f"max-{stat} null ({result.n_perm} permutations)",
    )
    threshold = fwe_threshold(result, alpha)
    if np.isfinite(threshold):
        ax.axvline(
            threshold,
            color=OKABE_ITO[3],
            linewidth=2,
            label=f"FWE {alpha:g} threshold: {threshold:.2f}",
        )
    if bonferroni is not None:
        ax.axvline(
            bonferroni, color=OKABE_ITO[7], linestyle="--", label=f"Bonferroni: {bonferroni:.2f}"
        )
    observed = float(np.max(np.abs(result.t) if result.two_sided else result.t))
    ax.axvline(
        observed,
        color=OKABE_ITO[2],
        linestyle=":",
        linewidth=2,
        label=f"observed max {stat}: {observed:.2f}",
    )
    ax.set_xlabel(f"largest {stat} over the map in each permutation")
    ax.set_ylabel("number of permutations")
    ax.legend(loc="upper right")
    ax.set_title(title or f"Max-{stat} null distribution and the corrected threshold")
    return ax


def plot_error_rates(
    table: pd.DataFrame,
    alpha: float = 0.05,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    xlabel: str | None = None,
    xlim: tuple[float, float] = (0.0, 1.0),
    legend_loc: str = "lower right",
) -> Axes:
    """Measured error rates with their confidence intervals, against the nominal rate.

    The one figure of an error-rate table (family-wise or false-positive rates measured over
    simulated null data sets): a dot and its interval per method, a dashed line at ``alpha``.

    Parameters
    ----------
    table : pandas.DataFrame
        The error-rate layout, one row per method: the method's name in a ``method`` column (or
        the index), columns ``rate``, ``ci_low``, ``ci_high`` and optionally ``n_sim`` (the
        number of simulated data sets, named in the default title), e.g. from
        :func:`course_utils.stats.error_rates.familywise_error_rate` or
        :func:`course_utils.stats.error_rates.rate_table`.
    alpha : float, default 0.05
        Nominal rate, drawn as a dashed line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Figure title (default: how often each method finds something in pure noise).
    xlabel : str, optional
        Label of the rate axis (default: the family-wise error rate).
    xlim : tuple of float, default (0, 1)
        Range of the rate axis.
    legend_loc : str, default "lower right"
        Where the legend goes (any matplotlib ``loc``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; methods from top to bottom in the table's order.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"method": ["uncorrected", "max-t"], "rate": [0.9, 0.05],
    ...                       "ci_low": [0.85, 0.03], "ci_high": [0.94, 0.08],
    ...                       "n_sim": [200, 200]})
    >>> ax = plot_error_rates(table)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['uncorrected', 'max-t']
    >>> ax.get_title()
    'How often each method finds something in pure noise (200 null studies)'
    """
    missing = {"rate", "ci_low", "ci_high"} - set(table.columns)
    if missing:
        raise ValueError(
            f"table lacks the columns {sorted(missing)}: give the error-rate layout "
            "(method, rate, ci_low, ci_high, n_sim)."
        )
    names = table["method"] if "method" in table.columns else table.index
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(table) + 1.8))
    rows = np.arange(len(table))
    rate = table["rate"].to_numpy(dtype=float)
    errors = np.vstack(
        [
            rate - table["ci_low"].to_numpy(dtype=float),
            table["ci_high"].to_numpy(dtype=float) - rate,
        ]
    )
    n_sim = int(table["n_sim"].iloc[0]) if "n_sim" in table.columns else None
    ax.errorbar(
        rate,
        rows,
        xerr=errors,
        fmt="o",
        color=OKABE_ITO[0],
        capsize=4,
        label="measured rate and interval",
    )
    ax.axvline(alpha, color=OKABE_ITO[3], linestyle="--", label=f"nominal {alpha:g}")
    ax.set_yticks(rows, [str(name) for name in names])
    ax.invert_yaxis()
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel or "family-wise error rate (share of null studies with any detection)")
    ax.legend(loc=legend_loc)
    suffix = f" ({n_sim} null studies)" if n_sim else ""
    ax.set_title(title or f"How often each method finds something in pure noise{suffix}")
    return ax


def plot_glass_brains(
    images: Mapping[str, nib.Nifti1Image],
    vmax: float,
    title: str,
    ncols: int = 2,
    panel_height: float = 2.5,
) -> Figure:
    """Signed maps as glass brains (sagittal and axial views), one panel per map.

    nilearn places its own axes inside each panel, which matplotlib's constrained layout (the
    course style's default) cannot arrange: the figure is made without a layout engine and
    spaced by hand, so no layout warning is raised.

    Parameters
    ----------
    images : mapping of str to nibabel image
        Panel title: map. Zero voxels are not drawn (e.g. voxels below a threshold).
    vmax : float
        The colour scale runs from ``-vmax`` to ``vmax`` in every panel, so panels compare.
    title : str
        Figure title (say what is shown, and which data).
    ncols : int, default 2
        Panels per row; unused panels are left blank.
    panel_height : float, default 2.5
        Height of one row in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib, numpy as np
    >>> values = np.zeros((53, 63, 46), dtype="float32")
    >>> values[20:25, 10:15, 20:25] = 5.0
    >>> img = nib.Nifti1Image(values, np.diag([-3.0, 3.0, 3.0, 1.0]))
    >>> fig = plot_glass_brains({"a": img, "b": img, "c": img}, vmax=5.0, title="Maps")
    >>> fig.get_layout_engine() is None, fig.get_suptitle()
    (True, 'Maps')
    """
    from nilearn import plotting as niplot

    if not images:
        raise ValueError("images is empty: give at least one map to draw.")
    nrows = -(-len(images) // ncols)
    height = panel_height * nrows + 0.9  # inches; the top 0.9 hold the titles
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(5 * ncols, height), layout="none", squeeze=False
    )
    fig.subplots_adjust(
        left=0.02, right=0.98, top=1 - 0.75 / height, bottom=0.02, hspace=0.3, wspace=0.05
    )
    for ax, (name, img) in zip(axes.flat, images.items(), strict=False):
        niplot.plot_glass_brain(
            img,
            axes=ax,
            colorbar=True,
            plot_abs=False,
            cmap=DIVERGING_CMAP,
            threshold=1e-6,
            vmin=-vmax,
            vmax=vmax,
            display_mode="xz",
        )
        ax.set_title(name, fontsize=11, loc="left")
    for ax in axes.flat[len(images) :]:
        ax.set_axis_off()
    fig.suptitle(title)
    return fig


def threshold_counts(
    values: npt.ArrayLike, thresholds: npt.ArrayLike, two_sided: bool = True
) -> np.ndarray:
    """Number of voxels whose statistic exceeds each threshold (``|value|`` when two-sided).

    NaN voxels never count.

    Parameters
    ----------
    values : array-like
        The statistic of every voxel.
    thresholds : array-like
        The thresholds to count at.
    two_sided : bool, default True
        Count ``|value| > threshold`` (True) or ``value > threshold`` (False).

    Returns
    -------
    numpy.ndarray of int
        One count per threshold.

    Examples
    --------
    >>> threshold_counts([-4.0, 1.0, 2.5, 5.0, float("nan")], [2.0, 4.5]).tolist()
    [3, 1]
    """

    stat = np.asarray(values, dtype=float).ravel()
    stat = stat[np.isfinite(stat)]
    if two_sided:
        stat = np.abs(stat)
    ordered = np.sort(stat)
    return ordered.size - np.searchsorted(
        ordered, np.asarray(thresholds, dtype=float), side="right"
    )


def plot_threshold_curve(
    values: npt.ArrayLike,
    thresholds: npt.ArrayLike | None = None,
    marks: Mapping[str, float] | None = None,
    ax: Axes | None = None,
    two_sided: bool = True,
    title: str = "Voxels surviving each threshold",
) -> Axes:
    """Static figure: how many voxels survive as the threshold rises (log scale).

    Parameters
    ----------
    values : array-like
        The statistic of every voxel (e.g. a t-map's masked values).
    thresholds : array-like, optional
        Thresholds to draw (default: 0 to the largest value).
    marks : mapping of str to float, optional
        Named thresholds to mark with vertical lines (e.g. ``{"Bonferroni": 5.4}``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    two_sided : bool, default True
        Count ``|t|`` above each threshold (True) or ``t`` (False).
    title : str
        Figure title (say which data).

    Returns
    -------
    matplotlib.axes.Axes
        The count of surviving voxels against the threshold.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_threshold_curve([1.0, 2.0, 6.0], marks={"t = 4": 4.0})
    >>> ax.get_xlabel()
    'threshold on |t|'
    """
    stat = np.asarray(values, dtype=float)
    top = float(np.nanmax(np.abs(stat) if two_sided else stat))
    grid = np.linspace(0, max(top, 1e-9), 200) if thresholds is None else np.asarray(thresholds)
    counts = threshold_counts(stat, grid, two_sided=two_sided)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    ax.step(grid, np.maximum(counts, 0.8), where="post", color=OKABE_ITO[0])
    ax.set_yscale("log")
    ax.set_xlabel("threshold on |t|" if two_sided else "threshold on t")
    ax.set_ylabel("voxels above threshold")
    for i, (name, value) in enumerate((marks or {}).items()):
        n_above = int(threshold_counts(stat, [value], two_sided=two_sided)[0])
        ax.axvline(
            value,
            color=OKABE_ITO[(i + 1) % len(OKABE_ITO)],
            linestyle="--",
            label=f"{name}: {value:.2f} ({n_above} voxels)",
        )
    if marks:
        ax.legend()
    ax.set_title(title)
    return ax


def threshold_explorer(
    stat_img: nib.Nifti1Image,
    *,
    mask_img: nib.Nifti1Image | None = None,
    start: float = 3.0,
    maximum: float | None = None,
    title: str = "t-map",
) -> ipywidgets.VBox:
    """A slider over the threshold with a live count of surviving voxels and a glass brain.

    Parameters
    ----------
    stat_img : nibabel image
        The statistic map (voxels outside the mask should be 0 or NaN).
    mask_img : nibabel image, optional
        Analysis mask (3D): only its voxels are counted; all voxels when omitted.
    start : float, default 3.0
        Initial threshold of the slider.
    maximum : float, optional
        Largest threshold of the slider (default: the largest ``|t|``).
    title : str
        Title of the glass brain.

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook (it redraws when the slider moves). Use
        :func:`plot_threshold_curve` where widgets cannot run.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib, numpy as np
    >>> img = nib.Nifti1Image(np.linspace(-5, 5, 64, dtype="float32").reshape(4, 4, 4),
    ...                       np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> box = threshold_explorer(img, start=4.0)
    >>> box.children[1].value
    '<b>14</b> of 64 voxels have |t| above 4.00'
    """
    import ipywidgets as widgets
    from nilearn import plotting as niplot

    data = np.asarray(stat_img.dataobj, dtype=float)
    if mask_img is None:
        inside = np.ones(data.shape, bool)
    else:
        inside = mask_array(mask_img, purpose="The threshold explorer")
    values = data[inside]
    top = float(np.nanmax(np.abs(values))) if maximum is None else float(maximum)
    slider = widgets.FloatSlider(
        value=min(start, top),
        min=0.0,
        max=max(top, 0.1),
        step=0.1,
        description="|t| >",
        continuous_update=False,
    )
    label = widgets.HTML()
    picture = widgets.Image(format="png")

    def update(change: object = None) -> None:
        import io

        threshold = slider.value
        count = int(threshold_counts(values, [threshold])[0])
        label.value = f"<b>{count}</b> of {values.size} voxels have |t| above {threshold:.2f}"
        fig = plt.figure(figsize=(7, 2.6), layout="none")  # nilearn places its own axes
        niplot.plot_glass_brain(
            stat_img,
            threshold=threshold,
            colorbar=True,
            plot_abs=False,
            cmap=DIVERGING_CMAP,
            figure=fig,
            title=f"{title}, |t| > {threshold:.2f}",
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        picture.value = buffer.getvalue()

    slider.observe(update, names="value")
    update()
    return widgets.VBox([slider, label, picture])


def plot_support_curve(
    curve: pd.DataFrame, E: float = 0.5, H: float = 2.0, title: str | None = None
) -> Figure:
    """What threshold-free cluster enhancement adds up at one voxel, height by height.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`course_utils.stats.tfce.support_curve` (columns ``height``, ``extent``,
        ``term``).
    E, H : float, default 0.5 and 2
        The exponents the terms were computed with (shown in the labels).
    title : str, optional
        Figure title (say which voxel and which data).

    Returns
    -------
    matplotlib.figure.Figure
        Left: the size of the voxel's cluster at each height (log scale). Right: each height's
        term ``extent**E * height**H``; the bars add up to the voxel's TFCE.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"height": [1.0, 2.0], "extent": [9, 1], "term": [3.0, 4.0]})
    >>> fig = plot_support_curve(curve, title="A voxel")
    >>> len(fig.axes), fig.get_suptitle()
    (2, 'A voxel')
    """
    if len(curve) == 0:
        raise ValueError("The curve is empty: the voxel is below the lowest height (TFCE 0).")
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    height = curve["height"].to_numpy(dtype=float)
    left.step(height, curve["extent"], where="post", color=OKABE_ITO[0])
    left.set_yscale("log")
    left.set_xlabel("height h (t units)")
    left.set_ylabel("extent e(h): voxels in its cluster")
    left.set_title("The voxel's cluster shrinks as h rises")
    width = height[1] - height[0] if height.size > 1 else height[0]
    right.bar(height, curve["term"], width=0.9 * width, color=OKABE_ITO[1])
    right.set_xlabel("height h (t units)")
    right.set_ylabel(f"term e(h)^{E:g} x h^{H:g}")
    right.set_title(f"Terms; their sum is the TFCE, {curve['term'].sum():,.0f}")
    fig.suptitle(title or "Threshold-free cluster enhancement at one voxel")
    return fig
