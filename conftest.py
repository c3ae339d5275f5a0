"""Fixtures for every test and doctest of the repository (``tests/``, the doctests of
``course_utils/`` and the tools' tests): one place, so that doctests are isolated too."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent

# numba reads NUMBA_CACHE_DIR once, when it is first imported, and collecting the doctests
# imports the kernels before any fixture runs: so the folder is chosen here, at start-up, for
# the whole session (removed at exit). Without it numba caches next to the source or in ~/.cache.
_NUMBA_CACHE = tempfile.TemporaryDirectory(prefix="course-tests-numba-")
os.environ["NUMBA_CACHE_DIR"] = _NUMBA_CACHE.name


@pytest.fixture
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(autouse=True)
def _isolated_course_folders(tmp_path, monkeypatch):
    """Point every course folder at a temporary place (numba's cache is set once, above), so
    that no test or doctest touches a user's files; forget the user's choices of data source
    and size; close the figures a test leaves open."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path / "outputs"))
    for name in ("COURSE_SHARED_DATA", "COURSE_DATA", "COURSE_N_SUBJECTS", "COURSE_DATA_MANIFEST"):
        monkeypatch.delenv(name, raising=False)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")  # figures of one test or doctest never pile up in the next


@pytest.fixture(scope="session")
def standin():
    """The offline stand-in at its defaults (seed 0, 30 subjects, all ten conditions, with the
    outlier), generated once per test session. Shared by every test that asks for it: read it,
    never modify it (``standin.array(...)`` may be the stored array itself)."""
    from course_utils.experiments import data

    return data.synthetic_localizer(seed=0, cache=False)


_LOCAL = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def no_outside_network(monkeypatch):
    """Refuse (and record) any connection to an address other than this machine's loopback."""
    import socket

    attempts = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host not in _LOCAL:
            attempts.append(host)
            raise socket.gaierror(-2, "outside network blocked in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple) and address[0] not in _LOCAL:
            attempts.append(address[0])
            raise OSError("outside network blocked in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert not attempts, f"a test tried to reach {attempts}"
