"""The data cache's files: written atomically, skipped when unwritable or unreadable."""

import os

import numpy as np
import pytest

from course_utils.experiments.data import _cache


def test_arrays_come_back_as_written_and_no_temporary_file_is_left(tmp_path):
    path = tmp_path / "deep" / "x.npz"
    assert _cache.save_npz(path, values=np.arange(4.0), fingerprint=np.array("abc"))
    stored = _cache.load_npz(path, "values", "fingerprint")
    assert stored["values"].tolist() == [0.0, 1.0, 2.0, 3.0] and str(stored["fingerprint"]) == "abc"
    assert _cache.save_npy(tmp_path / "v.npy", np.ones((2, 3), "float32"))
    assert np.load(tmp_path / "v.npy", mmap_mode="r").shape == (2, 3)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["v.npy", "x.npz"]


def test_a_damaged_or_incomplete_file_reads_as_absent(tmp_path):
    path = tmp_path / "x.npz"
    path.write_bytes(b"not an npz")
    assert _cache.load_npz(path, "values") is None
    _cache.save_npz(path, values=np.zeros(2))
    assert _cache.load_npz(path, "values", "first_level") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_an_unwritable_folder_warns_and_keeps_going(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.warns(UserWarning, match="COURSE_DATA_DIR"):
            assert not _cache.save_npz(folder / "x.npz", values=np.zeros(2))
        assert not _cache.save_npy(folder / "x.npy", np.zeros(2))
    finally:
        folder.chmod(0o700)


def test_a_write_that_fails_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "x.npz"
    _cache.save_npz(path, values=np.zeros(2))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.warns(UserWarning, match="disk full"):
        assert not _cache.save_npz(path, values=np.ones(2))
    assert _cache.load_npz(path, "values")["values"].tolist() == [0.0, 0.0]
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]


def test_tests_and_doctests_run_with_temporary_course_folders_and_numba_cache(tmp_path):
    assert os.environ["COURSE_DATA_DIR"] == str(tmp_path / "data")
    assert os.environ["COURSE_OUTPUT_DIR"] == str(tmp_path / "outputs")
    assert "COURSE_SHARED_DATA" not in os.environ
    assert os.path.isdir(os.environ["NUMBA_CACHE_DIR"])
    assert not os.environ["NUMBA_CACHE_DIR"].startswith(os.path.expanduser("~/.cache"))
