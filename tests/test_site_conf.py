"""The site's launch buttons: none unless configured, and the right branch for each edition."""

from __future__ import annotations

import runpy

import pytest

from course_utils.config.lab import nbgitpuller_link


class _Tags:
    def __init__(self, *names):
        self.names = set(names)

    def has(self, name):
        return name in self.names


def _conf(repo, monkeypatch, student=False, **env):
    for name in (
        "COURSE_REPO_URL",
        "COURSE_HUB_URL",
        "COURSE_REPO_BRANCH",
        "COURSE_STUDENT_BRANCH",
        "COURSE_BINDER_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    tags = _Tags("student") if student else _Tags()
    return runpy.run_path(str(repo / "site" / "conf.py"), init_globals={"tags": tags})


def test_no_launch_buttons_unless_configured(repo, monkeypatch):
    conf = _conf(repo, monkeypatch)
    options = conf["html_theme_options"]
    assert "launch_buttons" not in options and "repository_url" not in options
    assert "COURSE_HUB_URL" in conf["myst_substitutions"]["class_link"]


@pytest.mark.parametrize("student", [False, True])
def test_configured_launch_buttons_open_jupyterlab_on_the_editions_branch(
    repo, monkeypatch, student
):
    hub, url = "https://hub.example.edu", "https://github.com/org/fmri-course"
    conf = _conf(repo, monkeypatch, student, COURSE_HUB_URL=hub, COURSE_REPO_URL=url)
    options = conf["html_theme_options"]
    branch = "student" if student else "main"
    assert options["repository_url"] == url and options["repository_branch"] == branch
    assert options["path_to_docs"] == "notebooks"
    assert options["launch_buttons"] == {
        "notebook_interface": "jupyterlab",
        "binderhub_url": "https://mybinder.org",
        "jupyterhub_url": hub,
    }
    assert conf["myst_substitutions"]["class_link"] == (
        f"<{nbgitpuller_link(hub, url, 'notebooks/00_start_here.md', 'student')}>"
    )


def test_a_repository_without_a_hub_gives_binder_only(repo, monkeypatch):
    conf = _conf(repo, monkeypatch, COURSE_REPO_URL="https://github.com/org/c")
    assert "jupyterhub_url" not in conf["html_theme_options"]["launch_buttons"]
