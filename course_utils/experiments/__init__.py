"""Layer 3, generators and experiments: where data come from, and what we do with them.

- :mod:`~course_utils.experiments.simulation`: the HRF, noise, simulated subjects and studies.
- :mod:`~course_utils.experiments.nulldata`: smooth null maps and their smoothness.
- :mod:`~course_utils.experiments.data`: the Localizer maps (real copies or a seeded stand-in).
- :mod:`~course_utils.experiments.power`: power, sample size, the winner's curse, circular ROIs.
- :mod:`~course_utils.experiments.qc`: per-subject quality checks.

A module here may import the statistics layer (:mod:`course_utils.stats`) and layer 1, never
the teaching layer (``make lint`` checks it).
"""
