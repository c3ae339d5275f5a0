"""Localizer loading: the seeded stand-in, the lookup order, verification and download faults."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_utils.experiments import data
from course_utils.experiments.data import _sources
from tools import localizer_double

# --- the offline stand-in -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def big():
    """94 subjects without the outlier: enough to check the stated effect sizes."""
    return data.synthetic_localizer(
        seed=3,
        n_subjects=94,
        outlier=False,
        cache=False,
        conditions=[
            "horizontal_checkerboard",
            "audio_computation",
            "video_computation",
            "audio_sentence",
            "video_sentence",
        ],
    )


def _xyz(loaded):
    mask = loaded.mask_img.get_fdata().astype(bool)
    ijk = np.argwhere(mask)
    return ijk @ loaded.affine[:3, :3].T + loaded.affine[:3, 3]


def _nearest_voxel(loaded, point):
    return int(np.argmin(np.sum((_xyz(loaded) - np.asarray(point)) ** 2, axis=1)))


def test_grid_and_mask_are_the_real_localizer_grid(standin):
    from nilearn.datasets import load_mni152_brain_mask, load_sample_motor_activation_image
    from nilearn.image import resample_to_img

    ref = nib.load(load_sample_motor_activation_image())
    assert ref.shape == data.LOCALIZER_SHAPE
    np.testing.assert_allclose(data.LOCALIZER_AFFINE, ref.affine)
    np.testing.assert_allclose(standin.affine, ref.affine)
    expected = resample_to_img(
        load_mni152_brain_mask(resolution=2),
        ref,
        interpolation="nearest",
        force_resample=True,
        copy_header=True,
    )
    np.testing.assert_array_equal(standin.mask_img.get_fdata() > 0, expected.get_fdata() > 0)
    assert 60_000 < standin.n_voxels < 75_000


def test_one_return_shape(standin):
    assert standin.is_synthetic and standin.source == "synthetic stand-in (seed 0, 30 subjects)"
    assert standin.conditions == list(data.CONDITIONS)
    assert standin.subjects == list(standin.participants["subject"]) and len(standin.subjects) == 30
    Y = standin.array("video_sentence")
    assert Y.dtype == np.float32 and Y.shape == (30, standin.n_voxels)
    assert np.isfinite(Y).all()
    assert set(standin.maps.columns) >= {"subject", "condition", "image", "row", "has_variance"}
    assert len(standin.maps) == 300 and standin.maps["has_variance"].all()
    assert list(standin.participants.columns) == ["subject", "sex", "age"]
    var = standin.variance("video_sentence")
    assert var.shape == Y.shape and var.dtype == np.float32 and (var > 0).all()
    img = standin.to_image(Y[0])
    assert img.shape == data.LOCALIZER_SHAPE
    np.testing.assert_array_equal(data.mask_images(img, mask_img=standin.mask_img)[0], Y[0])


def test_rows_follow_the_subjects_asked_for(standin):
    picked = standin.array("audio_sentence", subjects=["S03", "S01"])
    np.testing.assert_array_equal(picked, standin.array("audio_sentence")[[2, 0]])
    np.testing.assert_array_equal(
        standin.variance("audio_sentence", ["S03"])[0], standin.variance("audio_sentence")[2]
    )
    c = standin.contrast({"horizontal_checkerboard": 1, "vertical_checkerboard": -1})
    np.testing.assert_allclose(
        c,
        standin.array("horizontal_checkerboard") - standin.array("vertical_checkerboard"),
        atol=1e-5,
    )


def test_deterministic_per_seed_and_independent_of_the_conditions_asked(standin):
    again = data.synthetic_localizer(
        seed=0, n_subjects=30, cache=False, conditions=["vertical_checkerboard"]
    )
    np.testing.assert_array_equal(
        again.array("vertical_checkerboard"), standin.array("vertical_checkerboard")
    )
    other = data.synthetic_localizer(
        seed=1, n_subjects=30, cache=False, conditions=["vertical_checkerboard"]
    )
    assert not np.allclose(
        other.array("vertical_checkerboard"), standin.array("vertical_checkerboard")
    )
    pd.testing.assert_frame_equal(again.participants, standin.participants)


def test_the_cache_returns_the_same_arrays(tmp_path):
    first = data.synthetic_localizer(seed=2, n_subjects=4, conditions=["audio_left_hand"])
    files = list((tmp_path / "data" / "arrays" / "synthetic").rglob("*.npz"))
    assert len(files) == 1
    second = data.synthetic_localizer(seed=2, n_subjects=4, conditions=["audio_left_hand"])
    np.testing.assert_array_equal(first.array("audio_left_hand"), second.array("audio_left_hand"))
    np.testing.assert_array_equal(
        first.variance("audio_left_hand"), second.variance("audio_left_hand")
    )
    fresh = data.synthetic_localizer(
        seed=2, n_subjects=4, conditions=["audio_left_hand"], cache=False
    )
    np.testing.assert_array_equal(first.array("audio_left_hand"), fresh.array("audio_left_hand"))


def test_hand_presses_activate_the_opposite_motor_cortex(standin):
    truth, x = standin.truth, _xyz(standin)[:, 0]
    for cue in ("audio", "video"):
        left = truth.support(f"{cue}_left_hand") & (np.abs(x) > 10) & (_xyz(standin)[:, 2] > 40)
        right = truth.support(f"{cue}_right_hand") & (np.abs(x) > 10) & (_xyz(standin)[:, 2] > 40)
        assert left.sum() > 50 and (x[left] > 0).all(), "left hand -> RIGHT motor cortex (x > 0)"
        assert right.sum() > 50 and (x[right] < 0).all()
    # the data agree: the group mean of left minus right hand peaks in the right hemisphere
    diff = standin.array("video_left_hand").mean(0) - standin.array("video_right_hand").mean(0)
    high = _xyz(standin)[:, 2] > 40
    assert x[high][np.argmax(diff[high])] > 0
    assert x[high][np.argmin(diff[high])] < 0


def test_meridian_effects_along_and_beside_the_calcarine(standin):
    truth = standin.truth
    hv = {"horizontal_checkerboard": 1, "vertical_checkerboard": -1}
    calcarine = _nearest_voxel(standin, (10, -90, 2))
    upper = _nearest_voxel(standin, (10, -84, 16))
    lower = _nearest_voxel(standin, (-8, -86, -12))
    assert truth.effect(hv)[calcarine] > 0
    assert truth.effect(hv)[upper] < 0 and truth.effect(hv)[lower] < 0
    assert truth.support(hv)[[calcarine, upper, lower]].all()
    mean = standin.contrast(hv).mean(axis=0)
    assert mean[calcarine] > 0 and mean[upper] < 0


def test_visual_and_auditory_cues_differ_where_they_should(standin):
    truth, xyz = standin.truth, _xyz(standin)
    visual = truth.support("video_sentence") & ~truth.support("audio_sentence")
    auditory = truth.support("audio_sentence") & ~truth.support("video_sentence")
    assert (xyz[visual, 1] < -45).mean() > 0.9, "visual cue: occipital / ventral"
    assert np.all(np.abs(xyz[auditory, 0]) > 35) and np.all(xyz[auditory, 1] > -40)
    cue = {c: 0.25 for c in data.CONDITIONS if c.startswith("video")}
    cue.update({c: -0.25 for c in data.CONDITIONS if c.startswith("audio")})
    occipital = _nearest_voxel(standin, (-40, -80, -6))
    temporal = _nearest_voxel(standin, (56, -22, 8))
    assert truth.effect(cue)[occipital] > 0 > truth.effect(cue)[temporal]
    assert standin.contrast(cue).mean(0)[occipital] > 0 > standin.contrast(cue).mean(0)[temporal]


def test_supports_are_compact_and_contrasts_cancel_exactly(standin):
    truth = standin.truth
    eff = truth.effect("audio_computation")
    assert np.all(eff[~truth.support("audio_computation")] == 0)
    assert 0 < truth.support("audio_computation").mean() < 0.05
    # same motor effect with either cue: the contrast is zero in motor cortex, not elsewhere
    cue = {"audio_left_hand": 1, "video_left_hand": -1}
    motor = _nearest_voxel(standin, (38, -22, 56))
    assert truth.support("audio_left_hand")[motor] and not truth.support(cue)[motor]
    assert truth.support(cue).sum() > 100
    table = truth.regions
    assert {"region", "condition", "d", "amplitude", "radius_mm"} <= set(table.columns)
    assert table["d"].max() == 1.5 and table["d"].min() == 0.4
    assert set(table["condition"]) == set(data.CONDITIONS)


@pytest.mark.slow  # statistical calibration: many simulations
def test_stated_effect_sizes_are_what_the_data_show(big):
    truth = big.truth
    for condition, point, d in [
        ("horizontal_checkerboard", (10, -90, 2), 1.5),
        ("audio_computation", (-32, -60, 46), 1.0),
        ("audio_sentence", (-48, 18, 14), 0.6),
    ]:
        v = _nearest_voxel(big, point)
        y = big.array(condition)[:, v].astype(float)
        assert abs(y.mean() / y.std(ddof=1) - d) < 0.4, (condition, y.mean() / y.std(ddof=1))
        assert y.mean() == pytest.approx(truth.effect(condition)[v], abs=0.4)
    null = ~np.any([truth.support(c) for c in data.CONDITIONS], axis=0)
    y = big.array("audio_computation")[:, null]
    assert abs(float(y.mean())) < 0.05
    assert 0.9 < float(y.std()) < 1.4  # sqrt(first-level ~1 + between-subject 0.25)


def test_noise_is_smooth_at_the_stated_fwhm(standin):
    mask = standin.mask_img.get_fdata().astype(bool)
    vol = np.zeros(mask.shape)
    vol[mask] = standin.array("audio_left_hand")[5] - standin.truth.effect("audio_left_hand")
    both = mask[:-1] & mask[1:]
    r = np.corrcoef(vol[:-1][both], vol[1:][both])[0, 1]
    sigma_vox = 9.0 / np.sqrt(8 * np.log(2)) / 3.0
    assert r == pytest.approx(np.exp(-1 / (4 * sigma_vox**2)), abs=0.06)


def test_first_level_variances_describe_each_subjects_noise(standin):
    truth = standin.truth
    null = ~np.any([truth.support(c) for c in data.CONDITIONS], axis=0)
    clean = [s for s in standin.subjects if s != truth.outlier]
    resid = np.var(standin.array("audio_sentence", clean)[:, null], axis=1)
    stated = standin.variance("audio_sentence", clean)[:, 0] + truth.between_sd**2
    assert np.corrcoef(resid, stated)[0, 1] > 0.8


def test_one_outlier_stands_out(standin):
    outlier = standin.truth.outlier
    assert outlier in standin.subjects
    Y = standin.array("audio_computation")
    distance = np.abs(Y - np.median(Y, axis=0)).mean(axis=1)
    assert standin.subjects[int(np.argmax(distance))] == outlier
    var = standin.variance("audio_computation")[:, 0]
    assert standin.subjects[int(np.argmax(var))] == outlier
    assert (
        data.synthetic_localizer(
            n_subjects=4, outlier=False, cache=False, conditions=["audio_sentence"]
        ).truth.outlier
        is None
    )


@pytest.mark.slow  # statistical: the planted difference in 94 subjects
def test_participants_and_the_planted_sex_difference(standin, big):
    counts = standin.participants["sex"].value_counts()
    assert counts["F"] == 15 and counts["M"] == 15
    assert standin.participants["age"].between(18, 45).all()
    truth = big.truth
    contrast = truth.sex_difference["contrast"]
    sex = truth.sex_effect(contrast)
    ips = _nearest_voxel(big, (-32, -60, 46))
    assert sex[ips] == pytest.approx(truth.sex_difference["male_minus_female"], rel=0.1)
    assert sex.max() <= truth.sex_difference["male_minus_female"] + 1e-9
    assert np.count_nonzero(sex) < 300 and np.all(truth.sex_effect("audio_sentence") == 0)
    region = sex > 0
    c = big.contrast(contrast)[:, region].mean(axis=1)
    male = (big.participants["sex"] == "M").to_numpy()
    assert c[male].mean() > c[~male].mean()


def test_many_subjects():
    many = data.synthetic_localizer(
        n_subjects=94, conditions=["audio_sentence"], seed=3, outlier=False, cache=False
    )
    assert len(many.subjects) == 94 and many.subjects[-1] == "S94"
    assert (many.participants["sex"] == "F").sum() == 47


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"conditions": ["audio_sentences"]}, ValueError, "Did you mean 'audio_sentence'"),
        ({"n_subjects": 1}, ValueError, "between 2 and 999"),
        ({"n_subjects": 2.5}, TypeError, "whole number"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"noise_fwhm_mm": 0}, ValueError, "positive"),
    ],
)
def test_bad_arguments_to_the_stand_in(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.synthetic_localizer(cache=False, **kwargs)


def test_wrong_names_list_the_valid_ones_with_a_close_match(standin):
    with pytest.raises(ValueError, match=r"Did you mean 'vertical_checkerboard'.*Valid conditions"):
        standin.array("vertical_checkerbord")
    with pytest.raises(ValueError, match=r"Unknown subject 'S1'.*Valid subjects: S01"):
        standin.array("audio_sentence", subjects=["S1"])
    with pytest.raises(ValueError, match="Did you mean 'video_left_hand'"):
        standin.truth.support({"video_lefthand": 1})
    with pytest.raises(TypeError, match="mapping"):
        standin.truth.effect(3)


# --- loading, downloads and faults ---------------------------------------------------------------
# No test contacts any address but 127.0.0.1: the guard below records (and refuses) any other.

import hashlib  # noqa: E402
import socket  # noqa: E402
from pathlib import Path  # noqa: E402

import nibabel as nib  # noqa: E402
import yaml  # noqa: E402


@pytest.fixture(autouse=True)
def _offline(no_outside_network, monkeypatch):
    for name in ("COURSE_DATA", "COURSE_N_SUBJECTS", "COURSE_DATA_OFFLINE"):
        monkeypatch.delenv(name, raising=False)


CONDS = ["audio_left_hand", "video_sentence"]


@pytest.fixture(scope="module")
def source_maps():
    """Maps served as 'real' files: a small stand-in, so the content is known."""
    return data.synthetic_localizer(seed=5, n_subjects=3, conditions=CONDS, cache=False)


def _gz(img) -> bytes:
    import gzip

    return gzip.compress(img.to_bytes(), compresslevel=1, mtime=0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rel(subject, condition):
    return f"derivatives/betas/{subject}_beta_{condition}.nii.gz"


@pytest.fixture
def served(source_maps):
    files = {
        _rel(s, c): _gz(source_maps.to_image(source_maps.array(c)[k]))
        for c in CONDS
        for k, s in enumerate(source_maps.subjects)
    }
    return files


def _use_manifest(tmp_path, monkeypatch, base_url, hashes="unknown", n=3):
    manifest = data.load_manifest()
    dart = manifest["datasets"]["localizer_dartbrains"]
    dart["source"]["base_url"] = base_url
    dart["subjects"]["last"] = n
    dart["sha256"] = hashes
    manifest["datasets"]["localizer_nilearn"]["source"]["host"] = f"127.0.0.1:{_closed_port()}"
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest))
    monkeypatch.setenv("COURSE_DATA_MANIFEST", str(path))


@pytest.fixture
def server(served):
    servers = []

    def start(files=None, die_on=None):
        srv = localizer_double.LocalServer(served if files is None else files, die_on)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


def _sha(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def _no_leftovers(folder: Path):
    return [
        p.name
        for p in folder.rglob("*")
        if p.is_file() and ("tmp" in p.name.lower() or p.name.startswith("."))
    ]


def test_download_with_right_checksums_then_load(
    tmp_path, monkeypatch, server, served, source_maps, capsys
):
    srv = server()
    _use_manifest(tmp_path, monkeypatch, srv.url, {k: _sha(v) for k, v in served.items()})
    folder = data.fetch("localizer_dartbrains", conditions=CONDS, progress=True)
    assert folder == tmp_path / "data" / "localizer_dartbrains"
    assert "100%" in capsys.readouterr().err
    for rel, blob in served.items():
        assert (folder / rel).read_bytes() == blob
    assert (data.verify()["status"] == "ok").all()
    loaded = data.load_localizer(CONDS, n_subjects=3, source="localizer_dartbrains")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Data: Localizer (DartBrains copy, 3 subjects)")
    assert not loaded.is_synthetic and loaded.truth is None
    assert loaded.subjects == ["S01", "S02", "S03"]
    # no participant table on the server: no covariates, and no missing values posing as data
    assert list(loaded.participants.columns) == ["subject"]
    assert loaded.covariates("age", verbose=False) is None
    np.testing.assert_allclose(loaded.array("video_sentence"), source_maps.array("video_sentence"))
    assert loaded.maps["image"].str.endswith(".nii.gz").all()
    with pytest.raises(ValueError, match="no first-level variances"):
        loaded.variance("video_sentence")
    # second load comes from the cached arrays (no second read of the images)
    cached = list((tmp_path / "data" / "arrays" / "localizer_dartbrains").glob("*.npz"))
    assert len(cached) == 2
    monkeypatch.setattr(_sources, "mask_images", lambda *a, **k: pytest.fail("images re-read"))
    again = data.load_localizer(CONDS, n_subjects=3, source="localizer_dartbrains")
    np.testing.assert_array_equal(again.array("audio_left_hand"), loaded.array("audio_left_hand"))


def test_a_wrong_checksum_is_refused_and_leaves_no_file(tmp_path, monkeypatch, server, served):
    srv = server()
    hashes = {k: _sha(v) for k, v in served.items()}
    bad = _rel("S02", "video_sentence")
    hashes[bad] = "0" * 64
    _use_manifest(tmp_path, monkeypatch, srv.url, hashes)
    with pytest.raises(data.DataUnavailableError, match=r"S02_beta_video_sentence.*failed"):
        data.fetch("localizer_dartbrains", conditions=CONDS, progress=False, retries=0)
    folder = tmp_path / "data" / "localizer_dartbrains"
    assert not (folder / bad).exists()
    assert (folder / _rel("S01", "video_sentence")).read_bytes() == served[
        _rel("S01", "video_sentence")
    ]
    assert _no_leftovers(folder) == []


def test_a_server_dying_mid_file_leaves_no_half_file(tmp_path, monkeypatch, server):
    dying = _rel("S01", "video_sentence")
    srv = server(die_on=dying)
    _use_manifest(tmp_path, monkeypatch, srv.url)
    with pytest.raises(data.DataUnavailableError, match="S01_beta_video_sentence"):
        data.fetch("localizer_dartbrains", conditions=CONDS, progress=False, retries=1, timeout=5)
    folder = tmp_path / "data" / "localizer_dartbrains"
    assert not (folder / dying).exists()
    assert _no_leftovers(folder) == []
    assert srv.requests.count(dying) == 2  # tried, then retried once


def test_a_corrupt_cached_file_is_detected_and_only_it_is_downloaded_again(
    tmp_path, monkeypatch, server, served, source_maps
):
    srv = server()
    _use_manifest(tmp_path, monkeypatch, srv.url, {k: _sha(v) for k, v in served.items()})
    folder = data.fetch("localizer_dartbrains", conditions=CONDS, progress=False)
    victim = folder / _rel("S03", "audio_left_hand")
    victim.write_bytes(victim.read_bytes()[:1000])
    others = {p: p.stat().st_mtime_ns for p in folder.rglob("*.nii.gz") if p != victim}
    report = data.verify("localizer_dartbrains").set_index("file")
    assert report.loc[_rel("S03", "audio_left_hand"), "status"] == "bad checksum"
    assert (report.drop(_rel("S03", "audio_left_hand"))["status"] == "ok").all()
    assert data.main(["verify"]) == 1
    srv.requests.clear()
    loaded = data.load_localizer(CONDS, n_subjects=3, source="localizer_dartbrains", verbose=False)
    assert [r for r in srv.requests if r.endswith(".nii.gz")] == [_rel("S03", "audio_left_hand")]
    np.testing.assert_allclose(
        loaded.array("audio_left_hand"), source_maps.array("audio_left_hand")
    )
    assert {p: p.stat().st_mtime_ns for p in others} == others


def test_a_truncated_file_without_checksum_is_reported_when_offline(tmp_path, monkeypatch, server):
    srv = server()
    _use_manifest(tmp_path, monkeypatch, srv.url)  # checksums unknown
    folder = data.fetch("localizer_dartbrains", conditions=CONDS, progress=False)
    victim = folder / _rel("S02", "audio_left_hand")
    victim.write_bytes(victim.read_bytes()[:-500])
    srv.stop()
    _use_manifest(tmp_path, monkeypatch, f"http://127.0.0.1:{_closed_port()}/")
    report = data.verify().set_index("file")
    assert report.loc[_rel("S02", "audio_left_hand"), "status"] == "corrupt"
    with pytest.raises(data.DataUnavailableError, match="S02_beta_audio_left_hand"):
        data.load_localizer(CONDS, n_subjects=3, source="localizer_dartbrains", verbose=False)


def test_no_network_and_nothing_cached_falls_back_in_one_line(tmp_path, monkeypatch, capsys):
    _use_manifest(tmp_path, monkeypatch, f"http://127.0.0.1:{_closed_port()}/")
    loaded = data.load_localizer(["audio_sentence"], n_subjects=3)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Data: synthetic stand-in (seed 0, 3 subjects), because")
    assert "no network" in lines[0]
    # the exact command and the size of the download; no doubled full stops
    assert "`course-data fetch --n-subjects 3` (about 15 MB)" in lines[0]
    assert ".." not in lines[0].replace("...", "")
    assert loaded.is_synthetic and loaded.truth is not None
    monkeypatch.setenv("COURSE_DATA_OFFLINE", "1")
    data.load_localizer(["audio_sentence"], n_subjects=3)
    out = capsys.readouterr().out
    assert "downloads are off" in out and ".." not in out


def test_a_forced_real_source_that_is_missing_is_a_clear_error(tmp_path, monkeypatch, capsys):
    _use_manifest(tmp_path, monkeypatch, f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setenv("COURSE_DATA", "localizer")
    with pytest.raises(
        data.DataUnavailableError, match=r"(?s)not available.*no network.*course-data fetch"
    ):
        data.load_localizer(["audio_sentence"], n_subjects=3)
    with pytest.raises(data.DataUnavailableError, match="COURSE_SHARED_DATA"):
        data.load_localizer(["audio_sentence"], source="localizer_dartbrains")


def test_a_bids_participants_table_on_the_server_gives_the_covariates(
    tmp_path, monkeypatch, server, served
):
    table = b"participant_id\tage\tsex\nsub-S01\t23\tF\nsub-S02\tn/a\tM\nsub-S03\t30\tfemale\n"
    srv = server({**served, "participants.tsv": table})
    _use_manifest(tmp_path, monkeypatch, srv.url)
    data.fetch("localizer_dartbrains", conditions=CONDS, progress=False)
    loaded = data.load_localizer(CONDS, n_subjects=3, source="localizer_dartbrains", verbose=False)
    people = loaded.participants
    assert people["sex"].tolist() == ["F", "M", "F"]
    assert people["age"].iloc[[0, 2]].tolist() == [23, 30] and np.isnan(people["age"].iloc[1])
    assert list(loaded.covariates("age", "sex", verbose=False).index) == ["S01", "S03"]


# --- environment variables, names and the command line ------------------------------------------


def test_environment_variables_choose_source_and_size(monkeypatch, capsys):
    assert len(data.load_localizer(["audio_sentence"], source="synthetic").subjects) == 30
    monkeypatch.setenv("COURSE_DATA", "synthetic")
    monkeypatch.setenv("COURSE_N_SUBJECTS", "5")
    loaded = data.load_localizer(["audio_sentence"])
    assert len(loaded.subjects) == 5 and loaded.is_synthetic
    assert "COURSE_DATA=synthetic" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_N_SUBJECTS", "many")
    with pytest.raises(ValueError, match="COURSE_N_SUBJECTS='many'"):
        data.load_localizer(["audio_sentence"])
    monkeypatch.setenv("COURSE_N_SUBJECTS", "5")
    monkeypatch.setenv("COURSE_DATA", "synthtic")
    with pytest.raises(ValueError, match="Did you mean 'synthetic'"):
        data.load_localizer(["audio_sentence"])


def test_wrong_names_at_load_time(monkeypatch):
    with pytest.raises(ValueError, match="Did you mean 'horizontal_checkerboard'"):
        data.load_localizer(["horizontal_checkerbaord"], source="synthetic")
    with pytest.raises(ValueError, match="at least 2|>= 2"):
        data.load_localizer(["audio_sentence"], n_subjects=1, source="synthetic")
    with pytest.raises(ValueError, match="Did you mean 'localizer_nilearn'"):
        data.fetch("localizer_nilern")


def test_command_line_works_offline(tmp_path, monkeypatch, capsys):
    _use_manifest(tmp_path, monkeypatch, f"http://127.0.0.1:{_closed_port()}/")
    assert data.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "localizer_nilearn" in out and "Notebooks will use:" in out
    assert data.main(["verify"]) == 0
    assert data.main(["synthesize", "--n-subjects", "3", "--seed", "2"]) == 0
    assert "3 subjects" in capsys.readouterr().out
    assert data.main(["fetch", "--dataset", "localizer_dartbrains"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err and "stand-in" in err
    monkeypatch.setenv("COURSE_DATA", "synthetic")
    data.main(["info"])
    assert "synthetic stand-in" in capsys.readouterr().out
