"""Result files: atomic, labelled, and never overwriting a file the course did not write."""

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from course_utils import results
from course_utils.config import paths


def _img(value=0.0):
    return nib.Nifti1Image(np.full((3, 3, 3), value, dtype="float32"), np.eye(4))


def test_writes_to_the_output_folder_with_provenance():
    path = results.save_map(_img(1.0), "group_t", notebook="05_group_analysis", description="t-map")
    assert path.parent == paths.output_dir() and path.name == "group_t.nii.gz"
    assert results.written_by(path) == "05_group_analysis"
    np.testing.assert_allclose(nib.load(path).get_fdata(), 1.0)
    assert not list(path.parent.glob(".*")), "no temporary file may be left behind"


def test_a_rerun_replaces_its_own_file():
    first = results.save_map(_img(1.0), "group_t", notebook="05")
    second = results.save_map(_img(2.0), "group_t", notebook="05")
    assert first == second
    np.testing.assert_allclose(nib.load(second).get_fdata(), 2.0)


def test_a_users_file_is_never_overwritten(tmp_path):
    mine = tmp_path / "group_t.nii.gz"
    mine.write_bytes(b"my own analysis")
    with pytest.raises(FileExistsError, match="someone else"):
        results.save_map(_img(), "group_t", notebook="05", folder=tmp_path)
    assert mine.read_bytes() == b"my own analysis"
    results.save_map(_img(), "other", notebook="06", folder=tmp_path)
    with pytest.raises(FileExistsError, match="notebook '06'"):
        results.save_map(_img(), "other", notebook="05", folder=tmp_path)


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def broken(img, filename):
        open(filename, "wb").write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(results.nib, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        results.save_map(_img(), "group_t", notebook="05", folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_tables_and_bad_names(tmp_path):
    path = results.save_table(pd.DataFrame({"peak_x": [1, 2]}), "clusters", "05", folder=tmp_path)
    assert pd.read_csv(path)["peak_x"].tolist() == [1, 2]
    for bad in ("../escape", "a/b", "", "with space"):
        with pytest.raises(ValueError, match="plain file name"):
            results.save_map(_img(), bad, notebook="05", folder=tmp_path)


def test_main_clusters_drops_the_sub_peaks_of_a_real_nilearn_table():
    import nibabel as nib
    import numpy as np
    from nilearn.reporting import get_clusters_table

    from course_utils import results

    vol = np.zeros((20, 20, 20), dtype=np.float32)
    zz, yy, xx = np.mgrid[:20, :20, :20]
    for centre, height in (((5, 5, 5), 6.0), ((5, 5, 11), 5.0), ((15, 15, 15), 4.0)):
        vol += height * np.exp(
            -((zz - centre[0]) ** 2 + (yy - centre[1]) ** 2 + (xx - centre[2]) ** 2) / 8.0
        )
    table = get_clusters_table(nib.Nifti1Image(vol, np.eye(4)), stat_threshold=2.0, min_distance=4)
    assert (table["Cluster Size (mm3)"] == "").any(), "nilearn lists a sub-peak"
    main = results.main_clusters(table)
    assert len(main) == 2 and main["Cluster Size (mm3)"].is_monotonic_decreasing
    assert set(main["Cluster ID"]) == {1, 2}
    assert main["Cluster Size (mm3)"].sum() == (vol > 2.0).sum()
