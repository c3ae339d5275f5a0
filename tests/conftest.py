"""Shared test fixtures."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(autouse=True)
def _isolated_course_folders(tmp_path, monkeypatch):
    """Point every course folder at a temporary place, so no test touches a user's files."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path / "outputs"))
    monkeypatch.delenv("COURSE_SHARED_DATA", raising=False)
