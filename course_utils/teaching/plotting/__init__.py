"""Plotting: the course figure style and the figures that several notebooks share.

Every figure in the course uses :func:`use_course_style` (colour-blind-safe Okabe-Ito colours,
readable font sizes) and has labelled axes with units and a title that says what it shows
(:func:`source_title` adds which data).

``plotting`` is the one public home of every name below (the nilearn pattern): notebooks and
tests call ``plotting.plot_x(...)``. The private modules hold one kind of figure each:

- ``_style``: the style, the palette, titles, the static-figure switch;
- ``_signal_figures``: the HRF, summed responses, time series and fits;
- ``_variance_figures``: subject estimates and the two levels of variance;
- ``_heterogeneity_figures``: what fixed effects leave out (rates, sessions), Cochran's Q;
- ``_design_figures``: designs, groups and estimates;
- ``_covariate_figures``: second-level covariates (t slices, a response against age), t and d by n;
- ``_contrast_figures``: contrasts drawn over designs, profiles over levels, scores;
- ``_map_figures``: thresholds, glass brains, the max-T null, TFCE, error rates;
- ``_factorial_figures``: cell means of a factorial design, sphericity (epsilon);
- ``_subject_figures``: every subject's map, per-subject quality checks, pairing;
- ``_power_figures``: power, inflation and the subjects-or-scans trade-off.
"""

from course_utils.teaching.plotting._contrast_figures import (
    plot_contrast_scores,
    plot_contrast_signals,
    plot_design_with_contrast,
    plot_level_profiles,
)
from course_utils.teaching.plotting._covariate_figures import (
    plot_against_covariate,
    plot_t_and_d_by_n,
    plot_t_slices,
)
from course_utils.teaching.plotting._design_figures import (
    plot_coded_groups,
    plot_covariate_fit,
    plot_design,
    plot_estimates,
    plot_groups,
    plot_paired,
)
from course_utils.teaching.plotting._factorial_figures import (
    plot_cell_means,
    plot_epsilon_histogram,
    plot_f_glass_brains,
    plot_ratio_histogram,
)
from course_utils.teaching.plotting._heterogeneity_figures import (
    plot_q_curve,
    plot_rates_against,
    plot_session_spread,
)
from course_utils.teaching.plotting._map_figures import (
    plot_error_rates,
    plot_glass_brains,
    plot_max_null,
    plot_support_curve,
    plot_threshold_curve,
    threshold_counts,
    threshold_explorer,
)
from course_utils.teaching.plotting._power_figures import (
    plot_inflation,
    plot_power_at,
    plot_power_curves,
    plot_t_distributions,
    plot_tradeoff,
    plot_whole_brain_power,
    power_explorer,
)
from course_utils.teaching.plotting._signal_figures import (
    plot_design_and_regressor,
    plot_event_sum,
    plot_fit_and_residuals,
    plot_hrf,
    plot_se_ratio,
    plot_timeseries,
)
from course_utils.teaching.plotting._style import (
    DIVERGING_CMAP,
    OKABE_ITO,
    interactive_available,
    source_title,
    use_course_style,
)
from course_utils.teaching.plotting._subject_figures import (
    label_colorbar,
    plot_occipital_sagittal,
    plot_pairing_gain,
    plot_subject_montage,
    plot_subject_qc,
)
from course_utils.teaching.plotting._variance_figures import (
    plot_beta_distribution,
    plot_convergence,
    plot_method_comparison,
    plot_null_statistics,
    plot_subject_intervals,
    plot_true_and_estimated,
    plot_variance_components,
)

__all__ = [
    "DIVERGING_CMAP",
    "OKABE_ITO",
    "interactive_available",
    "label_colorbar",
    "plot_against_covariate",
    "plot_beta_distribution",
    "plot_cell_means",
    "plot_coded_groups",
    "plot_contrast_scores",
    "plot_contrast_signals",
    "plot_convergence",
    "plot_covariate_fit",
    "plot_design",
    "plot_design_and_regressor",
    "plot_design_with_contrast",
    "plot_epsilon_histogram",
    "plot_error_rates",
    "plot_estimates",
    "plot_event_sum",
    "plot_f_glass_brains",
    "plot_fit_and_residuals",
    "plot_glass_brains",
    "plot_groups",
    "plot_hrf",
    "plot_inflation",
    "plot_level_profiles",
    "plot_max_null",
    "plot_method_comparison",
    "plot_null_statistics",
    "plot_paired",
    "plot_occipital_sagittal",
    "plot_pairing_gain",
    "plot_power_at",
    "plot_power_curves",
    "plot_q_curve",
    "plot_rates_against",
    "plot_ratio_histogram",
    "plot_se_ratio",
    "plot_session_spread",
    "plot_subject_intervals",
    "plot_subject_montage",
    "plot_subject_qc",
    "plot_support_curve",
    "plot_t_and_d_by_n",
    "plot_t_distributions",
    "plot_t_slices",
    "plot_threshold_curve",
    "plot_timeseries",
    "plot_tradeoff",
    "plot_true_and_estimated",
    "plot_variance_components",
    "plot_whole_brain_power",
    "power_explorer",
    "source_title",
    "threshold_counts",
    "threshold_explorer",
    "use_course_style",
]
