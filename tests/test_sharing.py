"""nilearn's report and BIDS maps: offline, named as nilearn does, never over a user's file."""

import json
import warnings

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
from nilearn.glm import save_glm_to_bids, threshold_stats_img
from nilearn.glm.second_level import SecondLevelModel
from nilearn.reporting import get_clusters_table

from course_utils import results
from course_utils.config import paths
from course_utils.experiments import sharing

AFFINE = np.array([[3.0, 0, 0, -30], [0, 3.0, 0, -105], [0, 0, 3.0, -20], [0, 0, 0, 1]])
SHAPE = (16, 14, 12)
OPTIONS = {"height_control": "fpr", "alpha": 0.001, "two_sided": True}
FAST = {**OPTIONS, "bg_img": None}  # no template behind the maps: faster figures


def _model(minimize_memory=False, n=12, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.normal(0.0, 1.0, (*SHAPE, n)).astype("float32")
    data[3:8, 2:7, 4:9] += 2.0  # a block of signal
    mask = nib.Nifti1Image(np.ones(SHAPE, np.uint8), AFFINE)
    return SecondLevelModel(mask_img=mask, minimize_memory=minimize_memory).fit(
        nib.Nifti1Image(data, AFFINE), design_matrix=pd.DataFrame({"intercept": np.ones(n)})
    )


@pytest.fixture(scope="module")
def model():
    return _model()


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --- what a page loads --------------------------------------------------------------------


def test_external_resources_finds_every_kind_of_load():
    page = (
        '<script src="https://cdn.x/a.js"></script><link rel="icon" href="//cdn.x/i.ico">'
        '<img src="HTTP://img.x/p.png"><iframe src="https://frame.x"></iframe>'
        '<style>@import "https://css.x/c.css"; body {background: url(https://bg.x/b.png)}</style>'
        "<div style=\"background: url('https://inline.x/d.png')\"></div>"
        '<iframe srcdoc="&lt;script src=&quot;https://inner.x/s.js&quot;&gt;&lt;/script&gt;">'
        "</iframe>"
    )
    assert sharing.external_resources(page) == [
        "https://cdn.x/a.js",
        "//cdn.x/i.ico",
        "HTTP://img.x/p.png",
        "https://frame.x",
        "https://css.x/c.css",
        "https://bg.x/b.png",
        "https://inline.x/d.png",
        "https://inner.x/s.js",
    ]
    local = (
        '<a href="https://nilearn.github.io">docs</a><img src="data:image/png;base64,AA">'
        '<img src="design.png"><link rel="stylesheet" href="style.css">'
    )
    assert sharing.external_resources(local) == []


def test_offline_html_removes_nileans_remote_links_and_keeps_the_page(model):
    model.compute_contrast("intercept")  # nilearn 0.14 needs one before its report
    report = model.generate_report(contrasts="intercept", **OPTIONS)
    raw = report.get_iframe()  # as nilearn saves it
    assert sharing.external_resources(raw)  # the CDN stylesheets and the icon
    page = sharing.offline_html(raw)
    assert sharing.external_resources(page) == []
    assert page.lstrip().startswith("<!DOCTYPE html>") and "Second Level Model" in page
    assert ".pure-g{" in page  # the grid rules the page uses, written inline
    with pytest.raises(ValueError, match="still load"):
        sharing.offline_html('<script src="https://cdn.x/a.js"></script>')


# --- nilearn's report -----------------------------------------------------------------------


def test_report_is_written_offline_without_the_network(model, no_outside_network):
    path = sharing.write_nilearn_report(model, "intercept", name="group_report", notebook="nb")
    assert path == paths.output_dir() / "group_report.html"
    assert sharing.external_resources(path.read_text()) == []
    assert results.written_by(path) == "nb"
    again = sharing.write_nilearn_report(model, "intercept", name="group_report", notebook="nb")
    assert again == path  # a re-run replaces its own file


def test_report_never_overwrites_a_users_file(model, tmp_path):
    mine = tmp_path / "group_report.html"
    mine.write_text("my notes")
    with pytest.raises(FileExistsError, match="someone else"):
        sharing.write_nilearn_report(
            model, "intercept", name="group_report", notebook="nb", folder=tmp_path, **FAST
        )
    assert mine.read_text() == "my notes"
    sharing.write_nilearn_report(
        model, "intercept", name="other", notebook="nb", folder=tmp_path, **FAST
    )
    with pytest.raises(FileExistsError, match="notebook 'nb'"):
        sharing.write_nilearn_report(
            model, "intercept", name="other", notebook="another", folder=tmp_path
        )
    with pytest.raises(ValueError, match="plain name"):
        sharing.write_nilearn_report(model, "intercept", name="../up", notebook="nb")


# --- BIDS -----------------------------------------------------------------------------------


def test_bids_names_are_the_files_nilearn_writes(model, tmp_path, no_outside_network):
    files = sharing.save_bids(
        model, {"checkerboard": "intercept"}, name="bids", notebook="nb", **OPTIONS
    )
    folder = paths.output_dir() / "bids"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save_glm_to_bids(model, {"checkerboard": "intercept"}, out_dir=tmp_path / "direct",
                         **OPTIONS)  # fmt: skip
    assert [f.relative_to(folder).as_posix() for f in files] == _files(tmp_path / "direct")
    assert _files(folder) == _files(tmp_path / "direct")  # nothing else left behind
    assert "group/contrast-checkerboard_stat-t_statmap.nii.gz" in _files(folder)
    assert results.written_by(folder) == "nb"
    report = folder / "group" / "report.html"
    assert sharing.external_resources(report.read_text()) == []
    assert "No contrast passed" not in report.read_text()  # nilearn's false warning
    for src in ("design.png", "contrast-checkerboard_design.png"):
        assert f'src="{src}"' in report.read_text() and (report.parent / src).is_file()


def test_bids_cluster_table_is_the_z_maps(model, tmp_path):
    sharing.save_bids(model, {"mean": "intercept"}, name="b", notebook="nb", folder=tmp_path,
                      **FAST)  # fmt: skip
    group = tmp_path / "b" / "group"
    table = pd.read_csv(group / "contrast-mean_clusters.tsv", sep="\t")
    z_img = nib.load(group / "contrast-mean_stat-z_statmap.nii.gz")
    thresholded, z = threshold_stats_img(z_img, model.masker_.mask_img_, alpha=0.001,
                                         height_control="fpr", two_sided=True)  # fmt: skip
    expected = get_clusters_table(thresholded, stat_threshold=z, two_sided=True)
    assert len(table) > 0 and table["X"].tolist() == expected["X"].tolist()
    np.testing.assert_allclose(table["Peak Stat"], expected["Peak Stat"].astype(float))


def test_bids_never_overwrites_a_users_file(model, tmp_path):
    args = (model, {"mean": "intercept"})
    kwargs = {"folder": tmp_path, **FAST}
    (tmp_path / "theirs").mkdir()
    with pytest.raises(FileExistsError, match="someone else"):
        sharing.save_bids(*args, name="theirs", notebook="nb", **kwargs)
    files = sharing.save_bids(*args, name="b", notebook="nb", **kwargs)
    t_map = next(f for f in files if f.name.endswith("stat-t_statmap.nii.gz"))
    t_map.write_bytes(b"edited by hand")
    with pytest.raises(FileExistsError, match="changed since"):
        sharing.save_bids(*args, name="b", notebook="nb", **kwargs)
    assert t_map.read_bytes() == b"edited by hand"
    t_map.unlink()
    sharing.save_bids(*args, name="b", notebook="nb", **kwargs)  # a clean re-run
    with pytest.raises(FileExistsError, match="notebook 'nb'"):
        sharing.save_bids(*args, name="b", notebook="other", **kwargs)


def test_bids_rerun_replaces_its_own_files_and_drops_stale_ones(model, tmp_path):
    kwargs = {"folder": tmp_path, **FAST}
    sharing.save_bids(model, {"old": "intercept"}, name="b", notebook="nb", **kwargs)
    mine = tmp_path / "b" / "my_notes.txt"
    mine.write_text("keep me")
    files = sharing.save_bids(model, {"new": "intercept"}, name="b", notebook="nb", **kwargs)
    names = _files(tmp_path / "b")
    assert not any("contrast-old" in n for n in names) and "my_notes.txt" in names
    assert mine.read_text() == "keep me"
    meta = json.loads((tmp_path / "b.json").read_text())
    assert sorted(meta["files"]) == [f.relative_to(tmp_path / "b").as_posix() for f in files]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_bids_needs_the_residuals():
    with pytest.raises(ValueError, match="minimize_memory=False"):
        sharing.save_bids(_model(minimize_memory=True), "intercept", name="b", notebook="nb")
