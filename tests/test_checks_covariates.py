"""Tests of checks.covariates: Cohen's d at the peak of a one-sample map."""

import numpy as np
import pytest

from course_utils.experiments import data
from course_utils.teaching.checks import covariates


@pytest.fixture(scope="module")
def ds():
    return data.synthetic_localizer(
        seed=3, n_subjects=10, conditions=["horizontal_checkerboard"], cache=False
    )


def test_peak_cohens_d_names_the_typical_mistakes(ds):
    condition = ds.conditions[0]
    q = covariates.peak_cohens_d_exercise(ds, condition)
    y = ds.array(condition).astype(float)
    n = y.shape[0]
    t = y.mean(0) / (y.std(0, ddof=1) / np.sqrt(n))
    peak = int(np.argmax(t))
    d = t[peak] / np.sqrt(n)
    assert q.check(d).correct
    assert "t value" in q.check(t[peak]).message
    assert "by n" in q.check(t[peak] / n).message
    assert "ddof=0" in q.check(y[:, peak].mean() / y[:, peak].std()).message
    assert "sign" in q.check(-d).message
    assert "too large" in q.check(d * 1.5).message and "too small" in q.check(d / 3).message
    assert q.check("big").status == "incorrect"
    assert "that is not a finite number" in q.check(np.nan).message
    assert "e+" in q.check(1e12).message
