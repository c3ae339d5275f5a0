"""The nilearn/OSF copy, fetched by nilearn's own, unmodified ``fetch_localizer_contrasts``.

Only the network is replaced: ``requests.sessions.Session.send`` answers from
``tools/localizer_double.py`` (the study's index layout and tables as nilearn ships them with its
tests, small maps on the real grid), the way nilearn's own test suite mocks it. nilearn then
names, places and moves every file itself, and the course must find each one. The patch is
scoped to this module (nilearn's own fixture is autouse and would also capture pooch).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from course_utils.experiments import data
from course_utils.experiments.data import _files
from tools import localizer_double as double_module

CONDS = ["audio_left_hand", "video_sentence"]
SCALE = 2.0
NAN_VOXELS = 10


@pytest.fixture(scope="module")
def source():
    """What the double serves: a small stand-in, so every served value is known."""
    return data.synthetic_localizer(seed=5, n_subjects=3, conditions=CONDS, cache=False)


@pytest.fixture
def osf(monkeypatch, source, no_outside_network):
    double = double_module.OSFDouble(double_module.standin_maps(source, SCALE, NAN_VOXELS))
    monkeypatch.setattr(
        "requests.sessions.Session.send", lambda self, request, **kw: double.send(request, **kw)
    )
    for name in ("COURSE_DATA", "COURSE_N_SUBJECTS", "COURSE_DATA_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    return double


def _folder(tmp_path):
    return tmp_path / "data" / "localizer_nilearn"


def _maps_dir(tmp_path):
    return _folder(tmp_path) / "nilearn" / "brainomics_localizer" / "brainomics_data"


def test_nilearn_names_its_files_by_the_rule_the_course_looks_them_up_by(osf, tmp_path):
    from nilearn.datasets import fetch_localizer_contrasts

    every = data.synthetic_localizer(seed=5, n_subjects=2, cache=False)
    osf.maps = double_module.standin_maps(every)

    contrasts = data.load_manifest()["datasets"]["localizer_nilearn"]["contrasts"]
    stems = data.nilearn_stems()
    for condition in data.CONDITIONS:
        bunch = fetch_localizer_contrasts(
            [contrasts[condition]],
            n_subjects=1,
            get_tmaps=True,
            data_dir=tmp_path / "direct",
            verbose=0,
        )
        assert [Path(p).name for p in bunch.cmaps] == [f"cmaps_{stems[condition]}.nii.gz"]
        assert [Path(p).name for p in bunch.tmaps] == [f"tmaps_{stems[condition]}.nii.gz"]
    # the examples of the issue, spelled out: canonical name, title case, no spaces, & kept
    assert stems["audio_computation"] == "AuditoryCalculation"
    assert stems["horizontal_checkerboard"] == "HorizontalCheckerboard"
    assert stems["audio_left_hand"] == "LeftAuditoryClick"
    assert data.nilearn_file_stem("sentence listening and reading") == "Auditory&VisualSentences"


def test_fetch_then_load_returns_the_served_maps_variances_and_participants(
    osf, source, tmp_path, capsys
):
    folder = data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    assert folder == _folder(tmp_path)
    assert sorted(p.name for p in (_maps_dir(tmp_path) / "S01").iterdir()) == [
        "cmaps_LeftAuditoryClick.nii.gz",
        "cmaps_VisualSentences.nii.gz",
        "tmaps_LeftAuditoryClick.nii.gz",
        "tmaps_VisualSentences.nii.gz",
    ]
    assert len(osf.map_requests()) == 12
    loaded = data.load_localizer(CONDS, n_subjects=3, source="localizer")
    assert capsys.readouterr().out.startswith(
        "Data: Localizer (nilearn/OSF copy, 3 subjects), from your cache"
    )
    assert not loaded.is_synthetic and loaded.truth is None
    # S02's NaN voxels (outside its first-level mask) leave the analysis mask of every subject
    assert loaded.n_voxels == source.n_voxels - NAN_VOXELS
    for condition in CONDS:
        np.testing.assert_allclose(
            loaded.array(condition), SCALE * source.array(condition)[:, NAN_VOXELS:], rtol=1e-6
        )
    se = double_module.standard_errors(source, SCALE)[:, NAN_VOXELS:]
    var = loaded.variance("audio_left_hand")
    usable = np.abs(loaded.array("audio_left_hand") / se) >= 0.5
    np.testing.assert_allclose(var[usable], (se**2)[usable], rtol=1e-4)
    assert usable.mean() > 0.5 and np.isfinite(var).all() and (var > 0).all()
    # the real study's participants, merged with its behavioural table as nilearn merges them
    real = pd.read_csv(
        double_module.nilearn_test_data() / "localizer_participants.tsv", sep="\t"
    ).head(3)
    assert loaded.participants["sex"].tolist() == real["sex"].tolist()
    assert loaded.participants["age"].tolist() == real["age"].tolist()
    assert {"site", "language", "nuage2"} <= set(loaded.participants.columns)
    # a second load comes from the course's array cache: no request at all
    before = len(osf.requests)
    again = data.load_localizer(CONDS, n_subjects=3, source="localizer", verbose=False)
    assert len(osf.requests) == before
    np.testing.assert_array_equal(again.array("video_sentence"), loaded.array("video_sentence"))
    np.testing.assert_array_equal(again.variance("audio_left_hand"), var)  # memory-mapped now
    np.testing.assert_array_equal(again.variance("audio_left_hand", ["S03", "S01"]), var[[2, 0]])


def test_an_interrupted_fetch_is_completed_without_downloading_anything_twice(osf, tmp_path):
    osf.die_after = 5  # five maps arrive, then the connection drops in the middle of the sixth
    with pytest.raises(data.DataUnavailableError, match="next fetch continues"):
        data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False, retries=0)
    first = osf.map_requests()
    assert len(first) == 6
    assert data.info()["status"].iloc[0] == "absent"  # nilearn moves nothing until complete
    osf.requests.clear()
    data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    second = osf.map_requests()
    assert len(second) == 12 - 5, "the five complete maps are not downloaded again"
    assert second[0] == first[-1], "the interrupted map is resumed first"
    ranges = [url for url, path in osf.requests if path == first[-1]]
    assert len(ranges) == 1
    loaded = data.load_localizer(CONDS, n_subjects=3, source="localizer", verbose=False)
    assert loaded.array("audio_left_hand").shape[0] == 3


def test_a_truncated_map_is_caught_by_the_course_and_downloaded_again(osf, tmp_path, source):
    bad = next(
        path for path in osf.index if "sub-S03" in path and "LeftAuditoryClick_cmaps" in path
    )
    osf.truncate = {bad}  # the server keeps sending half of it as if it were all
    with pytest.raises(data.DataUnavailableError, match="failed verification|damaged"):
        data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    local = _maps_dir(tmp_path) / "S03" / "cmaps_LeftAuditoryClick.nii.gz"
    report = data.verify().set_index("file")
    assert report["status"].value_counts().to_dict() == {"ok": 13, "corrupt": 1}
    assert report.loc[local.relative_to(_folder(tmp_path)).as_posix(), "status"] == "corrupt"
    osf.truncate = set()
    osf.requests.clear()
    data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    assert osf.map_requests() == [bad], "only the damaged map is downloaded again"
    assert (data.verify()["status"] == "ok").all()
    # damage on disk later: a load from the cache repairs just that file
    local.write_bytes(gzip.compress(b"not a nifti")[:10])
    osf.requests.clear()
    loaded = data.load_localizer(CONDS, n_subjects=3, source="localizer", verbose=False)
    assert osf.map_requests() == [bad]
    np.testing.assert_allclose(
        loaded.array("audio_left_hand")[2],
        SCALE * source.array("audio_left_hand")[2, NAN_VOXELS:],
        rtol=1e-6,
    )


def test_auto_mode_uses_the_cached_real_copy_offline(osf, tmp_path, monkeypatch, capsys):
    data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    osf.requests.clear()
    monkeypatch.setenv("COURSE_DATA_OFFLINE", "1")
    monkeypatch.setenv("COURSE_N_SUBJECTS", "3")
    loaded = data.load_localizer(CONDS)
    assert not loaded.is_synthetic and osf.requests == []
    assert "COURSE_DATA" not in capsys.readouterr().out
    assert "localizer_nilearn from your cache" in data.info().attrs["plan"]
    assert data.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "3 subjects (0 with all 10 conditions), 6 maps; covariates: sex, age" in out


def test_lock_records_checksums_and_verify_then_catches_a_changed_file(osf):
    assert data.main(["lock"]) == 1  # nothing downloaded yet: an error, not a traceback
    folder = data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    lock_file = data.lock()
    # 12 maps and the two participant tables
    assert lock_file == folder / "SHA256SUMS" and len(lock_file.read_text().splitlines()) == 14
    assert (data.verify()["detail"] == "sha256 verified").all()
    victim = folder / _files.read_index(folder)["image"].iloc[0]
    img = nib.load(victim)
    nib.Nifti1Image(img.get_fdata() + 1, img.affine).to_filename(victim)  # intact but changed
    assert (data.verify()["status"] == "bad checksum").sum() == 1
    assert data.main(["verify"]) == 1
    data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    assert (data.verify()["status"] == "ok").all()
    victim.unlink()
    assert (
        data.verify().set_index("file").loc[victim.relative_to(folder).as_posix(), "status"]
        == "missing"
    )


def _snapshot(folder: Path):
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_a_read_only_shared_folder_is_read_and_never_written(osf, tmp_path, monkeypatch, capsys):
    shared = tmp_path / "shared"
    data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, root=shared, progress=False)
    for path in [shared, *shared.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _snapshot(shared)
    monkeypatch.setenv("COURSE_SHARED_DATA", str(shared))
    try:
        loaded = data.load_localizer(CONDS, n_subjects=2)
        assert "from the shared folder" in capsys.readouterr().out
        assert loaded.subjects == ["S01", "S02"] and not loaded.is_synthetic
        data.load_localizer(CONDS, n_subjects=2, verbose=False)
        assert _snapshot(shared) == before
        assert list((tmp_path / "data" / "arrays" / "localizer_nilearn").glob("*.npz"))
        assert "shared folder" in data.info().attrs["plan"]
        with pytest.raises(ValueError, match="has 3 subjects"):
            data.load_localizer(CONDS, n_subjects=5, verbose=False)
    finally:
        for path in [shared, *shared.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_images_on_another_grid_are_rejected_or_resampled_on_purpose(osf, tmp_path):
    folder = data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    victim = folder / _files.read_index(folder)["image"].iloc[-1]
    img = nib.load(victim)
    shifted = img.affine.copy()
    shifted[0, 3] += 3.0
    nib.Nifti1Image(img.get_fdata(), shifted).to_filename(victim)
    with pytest.raises(ValueError, match="(?s)different affine.*resample"):
        data.load_localizer(CONDS, n_subjects=3, verbose=False)
    loaded = data.load_localizer(CONDS, n_subjects=3, verbose=False, resample=True)
    assert np.isfinite(loaded.array(CONDS[-1])).all()


def test_unknown_ages_are_missing_values_and_covariates_keep_complete_cases(osf, capsys):
    # the real table has no age for S38, S62, S81 and S87
    folder = data.fetch("localizer_nilearn", n_subjects=3, conditions=CONDS, progress=False)
    table = _files.read_participants(folder, ["S01", "S38", "S62"])
    assert table["age"].isna().tolist() == [False, True, True]
    assert table["sex"].tolist() == ["M", "M", "F"]
    loaded = data.load_localizer(CONDS, n_subjects=3, verbose=False)
    people = loaded.covariates("age", "sex", purpose="the covariate model")
    assert list(people.index) == ["S01", "S02", "S03"] and capsys.readouterr().out == ""


def test_a_release_that_names_files_differently_is_a_clear_error(osf, monkeypatch):
    import nilearn.datasets.func as func

    renamed = dict(func.CONTRAST_NAME_WRAPPER, **{"sentence reading": "reading sentences"})
    monkeypatch.setattr(func, "CONTRAST_NAME_WRAPPER", renamed)
    monkeypatch.setattr(func, "ALLOWED_CONTRASTS", [*func.ALLOWED_CONTRASTS, "reading sentences"])
    with pytest.raises(data.DataUnavailableError, match="returned no maps.*report it"):
        data.fetch("localizer_nilearn", n_subjects=1, conditions=["video_sentence"], progress=False)


def test_the_command_line_fetches_verifies_and_locks_what_nilearn_wrote(osf, capsys):
    osf.maps = double_module.standin_maps(
        data.synthetic_localizer(seed=5, n_subjects=2, cache=False)
    )
    assert data.main(["fetch", "--n-subjects", "2"]) == 0
    assert "Run `course-data lock`" in capsys.readouterr().out
    assert len(osf.map_requests()) == 2 * 10 * 2
    assert data.main(["verify"]) == 0 and "All files verified." in capsys.readouterr().out
    assert data.main(["lock"]) == 0
    assert data.main(["info"]) == 0
    out = capsys.readouterr().out
    assert (
        "2 subjects (2 with all 10 conditions), 20 maps; covariates: sex, age; checksums "
        "locked" in out
    )
