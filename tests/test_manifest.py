"""Schema of data_manifest.yaml: every data set documented, sourced and verifiable."""

import copy

import pytest
import yaml

from course_utils.experiments import data
from course_utils.experiments.data import _manifest


@pytest.fixture(scope="module")
def manifest():
    return data.load_manifest()


def test_the_manifest_in_the_repository_is_valid(manifest, repo):
    assert data.MANIFEST_PATH == repo / "data_manifest.yaml"
    assert data.validate_manifest(manifest) == []
    assert set(manifest["datasets"]) == {*data.REAL_DATASETS, "synthetic"}


def test_conditions_and_contrast_names_match_the_code_and_nilearn(manifest):
    from nilearn.datasets.func import ALLOWED_CONTRASTS, CONTRAST_NAME_WRAPPER

    assert tuple(manifest["conditions"]) == data.CONDITIONS
    contrasts = manifest["datasets"]["localizer_nilearn"]["contrasts"]
    for nilearn_name in contrasts.values():
        assert nilearn_name in ALLOWED_CONTRASTS or nilearn_name in CONTRAST_NAME_WRAPPER
    assert len(set(contrasts.values())) == len(data.CONDITIONS)


def test_grids_match_the_real_localizer_grid(manifest):
    nilearn_grid = manifest["datasets"]["localizer_nilearn"]["grid"]
    assert tuple(nilearn_grid["shape"]) == data.LOCALIZER_SHAPE
    assert tuple(manifest["datasets"]["synthetic"]["grid"]["shape"]) == data.LOCALIZER_SHAPE
    assert manifest["datasets"]["localizer_dartbrains"]["grid"]["voxel_mm"] == 2


def test_unknown_checksums_are_marked_as_such(manifest):
    for entry in manifest["datasets"].values():
        sha = entry["sha256"]
        assert sha == "unknown" or _manifest.is_sha256(sha) or isinstance(sha, dict)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["datasets"]["synthetic"].pop("citation"), "missing 'citation'"),
        (lambda m: m["datasets"]["synthetic"].update(citation=[]), "citation must be"),
        (lambda m: m["datasets"]["localizer_nilearn"].update(sha256="abc"), "sha256 must be"),
        (
            lambda m: m["datasets"]["localizer_dartbrains"]["source"].update(
                base_url="http://example.org/x"
            ),
            "base_url",
        ),
        (
            lambda m: m["datasets"]["localizer_dartbrains"].update(file_pattern="x.nii.gz"),
            "file_pattern",
        ),
        (
            lambda m: m["datasets"]["localizer_nilearn"]["contrasts"].pop("video_sentence"),
            "contrasts must map",
        ),
        (lambda m: m["datasets"]["synthetic"]["source"].update(kind="ftp"), "source.kind"),
        (lambda m: m["datasets"]["synthetic"].update(grid={"shape": [1, 2]}), "grid needs"),
        (
            lambda m: m["datasets"]["localizer_nilearn"].update(expected_map_size_bytes=-1),
            "expected_map_size_bytes",
        ),
        (lambda m: m.update(conditions=["a"]), "conditions must be"),
    ],
)
def test_broken_manifests_are_rejected(manifest, edit, message):
    broken = copy.deepcopy(manifest)
    edit(broken)
    problems = data.validate_manifest(broken)
    assert any(message in p for p in problems), problems


def test_a_known_checksum_mapping_is_accepted(manifest):
    good = copy.deepcopy(manifest)
    good["datasets"]["localizer_dartbrains"]["sha256"] = {"derivatives/x.nii.gz": "a" * 64}
    assert data.validate_manifest(good) == []


def test_missing_or_malformed_manifest_files_say_so(tmp_path):
    with pytest.raises(data.DataUnavailableError, match="missing"):
        data.load_manifest(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"version": 1}))
    with pytest.raises(data.DataUnavailableError, match="not a data manifest"):
        data.load_manifest(bad)


def test_course_data_manifest_names_another_manifest(tmp_path, monkeypatch):
    manifest = data.load_manifest()
    manifest["datasets"]["synthetic"]["title"] = "another copy"
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest))
    monkeypatch.setenv("COURSE_DATA_MANIFEST", str(path))
    assert data.load_manifest()["datasets"]["synthetic"]["title"] == "another copy"
