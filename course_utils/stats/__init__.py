"""Layer 2, statistics: estimators and tests on arrays that any data could feed.

- :mod:`~course_utils.stats.designs`: the classic group tests as design matrices; contrasts.
- :mod:`~course_utils.stats.glm`: ordinary least squares for many voxels, t- and F-contrasts.
- :mod:`~course_utils.stats.effect_sizes`: Cohen's d of a fit and its noncentral-t interval.
- :mod:`~course_utils.stats.anova`: repeated-measures ANOVA over voxels.
- :mod:`~course_utils.stats.error_terms`: each effect's error mean square; ratios to simulate.
- :mod:`~course_utils.stats.mixed`: fixed, summary-statistics and random effects over voxels.
- :mod:`~course_utils.stats.thresholds`: Bonferroni, FDR, t to z, the interval of a rate.
- :mod:`~course_utils.stats.inference`: permutation max-T (sign flips, Freedman-Lane).
- :mod:`~course_utils.stats.map_inference`: cluster-size and TFCE FWE from permuted maps.
- :mod:`~course_utils.stats.error_rates`: the false-positive-rate experiment, the rate layout.
- :mod:`~course_utils.stats.tfce`: threshold-free cluster enhancement (numba kernels).
- :mod:`~course_utils.stats.ari`: all-resolution inference on clusters.

A module here imports only :mod:`course_utils._utils`, :mod:`course_utils.config`,
:mod:`course_utils.results` and other modules of this layer (``make lint`` checks it).
"""
