"""course_utils.config.paths: the folders follow the environment variables."""

from pathlib import Path

from course_utils.config import paths


def test_folders_follow_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path / "o"))
    monkeypatch.setenv("COURSE_SHARED_DATA", str(tmp_path / "s"))
    assert paths.data_dir() == tmp_path / "d"
    assert paths.output_dir() == tmp_path / "o"
    assert paths.shared_data_dir() == tmp_path / "s"
    assert not (tmp_path / "d").exists(), "asking for a folder must not create it"
    assert paths.output_dir(create=True).is_dir()


def test_defaults_are_per_user_folders(monkeypatch):
    for var in ("COURSE_DATA_DIR", "COURSE_OUTPUT_DIR", "COURSE_SHARED_DATA"):
        monkeypatch.delenv(var, raising=False)
    home = Path.home()
    assert paths.output_dir() == home / "fmri_course_outputs"
    assert paths.data_dir().name == paths.APP_NAME
    assert paths.shared_data_dir() is None


def test_tilde_is_expanded(monkeypatch):
    monkeypatch.setenv("COURSE_OUTPUT_DIR", "~/results")
    assert paths.output_dir() == Path.home() / "results"


def test_paths_report_marks_source_of_each_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SHARED_DATA", str(tmp_path))
    report = paths.paths_report().set_index("folder")
    assert report.loc["shared data (read-only)", "set_by"] == "COURSE_SHARED_DATA"
    assert bool(report.loc["shared data (read-only)", "exists"])
    assert report.loc["outputs", "set_by"] == "COURSE_OUTPUT_DIR"
