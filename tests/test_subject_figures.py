"""Subject figures: every subject's slice, flagged subjects named, the pairing-gain curve."""

import matplotlib

matplotlib.use("Agg")

import nibabel as nib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from course_utils.experiments import qc  # noqa: E402
from course_utils.teaching import plotting  # noqa: E402


@pytest.fixture
def summary():
    rng = np.random.default_rng(0)
    Y = rng.normal(0, 1, (12, 300))
    Y[5] *= 5
    return qc.subject_summary(Y, [f"S{k:02d}" for k in range(1, 13)])


def test_qc_strip_names_the_flagged_and_draws_the_cut(summary):
    flagged = qc.flag_subjects(summary)
    assert flagged == ["S06"]
    axes = plotting.plot_subject_qc(summary, flagged, title="QC")
    assert len(axes) == 2 and axes[0].figure._suptitle.get_text() == "QC"
    for ax, column in zip(axes, ("mean", "spread"), strict=True):
        assert "map units" in ax.get_ylabel() and ax.get_xlabel()
        assert [t.get_text() for t in ax.texts] == ["S06"]
        points = np.vstack([c.get_offsets() for c in ax.collections])
        np.testing.assert_allclose(np.sort(points[:, 1]), np.sort(summary[column]))
    spread = summary["spread"].to_numpy()
    mad = qc.MAD_SCALE * np.median(np.abs(spread - np.median(spread)))
    levels = sorted(line.get_ydata()[0] for line in axes[1].lines)
    np.testing.assert_allclose(levels, np.median(spread) + np.array([-3.5, 0, 3.5]) * mad)


def test_qc_strip_refuses_unknown_subjects_and_tables(summary):
    with pytest.raises(ValueError, match="not in the summary"):
        plotting.plot_subject_qc(summary, ["S99"])
    with pytest.raises(ValueError, match="subject_summary"):
        plotting.plot_subject_qc(pd.DataFrame({"mean": [1.0]}))


def test_pairing_gain_subsamples_and_draws_the_bound():
    r = np.random.default_rng(1).uniform(-0.3, 0.9, 5000)
    gain = 1 / np.sqrt(1 - r)
    ax = plotting.plot_pairing_gain(r, gain, max_points=1000, title="gain")
    assert ax.get_title() == "gain" and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.collections[0].get_offsets()) == 1000
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_ydata(), 1 / np.sqrt(1 - curve.get_xdata()))
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_pairing_gain(r, gain[:10])


def _grid(affine_diagonal=(3.0, 3.0, 3.0)):
    """A 6 x 7 x 4 mask with one corner out, on a grid whose origin is at (0, 0, -3) mm."""
    mask = np.ones((6, 7, 4), "uint8")
    mask[0, 0, :] = 0
    affine = np.diag([*affine_diagonal, 1.0])
    affine[2, 3] = -3.0
    return nib.Nifti1Image(mask, affine)


def test_montage_shows_each_subject_in_its_panel_on_one_scale():
    mask_img = _grid()
    mask = mask_img.get_fdata() > 0
    rng = np.random.default_rng(2)
    values = rng.normal(size=(5, int(mask.sum())))
    values[3] *= 4
    subjects = [f"S{k}" for k in range(1, 6)]
    axes = plotting.plot_subject_montage(
        values, subjects, mask_img=mask_img, z_mm=3.4, flagged=["S4"], ncols=2, title="All"
    )
    assert len(axes) == 5 and [ax.get_title() for ax in axes][3] == "S4 (flagged)"
    in_plane = np.nonzero(mask)[2] == 2  # z = -3 + 3 k: 3.4 mm is nearest k = 2
    for ax, row in zip(axes, values, strict=True):
        shown = np.ma.compressed(ax.images[-1].get_array())
        np.testing.assert_allclose(np.sort(shown), np.sort(row[in_plane]))
    assert len({ax.images[-1].get_clim() for ax in axes}) == 1
    framed = [ax.get_title() for ax in axes if ax.spines["top"].get_linewidth() > 1]
    assert framed == ["S4 (flagged)"]
    title = axes[0].figure._suptitle.get_text()
    assert title.startswith("All") and "z = 3 mm" in title
    assert len(axes[0].figure.axes) == 5 + 1  # the empty sixth cell removed; a colour bar


def test_montage_puts_left_on_the_left_and_front_on_top():
    mask_img = _grid((-3.0, -3.0, 3.0))  # x and y run backwards along i and j
    mask = mask_img.get_fdata() > 0
    i, j, _ = np.nonzero(mask)
    values = np.vstack([i, j]).astype(float)  # subject 1: the voxel's i; subject 2: its j
    axes = plotting.plot_subject_montage(values, ["i", "j"], mask_img=mask_img, z_mm=0)
    by_i, by_j = (np.asarray(ax.images[-1].get_array()) for ax in axes)
    # columns run from left (x small: i large) to right; rows (origin lower) from back up
    assert by_i[3, 0] == 5 and by_i[3, -1] == 0
    assert by_j[0, 3] == 6 and by_j[-1, 3] == 0


def test_montage_refuses_bad_input():
    mask_img = _grid()
    values = np.zeros((2, int((mask_img.get_fdata() > 0).sum())))
    with pytest.raises(ValueError, match="not among"):
        plotting.plot_subject_montage(values, ["A", "B"], mask_img=mask_img, flagged=["C"])
    with pytest.raises(ValueError, match="distinct ID"):
        plotting.plot_subject_montage(values, ["A", "A"], mask_img=mask_img)
    with pytest.raises(ValueError, match="voxels of the mask"):
        plotting.plot_subject_montage(values[:, :-1], ["A", "B"], mask_img=mask_img)
    with pytest.raises(ValueError, match="outside the brain"):
        plotting.plot_subject_montage(values, ["A", "B"], mask_img=mask_img, z_mm=60)
    oblique = nib.Nifti1Image(
        mask_img.get_fdata(), np.array([[3.0, 1, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0], [0, 0, 0, 1]])
    )
    with pytest.raises(ValueError, match="oblique"):
        plotting.plot_subject_montage(values, ["A", "B"], mask_img=oblique)
    with pytest.raises(ValueError, match="vmax"):
        plotting.plot_subject_montage(values, ["A", "B"], mask_img=mask_img, vmax=-1.0)


def test_montage_marks_left_and_right_on_the_first_panel():
    mask_img = _grid((3.0, 3.0, 3.0))
    n_vox = int((mask_img.get_fdata() > 0).sum())
    axes = plotting.plot_subject_montage(
        np.zeros((2, n_vox)), ["A", "B"], mask_img=mask_img, z_mm=0
    )
    first = sorted((t.get_text(), t.get_position()[0]) for t in axes[0].texts)
    assert first == [("L", 0.03), ("R", 0.97)] and not axes[1].texts
    assert "neurological" in axes[0].figure._suptitle.get_text()


def _mni_like(values):
    affine = np.diag([4.0, 4.0, 4.0, 1.0])
    affine[:3, 3] = [-90.0, -126.0, -72.0]
    return nib.Nifti1Image(np.asarray(values, dtype=float), affine)


def test_occipital_sagittal_zooms_and_labels():
    data = np.zeros((46, 55, 46))
    data[22, 5:12, 15:20] = 6.0  # near the midline, at the back of the brain
    display = plotting.plot_occipital_sagittal(
        _mni_like(data), threshold=3.0, label="t (29 df)", x_mm=[-8, 8], title="T"
    )
    panels = list(display.axes.values())
    assert len(panels) == 2
    for panel in panels:
        assert tuple(panel.ax.get_xlim()) == (-112.0, -40.0)
        assert tuple(panel.ax.get_ylim()) == (-30.0, 40.0)
    assert display._cbar.ax.get_ylabel() == "t (29 df)"
    with pytest.raises(ValueError, match="y_range"):
        plotting.plot_occipital_sagittal(
            _mni_like(data), threshold=3.0, label="t", y_range=(-40, -112)
        )
    with pytest.raises(ValueError, match="x_mm"):
        plotting.plot_occipital_sagittal(_mni_like(data), threshold=3.0, label="t", x_mm=[])


def test_label_colorbar_needs_a_colour_bar():
    from nilearn import plotting as niplot

    img = _mni_like(np.ones((46, 55, 46)))
    display = niplot.plot_stat_map(img, display_mode="z", cut_coords=[0], colorbar=False)
    with pytest.raises(ValueError, match="colour bar"):
        plotting.label_colorbar(display, "t")
    display = niplot.plot_stat_map(img, display_mode="z", cut_coords=[0], colorbar=True)
    assert plotting.label_colorbar(display, "t (9 df)").ax.get_ylabel() == "t (9 df)"
