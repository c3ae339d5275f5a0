"""Subject figures: labelled axes, flagged subjects named, the pairing-gain curve."""

import matplotlib

matplotlib.use("Agg")

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
