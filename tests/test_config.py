import json

import pytest

from course_utils import config


def test_folders_follow_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path / "o"))
    monkeypatch.setenv("COURSE_SHARED_DATA", str(tmp_path / "s"))
    assert config.data_dir() == tmp_path / "d"
    assert config.output_dir() == tmp_path / "o"
    assert config.shared_data_dir() == tmp_path / "s"
    assert not (tmp_path / "d").exists(), "asking for a folder must not create it"
    assert config.output_dir(create=True).is_dir()


def test_defaults_are_per_user_folders(monkeypatch):
    for var in ("COURSE_DATA_DIR", "COURSE_OUTPUT_DIR", "COURSE_SHARED_DATA"):
        monkeypatch.delenv(var, raising=False)
    home = config.Path.home()
    assert config.output_dir() == home / "fmri_course_outputs"
    assert config.data_dir().name == config.APP_NAME
    assert config.shared_data_dir() is None


def test_tilde_is_expanded(monkeypatch):
    monkeypatch.setenv("COURSE_OUTPUT_DIR", "~/results")
    assert config.output_dir() == config.Path.home() / "results"


def test_paths_report_marks_source_of_each_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SHARED_DATA", str(tmp_path))
    report = config.paths_report().set_index("folder")
    assert report.loc["shared data (read-only)", "set_by"] == "COURSE_SHARED_DATA"
    assert bool(report.loc["shared data (read-only)", "exists"])
    assert report.loc["outputs", "set_by"] == "COURSE_OUTPUT_DIR"


def test_check_environment_reports_missing_and_pinned_packages():
    report = config.check_environment(("numpy", "surely-not-a-package")).set_index("package")
    assert report.loc["surely-not-a-package", "status"] == "missing"
    # Running from the repository: the lock file is found and numpy is pinned in it.
    assert config.find_lock_file() is not None
    assert report.loc["numpy", "tested"] is not None


def test_lab_settings_merge_and_keep_other_settings(tmp_path):
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.parent.mkdir(parents=True)
    existing = {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/docmanager-extension:plugin": {
            "autosave": False,
            "defaultViewers": {"python": "Editor"},
        },
        "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False},
    }
    path.write_text(json.dumps(existing))
    assert config.install_lab_settings(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    docmanager = settings["@jupyterlab/docmanager-extension:plugin"]
    assert docmanager["autosave"] is False
    assert docmanager["defaultViewers"] == {
        "python": "Editor",
        "markdown": "Jupytext Notebook",
        "myst": "Jupytext Notebook",
    }
    # no news pop-up, as a string (JupyterLab's schema), next to the setting already there
    assert settings["@jupyterlab/apputils-extension:notification"] == {
        "checkForUpdates": False,
        "fetchNews": "false",
    }
    assert set(settings) == set(existing)
    # Running it twice changes nothing.
    config.install_lab_settings(tmp_path)
    assert json.loads(path.read_text()) == settings


def test_lab_settings_refuse_to_overwrite_broken_json(tmp_path):
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        config.install_lab_settings(tmp_path)
    assert path.read_text() == "{not json", "the user's file must be left as it was"


def test_command_line_prints_paths(capsys):
    assert config.main(["paths"]) == 0
    assert "COURSE_OUTPUT_DIR" in capsys.readouterr().out


def test_launch_link_names_repo_branch_and_notebook(capsys, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    link = config.nbgitpuller_link(
        "https://hub.example.edu",
        "https://github.com/o/course",
        "notebooks/05_subject_maps_to_group_map.md",
        "student",
    )
    parts = urlsplit(link)
    assert parts.netloc == "hub.example.edu" and parts.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parts.query)
    assert query == {
        "repo": ["https://github.com/o/course"],
        "branch": ["student"],
        "urlpath": ["lab/tree/course/notebooks/05_subject_maps_to_group_map.md"],
    }
    with pytest.raises(ValueError, match="hub_url must be an http"):
        config.nbgitpuller_link("hub.example.edu", "https://github.com/o/course")
    monkeypatch.delenv("COURSE_HUB_URL", raising=False)
    monkeypatch.delenv("COURSE_REPO_URL", raising=False)
    assert config.main(["launch-link"]) == 1
    assert "COURSE_HUB_URL" in capsys.readouterr().err
    assert (
        config.main(["launch-link", "--hub", "https://h.org", "--repo", "https://github.com/o/c"])
        == 0
    )
    assert capsys.readouterr().out.startswith("https://h.org/hub/user-redirect/git-pull?")
