"""The seeded offline stand-in for the Localizer, and its ground truth.

:func:`synthetic_localizer` generates per-subject, per-condition maps on the real study's grid
from :data:`REGIONS` (where, how large, which Cohen's d); :class:`GroundTruth` says where the
effects really are, so notebooks can count true and false detections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
import pandas as pd

from course_utils import config
from course_utils.experiments.data.container import LocalizerData, _save_npz, brain_mask
from course_utils.experiments.data.manifest import (
    _SYNTHETIC_VERSION,
    CONDITIONS,
    DEFAULT_N_SUBJECTS,
    _as_weights,
    check_names,
)


@dataclass(frozen=True)
class Region:
    """A region of the stand-in: where it is (MNI mm), how big, and its Cohen's d per condition.

    The effect profile is ``(1 - (r / radius)**2)**2`` for ``r < radius`` and exactly 0 beyond,
    at each centre (the larger value where two centres' supports meet).
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
        {"video_sentence": 1.2},
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
_OUTLIER_VARIANCE = 9.0  # the outlier's first-level variance, relative to its own draw
_OUTLIER_ARTEFACT = 3.0  # amplitude of the outlier's broad artefact (noise SD units)


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

        Returns
        -------
        numpy.ndarray
            float64, shape (n_voxels,), exactly 0 outside the supports.
        """
        weights = _as_weights(condition_or_weights, CONDITIONS)
        w = np.zeros(len(CONDITIONS))
        for name, value in weights.items():
            w[CONDITIONS.index(name)] += value
        per_region = self.amplitudes @ w  # (n_regions,)
        return per_region @ self.profiles.astype(np.float64)

    def support(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Voxels where the population effect (of a condition or contrast) is not zero.

        Returns
        -------
        numpy.ndarray
            bool, shape (n_voxels,): the "true" voxels.
        """
        return np.abs(self.effect(condition_or_weights)) > 1e-9

    def sex_effect(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Population difference males minus females for a condition or contrast (float64)."""
        weights = _as_weights(condition_or_weights, CONDITIONS)
        planted = self.sex_difference["male_minus_female"]
        per_map = sum(weights.get(c, 0.0) for c in ("audio_computation", "video_computation"))
        # each computation map carries +planted/2 (M) or -planted/2 (F): difference = planted
        return per_map * planted * self.sex_profile.astype(np.float64)


def _amplitude(d: float) -> float:
    """Population effect giving Cohen's d at a region centre (mean first-level variance 1)."""
    if not 0 <= _HETEROGENEITY * d < 1:
        raise ValueError(f"d={d} too large for heterogeneity {_HETEROGENEITY}")
    return d * np.sqrt(_BETWEEN_SD**2 + 1.0) / np.sqrt(1.0 - (_HETEROGENEITY * d) ** 2)


def _profile(xyz: np.ndarray, centres, radius: float) -> np.ndarray:
    out = np.zeros(xyz.shape[0], dtype=np.float32)
    for centre in centres:
        r2 = np.sum((xyz - np.asarray(centre, dtype=np.float32)) ** 2, axis=1) / radius**2
        np.maximum(out, np.where(r2 < 1, (1 - r2) ** 2, 0).astype(np.float32), out=out)
    return out


#: The real-shaped variant: supports this much wider, Cohen's d this much larger (see
#: :func:`synthetic_localizer`); real checkerboard maps cover several percent of the brain.
_REAL_SHAPED = {"spread": 1.8, "d_gain": 1.3}


def _truth(
    mask_img: nib.Nifti1Image,
    seed: int,
    outlier: str | None,
    noise_fwhm_mm: float,
    spread: float = 1.0,
    d_gain: float = 1.0,
) -> GroundTruth:
    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    ijk = np.argwhere(mask).astype(np.float32)
    xyz = ijk @ mask_img.affine[:3, :3].T.astype(np.float32) + mask_img.affine[:3, 3].astype(
        np.float32
    )
    profiles = np.stack([_profile(xyz, r.centres, spread * r.radius_mm) for r in REGIONS])
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
    sex_profile = _profile(xyz, (SEX_DIFFERENCE["centre"],), spread * SEX_DIFFERENCE["radius_mm"])
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


def _participants_table(seed: int, n_subjects: int, real_shaped: bool = False) -> pd.DataFrame:
    width = max(2, len(str(n_subjects)))
    subjects = [f"S{k:0{width}d}" for k in range(1, n_subjects + 1)]
    rng = np.random.default_rng([seed, 1])
    if real_shaped:  # like the real study: more women than men, a long tail of older students
        sexes = np.where(rng.random(n_subjects) < 0.58, "F", "M")
        ages = np.minimum(
            18 + np.rint(np.random.default_rng([seed, 2]).gamma(1.6, 4.5, n_subjects)), 52
        )
        return pd.DataFrame(
            {"subject": subjects, "sex": sexes.astype(str), "age": ages.astype(int)}
        )
    # one F and one M in every consecutive pair: balanced (15/15 at 30) for any even n
    sexes = np.concatenate([rng.permutation(["F", "M"]) for _ in range((n_subjects + 1) // 2)])
    ages = np.clip(np.rint(np.random.default_rng([seed, 2]).normal(24.5, 4.5, n_subjects)), 18, 45)
    return pd.DataFrame(
        {"subject": subjects, "sex": sexes[:n_subjects].astype(str), "age": ages.astype(int)}
    )


def _generate(
    seed: int,
    n_subjects: int,
    conditions: Sequence[str],
    noise_fwhm_mm: float,
    mask_img: nib.Nifti1Image,
    truth: GroundTruth,
    participants: pd.DataFrame,
    outlier_index: int | None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from scipy.ndimage import gaussian_filter

    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    flat = np.flatnonzero(mask)
    shape = mask.shape
    sigma = noise_fwhm_mm / np.sqrt(8 * np.log(2)) / np.abs(np.diag(mask_img.affine)[:3])
    delta = np.zeros(shape, dtype=np.float32)
    delta[tuple(s // 2 for s in shape)] = 1.0
    norm = float(np.sqrt(np.sum(gaussian_filter(delta, sigma).astype(np.float64) ** 2)))

    def smooth_noise(rng):
        vol = gaussian_filter(rng.standard_normal(shape, dtype=np.float32), sigma)
        return np.take(vol.reshape(-1), flat) * np.float32(1.0 / norm)

    n_vox = flat.size
    values = {c: np.empty((n_subjects, n_vox), dtype=np.float32) for c in conditions}
    first_level = np.empty(n_subjects)
    artefact = (
        _profile(
            np.argwhere(mask).astype(np.float32) @ mask_img.affine[:3, :3].T.astype(np.float32)
            + mask_img.affine[:3, 3].astype(np.float32),
            ((0, -40, 30),),
            45.0,
        )
        * _OUTLIER_ARTEFACT
    )
    male = participants["sex"].to_numpy() == "M"
    half_sex = np.float32(truth.sex_difference["male_minus_female"] / 2)
    for s in range(n_subjects):
        rng = np.random.default_rng([seed, 1000 + s, 100])
        variance = float(np.exp(rng.normal(-0.08, 0.4)))  # lognormal, mean 1
        gains = 1.0 + _HETEROGENEITY * rng.standard_normal(len(REGIONS))
        if s == outlier_index:
            variance *= _OUTLIER_VARIANCE
        first_level[s] = variance
        total_sd = np.float32(np.sqrt(variance + _BETWEEN_SD**2))
        shared = smooth_noise(np.random.default_rng([seed, 1000 + s, 99]))
        shared *= np.float32(np.sqrt(_SHARED)) * total_sd
        for condition in conditions:
            ci = CONDITIONS.index(condition)
            row = values[condition][s]
            row[:] = smooth_noise(np.random.default_rng([seed, 1000 + s, ci]))
            row *= np.float32(np.sqrt(1 - _SHARED)) * total_sd
            row += shared
            row += (gains * truth.amplitudes[:, ci]).astype(np.float32) @ truth.profiles
            if condition in ("audio_computation", "video_computation"):
                row += (half_sex if male[s] else -half_sex) * truth.sex_profile
            if s == outlier_index:
                row += artefact
    return values, first_level


def synthetic_localizer(
    seed: int = 0,
    n_subjects: int = DEFAULT_N_SUBJECTS,
    conditions: Sequence[str] | None = None,
    *,
    noise_fwhm_mm: float = 9.0,
    outlier: bool = True,
    real_shaped: bool = False,
    cache: bool = True,
) -> LocalizerData:
    """Generate the offline stand-in for the Localizer, with its ground truth.

    Per-subject, per-condition maps on the real Localizer grid (53 x 63 x 46, 3 mm) inside
    nilearn's MNI152 brain mask (about 67,000 voxels). Each map is::

        sum over regions of gain[subject, region] * effect[region, condition]
        + smooth noise (FWHM ``noise_fwhm_mm``), variance = first-level variance + between_sd**2,
          half of it shared by the subject's ten maps
        (+ a small sex difference in the calculation maps, + an artefact for the outlier)

    The effects (:data:`REGIONS`) have compact support and a stated Cohen's d; each subject's
    gain per region is ``1 + 0.3 z``. First-level variances are lognormal with mean 1; one
    subject (the outlier) has 9 times its variance and a broad artefact. Subjects alternate
    sex in random order within pairs (15 F / 15 M at 30) with ages around 24.

    Parameters
    ----------
    seed : int, default 0
        Everything is determined by the seed (and a subject's maps do not depend on which other
        conditions are generated).
    n_subjects : int, default 30
        2 to 999 subjects.
    conditions : sequence of str, optional
        Subset of :data:`CONDITIONS` (default all ten).
    noise_fwhm_mm : float, default 9.0
        Smoothness of the noise.
    outlier : bool, default True
        Include the outlier subject.
    real_shaped : bool, default False
        The variant that tests what notebooks assume about real data: supports 1.8 times wider
        and Cohen's d 1.3 times larger (real checkerboard maps cover several percent of the
        brain, not 1%), more women than men in random order and ages from 18 into the 40s.
        ``make test-notebooks-real`` serves it through nilearn's fetcher as if it were the
        study.
    cache : bool, default True
        Reuse (and write) masked arrays in the data cache (``COURSE_DATA_DIR``).

    Returns
    -------
    LocalizerData
        With ``is_synthetic`` True and the ground truth in ``.truth`` (:class:`GroundTruth`).

    Raises
    ------
    ValueError
        For an unknown condition or an impossible number of subjects.

    See Also
    --------
    load_localizer : the real data when available, this stand-in otherwise.

    Examples
    --------
    >>> data = synthetic_localizer(seed=1, n_subjects=4, conditions=["audio_left_hand"],
    ...                            cache=False)
    >>> data.source
    'synthetic stand-in (seed 1, 4 subjects)'
    >>> data.array("audio_left_hand").shape
    (4, 67402)
    >>> bool(data.truth.support("audio_left_hand").any())
    True
    """
    if isinstance(n_subjects, bool) or not isinstance(n_subjects, int | np.integer):
        raise TypeError(f"n_subjects must be a whole number, got {n_subjects!r}.")
    if not 2 <= n_subjects <= 999:
        raise ValueError(f"n_subjects={n_subjects}: choose between 2 and 999 subjects.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}.")
    if not noise_fwhm_mm > 0:
        raise ValueError(f"noise_fwhm_mm must be positive, got {noise_fwhm_mm!r}.")
    seed, n_subjects = int(seed), int(n_subjects)
    conditions = (
        list(CONDITIONS) if conditions is None else check_names(conditions, CONDITIONS, "condition")
    )
    mask_img = brain_mask(cache=cache)
    participants = _participants_table(seed, n_subjects, real_shaped)
    outlier_index = int(np.random.default_rng([seed, 3]).integers(n_subjects)) if outlier else None
    outlier_id = None if outlier_index is None else participants["subject"][outlier_index]
    shape = _REAL_SHAPED if real_shaped else {}
    truth = _truth(mask_img, seed, outlier_id, noise_fwhm_mm, **shape)

    folder = (
        config.data_dir()
        / "arrays"
        / "synthetic"
        / f"v{_SYNTHETIC_VERSION}_seed{seed}_n{n_subjects}_fwhm{noise_fwhm_mm:g}"
        f"_{'outlier' if outlier else 'clean'}{'_real' if real_shaped else ''}"
    )
    values: dict[str, np.ndarray] = {}
    first_level = None
    if cache:
        for condition in conditions:
            path = folder / f"{condition}.npz"
            if not path.is_file():
                break
            try:
                with np.load(path, allow_pickle=False) as npz:
                    values[condition] = npz["values"]
                    first_level = npz["first_level"]
            except (OSError, ValueError, KeyError):
                break
    missing = [c for c in conditions if c not in values]
    if missing:
        new, first_level = _generate(
            seed, n_subjects, missing, noise_fwhm_mm, mask_img, truth, participants, outlier_index
        )
        values.update(new)
        if cache:
            for condition in missing:
                _save_npz(
                    folder / f"{condition}.npz", values=values[condition], first_level=first_level
                )
    variances = {c: first_level for c in conditions}
    return LocalizerData.from_arrays(
        values={c: values[c] for c in conditions},
        subjects=list(participants["subject"]),
        participants=participants,
        mask_img=mask_img,
        source=(
            f"synthetic stand-in{', real-shaped variant' if real_shaped else ''} "
            f"(seed {seed}, {n_subjects} subjects)"
        ),
        is_synthetic=True,
        truth=truth,
        subject_variances=variances,
    )
