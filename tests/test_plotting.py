"""Course figures: labelled axes, colour-blind-safe colours, no crash on typical inputs."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from course_utils.stats import designs  # noqa: E402
from course_utils.teaching import plotting


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
        plotting.threshold_counts(values, [0.0, 2.0], two_sided=False), [3, 2]
    )
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
    mask = np.zeros((5, 5, 5), dtype="uint8")
    mask[2, 2, 2] = mask[1, 1, 1] = mask[0, 0, 0] = 1
    box = plotting.threshold_explorer(img, mask_img=nib.Nifti1Image(mask, img.affine), start=3.0)
    assert box.children[1].value.startswith("<b>2</b> of 3 voxels")
    monkeypatch.setenv("COURSE_STATIC_FIGURES", "1")
    assert not plotting.interactive_available()
    monkeypatch.setenv("COURSE_STATIC_FIGURES", "0")
    assert plotting.interactive_available()


def test_plot_timeseries_legend_outside_the_axes():
    import matplotlib.pyplot as plt

    t = np.arange(10.0)
    ax = plotting.plot_timeseries(t, {"a": t, "b": -t}, legend_loc="outside")
    legend = ax.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["a", "b"]
    assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # right of the axes
    ax = plotting.plot_timeseries(t, {"a": t, "b": -t}, legend_loc="lower left")
    ax.figure.canvas.draw()
    box, axes_box = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert box.x1 < axes_box.x0 + axes_box.width / 2  # in the left half ...
    assert box.y1 < axes_box.y0 + axes_box.height / 2  # ... and the lower half
    plt.close("all")


def test_paired_plot_joins_each_subject_by_id():
    import pytest

    a = pd.Series([10.0, 20.0, 30.0], index=["S01", "S02", "S03"])
    b = pd.Series([28.0, 7.0, 18.0], index=["S03", "S01", "S02"])  # another order
    ax = plotting.plot_paired(
        a, b, labels=("rest", "task"), ylabel="response (a.u.)", title="paired"
    )
    joined = [line.get_ydata().tolist() for line in ax.lines]
    assert joined == [[10.0, 7.0], [20.0, 18.0], [30.0, 28.0]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rest", "task"]
    assert ax.get_ylabel() == "response (a.u.)" and ax.get_xlabel() == "condition"
    means = sorted(float(c.get_segments()[0][0][1]) for c in ax.collections)
    np.testing.assert_allclose(means, [b.mean(), a.mean()])
    with pytest.raises(ValueError, match="S02"):
        plotting.plot_paired(a, b.drop("S02"))


def test_covariate_plot_marks_extrapolation_and_the_gap():
    import pytest

    age = np.array([20.0, 25.0, 30.0, 50.0, 60.0, 70.0])
    y = np.array([1.0, 1.2, 1.4, 2.0, 2.4, 2.8])
    group = np.array(["young"] * 3 + ["old"] * 3)
    lines = {"young": (0.6, 0.04), "old": (0.0, 0.04)}
    ax = plotting.plot_covariate_fit(
        age, y, group, lines, at=40.0, xlabel="age (years)", ylabel="response (%)", title="ANCOVA"
    )
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    young_solid = solid[0].get_xdata()
    assert young_solid.min() >= 20.0 and young_solid.max() <= 30.0  # only over its own ages
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert dashed[0].get_xdata().max() == 70.0  # extrapolated across the whole range
    gap = ax.texts[0] if ax.texts else None
    assert gap is not None and gap.xy == (40.0, 0.6 + 0.04 * 40)
    assert ax.get_xlabel() == "age (years)" and ax.get_ylabel() == "response (%)"
    with pytest.raises(ValueError, match=r"\['old'\]"):
        plotting.plot_covariate_fit(age, y, group, {"young": (0.6, 0.04)})


# --- figures of the two-levels-of-variance notebook (notebook 02) -----------------------------


def test_plot_true_and_estimated_shares_bins_and_reports_variances():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    true = rng.normal(1.0, 0.8, 500)
    estimates = true + rng.normal(0.0, 0.7, 500)
    ax = plotting.plot_true_and_estimated(true, estimates, bins=25, title="demo")
    filled = ax.containers[0]  # the true amplitudes; the estimates are an outline
    assert len(filled) == 25 and sum(bar.get_height() for bar in filled) == 500
    outline = ax.patches[-1].get_xy()
    np.testing.assert_allclose(outline[:, 0].min(), min(true.min(), estimates.min()))
    edges = [bar.get_x() for bar in filled]
    np.testing.assert_allclose(edges[0], min(true.min(), estimates.min()))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        f"true amplitudes (variance {true.var(ddof=1):.3f})",
        f"estimates (variance {estimates.var(ddof=1):.3f})",
    ]
    assert "%" in ax.get_xlabel() and ax.get_ylabel() == "number of subjects"
    assert ax.get_title() == "demo"
    plt.close("all")


def test_plot_method_comparison_draws_its_rates_with_plot_error_rates():
    import matplotlib.pyplot as plt

    from course_utils.stats import error_rates

    null = error_rates.rate_table(
        {"OLS": 100, "DL": 140},
        2000,
        estimate_sd=[0.24, 0.2],
        sd_low=[0.23, 0.19],
        sd_high=[0.25, 0.21],
    )
    power = error_rates.rate_table(
        {"OLS": 1000, "DL": 1300},
        2000,
        estimate_sd=[0.24, 0.2],
        sd_low=[0.23, 0.19],
        sd_high=[0.25, 0.21],
    )
    axes = plotting.plot_method_comparison(null, power, title="demo")
    assert len(axes) == 3
    # the rate panels are plot_error_rates' figure: a dot and its interval per method
    for ax, table in [(axes[0], null), (axes[2], power)]:
        dots, (intervals,) = ax.containers[0].lines[0], ax.containers[0].lines[2]
        np.testing.assert_allclose(dots.get_xdata(), table["rate"])
        segments = intervals.get_segments()
        np.testing.assert_allclose(
            [[s[0][0], s[1][0]] for s in segments], table[["ci_low", "ci_high"]].to_numpy()
        )
        assert ax.get_xlabel()
    # the nominal rate: a dashed line in the false-positive panel only (it means nothing
    # for power)
    assert axes[0].lines[-1].get_xdata()[0] == 0.05
    assert axes[0].lines[-1].get_linestyle() == "--"
    assert not [line for line in axes[2].lines if line.get_label().startswith("nominal")]
    # the spread of the estimate, with its interval
    sd = axes[1].containers[0]
    np.testing.assert_allclose(sd.lines[0].get_xdata(), [0.24, 0.2])
    segments = sd.lines[2][0].get_segments()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], [[0.23, 0.25], [0.19, 0.21]])
    assert "SD" in axes[1].get_xlabel() and "%" in axes[1].get_xlabel()
    # methods top to bottom in every panel, named once; one legend for the figure
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["OLS", "DL"]
    for ax in axes:
        assert ax.yaxis.get_inverted() and ax.get_legend() is None
    assert [t.get_text() for t in axes[0].figure.legends[0].get_texts()] == [
        "nominal 0.05",
        "measured value and interval",
    ]
    assert axes[0].figure.get_suptitle() == "demo"
    plt.close("all")


def test_plot_convergence_draws_a_reference_curve():
    import matplotlib.pyplot as plt

    theory = [0.4, 0.2, 0.1]
    ax = plotting.plot_convergence(
        [4, 16, 64],
        {"OLS": [0.41, 0.19, 0.1]},
        reference=theory,
        reference_label="theory",
        logy=True,
    )
    line = ax.lines[-1]
    assert line.get_label() == "theory" and line.get_linestyle() == ":"
    np.testing.assert_allclose(line.get_ydata(), theory)
    plt.close("all")


def test_glass_brain_grid_has_one_panel_per_map_and_no_layout_warning():
    import warnings

    import matplotlib.pyplot as plt
    import nibabel as nib
    import pytest

    plotting.use_course_style()  # constrained layout by default: the helper must opt out
    values = np.zeros((53, 63, 46), dtype="float32")
    values[20:25, 10:15, 20:25] = 5.0
    values[30:33, 40:43, 20:23] = -3.0
    img = nib.Nifti1Image(values, np.diag([-3.0, 3.0, 3.0, 1.0]))
    maps = {f"map {k}": img for k in range(3)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plotting.plot_glass_brains(maps, vmax=5.0, title="Three maps")
        fig.canvas.draw()
    titled = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in titled] == list(maps)
    assert fig.get_layout_engine() is None and fig.get_suptitle() == "Three maps"
    assert not fig.axes[3].axison  # the fourth panel of the 2 x 2 grid is left blank
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_glass_brains({}, vmax=1.0, title="none")
    plt.close("all")


# --- error-rate tables (notebooks 07, 08, 09) ------------------------------------------------


def _rates(with_method_column: bool):
    table = pd.DataFrame(
        {
            "method": ["uncorrected", "max-T"],
            "hits": [180, 10],
            "n_sim": [200, 200],
            "rate": [0.9, 0.05],
            "ci_low": [0.85, 0.024],
            "ci_high": [0.94, 0.09],
        }
    )
    return table if with_method_column else table.set_index("method")


def test_error_rates_draw_each_rate_its_interval_and_the_nominal_line():
    import matplotlib.pyplot as plt

    for with_column in (True, False):
        ax = plotting.plot_error_rates(_rates(with_column), alpha=0.05)
        assert [t.get_text() for t in ax.get_yticklabels()] == ["uncorrected", "max-T"]
        points = ax.lines[0]
        np.testing.assert_allclose(points.get_xdata(), [0.9, 0.05])
        segments = ax.collections[0].get_segments()
        np.testing.assert_allclose(
            [[s[0][0], s[1][0]] for s in segments], [[0.85, 0.94], [0.024, 0.09]]
        )
        assert ax.lines[-1].get_xdata()[0] == 0.05
        assert ax.get_title().endswith("(200 null studies)") and ax.get_xlim() == (0.0, 1.0)
    plt.close("all")


def test_error_rates_take_labels_limits_and_refuse_other_layouts():
    import matplotlib.pyplot as plt
    import pytest

    table = _rates(False).drop(columns="n_sim")
    ax = plotting.plot_error_rates(
        table, alpha=0.1, title="t", xlabel="share", xlim=(0, 0.3), legend_loc="center right"
    )
    assert (ax.get_title(), ax.get_xlabel(), ax.get_xlim()) == ("t", "share", (0.0, 0.3))
    assert "nominal 0.1" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="rate"):
        plotting.plot_error_rates(table.rename(columns={"rate": "fwe_rate"}))
    plt.close("all")


# --- seaborn figures ----------------------------------------------------------------------


def test_cell_means_are_means_with_within_subject_standard_errors():
    import matplotlib.pyplot as plt
    import pytest

    from course_utils.stats import anova

    rng = np.random.default_rng(0)
    offsets = rng.normal(0, 5.0, 12)  # subjects differ much more than the cells
    keys = [("audio", "calc"), ("audio", "read"), ("video", "calc"), ("video", "read")]
    cells = {key: offsets + rng.normal(k, 1.0, 12) for k, key in enumerate(keys)}
    ax = plotting.plot_cell_means(cells, title="ROI", ylabel="effect (a.u.)")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["audio", "video"]
    assert "within-subject SE" in legend.get_title().get_text()
    values = np.column_stack([cells[key] for key in keys])
    want = anova.within_subject_se(values)
    assert (want < 0.5 * values.std(axis=0, ddof=1) / np.sqrt(12)).all()  # offsets removed
    for container, modality in zip(ax.containers, ["audio", "video"], strict=True):
        means, _, (bars,) = container.lines
        expected = [cells[(modality, t)].mean() for t in ("calc", "read")]
        np.testing.assert_allclose(means.get_ydata(), expected)
        half = [(seg[1, 1] - seg[0, 1]) / 2 for seg in bars.get_segments()]
        k = 0 if modality == "audio" else 2
        np.testing.assert_allclose(half, want[k : k + 2])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["calc", "read"]
    assert (ax.get_title(), ax.get_ylabel()) == ("ROI", "effect (a.u.)")
    with pytest.raises(ValueError, match="lacks"):
        plotting.plot_cell_means({key: cells[key] for key in keys[:3]})
    plt.close("all")


def test_epsilon_histogram_shows_both_shares_below_the_threshold():
    import matplotlib.pyplot as plt
    import pytest

    observed, null = np.linspace(0.5, 1, 40), np.full(10, 0.95)
    ax = plotting.plot_epsilon_histogram(observed, null, threshold=0.6, title="eps")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["observed: 20.0% below 0.6", "spherical (simulated): 0.0% below 0.6"]
    heights = np.array([patch.get_height() for patch in ax.patches[:50]])
    widths = np.array([patch.get_width() for patch in ax.patches[:50]])
    np.testing.assert_allclose((heights * widths).sum(), 1.0)  # a density
    assert ax.get_title() == "eps" and ax.get_ylabel() == "density"
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_epsilon_histogram([], null)
    plt.close("all")


def test_beta_distribution_counts_every_subject():
    import matplotlib.pyplot as plt

    values = np.random.default_rng(1).normal(1.0, 1.0, 40)
    ax = plotting.plot_beta_distribution(values, true_mean=1.0, bins=8, title="demo")
    assert sum(bar.get_height() for bar in ax.patches) == 40 and len(ax.patches) == 8
    assert [line.get_xdata()[0] for line in ax.lines] == [0, values.mean(), 1.0]
    assert ax.get_ylabel() == "number of subjects" and ax.get_title() == "demo"
    plt.close("all")


# --- one public home ----------------------------------------------------------------------


def test_plotting_is_the_one_public_home_of_its_names():
    import importlib
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(plotting.__path__)]
    assert modules and all(name.startswith("_") for name in modules)
    for name in plotting.__all__:
        assert hasattr(plotting, name), name
    for name in modules:
        module = importlib.import_module(f"course_utils.teaching.plotting.{name}")
        public = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__
        ]
        assert set(public) <= set(plotting.__all__), (name, set(public) - set(plotting.__all__))


def test_groups_jitter_takes_a_generator():
    import matplotlib.pyplot as plt

    groups = {"g1": np.arange(5.0)}
    a = plotting.plot_groups(groups, seed=np.random.default_rng(3))
    b = plotting.plot_groups(groups, seed=3)
    np.testing.assert_array_equal(a.collections[0].get_offsets(), b.collections[0].get_offsets())
    plt.close("all")
