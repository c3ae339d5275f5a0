"""Checks: instant feedback on exercises, in the spirit of learntools' ``q.check()``.

An :class:`Exercise` judges a student's answer with one of three distinct messages: **not
attempted** (the stub still holds ``...``), **incorrect** with the reason in plain words, or
**correct**; it also offers :meth:`Exercise.hint`. See :mod:`~course_utils.teaching.checks.core`.

One module per group of exercises; every public name is available as ``checks.<name>``:

- :mod:`~course_utils.teaching.checks.core`: :class:`Exercise`, :class:`Feedback`,
  :class:`Incorrect`;
- :mod:`~course_utils.teaching.checks.foundations`: the warm-up, codings and contrasts;
- :mod:`~course_utils.teaching.checks.hrf`, :mod:`~course_utils.teaching.checks.variance`,
  :mod:`~course_utils.teaching.checks.regression`: the simulation and design notebooks;
- :mod:`~course_utils.teaching.checks.maps`: group maps and the Localizer exercises;
- :mod:`~course_utils.teaching.checks.group_maps`, :mod:`~course_utils.teaching.checks.thresholds`,
  :mod:`~course_utils.teaching.checks.factorial`, :mod:`~course_utils.teaching.checks.power`: one
  notebook's
  exercises each (use them as modules, e.g. ``checks.power.subjects_for_power``).
"""

from course_utils.teaching.checks import (  # noqa: F401 (submodules: checks.power, ...)
    factorial,
    group_maps,
    hrf,
    power,
    regression,
    thresholds,
    variance,
)
from course_utils.teaching.checks.core import (
    Exercise,
    Feedback,
    Incorrect,
    Status,
    expect_close,
    is_placeholder,
)
from course_utils.teaching.checks.foundations import (
    dummy_code_mean,
    expect_contrast,
    last_versus_rest,
    standard_error,
)
from course_utils.teaching.checks.hrf import *  # noqa: E402, F403
from course_utils.teaching.checks.maps import (
    SEX_QUESTION,
    LocalizerExercise,
    SexDifferenceExercise,
    condition_contrast,
    corrected_threshold,
    difference_se,
    expect_map,
    group_tmap,
    localizer_exercise,
    paired_tmap,
    peak_cohens_d,
    sex_difference_exercise,
    two_group_design,
    written_map,
)
from course_utils.teaching.checks.regression import *  # noqa: E402, F403
from course_utils.teaching.checks.variance import *  # noqa: E402, F403

__all__ = [
    "SEX_QUESTION",
    "Exercise",
    "Feedback",
    "Incorrect",
    "LocalizerExercise",
    "SexDifferenceExercise",
    "Status",
    "condition_contrast",
    "corrected_threshold",
    "difference_se",
    "dummy_code_mean",
    "expect_close",
    "expect_contrast",
    "expect_map",
    "group_tmap",
    "is_placeholder",
    "last_versus_rest",
    "localizer_exercise",
    "paired_tmap",
    "peak_cohens_d",
    "sex_difference_exercise",
    "standard_error",
    "two_group_design",
    "written_map",
    *hrf.__all__,
    *regression.__all__,
    *variance.__all__,
]
