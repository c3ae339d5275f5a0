"""The small 4D run: one simulated subject's fMRI run with known effect maps.

For the first-level demo: a coarse brain mask, two block conditions, drifts, motion-like
confounds and AR(1) noise, with the true effect of each condition as an image, seeded by a
keyword-only ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course_utils._utils import as_generator, check_count, check_positive
from course_utils.experiments import signals
from course_utils.experiments.signals import ar_coefficient

__all__ = ["SimulatedSubject", "simulate_subject_4d"]

#: Centres (MNI mm) and peak amplitudes (percent signal change) of the simulated effects.
_EFFECTS = {
    "visual": [((0.0, -88.0, 2.0), 2.0)],
    "auditory": [((-54.0, -20.0, 6.0), 1.5), ((54.0, -20.0, 6.0), 1.5)],
}
_MOTION = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"]


@dataclass(frozen=True)
class SimulatedSubject:
    """A small simulated fMRI run with a known truth (what :func:`simulate_subject_4d` returns).

    Parameters
    ----------
    img : nibabel.Nifti1Image
        4D float32 run (scanner units around a baseline of ~1000).
    mask_img : nibabel.Nifti1Image
        3D brain mask (uint8) on the same coarse grid.
    t_r : float
        Repetition time (s).
    events : pandas.DataFrame
        Columns ``onset``, ``duration``, ``trial_type`` (conditions ``visual``, ``auditory``).
    confounds : pandas.DataFrame
        Six motion-like parameters, one row per scan.
    true_betas : dict of str to nibabel.Nifti1Image
        Each condition's true effect map, percent signal change of a sustained block.
    design : pandas.DataFrame
        The design matrix that generated the data: conditions, motion, cosine drifts, constant.

    Examples
    --------
    >>> sub = simulate_subject_4d(seed=0, n_scans=40)
    >>> isinstance(sub, SimulatedSubject), sub.img.shape[3] == sub.design.shape[0]
    (True, True)
    """

    img: object
    mask_img: object
    t_r: float
    events: pd.DataFrame
    confounds: pd.DataFrame
    true_betas: dict
    design: pd.DataFrame


def simulate_subject_4d(
    *,
    seed: int | np.random.Generator = 0,
    n_scans: int = 120,
    t_r: float = 2.4,
    voxel_size: float = 9.0,
    block_duration: float = 12.0,
    noise_sd: float = 0.5,
    ar1: float = 0.3,
) -> SimulatedSubject:
    """Simulate one subject's 4D run: two block conditions, drifts, motion and AR(1) noise.

    The brain mask is nilearn's packaged MNI152 brain mask resampled (nearest neighbour) to
    ``voxel_size`` mm. Blocks of ``visual`` and ``auditory`` stimulation alternate with rest.
    The design is built by nilearn (Glover HRF, cosine drifts, the motion parameters as
    confounds), so a ``FirstLevelModel`` with the default percent-signal scaling recovers
    ``true_betas`` in percent signal change. The visual effect sits in the occipital pole, the
    auditory effect in both superior temporal gyri (Gaussian blobs, standard deviation 15 mm).

    Parameters
    ----------
    seed : int or numpy.random.Generator, default 0
        Seed or generator (keyword-only).
    n_scans : int
        Number of volumes (at least 40).
    t_r : float
        Repetition time (s).
    voxel_size : float
        Voxel size (mm) of the coarse grid, between 4 and 12.
    block_duration : float
        Length of each block (s); blocks and rest periods alternate.
    noise_sd : float
        Standard deviation of the noise, percent signal change.
    ar1 : float
        Lag-1 autocorrelation of the noise.

    Returns
    -------
    SimulatedSubject

    Raises
    ------
    ValueError
        If a size or scale is out of range.

    Examples
    --------
    >>> sub = simulate_subject_4d(seed=0)
    >>> sub.img.shape[3], sub.t_r, sorted(sub.true_betas)
    (120, 2.4, ['auditory', 'visual'])
    >>> sub.confounds.shape
    (120, 6)
    """
    import nibabel as nib
    from nilearn.datasets import load_mni152_brain_mask
    from nilearn.glm.first_level import make_first_level_design_matrix
    from nilearn.image import resample_img

    rng = as_generator(seed)
    n_scans = check_count(n_scans, "n_scans", minimum=40)
    t_r = check_positive(t_r, "t_r")
    voxel_size = check_positive(voxel_size, "voxel_size")
    if not 4 <= voxel_size <= 12:
        raise ValueError(
            f"voxel_size must be between 4 and 12 mm (small and quick); got {voxel_size}."
        )
    block_duration = check_positive(block_duration, "block_duration")
    noise_sd = check_positive(noise_sd, "noise_sd", allow_zero=True)
    ar1 = ar_coefficient(ar1)

    mask = resample_img(
        load_mni152_brain_mask(resolution=3),
        target_affine=np.diag([voxel_size] * 3),
        interpolation="nearest",
        force_resample=True,
        copy_header=True,
    )
    inside = mask.get_fdata() > 0
    affine = mask.affine
    n_vox = int(inside.sum())
    coords = nib.affines.apply_affine(affine, np.argwhere(inside))

    # events: visual, rest, auditory, rest, ... until the run ends
    period = 2 * block_duration
    onsets = np.arange(block_duration / 2, n_scans * t_r - block_duration, period)
    if onsets.size < 2:
        raise ValueError(
            f"the run ({n_scans} scans of {t_r} s) is too short for two blocks of "
            f"{block_duration} s; add scans or shorten the blocks."
        )
    types = np.where(np.arange(onsets.size) % 2 == 0, "visual", "auditory")
    events = pd.DataFrame({"onset": onsets, "duration": block_duration, "trial_type": types})

    # motion-like confounds: smooth random walks (mm, and radians scaled to mm-like size)
    steps = rng.normal(0.0, 0.02, (n_scans, 6))
    motion = np.cumsum(steps, axis=0)
    motion -= motion.mean(axis=0)
    confounds = pd.DataFrame(motion, columns=_MOTION)

    frame_times = np.arange(n_scans) * t_r
    design = make_first_level_design_matrix(
        frame_times,
        events,
        hrf_model="glover",
        drift_model="cosine",
        high_pass=0.01,
        add_regs=motion,
        add_reg_names=_MOTION,
    )

    # coefficients per voxel, in percent signal change
    coefs = pd.DataFrame(0.0, index=range(n_vox), columns=design.columns)
    true_maps = {}
    for condition, blobs in _EFFECTS.items():
        effect = np.zeros(n_vox)
        for centre, peak in blobs:
            dist2 = ((coords - np.asarray(centre)) ** 2).sum(axis=1)
            effect += peak * np.exp(-dist2 / (2 * 15.0**2))
        coefs[condition] = effect
        volume = np.zeros(inside.shape, dtype=np.float32)
        volume[inside] = effect
        true_maps[condition] = nib.Nifti1Image(volume, affine)
    drifts = [c for c in design.columns if c.startswith("drift")]
    coefs[drifts] = rng.normal(0.0, 1.0, (n_vox, len(drifts)))
    coefs[_MOTION] = rng.normal(0.0, 2.0, (n_vox, 6))

    percent = design.to_numpy() @ coefs.to_numpy().T  # (n_scans, n_vox), constant column is 0
    percent += signals.ar1_noise(n_scans, noise_sd, seed=rng, ar1=ar1, size=(n_vox,)).T
    baseline = rng.uniform(800.0, 1200.0, n_vox)
    data = np.zeros(inside.shape + (n_scans,), dtype=np.float32)
    data[inside] = (baseline * (1.0 + percent / 100.0)).T
    img = nib.Nifti1Image(data, affine)
    img.header.set_xyzt_units("mm", "sec")
    img.header["pixdim"][4] = t_r
    mask_img = nib.Nifti1Image(inside.astype(np.uint8), affine)
    return SimulatedSubject(
        img=img,
        mask_img=mask_img,
        t_r=t_r,
        events=events,
        confounds=confounds,
        true_betas=true_maps,
        design=design,
    )
