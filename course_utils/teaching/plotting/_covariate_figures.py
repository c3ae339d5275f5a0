"""Figures of second-level covariates and effect sizes: t-maps as slices, a response against
a covariate, and how t and Cohen's d change with the number of subjects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from course_utils.teaching.plotting._style import DIVERGING_CMAP, OKABE_ITO

if TYPE_CHECKING:
    import nibabel as nib
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.figure import Figure


def plot_t_slices(
    images: Mapping[str, nib.Nifti1Image],
    title: str,
    *,
    cut_coords: Sequence[float] = (-12, 0, 12, 30, 50),
    threshold: float | None = None,
    vmax: float | None = None,
    colorbar_label: str | Sequence[str] | None = None,
    row_height: float = 1.9,
) -> Figure:
    """Signed maps as rows of axial slices, all on one symmetric colour scale.

    One scale, from ``-vmax`` to ``vmax``, lets the rows be compared: a noise map (an age
    slope's t of at most 4) looks weaker than an effect (an intercept's t of 9), as it is;
    on a scale of its own, each row's strongest voxel would look equally strong. A low
    display ``threshold`` (e.g. 2) lets the anatomy show through the weak voxels while noise
    still shows as noise. The anatomy is nilearn's MNI152 template at the maps' own voxel
    size (no finer grid to resample to, so drawing is fast).

    Parameters
    ----------
    images : mapping of str to nibabel image
        Row title: map.
    title : str
        Figure title (say what is shown, and which data).
    cut_coords : sequence of float, default (-12, 0, 12, 30, 50)
        The slices' z coordinates, in MNI mm.
    threshold : float, optional
        Voxels with ``|value|`` below it are not drawn (default: all voxels of the maps).
    vmax : float, optional
        The end of the colour scale shared by all rows (default: the largest ``|value|`` of
        all the maps).
    colorbar_label : str or sequence of str, optional
        The colour bar's label: one for all rows, or one per row (e.g. ``"t (28 df)"``).
    row_height : float, default 1.9
        Height of one row in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Without a layout engine (nilearn places its own axes), one axes per row.

    Raises
    ------
    ValueError
        No image given, or not one colour bar label per row.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib
    >>> values = np.zeros((20, 20, 20), dtype="float32")
    >>> values[8:12, 8:12, 8:12] = 4.0
    >>> img = nib.Nifti1Image(values, np.diag([-3.0, 3.0, 3.0, 1.0]))
    >>> fig = plot_t_slices({"a": img, "b": img}, "Two maps", cut_coords=[0, 6])
    >>> len(fig.axes) > 2, fig.get_suptitle()
    (True, 'Two maps')
    """
    from nilearn import plotting as niplot
    from nilearn.datasets import load_mni152_template

    if not images:
        raise ValueError("images is empty: give at least one map to draw.")
    labels = (
        [colorbar_label] * len(images)
        if colorbar_label is None or isinstance(colorbar_label, str)
        else list(colorbar_label)
    )
    if len(labels) != len(images):
        raise ValueError(f"{len(labels)} colour bar labels for {len(images)} maps: one per map.")
    if vmax is None:
        vmax = max(float(np.nanmax(np.abs(np.asarray(img.dataobj)))) for img in images.values())
    vmax = vmax or 1.0
    first = next(iter(images.values()))
    voxel_mm = float(np.abs(np.diag(first.affine)[:3]).min())
    anatomy = load_mni152_template(resolution=max(1, int(round(voxel_mm))))
    height = row_height * len(images) + 0.6
    fig, axes = plt.subplots(len(images), 1, figsize=(9, height), layout="none", squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.55 / height, bottom=0.01, hspace=0.35)
    for ax, (name, img), label in zip(axes[:, 0], images.items(), labels, strict=True):
        display = niplot.plot_stat_map(
            img,
            bg_img=anatomy,
            axes=ax,
            display_mode="z",
            cut_coords=list(cut_coords),
            cmap=DIVERGING_CMAP,
            vmax=vmax,
            threshold=threshold if threshold is not None else 1e-6,
            colorbar=True,
            annotate=True,
            draw_cross=False,
        )
        if label is not None:
            display._cbar.set_label(label, fontsize=9)
        ax.set_title(name, fontsize=11, loc="left")
    fig.suptitle(title)
    return fig


def plot_against_covariate(
    covariate: npt.ArrayLike,
    responses: Mapping[str, npt.ArrayLike],
    title: str,
    *,
    groups: npt.ArrayLike | None = None,
    xlabel: str = "age (years)",
    ylabel: str = "response (map units)",
    per: str = "year",
) -> Figure:
    """Each subject's response against a covariate, one panel per response, with the
    least-squares line and its 95% band (seaborn ``regplot``).

    Parameters
    ----------
    covariate : array-like, shape (n_subjects,)
        The covariate (e.g. age), on the x axis.
    responses : mapping of str to array-like
        Panel title: one response per subject (e.g. an ROI's mean, a voxel's value).
    title : str
        Figure title (say which data).
    groups : array-like of str, optional
        A label per subject (e.g. sex), to colour the points; the line ignores it. The
        legend's title is the name of a pandas Series, else "group".
    xlabel, ylabel : str
        Axis labels, with units.
    per : str, default "year"
        The covariate's unit, in each panel's "slope ... per <unit>".

    Returns
    -------
    matplotlib.figure.Figure
        One axes per response; the line is ``ax.lines[0]``.

    Raises
    ------
    ValueError
        No response, or a response without one value per subject.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> age = np.array([20.0, 25, 30, 35, 40, 45])
    >>> fig = plot_against_covariate(age, {"ROI": 0.1 * age}, "Demo", groups=list("FMFMFM"))
    >>> line = fig.axes[0].lines[0]
    >>> round(float(np.polyfit(line.get_xdata(), line.get_ydata(), 1)[0]), 3)
    0.1
    """
    import pandas as pd
    import seaborn as sns

    x = np.asarray(covariate, dtype=float)
    if not responses:
        raise ValueError("responses is empty: give at least one response to draw.")
    fig, axes = plt.subplots(1, len(responses), figsize=(4.6 * len(responses), 3.8), squeeze=False)
    for ax, (name, values) in zip(axes[0], responses.items(), strict=True):
        y = np.asarray(values, dtype=float)
        if y.shape != x.shape:
            raise ValueError(
                f"{name!r} has {y.size} values but the covariate {x.size}: one per subject."
            )
        sns.regplot(x=x, y=y, ax=ax, scatter=False, color="black", line_kws={"lw": 1.5})
        table = pd.DataFrame({"x": x, "y": y})
        legend = str(getattr(groups, "name", None) or "group")
        if groups is not None:
            table[legend] = np.asarray(groups).astype(str)
        sns.scatterplot(
            data=table,
            x="x",
            y="y",
            hue=legend if groups is not None else None,
            hue_order=sorted(set(table[legend])) if groups is not None else None,
            palette=list(OKABE_ITO[:2]) if groups is not None else None,
            ax=ax,
            s=30,
        )
        slope = np.polyfit(x, y, 1)[0]
        ax.set(title=f"{name}\nslope {slope:+.3g} per {per}", xlabel=xlabel, ylabel=ylabel)
    fig.suptitle(title)
    return fig


def plot_t_and_d_by_n(table: pd.DataFrame, title: str, *, highlight: int | None = None) -> Figure:
    """t and Cohen's d of random subsets of subjects against the number of subjects.

    Two panels, t then d: every subset is a grey dot (jittered sideways), the median of each
    size a line with the band of the central 90 % of subsets (seaborn ``lineplot``). The t
    panel adds the dashed curve ``d_all * sqrt(m)`` (d of the largest size, the whole
    sample), the d panel a dashed line at ``d_all``: t climbs with the number of subjects
    while d stays, and only its spread shrinks. The subsets share their subjects, so the
    spread vanishes at the full sample: it is not the spread of d across new studies.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``n_subjects``, ``t``, ``d``, as from
        :func:`course_utils.stats.effect_sizes.subsample_effects`.
    title : str
        Figure title (say which data and which region).
    highlight : int, optional
        A number of subjects to mark with a dotted vertical line (e.g. a small study).

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: t, then d.

    Raises
    ------
    ValueError
        A column missing.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"n_subjects": [5, 5, 20], "t": [2.0, 2.4, 4.4],
    ...                       "d": [0.9, 1.1, 1.0]})
    >>> fig = plot_t_and_d_by_n(table, "Demo", highlight=5)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['one-sample t', "Cohen's d"]
    """
    import seaborn as sns

    missing = {"n_subjects", "t", "d"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks the column(s) {sorted(missing)}; see subsample_effects.")
    sizes = np.sort(table["n_subjects"].unique())
    d_all = float(table.loc[table["n_subjects"] == sizes[-1], "d"].median())
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, len(table)) * np.min(
        np.diff(sizes), initial=2
    )
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.0))
    grid = np.linspace(sizes[0], sizes[-1], 100)
    for ax, key, label in zip(axes, ("t", "d"), ("one-sample t", "Cohen's d"), strict=True):
        ax.scatter(
            table["n_subjects"] + jitter,
            table[key],
            s=6,
            color="grey",
            alpha=0.25,
            linewidths=0,
            label="one random subset",
        )
        sns.lineplot(
            data=table,
            x="n_subjects",
            y=key,
            estimator="median",
            errorbar=("pi", 90),
            ax=ax,
            color=OKABE_ITO[0],
            marker="o",
            label="median, central 90 %",
        )
        if key == "t":
            ax.plot(
                grid,
                d_all * np.sqrt(grid),
                "--",
                color="black",
                label=f"d of all ({d_all:.2f}) x sqrt(n)",
            )
        else:
            ax.axhline(d_all, ls="--", color="black", label=f"d of all ({d_all:.2f})")
        if highlight is not None:
            ax.axvline(highlight, ls=":", color="grey")
        values = table[key].to_numpy(float)
        ax.set(
            xlabel="number of subjects",
            ylabel=label,
            ylim=(
                min(0.0, np.quantile(values, 0.005)) * 1.1,
                max(np.quantile(values, 0.995), d_all * np.sqrt(sizes[-1]) if key == "t" else d_all)
                * 1.1,
            ),
        )
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle(title)
    return fig
