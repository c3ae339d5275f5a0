"""The stand-in's design and its ground truth: the regions, their effects, and what is true.

:data:`REGIONS` says where the stand-in's effects are, how large and which Cohen's d; the
planted sex difference is :data:`SEX_DIFFERENCE`. :class:`GroundTruth` (built by
:func:`build_truth` for a mask) says where the effects really are, so that notebooks can count
true and false detections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
import pandas as pd

from course_utils._utils import mask_array
from course_utils.experiments.data._manifest import CONDITIONS, as_weights


@dataclass(frozen=True)
class Region:
    """A region of the stand-in: where it is (MNI mm), how big, and its Cohen's d per condition.

    The effect profile is ``(1 - (r / radius)**2)**2`` for ``r < radius`` and exactly 0 beyond,
    at each centre (the larger value where two centres' supports meet).

    Parameters
    ----------
    name : str
        Anatomical name.
    centres : tuple of (x, y, z)
        Centres in MNI millimetres (x > 0 is the right hemisphere).
    radius_mm : float
        Radius of the support around each centre.
    d : mapping of str to float
        Cohen's d at the centre, per condition.

    Examples
    --------
    >>> Region("toy", ((0, 0, 0),), 10.0, {"audio_sentence": 1.0}).radius_mm
    10.0
    >>> REGIONS[0].name
    'calcarine, horizontal meridian (V1)'
    """

    name: str
    centres: tuple[tuple[float, float, float], ...]
    radius_mm: float
    d: Mapping[str, float]


_VIDEO = ("video_computation", "video_left_hand", "video_right_hand", "video_sentence")
_AUDIO = ("audio_computation", "audio_left_hand", "audio_right_hand", "audio_sentence")

#: Regions of the stand-in. Cohen's d is the population effect at the region's centre divided by
#: the between-subject standard deviation of the subject maps there (N=30 detects d=1.5 easily,
#: d=0.4 rarely). Coordinates are MNI millimetres: x > 0 is the RIGHT hemisphere.
REGIONS = (
    Region(
        "calcarine, horizontal meridian (V1)",
        ((-8, -90, 2), (10, -90, 2)),
        10.0,
        {"horizontal_checkerboard": 1.5, "vertical_checkerboard": 0.5},
    ),
    Region(
        "upper V1/V2 border, vertical meridian",
        ((-8, -84, 16), (10, -84, 16)),
        9.0,
        {"vertical_checkerboard": 1.2, "horizontal_checkerboard": 0.4},
    ),
    Region(
        "lower V1/V2 border, vertical meridian",
        ((-8, -86, -12), (10, -86, -12)),
        9.0,
        {"vertical_checkerboard": 1.2, "horizontal_checkerboard": 0.4},
    ),
    Region(
        "lateral occipital cortex (visual cue)",
        ((-40, -80, -6), (42, -80, -6)),
        12.0,
        dict.fromkeys(_VIDEO, 1.5),
    ),
    Region(
        "superior temporal gyrus (auditory cue)",
        ((-54, -22, 8), (56, -22, 8)),
        12.0,
        dict.fromkeys(_AUDIO, 1.5),
    ),
    Region(
        "right precentral gyrus, hand area (left hand)",
        ((38, -22, 56),),
        12.0,
        {"audio_left_hand": 1.5, "video_left_hand": 1.5},
    ),
    Region(
        "left precentral gyrus, hand area (right hand)",
        ((-38, -22, 56),),
        12.0,
        {"audio_right_hand": 1.5, "video_right_hand": 1.5},
    ),
    Region(
        "supplementary motor area (button presses)",
        ((0, -4, 58),),
        10.0,
        dict.fromkeys(
            ("audio_left_hand", "audio_right_hand", "video_left_hand", "video_right_hand"), 0.8
        ),
    ),
    Region(
        "intraparietal sulcus (calculation)",
        ((-32, -60, 46), (34, -60, 46)),
        12.0,
        {"audio_computation": 1.0, "video_computation": 1.0},
    ),
    Region(
        "right dorsolateral prefrontal cortex (calculation)",
        ((44, 32, 28),),
        10.0,
        {"audio_computation": 0.4, "video_computation": 0.4},
    ),
    Region(
        "left posterior superior temporal sulcus (sentences)",
        ((-54, -48, 8),),
        10.0,
        {"audio_sentence": 1.0, "video_sentence": 1.0},
    ),
    Region(
        "left inferior frontal gyrus (sentences)",
        ((-48, 18, 14),),
        10.0,
        {"audio_sentence": 0.6, "video_sentence": 0.6},
    ),
    Region(
        "left fusiform gyrus, visual word form area (reading)",
        ((-44, -56, -14),),
        10.0,
        # every video trial shows written words (the instruction, the subtraction, the
        # sentence): video > audio for all of them, most for the sentences
        {
            "video_computation": 0.6,
            "video_left_hand": 0.6,
            "video_right_hand": 0.6,
            "video_sentence": 1.2,
        },
    ),
)

#: The planted, deliberately underpowered sex difference (males minus females) in the
#: calculation-vs-sentences contrast, in the left intraparietal sulcus.
SEX_DIFFERENCE = {
    "region": "left intraparietal sulcus (sex difference)",
    "centre": (-32, -60, 46),
    "radius_mm": 10.0,
    "contrast": {
        "audio_computation": 0.5,
        "video_computation": 0.5,
        "audio_sentence": -0.5,
        "video_sentence": -0.5,
    },
    "d": 0.6,
}

_HETEROGENEITY = 0.3  # SD of each subject's gain (multiplies the population effect) per region
_BETWEEN_SD = 0.5  # SD of subject deviations everywhere, not counted in first-level variances
_SHARED = 0.5  # fraction of a subject's noise variance shared by all ten conditions


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """What the stand-in was built from, to count true and false detections.

    Attributes
    ----------
    regions : pandas.DataFrame
        One row per region and condition: ``region``, ``condition``, ``d`` (Cohen's d at the
        centre), ``amplitude`` (population effect at the centre, noise SD units), ``radius_mm``,
        ``centres`` (MNI mm) and ``hemisphere``.
    outlier : str or None
        The outlier subject (noise x3 and a broad artefact in every map).
    sex_difference : dict
        The planted difference: region, contrast weights, ``d`` and ``male_minus_female``
        (effect difference at the centre, noise SD units).
    seed, noise_fwhm_mm, heterogeneity, between_sd, shared_fraction
        Generator settings.
    conditions : tuple of str
        The ten conditions, in the order of ``amplitudes``' columns.
    profiles, amplitudes, sex_profile : numpy.ndarray
        Each region's spatial profile ``(n_regions, n_voxels)``, its population effect per
        condition ``(n_regions, 10)``, and the sex difference's profile ``(n_voxels,)``.

    Examples
    --------
    >>> from course_utils.experiments.data import synthetic_localizer
    >>> truth = synthetic_localizer(n_subjects=2, conditions=["audio_left_hand"],
    ...                             cache=False).truth
    >>> truth.regions.columns[:3].tolist()
    ['region', 'condition', 'd']
    >>> int(truth.support("audio_left_hand").sum()) > 0
    True
    """

    regions: pd.DataFrame
    conditions: tuple[str, ...]
    outlier: str | None
    sex_difference: dict
    seed: int
    noise_fwhm_mm: float
    heterogeneity: float
    between_sd: float
    shared_fraction: float
    profiles: np.ndarray = field(repr=False)  # (n_regions, n_voxels) float32
    amplitudes: np.ndarray = field(repr=False)  # (n_regions, 10) float64, order CONDITIONS
    sex_profile: np.ndarray = field(repr=False)  # (n_voxels,) float32

    def effect(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Population effect of a condition, or of a contrast ``{condition: weight}``.

        Parameters
        ----------
        condition_or_weights : str or dict
            A condition, or contrast weights ``{condition: weight}``.

        Returns
        -------
        numpy.ndarray
            float64, shape (n_voxels,), exactly 0 outside the supports.

        Examples
        --------
        >>> from course_utils.experiments.data import synthetic_localizer
        >>> truth = synthetic_localizer(n_subjects=2, conditions=["audio_left_hand"],
        ...                             cache=False).truth
        >>> bool(truth.effect("audio_left_hand").max() > 0)
        True
        """
        weights = as_weights(condition_or_weights, CONDITIONS)
        w = np.zeros(len(CONDITIONS))
        for name, value in weights.items():
            w[CONDITIONS.index(name)] += value
        per_region = self.amplitudes @ w  # (n_regions,)
        return per_region @ self.profiles.astype(np.float64)

    def support(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Voxels where the population effect (of a condition or contrast) is not zero.

        Parameters
        ----------
        condition_or_weights : str or dict
            A condition, or contrast weights ``{condition: weight}``.

        Returns
        -------
        numpy.ndarray
            bool, shape (n_voxels,): the "true" voxels.

        Examples
        --------
        >>> from course_utils.experiments.data import synthetic_localizer
        >>> truth = synthetic_localizer(n_subjects=2, conditions=["audio_left_hand"],
        ...                             cache=False).truth
        >>> 0 < int(truth.support("audio_left_hand").sum()) < truth.profiles.shape[1]
        True
        """
        return np.abs(self.effect(condition_or_weights)) > 1e-9

    def sex_effect(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Population difference males minus females for a condition or contrast.

        Parameters
        ----------
        condition_or_weights : str or dict
            A condition, or contrast weights ``{condition: weight}``.

        Returns
        -------
        numpy.ndarray
            float64, shape (n_voxels,); non-zero only in the calculation maps, around the left
            intraparietal sulcus.

        Examples
        --------
        >>> from course_utils.experiments.data import synthetic_localizer
        >>> truth = synthetic_localizer(n_subjects=2, conditions=["audio_left_hand"],
        ...                             cache=False).truth
        >>> bool(truth.sex_effect("audio_computation").max() > 0)
        True
        >>> bool(truth.sex_effect("audio_sentence").any())
        False
        """
        weights = as_weights(condition_or_weights, CONDITIONS)
        planted = self.sex_difference["male_minus_female"]
        per_map = sum(weights.get(c, 0.0) for c in ("audio_computation", "video_computation"))
        # each computation map carries +planted/2 (M) or -planted/2 (F): difference = planted
        return per_map * planted * self.sex_profile.astype(np.float64)

    def cohens_d(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Population Cohen's d in every voxel: :meth:`effect` over the between-subject SD.

        The SD has the generator's variance components: noise of variance
        ``1 + between_sd**2`` (first-level variances have mean 1), a share ``shared_fraction``
        of it common to a subject's conditions, per-region gains of SD ``heterogeneity``, and
        the planted sex difference (:meth:`sex_effect`, half of it either way per subject). At
        a region's centre this is the ``d`` of ``regions``.

        Parameters
        ----------
        condition_or_weights : str or dict
            A condition, or contrast weights ``{condition: weight}``.

        Returns
        -------
        numpy.ndarray
            float64, shape (n_voxels,), 0 outside the supports.

        Examples
        --------
        >>> from course_utils.experiments.data import synthetic_localizer
        >>> truth = synthetic_localizer(n_subjects=2, conditions=["vertical_checkerboard"],
        ...                             cache=False).truth
        >>> d = truth.cohens_d("vertical_checkerboard")
        >>> outside = ~truth.support("vertical_checkerboard")
        >>> bool(0 < d.max() <= 1.2 + 1e-9), bool((d[outside] == 0).all())
        (True, True)
        """
        weights = as_weights(condition_or_weights, CONDITIONS)
        w = np.array([weights.get(c, 0.0) for c in CONDITIONS])
        gains = (self.amplitudes @ w)[:, None] * self.profiles.astype(np.float64)
        noise = (1 + self.between_sd**2) * (
            (1 - self.shared_fraction) * np.sum(w**2) + self.shared_fraction * w.sum() ** 2
        )
        sex = self.sex_effect(weights) / 2
        variance = noise + self.heterogeneity**2 * np.sum(gains**2, axis=0) + sex**2
        return self.effect(weights) / np.sqrt(variance)


def _amplitude(d: float) -> float:
    """Population effect giving Cohen's d at a region centre (mean first-level variance 1)."""
    if not 0 <= _HETEROGENEITY * d < 1:
        raise ValueError(f"d={d} too large for heterogeneity {_HETEROGENEITY}")
    return d * np.sqrt(_BETWEEN_SD**2 + 1.0) / np.sqrt(1.0 - (_HETEROGENEITY * d) ** 2)


def region_profile(
    xyz: np.ndarray, centres: Sequence[Sequence[float]], radius: float
) -> np.ndarray:
    """A region's spatial profile: ``(1 - (r / radius)**2)**2`` within ``radius`` of a centre.

    Parameters
    ----------
    xyz : numpy.ndarray, shape (n_voxels, 3)
        Voxel positions (MNI mm), float32.
    centres : sequence of (x, y, z)
        The region's centres; where two supports meet, the larger value.
    radius : float
        Radius of the support, in mm.

    Returns
    -------
    numpy.ndarray
        float32, shape (n_voxels,): 1 at a centre, exactly 0 from ``radius`` on.

    Examples
    --------
    >>> xyz = np.array([[0, 0, 0], [5, 0, 0], [10, 0, 0]], dtype=np.float32)
    >>> region_profile(xyz, ((0, 0, 0),), 10.0).tolist()
    [1.0, 0.5625, 0.0]
    """
    out = np.zeros(xyz.shape[0], dtype=np.float32)
    for centre in centres:
        r2 = np.sum((xyz - np.asarray(centre, dtype=np.float32)) ** 2, axis=1) / radius**2
        np.maximum(out, np.where(r2 < 1, (1 - r2) ** 2, 0).astype(np.float32), out=out)
    return out


def build_truth(
    mask_img: nib.Nifti1Image,
    seed: int,
    outlier: str | None,
    noise_fwhm_mm: float,
    spread: float = 1.0,
    d_gain: float = 1.0,
) -> GroundTruth:
    """The ground truth of a stand-in on the grid of ``mask_img``: profiles and amplitudes.

    Parameters
    ----------
    mask_img : nibabel.Nifti1Image
        The brain mask whose voxels (C order) are the columns of the profiles.
    seed : int
        The stand-in's seed (recorded).
    outlier : str or None
        The outlier subject's ID (recorded).
    noise_fwhm_mm : float
        The noise smoothness (recorded).
    spread, d_gain : float, default 1.0
        Support radii and Cohen's d scaled by these (the real-shaped variant).

    Returns
    -------
    GroundTruth

    Examples
    --------
    >>> mask = nib.Nifti1Image(np.ones((3, 3, 3), "uint8"), np.diag([30, 30, 30, 1]))
    >>> truth = build_truth(mask, seed=0, outlier=None, noise_fwhm_mm=9.0)
    >>> truth.profiles.shape, len(truth.regions) > len(REGIONS)
    ((13, 27), True)
    """
    mask = mask_array(mask_img)
    ijk = np.argwhere(mask).astype(np.float32)
    xyz = ijk @ mask_img.affine[:3, :3].T.astype(np.float32) + mask_img.affine[:3, 3].astype(
        np.float32
    )
    profiles = np.stack([region_profile(xyz, r.centres, spread * r.radius_mm) for r in REGIONS])
    amplitudes = np.zeros((len(REGIONS), len(CONDITIONS)))
    rows = []
    for k, region in enumerate(REGIONS):
        xs = [c[0] for c in region.centres]
        hemi = (
            "both"
            if min(xs) < 0 < max(xs)
            else ("right" if xs[0] > 0 else "left" if xs[0] < 0 else "midline")
        )
        for condition, d in region.d.items():
            d = round(d * d_gain, 3)
            amplitudes[k, CONDITIONS.index(condition)] = _amplitude(d)
            rows.append(
                {
                    "region": region.name,
                    "condition": condition,
                    "d": d,
                    "amplitude": _amplitude(d),
                    "radius_mm": spread * region.radius_mm,
                    "centres": str(region.centres),
                    "hemisphere": hemi,
                }
            )
    # Sex difference: SD of the contrast at the centre = sqrt(noise part + heterogeneity part).
    weights = SEX_DIFFERENCE["contrast"]
    sum_w2 = sum(w * w for w in weights.values())
    ips = next(k for k, r in enumerate(REGIONS) if r.name.startswith("intraparietal"))
    w = np.array([weights.get(c, 0.0) for c in CONDITIONS])
    contrast_amp = float(amplitudes[ips] @ w)
    sd = np.sqrt(
        sum_w2 * (1 - _SHARED) * (1 + _BETWEEN_SD**2) + (_HETEROGENEITY * contrast_amp) ** 2
    )
    sex = dict(SEX_DIFFERENCE, male_minus_female=float(SEX_DIFFERENCE["d"] * sd))
    sex_profile = region_profile(
        xyz, (SEX_DIFFERENCE["centre"],), spread * SEX_DIFFERENCE["radius_mm"]
    )
    return GroundTruth(
        regions=pd.DataFrame(rows),
        conditions=CONDITIONS,
        outlier=outlier,
        sex_difference=sex,
        seed=seed,
        noise_fwhm_mm=noise_fwhm_mm,
        heterogeneity=_HETEROGENEITY,
        between_sd=_BETWEEN_SD,
        shared_fraction=_SHARED,
        profiles=profiles,
        amplitudes=amplitudes,
        sex_profile=sex_profile,
    )
