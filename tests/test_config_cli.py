"""course_utils.config.cli: ``python -m course_utils.config``."""

import pytest

from course_utils.config import cli, lab


def test_command_line_prints_paths(capsys):
    assert cli.main(["paths"]) == 0
    assert "COURSE_OUTPUT_DIR" in capsys.readouterr().out


def test_launch_link_names_repo_branch_and_notebook(capsys, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    link = lab.nbgitpuller_link(
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
        lab.nbgitpuller_link("hub.example.edu", "https://github.com/o/course")
    monkeypatch.delenv("COURSE_HUB_URL", raising=False)
    monkeypatch.delenv("COURSE_REPO_URL", raising=False)
    assert cli.main(["launch-link"]) == 1
    assert "COURSE_HUB_URL" in capsys.readouterr().err
    assert (
        cli.main(["launch-link", "--hub", "https://h.org", "--repo", "https://github.com/o/c"]) == 0
    )
    assert capsys.readouterr().out.startswith("https://h.org/hub/user-redirect/git-pull?")


def test_python_dash_m_runs_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, COURSE_OUTPUT_DIR=str(tmp_path / "out"))
    done = subprocess.run(
        [sys.executable, "-m", "course_utils.config", "paths"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert str(tmp_path / "out") in done.stdout


def test_the_package_re_exports_nothing():
    import course_utils.config as package

    public = {name for name in vars(package) if not name.startswith("_")}
    assert public <= {"cli", "environment", "lab", "paths"}, "only its submodules, no re-exports"
