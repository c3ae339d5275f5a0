"""Exercises of the multiple-comparisons notebook (thresholds you can defend).

:func:`corrected_threshold_exercise` checks a max-T (FWE) or FDR threshold of a group map (the
exercises notebook uses it). :func:`bonferroni_threshold_exercise` checks a Bonferroni
threshold on ``|t|`` computed by hand for a one-sample group map. The right value is computed
here, from the data (the number of voxels and of subjects in the maps), never from a variable
of the notebook. A wrong answer is compared with what the typical mistakes give (one tail
instead of two, alpha not divided by the number of voxels, a p threshold instead of a t
threshold, z instead of t, the wrong degrees of freedom, the wrong count of tests, Sidak
instead of Bonferroni, a negative threshold); any other number is told which per-voxel p and
which family-wise error rate it amounts to, and how far it is from the right threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from course_utils._utils import check_alpha
from course_utils.teaching.checks.core import (
    Exercise,
    Incorrect,
    format_number,
    judge_number,
    read_number,
)

__all__ = ["PERMUTATION_RTOL", "bonferroni_threshold_exercise", "corrected_threshold_exercise"]

#: Family-wise error rate the exercise asks for (the text of the question says 5 %).
FWE_ALPHA = 0.05
#: Relative tolerance within which an answer matches a threshold.
RTOL = 1e-4


def _mistakes(alpha: float, m: int, n: int, n_grid: int | None) -> list[tuple[float, str]]:
    """The values that the typical mistakes give, each with its diagnosis."""
    df = n - 1
    right = stats.t.isf(alpha / m / 2, df)
    sidak = -np.expm1(np.log1p(-alpha) / m)  # 1 - (1 - alpha) ** (1 / m), accurately
    found = [
        (
            stats.t.isf(alpha / m, df),
            "the one-sided threshold: it puts all of alpha / m in the upper tail. The test is "
            "two-sided (|t|), so each tail gets alpha / m / 2.",
        ),
        (
            stats.t.isf(alpha / 2, df),
            "the uncorrected threshold: alpha is not divided by the number of voxels, so every "
            "voxel is tested at 0.05 and the map as a whole is almost sure to hold false "
            "positives.",
        ),
        (
            stats.t.isf(alpha, df),
            "the uncorrected one-sided threshold: divide alpha by the number of voxels m, and "
            "split it over both tails.",
        ),
        (
            alpha / m / 2,
            "a p-value threshold, not a threshold on |t|: convert it to t with stats.t.isf and "
            "the map's degrees of freedom.",
        ),
        (
            alpha / m,
            "a p-value threshold (and one-sided): the question asks for the threshold on |t|. "
            "Split alpha / m over both tails and convert it with stats.t.isf.",
        ),
        (
            stats.norm.isf(alpha / m / 2),
            f"a z threshold (the normal distribution): with {n} subjects, t has {df} degrees of "
            "freedom and heavier tails, so its threshold is higher. Use stats.t.isf with df.",
        ),
        (
            stats.norm.isf(alpha / m),
            "a one-sided z threshold: use the t distribution with the map's degrees of freedom, "
            "and split alpha / m over both tails.",
        ),
        (
            stats.t.isf(alpha / m / 2, n),
            f"the threshold with {n} degrees of freedom; a one-sample t-test of {n} subjects has "
            f"n - 1 = {df}.",
        ),
        (
            stats.t.isf(alpha / m / 2, n - 2),
            f"the threshold with {n - 2} degrees of freedom; a one-sample t-test of {n} subjects "
            f"estimates one mean and has n - 1 = {df}.",
        ),
        (
            stats.t.isf(alpha / n / 2, df),
            f"the threshold for alpha divided by the number of subjects ({n}); Bonferroni divides "
            f"it by the number of tests, one per voxel (m = {m}).",
        ),
        (
            stats.t.isf(sidak / 2, df),
            "Sidak's threshold, 1 - (1 - alpha)**(1/m) per voxel: exact for independent voxels "
            "and a hair more lenient. The question asks for Bonferroni, alpha / m.",
        ),
        (
            -right,
            "negative: the threshold on |t| is the upper tail's critical value (stats.t.isf, or "
            "stats.t.ppf(1 - p)), a positive number.",
        ),
    ]
    if n_grid is not None and n_grid != m:
        found.append(
            (
                stats.t.isf(alpha / n_grid / 2, df),
                f"the threshold for alpha divided by every voxel of the image's box "
                f"({n_grid}); only the {m} voxels of the analysis mask are tested (the "
                "columns of the data).",
            )
        )
    return found


def _how_far(value: float, right: float, alpha: float, m: int, df: int) -> str:
    """What an unrecognised threshold amounts to, and how far it is from the right one."""
    if value <= 0:
        return (
            f"{value:.3g} is not a threshold on |t|: it is at most 0, so every voxel "
            f"would pass. The right threshold is positive and well above 1."
        )
    p_voxel = 2 * stats.t.sf(value, df)
    fwe = min(1.0, m * p_voxel)
    verdict = "too lenient" if value < right else "too strict"
    return (
        f"{value:.3f} is {verdict}: |t| > {value:.3f} tests each voxel at two-sided "
        f"p = {p_voxel:.2g}, which over the {m} voxels bounds the family-wise error rate "
        f"by {fwe:.3g} (Bonferroni), not {alpha:g}. It is {abs(value - right):.3f} t units "
        f"{'below' if value < right else 'above'} the right threshold. Which p does each "
        "voxel get, per tail?"
    )


def bonferroni_threshold_exercise(ds: Any, condition: str, alpha: float = FWE_ALPHA) -> Exercise:
    """Exercise of the multiple-comparisons notebook: the Bonferroni threshold on ``|t|``.

    The expected answer is computed here from the data: with ``n`` subjects and ``m`` voxels
    in the maps of ``condition``, the two-sided Bonferroni threshold of a one-sample t-map is
    ``scipy.stats.t.isf(alpha / m / 2, n - 1)``.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps (:func:`course_utils.experiments.data.load_localizer`).
    condition : str
        The condition whose one-sample group map is thresholded.
    alpha : float, default 0.05
        The family-wise error rate the question asks for.

    Returns
    -------
    Exercise
        Its check names the typical mistakes (one-sided, alpha not divided, a p or z
        threshold instead of t, wrong df, the wrong number of tests, Sidak, a negative
        threshold) and otherwise says which error rate the answer controls and how far off it
        is. It never raises on an answer.

    Raises
    ------
    ValueError
        When ``alpha`` is not between 0 and 1 or the maps have fewer than 2 subjects.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6,
    ...                               conditions=["horizontal_checkerboard"], cache=False)
    >>> q = bonferroni_threshold_exercise(ds, "horizontal_checkerboard")
    >>> m = ds.array("horizontal_checkerboard").shape[1]
    >>> q.check(stats.t.isf(0.05 / m / 2, 5)).status
    'correct'
    >>> print(q.check(stats.t.isf(0.05 / m, 5)).message)  # doctest: +NORMALIZE_WHITESPACE
    26.31 is the one-sided threshold: it puts all of alpha / m in the upper tail. The test is
    two-sided (|t|), so each tail gets alpha / m / 2.
    >>> q.check("six").status
    'incorrect'
    """
    alpha = float(check_alpha(alpha))
    n, m = ds.array(condition).shape
    if n < 2:
        raise ValueError(f"The maps of {condition!r} have {n} subject(s); a t-test needs 2.")
    df = n - 1
    right = float(stats.t.isf(alpha / m / 2, df))
    shape = getattr(getattr(ds, "mask_img", None), "shape", None)
    n_grid = int(np.prod(shape)) if shape is not None else None
    mistakes = _mistakes(alpha, m, n, n_grid)

    def checker(answer: Any) -> None:
        value = read_number(answer, "the threshold on |t|")
        named = [(wrong, f"{value:.4g} is {why}") for wrong, why in mistakes]
        judge_number(value, right, named, lambda _: _how_far(value, right, alpha, m, df), rtol=RTOL)

    return Exercise(
        f"Bonferroni threshold on |t| ({condition})",
        checker,
        hint="Bonferroni tests each of the m voxels at alpha / m. A two-sided test puts half "
        "of that in each tail. stats.t.isf(p, df) gives the t above which the upper "
        "tail holds probability p; the map has n - 1 degrees of freedom.",
    )


def _group_t(scores: Any, design: Any = None, contrast: Any = None) -> tuple[np.ndarray, int]:
    """The group t-map and its degrees of freedom (one-sample when ``design`` is None)."""
    from course_utils.stats import designs, glm

    scores = np.asarray(scores)
    if design is None:
        fit = glm.regress(designs.one_sample(scores.shape[0]), scores, keep_residuals=False)
        return fit.t[0], fit.df
    result = glm.contrast(glm.regress(design, scores, keep_residuals=False), contrast)
    return result.t, result.df


#: Tolerance of a max-T threshold: permutation thresholds vary a little with the seed and with
#: the order of the rows (about 1 % with 1000 permutations).
PERMUTATION_RTOL = 0.02


def corrected_threshold_exercise(
    scores: Any,
    name: str,
    method: str = "max-t",
    design: Any = None,
    contrast: Any = None,
    *,
    alpha: float = 0.05,
    n_perm: int = 1000,
    seed: int = 0,
) -> Exercise:
    """Exercise: the |t| threshold that corrects a group map for its many voxels.

    The expected threshold is computed here from ``scores`` (subjects x voxels, as the t-map was
    computed from them), on first use (a permutation test takes seconds):

    - ``method="max-t"``: the family-wise error (FWE) threshold of the max-T permutation test,
      ``inference.permutation_test(scores, design, contrast, n_perm=n_perm,
      seed=seed).fwe_threshold(alpha)``, two-sided. An answer within ``PERMUTATION_RTOL`` of it
      is right (another seed or row order gives a slightly different threshold).
    - ``method="fdr"``: the Benjamini-Hochberg false discovery rate threshold on the two-sided
      parametric p-values, as a |t| (the smallest |t| declared significant; ``inf`` when none
      is).

    Parameters
    ----------
    scores : array-like, shape (n_subjects, n_voxels), or a function that returns it
        The data of the group test (a function is called on first use, so that a large class's
        data are not held twice).
    name : str
        Name of the exercise.
    method : {"max-t", "fdr"}
    design, contrast : optional
        The design (one row per subject) and contrast of the test; None for a one-sample test.
    alpha : float, default 0.05
    n_perm, seed : int
        Permutations and seed of the max-T test.

    Returns
    -------
    Exercise
        Recognises uncorrected thresholds (p < 0.05 or p < 0.001 at each voxel, two- or
        one-sided, and the arbitrary |t| > 3.5), Bonferroni's threshold, the other method's
        threshold (FDR for max-T), a one-sided FDR, a p-value given instead of a t, and
        non-numbers.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=(12, 200))
    >>> y[:, :20] += 1.5
    >>> q = corrected_threshold_exercise(y, "demo", method="fdr")
    >>> print(q.check(3.5).message)
    3.50 is the arbitrary |t| > 3.5 used in many quick looks: an uncorrected threshold with no
    stated error rate. Correct for the 200 voxels tested.
    """
    from scipy import stats

    from course_utils.stats import inference, thresholds

    if method not in ("max-t", "fdr"):
        raise ValueError(f"method must be 'max-t' or 'fdr'; got {method!r}.")
    alpha = float(check_alpha(alpha))
    cache: dict[str, Any] = {}

    def reference() -> dict[str, Any]:
        if cache:
            return cache
        data = scores() if callable(scores) else scores
        t, df = _group_t(data, design, contrast)
        m = t.size
        p = 2 * stats.t.sf(np.abs(t), df)
        cut = thresholds.fdr_threshold(p, alpha)
        fdr = float(np.abs(t)[p <= cut].min()) if cut > 0 else np.inf
        one_sided = stats.t.sf(t, df)
        cut1 = thresholds.fdr_threshold(one_sided, alpha)
        fdr1 = float(t[one_sided <= cut1].min()) if cut1 > 0 else np.inf
        uncorrected = (
            f"an uncorrected threshold: about {alpha * m:.0f} of the {m} voxels "
            "would pass it by chance alone if there were no effect anywhere. "
            "Correct for the number of voxels tested."
        )
        mistakes = [
            (
                3.5,
                f"the arbitrary |t| > 3.5 used in many quick looks: an uncorrected threshold "
                f"with no stated error rate. Correct for the {m} voxels tested.",
            ),
            (
                stats.t.isf(alpha / 2, df),
                f"the threshold of p < {alpha} at each voxel, {uncorrected}",
            ),
            (
                stats.t.isf(alpha, df),
                f"the one-sided threshold of p < {alpha} at each voxel, {uncorrected}",
            ),
            (
                stats.t.isf(0.0005, df),
                "the threshold of p < 0.001 at each voxel (two-sided): "
                "still uncorrected. Correct for the number of voxels.",
            ),
            (
                stats.t.isf(0.001, df),
                "the one-sided threshold of p < 0.001 at each voxel: "
                "still uncorrected. Correct for the number of voxels.",
            ),
            (
                thresholds.bonferroni_threshold(alpha, m, df),
                "Bonferroni's threshold: it controls the family-wise error too, but ignores that "
                "neighbouring voxels are correlated, so it is stricter than it needs to be. This "
                "step asks for "
                + (
                    "the max-T permutation threshold."
                    if method == "max-t"
                    else "the false discovery rate (Benjamini-Hochberg)."
                ),
            ),
            (
                fdr1,
                "the one-sided FDR threshold: the question tests both directions, so each "
                "voxel's p is two-sided.",
            ),
            (cut, "a p-value: give the threshold on the t scale (the smallest |t| that passes)."),
            (alpha, "alpha itself; give the |t| that a voxel must exceed."),
        ]
        if method == "max-t":
            result = inference.permutation_test(data, design, contrast, n_perm=n_perm, seed=seed)
            expected = inference.fwe_threshold(result, alpha)
            mistakes.append(
                (
                    fdr,
                    "the FDR threshold (Benjamini-Hochberg): it controls the "
                    "proportion of false discoveries, not the chance of any. "
                    "This step asks for the max-T FWE threshold.",
                )
            )
            rtol = PERMUTATION_RTOL
        else:
            expected = fdr
            rtol = 1e-4
        mistakes = [
            (float(v), msg)
            for v, msg in mistakes
            if np.isfinite(v) and not np.isclose(v, expected, rtol=rtol)
        ]
        cache.update(expected=float(expected), mistakes=mistakes, rtol=rtol, m=m)
        return cache

    def checker(answer: Any) -> None:
        value = read_number(answer, "the |t| a voxel must exceed", allow_inf=True)
        ref = reference()
        expected, rtol = ref["expected"], ref["rtol"]
        if np.isinf(expected):
            if np.isinf(value) and value > 0:
                return
            raise Incorrect(
                f"{value:.2f} lets voxels through, but no voxel survives this "
                "correction here: the threshold is infinite (np.inf)."
            )
        if value < 0:
            raise Incorrect("a threshold on |t| is positive: the map is tested in both directions.")
        direction = "too low: it lets through" if value < expected else "too high: it misses"
        judge_number(
            value,
            expected,
            [(wrong, f"{value:.2f} is {message}") for wrong, message in ref["mistakes"]],
            lambda _: (
                f"{format_number(value, 2)} is {direction} voxels the correction would keep. "
                f"Use the same data and design as your t-map, a two-sided test and alpha = "
                f"{alpha}."
            ),
            rtol=rtol,
            atol=0.0,
            mistake_rtol=1e-3,
        )

    hints = {
        "max-t": f"inference.permutation_test on the data (and design) of your t-map, with "
        f"n_perm={n_perm} and seed={seed}, then the fwe_threshold({alpha}) of its "
        "result.",
        "fdr": "Each voxel's two-sided p from its t (scipy.stats.t.sf and the degrees of "
        "freedom), then thresholds.fdr_threshold; the threshold on |t| is the smallest "
        "|t| among the voxels that pass.",
    }
    return Exercise(name, checker, hint=hints[method])
