"""Layer 3, generators and experiments: where data come from, and what we do with them.

- :mod:`~course_utils.experiments.signals`: the HRF, event regressors, AR(1) noise.
- :mod:`~course_utils.experiments.simulation`: simulated subjects and studies.
- :mod:`~course_utils.experiments.two_levels`: the full mixed model and simulated studies of
  the two-levels-of-variance notebook.
- :mod:`~course_utils.experiments.nulldata`: smooth null maps and their smoothness.
- :mod:`~course_utils.experiments.data`: the Localizer maps (real copies or a seeded stand-in).
- :mod:`~course_utils.experiments.power`: power, sample size, whole-brain power, scan trade-off.
- :mod:`~course_utils.experiments.selection`: sphere ROIs, circular ROIs, the winner's curse.
- :mod:`~course_utils.experiments.qc`: per-subject quality checks.
- :mod:`~course_utils.experiments.reporting`: the methods-and-results paragraph of a group
  analysis.
- :mod:`~course_utils.experiments.sharing`: nilearn's report offline, BIDS derivatives.

A module here may import the statistics layer (:mod:`course_utils.stats`) and layer 1, never
the teaching layer (``make lint`` checks it).
"""
