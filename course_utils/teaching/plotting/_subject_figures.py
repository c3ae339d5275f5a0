"""Figures about subjects: every subject's map, a quality-control strip, what pairing gains.

- :func:`plot_subject_montage`: one axial slice of every subject's map, side by side on one
  colour scale, the flagged subjects framed (as nilearn's second-level examples show each
  subject's map before the group test);
- :func:`plot_subject_qc`: each subject's mean and spread over the brain mask as a strip of
  dots, with the robust-z cut drawn and the flagged subjects named;
- :func:`plot_pairing_gain`: per voxel, how much larger the paired |t| is than the two-sample
  |t| on the same maps, against how strongly a subject's two maps go together;
- :func:`plot_occipital_sagittal`: a group map zoomed on the occipital lobe (the calcarine);
- :func:`label_colorbar`: the missing label of a nilearn colour bar (``"t (29 df)"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np

from course_utils._utils import as_generator, load_mask
from course_utils.experiments.qc import MAD_SCALE
from course_utils.teaching.plotting._style import DIVERGING_CMAP, OKABE_ITO

if TYPE_CHECKING:
    import nibabel as nib
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes


def _axial_plane(mask: np.ndarray, affine: np.ndarray, z_mm: float) -> int:
    """The index of the axial plane of the grid nearest ``z_mm`` (an axis-aligned grid)."""
    linear = affine[:3, :3]
    if not np.allclose(linear, np.diag(np.diag(linear))) or linear[2, 2] == 0:
        raise ValueError("the mask's grid is oblique: resample it to an axis-aligned grid first.")
    k = int(round((float(z_mm) - affine[2, 3]) / affine[2, 2]))
    z_range = sorted(affine[2, 3] + affine[2, 2] * np.array([0, mask.shape[2] - 1]))
    if not 0 <= k < mask.shape[2] or not mask[:, :, k].any():
        raise ValueError(
            f"z = {z_mm} mm is outside the brain mask (its grid spans z = {z_range[0]:g} to "
            f"{z_range[1]:g} mm): choose an axial slice through the brain."
        )
    return k


def plot_subject_montage(
    values: npt.ArrayLike,
    subjects: Sequence[str],
    *,
    mask_img: nib.Nifti1Image,
    z_mm: float = 0.0,
    flagged: Sequence[str] = (),
    vmax: float | None = None,
    ncols: int = 10,
    units: str = "map units",
    title: str | None = None,
) -> np.ndarray:
    """One axial slice of every subject's map, on one colour scale, flagged subjects framed.

    Each panel is one subject's masked map at the axial plane nearest ``z_mm``, titled with
    the subject's ID, all panels on the same symmetric colour scale (so a noisier map looks
    noisier), the brain's left on the left (neurological convention, marked L and R on the
    first panel); the subjects in ``flagged`` get a thick vermillion frame and title. Only one
    plane per subject is unmasked, so memory stays small for a hundred subjects.

    Parameters
    ----------
    values : array-like, shape (n_subjects, n_voxels)
        One masked map per subject (the columns are the voxels of ``mask_img``, in the order
        of ``mask_img``'s boolean array, as ``LocalizerData.array`` gives them).
    subjects : sequence of str
        The subject IDs, one per row of ``values``, in the same order.
    mask_img : nibabel.Nifti1Image
        The 3D brain mask the maps were taken from (an axis-aligned grid).
    z_mm : float, default 0.0
        Height of the axial slice in world (MNI) millimetres; the nearest plane is shown.
    flagged : sequence of str
        Subjects to frame and title in vermillion.
    vmax : float, optional
        The colour scale runs from ``-vmax`` to ``vmax``; default the 99th percentile of
        ``|values|`` in the slice, over all subjects.
    ncols : int, default 10
        Panels per row.
    units : str
        Units of the maps, for the colour bar.
    title : str, optional
        Figure title (default says what is shown); a second line gives the slice's height.

    Returns
    -------
    numpy.ndarray of matplotlib Axes
        One panel per subject, in the order given; each panel's last image is the map (NaN,
        masked, outside the brain).

    Raises
    ------
    ValueError
        ``values`` not 2D or not of the mask's voxels, IDs that do not match its rows or
        repeat, flagged subjects that are not among them, an oblique grid, a slice outside
        the brain, ``ncols`` below 1 or ``vmax`` not positive.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib
    >>> mask = nib.Nifti1Image(np.ones((4, 5, 3), "uint8"), np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> values = np.arange(3 * 60, dtype=float).reshape(3, 60)
    >>> axes = plot_subject_montage(values, ["S1", "S2", "S3"], mask_img=mask, z_mm=3,
    ...                             flagged=["S2"])
    >>> [ax.get_title() for ax in axes]
    ['S1', 'S2 (flagged)', 'S3']
    >>> axes[1].title.get_color() == OKABE_ITO[3]
    True
    >>> sorted(np.ma.compressed(axes[0].images[-1].get_array()))[:3]  # voxels k = 1 of S1
    [np.float64(1.0), np.float64(4.0), np.float64(7.0)]
    """
    mask, affine = load_mask(mask_img, purpose="plot_subject_montage")
    maps = np.asarray(values)
    if maps.ndim != 2 or maps.shape[1] != int(mask.sum()):
        raise ValueError(
            f"values must be (subjects x {int(mask.sum())} voxels of the mask); got shape "
            f"{maps.shape}."
        )
    names = [str(s) for s in subjects]
    if len(names) != maps.shape[0] or len(set(names)) != len(names):
        raise ValueError(
            f"{len(names)} subject IDs for {maps.shape[0]} maps: give one distinct ID per row "
            "of values, in the same order."
        )
    unknown = sorted(set(map(str, flagged)) - set(names))
    if unknown:
        raise ValueError(f"flagged subjects {unknown} are not among the subjects.")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1; got {ncols}.")
    k = _axial_plane(mask, affine, z_mm)
    i, j, plane = np.nonzero(mask)  # C order: the order of the maps' columns
    columns = np.flatnonzero(plane == k)
    i, j = i[columns], j[columns]
    in_slice = maps[:, columns].astype(np.float64)
    if vmax is None:
        vmax = float(np.percentile(np.abs(in_slice), 99)) or 1.0
    if not vmax > 0:
        raise ValueError(f"vmax must be positive; got {vmax!r}.")
    rows_i, cols_j = slice(i.min(), i.max() + 1), slice(j.min(), j.max() + 1)
    flip_x, flip_y = affine[0, 0] < 0, affine[1, 1] < 0  # left on the left, front on top
    background = np.where(mask[:, :, k], 0.85, np.nan)[rows_i, cols_j]

    def oriented(image: np.ndarray) -> np.ndarray:
        image = image[::-1] if flip_x else image
        image = image[:, ::-1] if flip_y else image
        return image.T  # rows: y (front on top with origin="lower"), columns: x

    n = len(names)
    nrows = -(-n // ncols)
    ncols = min(ncols, n)
    aspect = (j.max() - j.min() + 1) / (i.max() - i.min() + 1)
    fig_height = nrows * aspect + 1.2  # inches: one inch per panel's width, the titles
    top = 1 - 0.85 / fig_height
    fig, grid = plt.subplots(
        nrows,
        ncols,
        figsize=(max(ncols + 0.8, 7.0), fig_height),
        squeeze=False,
        layout="none",  # the grid is placed by hand below
    )
    fig.subplots_adjust(
        left=0.01,
        right=0.9,
        bottom=0.01,
        top=top,
        wspace=0.05,
        hspace=0.3,
    )
    axes = grid.ravel()
    is_flagged = set(map(str, flagged))
    image = None
    for s, ax in enumerate(axes):
        if s >= n:
            ax.remove()
            continue
        planar = np.full(mask.shape[:2], np.nan)
        planar[i, j] = in_slice[s]
        ax.imshow(oriented(background), cmap="gray", vmin=0, vmax=1, origin="lower")
        image = ax.imshow(
            oriented(planar[rows_i, cols_j]),
            cmap=DIVERGING_CMAP,
            vmin=-vmax,
            vmax=vmax,
            origin="lower",
            interpolation="nearest",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        if names[s] in is_flagged:
            ax.set_title(
                f"{names[s]} (flagged)", color=OKABE_ITO[3], fontsize=8, fontweight="bold", pad=2
            )
            for spine in ax.spines.values():
                spine.set(visible=True, edgecolor=OKABE_ITO[3])
                spine.set_linewidth(3)
        else:
            ax.set_title(names[s], fontsize=8, pad=2)
            for spine in ax.spines.values():
                spine.set(visible=True, edgecolor="0.8")
                spine.set_linewidth(0.5)
    for x, side, align in ((0.03, "L", "left"), (0.97, "R", "right")):  # first panel
        axes[0].text(x, 0.03, side, transform=axes[0].transAxes, ha=align, va="bottom", fontsize=8)
    bar = fig.colorbar(image, cax=fig.add_axes((0.92, 0.15 * top, 0.015, 0.7 * top)))
    bar.set_label(units)
    z_shown = affine[2, 3] + affine[2, 2] * k
    heading = title or "Every subject's map"
    fig.suptitle(
        f"{heading}\naxial slice at z = {z_shown:g} mm, one colour scale for all; "
        "left on the left (neurological)",
        y=1 - 0.08 / fig_height,
        va="top",
    )
    return axes[:n]


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


def label_colorbar(display: Any, label: str) -> Any:
    """Write ``label`` (e.g. ``"t (29 df)"``) along the colour bar of a nilearn display.

    nilearn's ``plot_stat_map`` and ``plot_glass_brain`` draw a colour bar without a label;
    this names what its colours measure, as every course figure does.

    Parameters
    ----------
    display : nilearn display
        What ``plot_stat_map``/``plot_glass_brain`` returned, drawn with ``colorbar=True``.
    label : str
        The quantity and its units.

    Returns
    -------
    matplotlib.colorbar.Colorbar
        The labelled colour bar.

    Raises
    ------
    ValueError
        When the display has no colour bar.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib
    >>> from nilearn import plotting as niplot
    >>> img = nib.Nifti1Image(np.arange(64.0).reshape(4, 4, 4) - 30, np.eye(4))
    >>> display = niplot.plot_stat_map(img, display_mode="z", cut_coords=[1],
    ...                                bg_img=None, colorbar=True)
    >>> label_colorbar(display, "t (9 df)").ax.get_ylabel()
    't (9 df)'
    """
    bar = getattr(display, "_cbar", None)
    if bar is None:
        raise ValueError("the display has no colour bar: draw it with colorbar=True.")
    bar.set_label(label)
    return bar


def plot_occipital_sagittal(
    stat_img: nib.Nifti1Image,
    *,
    threshold: float,
    label: str,
    x_mm: Sequence[float] = (-8.0, 8.0),
    y_range: tuple[float, float] = (-112.0, -40.0),
    z_range: tuple[float, float] = (-30.0, 40.0),
    title: str | None = None,
) -> Any:
    """Sagittal slices of a thresholded map, zoomed on the occipital lobe, colour bar labelled.

    The calcarine sulcus runs front to back in a sagittal slice near the midline, with the
    cortex along its floor (the horizontal meridian) and its banks (the V1/V2 borders, the
    vertical meridian) above and below: a zoom on it shows a retinotopic pattern that a
    whole-brain view shrinks to a few voxels.

    Parameters
    ----------
    stat_img : nibabel.Nifti1Image
        The statistical map (MNI space).
    threshold : float
        Voxels with ``|value| <= threshold`` are not coloured.
    label : str
        The colour bar's label, e.g. ``"t (29 df)"``.
    x_mm : sequence of float, default (-8, 8)
        The sagittal planes (MNI x, mm): left and right of the midline.
    y_range, z_range : tuple of float
        The window shown (MNI y and z, mm): the occipital lobe by default.
    title : str, optional
        Figure title.

    Returns
    -------
    nilearn display
        Its ``axes`` hold one panel per plane, zoomed to the window.

    Raises
    ------
    ValueError
        For an empty ``x_mm`` or a window whose bounds are not increasing.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import nibabel as nib
    >>> affine = np.diag([4.0, 4.0, 4.0, 1.0]); affine[:3, 3] = -120
    >>> img = nib.Nifti1Image(np.ones((60, 60, 60)), affine)
    >>> display = plot_occipital_sagittal(img, threshold=0.5, label="t (9 df)")
    >>> [tuple(map(float, a.ax.get_xlim())) for a in display.axes.values()]
    [(-112.0, -40.0), (-112.0, -40.0)]
    """
    from nilearn import plotting as niplot

    cuts = [float(x) for x in x_mm]
    if not cuts:
        raise ValueError("x_mm must name at least one sagittal plane.")
    for name, (low, high) in (("y_range", y_range), ("z_range", z_range)):
        if not low < high:
            raise ValueError(f"{name} must be (low, high) with low < high; got {(low, high)}.")
    fig = plt.figure(figsize=(4.2 * len(cuts) + 1.2, 4.6), layout="none")
    display = niplot.plot_stat_map(
        stat_img,
        threshold=threshold,
        display_mode="x",
        cut_coords=cuts,
        cmap=DIVERGING_CMAP,
        colorbar=True,
        figure=fig,
        title=title,
        annotate=True,
    )
    for panel in display.axes.values():
        panel.ax.set_xlim(*y_range)
        panel.ax.set_ylim(*z_range)
    label_colorbar(display, label)
    return display
