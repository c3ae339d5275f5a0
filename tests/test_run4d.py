"""Tests of experiments.run4d: the small simulated 4D run with known effect maps."""

import numpy as np
import pytest

from course_utils.experiments import run4d


@pytest.fixture(scope="module")
def subject():
    return run4d.simulate_subject_4d(seed=0)


def test_subject_4d_shapes_and_types(subject):
    img, mask = subject.img, subject.mask_img
    assert img.ndim == 4 and 100 <= img.shape[3] <= 150
    assert img.get_data_dtype() == np.float32
    assert mask.shape == img.shape[:3]
    np.testing.assert_allclose(mask.affine, img.affine)
    assert 1000 < mask.get_fdata().sum() < 6000
    assert subject.t_r == 2.4
    assert list(subject.events.columns) == ["onset", "duration", "trial_type"]
    assert set(subject.events.trial_type) == {"visual", "auditory"}
    assert subject.confounds.shape == (img.shape[3], 6)
    assert subject.design.shape[0] == img.shape[3]
    assert {"visual", "auditory", "constant"} <= set(subject.design.columns)
    assert img.get_fdata(dtype=np.float32).nbytes < 100e6
    for beta in subject.true_betas.values():
        assert beta.shape == img.shape[:3]
        assert 1.0 <= beta.get_fdata().max() <= 3.0


def test_subject_4d_is_seeded():
    a = run4d.simulate_subject_4d(seed=1, n_scans=40)
    b = run4d.simulate_subject_4d(seed=1, n_scans=40)
    np.testing.assert_array_equal(a.img.get_fdata(), b.img.get_fdata())


def test_first_level_model_recovers_true_betas(subject):
    import warnings

    from nilearn.glm.first_level import FirstLevelModel

    model = FirstLevelModel(
        t_r=subject.t_r, hrf_model="glover", drift_model="cosine", mask_img=subject.mask_img
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(subject.img, events=subject.events, confounds=subject.confounds)
    inside = subject.mask_img.get_fdata() > 0
    for condition, truth in subject.true_betas.items():
        estimate = model.compute_contrast(condition, output_type="effect_size")
        est, true = estimate.get_fdata()[inside], truth.get_fdata()[inside]
        r = np.corrcoef(est, true)[0, 1]
        assert r > 0.8, (condition, r)
        # same unit: nilearn's percent-signal scaling gives back percent signal change
        slope = np.polyfit(true, est, 1)[0]
        assert 0.85 < slope < 1.15, (condition, slope)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_scans": 10},
        {"voxel_size": 2.0},
        {"ar1": 1.0},
        {"noise_sd": -1.0},
        {"block_duration": 500.0},
    ],
)
def test_subject_4d_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        run4d.simulate_subject_4d(seed=0, **kwargs)


def test_subject_4d_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        run4d.simulate_subject_4d(seed="0")


def test_subject_4d_seed_is_keyword_only():
    with pytest.raises(TypeError):
        run4d.simulate_subject_4d(0)
