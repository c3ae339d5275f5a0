"""Checks: instant feedback on exercises, in the spirit of learntools' ``q.check()``.

An :class:`~course_utils.teaching.checks.core.Exercise` judges a student's answer with one of
three distinct messages: **not attempted** (the stub still holds ``...``), **incorrect** with
the reason in plain words, or **correct**; it also offers a hint.

One module per notebook topic; a notebook imports the one it uses, e.g.
``from course_utils.teaching.checks import hrf as hrf_checks``, then
``q = hrf_checks.regressor_exercise(...)``. Every exercise builder is named ``*_exercise``.

- :mod:`~course_utils.teaching.checks.core`: ``Exercise``, ``Feedback``, ``Incorrect`` and the
  shared primitives (``read_number``, ``judge_number``, ``format_number``, ``expect_close``,
  ``expect_map``);
- :mod:`~course_utils.teaching.checks.start_here`: the warm-up (a standard error);
- :mod:`~course_utils.teaching.checks.hrf`: a regressor built by hand;
- :mod:`~course_utils.teaching.checks.variance`: the standard error of a two-level design;
- :mod:`~course_utils.teaching.checks.regression`: codings, betas, two-group designs;
- :mod:`~course_utils.teaching.checks.contrasts`: contrasts over columns or conditions;
- :mod:`~course_utils.teaching.checks.group_maps`: a subject left out, what pairing gains;
- :mod:`~course_utils.teaching.checks.paired_maps`: the paired t-map, matched by subject ID;
- :mod:`~course_utils.teaching.checks.covariates`: d at a peak chosen in other subjects;
- :mod:`~course_utils.teaching.checks.factorial`: an interaction contrast, an F-test's df;
- :mod:`~course_utils.teaching.checks.thresholds`: Bonferroni, max-T and FDR thresholds;
- :mod:`~course_utils.teaching.checks.power`: subjects for a power, a difference's SE;
- :mod:`~course_utils.teaching.checks.exercises`: the Localizer exercises.
"""
