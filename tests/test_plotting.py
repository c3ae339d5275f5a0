"""Course figures: labelled axes, colour-blind-safe colours, no crash on typical inputs."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from course_utils import designs, plotting  # noqa: E402


def test_design_heatmap_labels_every_column():
    scores = pd.Series([1.0, 2.0], index=["S1", "S2"])
    _, X = designs.paired(scores, scores + 1)
    ax = plotting.plot_design(X, title="paired")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(X.columns)
    assert ax.get_title() == "paired" and ax.get_xlabel() and ax.get_ylabel()


def test_estimates_colour_sign_and_error_bars():
    ax = plotting.plot_estimates(["a", "b"], [1.0, -2.0], errors=[0.5, 0.5], ylabel="beta (%)")
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == [plotting.OKABE_ITO[0].lower(), plotting.OKABE_ITO[3].lower()]
    assert ax.get_ylabel() == "beta (%)"


def test_groups_plot_is_reproducible():
    a = plotting.plot_groups({"g1": np.arange(5.0), "g2": np.arange(4.0)}, seed=1)
    b = plotting.plot_groups({"g1": np.arange(5.0), "g2": np.arange(4.0)}, seed=1)
    np.testing.assert_array_equal(a.collections[0].get_offsets(), b.collections[0].get_offsets())


def test_threshold_counts_and_static_figure():
    values = np.array([-5.0, -1.0, 0.5, 3.0, 4.0, np.nan])
    np.testing.assert_array_equal(plotting.threshold_counts(values, [0.0, 2.0, 4.0]), [5, 3, 1])
    np.testing.assert_array_equal(
        plotting.threshold_counts(values, [0.0, 2.0], two_sided=False), [3, 2])
    ax = plotting.plot_threshold_curve(values, marks={"Bonferroni": 3.5})
    assert "Bonferroni: 3.50 (2 voxels)" in ax.get_legend().get_texts()[0].get_text()


def test_threshold_explorer_updates_its_count(monkeypatch):
    import nibabel as nib

    data = np.zeros((5, 5, 5), dtype="float32")
    data[2, 2, 2], data[1, 1, 1] = 6.0, -3.5
    img = nib.Nifti1Image(data, np.diag([3.0, 3.0, 3.0, 1.0]))
    box = plotting.threshold_explorer(img, start=3.0)
    slider, label, picture = box.children
    assert label.value.startswith("<b>2</b> of 125")
    assert picture.value[:4] == b"\x89PNG"
    slider.value = 5.0
    assert label.value.startswith("<b>1</b> of 125")
    monkeypatch.setenv("COURSE_STATIC_FIGURES", "1")
    assert not plotting.interactive_available()
    monkeypatch.setenv("COURSE_STATIC_FIGURES", "0")
    assert plotting.interactive_available()
