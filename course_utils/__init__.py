"""Helpers for the fMRI group-analysis teaching module.

One module per concept:

- :mod:`course_utils.config`: where data and outputs live, and an environment check.
- :mod:`course_utils.experiments.simulation`: the HRF, simulated time series, subjects and a small
  4D run.
- :mod:`course_utils.stats.mixed`: fixed, summary-statistics and random effects over voxels.
- :mod:`course_utils.stats.designs`: the classic group tests as design matrices; contrast vectors.
- :mod:`course_utils.stats.glm`: ordinary least squares for many voxels, t- and F-contrasts.
- :mod:`course_utils.experiments.data`: the Localizer maps (shared folder, cache, download or a
  seeded
  stand-in with known ground truth); masking images into arrays and back.
- :mod:`course_utils.stats.inference`: permutation max-T, cluster and TFCE FWE (and, re-exported,
  :mod:`course_utils.stats.thresholds`: Bonferroni, FDR, error-rate experiments, and
  :mod:`course_utils.experiments.nulldata`: null maps for them).
- :mod:`course_utils.stats.anova`: repeated-measures ANOVA over voxels (partitioned and pooled
  error).
- :mod:`course_utils.stats.tfce`: threshold-free cluster enhancement (numba kernels).
- :mod:`course_utils.stats.ari`: all-resolution inference, a lower bound on each cluster's active
  share.
- :mod:`course_utils.experiments.power`: power, sample size, the winner's curse and circular ROIs.
- :mod:`course_utils.experiments.qc`: per-subject quality checks.
- :mod:`course_utils.results`: writing maps and tables to the output folder safely.
- :mod:`course_utils.teaching.plotting`: the course figure style and the figures the notebooks
  share.
- :mod:`course_utils.teaching.checks`: feedback on exercises (not attempted / incorrect and why /
  correct).

Notebooks import what they need from these modules; they do not define long helpers inline.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("course_utils")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
