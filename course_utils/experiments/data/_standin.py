"""The seeded offline stand-in for the Localizer: subjects' maps generated from a known truth.

:func:`synthetic_localizer` generates per-subject, per-condition maps on the real study's grid
from the regions of ``_truth`` (:data:`~course_utils.experiments.data.REGIONS`: where, how
large, which Cohen's d) and returns them with their
:class:`~course_utils.experiments.data.GroundTruth`.
"""

from __future__ import annotations

from collections.abc import Sequence

import nibabel as nib
import numpy as np
import pandas as pd

from course_utils._utils import check_count, mask_array
from course_utils.config import paths
from course_utils.experiments.data._cache import load_npz, save_npz
from course_utils.experiments.data._container import LocalizerData
from course_utils.experiments.data._manifest import CONDITIONS, DEFAULT_N_SUBJECTS, check_names
from course_utils.experiments.data._masking import brain_mask
from course_utils.experiments.data._truth import REGIONS, GroundTruth, build_truth, region_profile

_SYNTHETIC_VERSION = 3  # bump when the generator changes, so cached stand-ins are rebuilt
_OUTLIER_VARIANCE = 9.0  # the outlier's first-level variance, relative to its own draw
_OUTLIER_ARTEFACT = 3.0  # amplitude of the outlier's broad artefact (noise SD units)


#: The real-shaped variant: supports this much wider, Cohen's d this much larger (see
#: :func:`synthetic_localizer`); real checkerboard maps cover several percent of the brain.
_REAL_SHAPED = {"spread": 1.8, "d_gain": 1.3}


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

    mask = mask_array(mask_img)
    flat = np.flatnonzero(mask)
    shape = mask.shape
    sigma = noise_fwhm_mm / np.sqrt(8 * np.log(2)) / np.abs(np.diag(mask_img.affine)[:3])
    delta = np.zeros(shape, dtype=np.float32)
    delta[tuple(s // 2 for s in shape)] = 1.0
    norm = float(np.sqrt(np.sum(gaussian_filter(delta, sigma).astype(np.float64) ** 2)))

    def smooth_noise(rng: np.random.Generator) -> np.ndarray:
        vol = gaussian_filter(rng.standard_normal(shape, dtype=np.float32), sigma)
        return np.take(vol.reshape(-1), flat) * np.float32(1.0 / norm)

    n_vox = flat.size
    values = {c: np.empty((n_subjects, n_vox), dtype=np.float32) for c in conditions}
    first_level = np.empty(n_subjects)
    artefact = (
        region_profile(
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
        gains = 1.0 + truth.heterogeneity * rng.standard_normal(len(REGIONS))
        if s == outlier_index:
            variance *= _OUTLIER_VARIANCE
        first_level[s] = variance
        total_sd = np.float32(np.sqrt(variance + truth.between_sd**2))
        shared = smooth_noise(np.random.default_rng([seed, 1000 + s, 99]))
        shared *= np.float32(np.sqrt(truth.shared_fraction)) * total_sd
        for condition in conditions:
            ci = CONDITIONS.index(condition)
            row = values[condition][s]
            row[:] = smooth_noise(np.random.default_rng([seed, 1000 + s, ci]))
            row *= np.float32(np.sqrt(1 - truth.shared_fraction)) * total_sd
            row += shared
            row += (gains * truth.amplitudes[:, ci]).astype(np.float32) @ truth.profiles
            if condition in ("audio_computation", "video_computation"):
                row += (half_sex if male[s] else -half_sex) * truth.sex_profile
            if s == outlier_index:
                row += artefact
    return values, first_level


def synthetic_localizer(
    n_subjects: int = DEFAULT_N_SUBJECTS,
    conditions: Sequence[str] | None = None,
    *,
    seed: int = 0,
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
    n_subjects : int, default 30
        2 to 999 subjects.
    conditions : sequence of str, optional
        Subset of :data:`CONDITIONS` (default all ten).
    seed : int, default 0
        Everything is determined by the seed (and a subject's maps do not depend on which other
        conditions are generated). An int, not a generator: each subject and condition draws
        from its own stream ``[seed, subject, condition]``, and the seed names the cached
        arrays.
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
    check_count(seed, "seed", minimum=0)
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
    truth = build_truth(mask_img, seed, outlier_id, noise_fwhm_mm, **shape)

    folder = (
        paths.data_dir()
        / "arrays"
        / "synthetic"
        / f"v{_SYNTHETIC_VERSION}_seed{seed}_n{n_subjects}_fwhm{noise_fwhm_mm:g}"
        f"_{'outlier' if outlier else 'clean'}{'_real' if real_shaped else ''}"
    )
    values: dict[str, np.ndarray] = {}
    first_level = None
    if cache:
        for condition in conditions:
            stored = load_npz(folder / f"{condition}.npz", "values", "first_level")
            if stored is None:
                break
            values[condition], first_level = stored["values"], stored["first_level"]
    missing = [c for c in conditions if c not in values]
    if missing:
        new, first_level = _generate(
            seed, n_subjects, missing, noise_fwhm_mm, mask_img, truth, participants, outlier_index
        )
        values.update(new)
        if cache:
            for condition in missing:
                save_npz(
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
