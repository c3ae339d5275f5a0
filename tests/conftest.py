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
