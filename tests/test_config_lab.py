"""course_utils.config.lab: JupyterLab settings and the nbgitpuller link."""

import json

import pytest

from course_utils.config import lab


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
    assert lab.install_lab_settings(tmp_path) == path
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
    lab.install_lab_settings(tmp_path)
    assert json.loads(path.read_text()) == settings


def test_lab_settings_refuse_to_overwrite_broken_json(tmp_path):
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        lab.install_lab_settings(tmp_path)
    assert path.read_text() == "{not json", "the user's file must be left as it was"


def test_lab_settings_leave_no_temporary_file(tmp_path):
    path = lab.install_lab_settings(tmp_path)
    assert [p.name for p in path.parent.iterdir()] == ["overrides.json"]
