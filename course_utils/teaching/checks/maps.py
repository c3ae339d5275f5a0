"""Exercises on group maps: t-maps, written maps, Localizer contrasts and designs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, Incorrect, judge_number
from course_utils.teaching.checks.foundations import expect_contrast


def _as_map(answer: Any, n_voxels: int, what: str) -> np.ndarray:
    """The answer as one float per voxel, or :class:`Incorrect` saying why it is not."""
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            f"{what} should be an array of numbers, one per voxel; got {type(answer).__name__}."
        ) from None
    if got.ndim == 2 and got.shape[0] == 1:
        got = got[0]
    if got.ndim == 3:
        raise Incorrect(
            f"{what} is a 3D volume; give the masked values (one number per voxel "
            f"inside the brain mask, {n_voxels} of them), e.g. the t row of the "
            "fit."
        )
    if got.shape != (n_voxels,):
        raise Incorrect(
            f"{what} has shape {got.shape}; expected ({n_voxels},), one value per "
            "voxel of the mask."
        )
    if np.isnan(got).any():
        raise Incorrect(
            f"{what} has NaN in {int(np.isnan(got).sum())} voxels inside the brain "
            "mask: some input had missing values there."
        )
    return got


def _same_map(got: np.ndarray, want: Any) -> bool:
    want = np.asarray(want, dtype=float)
    return want.shape == got.shape and bool(np.allclose(got, want, rtol=1e-4, atol=1e-6))


def expect_map(
    answer: Any,
    expected: Any,
    what: str = "your t-map",
    swapped: str = "the two conditions (or groups) are swapped",
    mistakes: Sequence[tuple[Any, str]] = (),
    close: str = "",
) -> None:
    """Raise :class:`Incorrect` unless ``answer`` equals the expected map (masked, one per voxel).

    Typical mistakes get their own messages: a 3D volume instead of the masked values, NaN
    values, every sign reversed (``swapped`` says what the student probably swapped), any map
    of ``mistakes`` (pairs of a wrong map, computed from the data, and what it is), and the
    right pattern at the wrong scale (``close`` says what to look at; by default an effect map
    instead of a t-map, say).

    Examples
    --------
    >>> expect_map([1.0, -2.0], [1.0, -2.0])
    >>> expect_map([-1.0, 2.0], [1.0, -2.0])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.Incorrect: every t has the wrong sign: ...
    >>> expect_map([2.0, 0.0], [1.0, -2.0], mistakes=[([2.0, 0.0], "that is the men alone.")])
    Traceback (most recent call last):
    ...
    course_utils.teaching.checks.Incorrect: that is the men alone.
    """
    want = np.asarray(expected, dtype=float)
    got = _as_map(answer, want.size, what)
    if _same_map(got, want):
        return
    if _same_map(got, -want):
        raise Incorrect(f"every t has the wrong sign: {swapped}.")
    for wrong, message in mistakes:
        if _same_map(got, wrong):
            raise Incorrect(message)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.corrcoef(got, want)[0, 1] if got.std() > 0 else 0.0
    if r > 0.9:
        raise Incorrect(
            close
            or f"{what} has the right pattern but not the right values: is it "
            "a t-map (not the mean effect or a z-map), from every subject?"
        )
    raise Incorrect(f"{what} does not match the expected map: check the conditions and the test.")


def group_tmap(
    expected_t: Any,
    name: str,
    solution: str = "",
    swapped: str = "",
    mistakes: Sequence[tuple[Any, str]] = (),
) -> Exercise:
    """Exercise: compute a group t-map equal to ``expected_t``.

    Compute ``expected_t`` inside ``course_utils`` from the data (as :func:`paired_tmap` and
    :func:`localizer_exercise` do), never from a notebook variable a student can edit.
    ``solution`` is accepted for compatibility and ignored (see :class:`Exercise`).

    Examples
    --------
    >>> q = group_tmap(np.array([2.0, -1.0]), "demo")
    >>> [q.check(a).status for a in (..., [-2.0, 1.0], [2.0, -1.0])]
    ['not attempted', 'incorrect', 'correct']
    """
    swap = swapped or "you tested the opposite direction; swap the order of the subtraction"
    return Exercise(
        name,
        lambda answer: expect_map(answer, expected_t, swapped=swap, mistakes=mistakes),
        hint="Fit glm.regress with the design of the test on the subjects x voxels "
        "array, and take the t values of the column (or contrast) asked for.",
    )


def _one_sample_t(scores: Any) -> np.ndarray:
    """One-sample t of every voxel (the intercept of ``designs.one_sample``), via the GLM."""
    from course_utils.stats import designs, glm

    scores = np.asarray(scores)
    return glm.regress(designs.one_sample(scores.shape[0]), scores, keep_residuals=False).t[0]


#: Voxels per block of the checkers' own statistics (bounded float64 temporaries).
_BLOCK = 8192


def _two_sample_t(a: Any, b: Any, welch: bool = False) -> np.ndarray:
    """Two-sample t of ``a`` minus ``b`` (rows are subjects), pooled variance or Welch's."""
    a, b = np.asarray(a), np.asarray(b)
    na, nb = a.shape[0], b.shape[0]
    t = np.empty(a.shape[1])
    for start in range(0, a.shape[1], _BLOCK):
        block = slice(start, start + _BLOCK)
        xa, xb = a[:, block].astype(np.float64), b[:, block].astype(np.float64)
        va, vb = xa.var(axis=0, ddof=1), xb.var(axis=0, ddof=1)
        if welch:
            se = np.sqrt(va / na + vb / nb)
        else:
            se = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2) * (1 / na + 1 / nb))
        with np.errstate(divide="ignore", invalid="ignore"):
            t[block] = (xa.mean(axis=0) - xb.mean(axis=0)) / se
    return t


def _summed(ds: Any, weights: Any, subjects: Any = None) -> np.ndarray:
    """``sum_c w_c * ds.array(c)`` in float32, with one map-sized temporary at a time.

    ``ds.contrast`` accumulates in float64 (exact to float32 rounding); this is the same up to
    float32 rounding, and keeps a checker's memory small for a large class.
    """
    weights = weights if isinstance(weights, dict) else {weights: 1.0}
    out = None
    for condition, weight in weights.items():
        values = ds.array(condition, subjects)
        if out is None:
            out = values * np.float32(weight)
        else:
            out += values * np.float32(weight)
    return out


def _describe(part: Any) -> str:
    if isinstance(part, str):
        return part
    return " + ".join(sorted(part))


def paired_tmap(
    ds: Any,
    plus: Any,
    minus: Any,
    name: str,
    *,
    plus_subjects: Any = None,
    minus_subjects: Any = None,
    swapped: str = "",
) -> Exercise:
    """Exercise: the paired t-map of ``plus`` minus ``minus``, subjects matched by ID.

    The expected map is computed here from ``ds`` (a
    ``course_utils.experiments.data.LocalizerData``): the
    one-sample t of each subject's ``plus`` map minus the same subject's ``minus`` map.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps.
    plus, minus : str or dict
        A condition, or a ``{condition: weight}`` sum of conditions (``ds.contrast``).
    name : str
        Name of the exercise.
    plus_subjects, minus_subjects : sequence of str, optional
        The subject order of the arrays the student was given for ``plus`` and ``minus``
        (``ds.subjects`` when None). When they differ, the map of the rows subtracted by
        position (different people) gets its own message.
    swapped : str
        What the student swapped when every sign is reversed.

    Returns
    -------
    Exercise
        Recognises: rows subtracted by position when the two lists are in different subject
        orders; a two-sample test of the two maps (ignores the pairing); the one-sample map of
        ``plus`` alone; the opposite direction. Non-numeric answers are incorrect, never an
        error.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6, cache=False,
    ...                               conditions=["audio_left_hand", "video_left_hand"])
    >>> order = ds.subjects[::-1]                           # the second list, in another order
    >>> q = paired_tmap(ds, "video_left_hand", "audio_left_hand", "demo", minus_subjects=order)
    >>> seen, heard = ds.array("video_left_hand"), ds.array("audio_left_hand", subjects=order)
    >>> print(q.check(_one_sample_t(seen - heard)).message)   # rows are not the same people
    you subtracted rows that are not the same subject: the two arrays list the subjects in
    different orders. Match them by subject ID first (designs.align_subjects), then subtract.
    >>> q.check(_one_sample_t(seen - ds.array("audio_left_hand"))).status
    'correct'
    """
    a_ref, b_ref = _summed(ds, plus), _summed(ds, minus)  # rows in ds.subjects order
    expected = _one_sample_t(a_ref - b_ref)
    mistakes: list[tuple[Any, str]] = []
    subjects = list(ds.subjects)
    a_rows = subjects if plus_subjects is None else list(plus_subjects)
    b_rows = subjects if minus_subjects is None else list(minus_subjects)
    if a_rows != b_rows and len(a_rows) == len(b_rows):
        index = {s: k for k, s in enumerate(subjects)}
        by_position = a_ref[[index[s] for s in a_rows]] - b_ref[[index[s] for s in b_rows]]
        unaligned = _one_sample_t(by_position)
        message = (
            "you subtracted rows that are not the same subject: the two arrays list the "
            "subjects in different orders. Match them by subject ID first "
            "(designs.align_subjects), then subtract."
        )
        mistakes += [
            (unaligned, message),
            (-unaligned, message + " (And the direction is reversed.)"),
        ]
    two_sample = (
        "that is a two-sample test, which treats the two maps as if they came from "
        "different people. Every subject has both, so the test is paired: test each "
        "subject's difference map with a one-sample t-test."
    )
    mistakes += [
        (_two_sample_t(a_ref, b_ref), two_sample),
        (-_two_sample_t(a_ref, b_ref), two_sample + " (And the direction is reversed.)"),
        (
            _one_sample_t(a_ref),
            f"that is the one-sample map of {_describe(plus)} alone; "
            f"subtract {_describe(minus)}, subject by subject.",
        ),
    ]
    swap = swapped or "you tested the opposite direction; swap the order of the subtraction"
    close = (
        "your t-map has the right pattern but not the right values: is it the t-map of "
        "each subject's difference, with the two maps of a subject matched by subject ID "
        "(not by position), from every subject?"
    )

    def checker(answer: Any) -> None:
        expect_map(answer, expected, swapped=swap, mistakes=mistakes, close=close)

    return Exercise(
        name,
        checker,
        hint="A paired test is a one-sample t-test of each subject's difference map. "
        "Row i of both arrays must be the same person: match the two subject "
        "lists with designs.align_subjects before you subtract.",
    )


def _weights_vector(answer: Any, conditions: Any) -> np.ndarray:
    """A contrast given as a dict of condition: weight, or as one weight per condition."""
    import difflib

    names = list(conditions)
    if isinstance(answer, dict):
        vector = np.zeros(len(names))
        for name, weight in answer.items():
            if name not in names:
                lower = {n.lower(): n for n in names}
                close = difflib.get_close_matches(str(name).lower(), list(lower), n=1)
                hint = f" Did you mean {lower[close[0]]!r}?" if close else ""
                raise Incorrect(
                    f"{name!r} is not a condition of this data set.{hint} The "
                    f"conditions are {names}."
                )
            try:
                vector[names.index(name)] = float(weight)
            except (TypeError, ValueError):
                raise Incorrect(
                    f"the weight of {name!r} should be a number, like 1 or -0.5; got {weight!r}."
                ) from None
        return vector
    if isinstance(answer, str):
        raise Incorrect("give the contrast as a dictionary {condition: weight}, not as text.")
    try:
        return np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Incorrect(
            "give the contrast as a dictionary {condition: weight} (or one number "
            f"per condition); got {type(answer).__name__}."
        ) from None


def _proportional(got: np.ndarray, want: np.ndarray) -> bool:
    """True when ``got`` is ``want`` times a positive number."""
    if got.shape != want.shape or not want.any():
        return False
    scale = float(got @ want) / float(want @ want)
    return scale > 0 and bool(
        np.allclose(got, scale * want, rtol=1e-6, atol=1e-9 * np.abs(got).max())
    )


def condition_contrast(
    expected: dict[str, float],
    conditions: Any,
    name: str,
    solution: str = "",
    mistakes: Sequence[tuple[dict, str]] = (),
) -> Exercise:
    """Exercise: a contrast over conditions, as ``{condition: weight}`` (or one weight each).

    Any positive rescaling is right (a sum or a mean of conditions); see :func:`expect_contrast`.
    ``mistakes`` pairs plausible wrong contrasts (up to a positive scale) with their messages.
    ``solution`` is accepted for compatibility and ignored.

    Examples
    --------
    >>> q = condition_contrast({"a": 1, "b": -1}, ["a", "b", "c"], "demo")
    >>> [q.check(x).status for x in (..., {"a": 1}, {"a": 2, "b": -2})]
    ['not attempted', 'incorrect', 'correct']
    >>> q.check({"A": 1, "b": -1}).message
    "'A' is not a condition of this data set. Did you mean 'a'? The conditions are ['a', 'b', 'c']."
    >>> q.check({"a": "one", "b": -1}).message
    "the weight of 'a' should be a number, like 1 or -0.5; got 'one'."
    """
    want = _weights_vector(expected, conditions)
    wrong = [(_weights_vector(weights, conditions), message) for weights, message in mistakes]

    def checker(answer: Any) -> None:
        got = _weights_vector(answer, conditions)
        for vector, message in wrong:
            if _proportional(got, vector):
                raise Incorrect(message)
        expect_contrast(got, want, names=list(conditions))

    return Exercise(
        name,
        checker,
        hint="Give +1 (or +1/k) to each condition of the first kind and -1 (or -1/k) to each of "
        "the second, so that the weights sum to zero.",
    )


def written_map(
    expected: Any, mask_img: Any, output_folder: Any, name: str, solution: str = ""
) -> Exercise:
    """Exercise: the student wrote a map to the output folder; check place, grid and values.

    ``expected`` holds the right values inside the mask (one per voxel). ``solution`` is
    accepted for compatibility and ignored.
    """
    from pathlib import Path

    import nibabel as nib

    folder = Path(output_folder).resolve()
    inside = np.asarray(mask_img.dataobj) > 0

    def checker(answer: Any) -> None:
        if not isinstance(answer, str | Path):
            raise Incorrect(
                f"give the path of the file you wrote (what results.save_map "
                f"returns), not a {type(answer).__name__}."
            )
        path = Path(answer)
        if not path.exists():
            raise Incorrect(f"there is no file {path}: did the cell that writes it run?")
        if path.resolve().parent != folder:
            raise Incorrect(
                f"the file is not in the output folder ({folder}); write it there "
                "with results.save_map or config.output_dir()."
            )
        try:
            img = nib.load(path)
            values = np.asarray(img.dataobj, dtype=float)
        except Exception as err:  # noqa: BLE001 - any unreadable file is the student's to fix
            raise Incorrect(f"{path.name} is not a readable NIfTI image ({err}).") from None
        if values.shape != inside.shape or not np.allclose(img.affine, mask_img.affine):
            raise Incorrect(
                f"the map is on another grid ({values.shape}) than the data "
                f"({inside.shape}); write the image that ds.to_image returns."
            )
        if np.isnan(values[~inside]).any():
            raise Incorrect(
                "the map has NaN outside the brain mask: fill the outside with 0 "
                "(ds.to_image does) so that viewers show it correctly."
            )
        expect_map(values[inside], expected, what="the map in the file")

    return Exercise(
        name,
        checker,
        hint="results.save_map(ds.to_image(t_map), 'a_clear_name', "
        "NOTEBOOK) writes to the output folder and returns the "
        "path.",
    )


def _design_values(answer: Any) -> np.ndarray:
    """The answer as a float (n, k) array, or :class:`Incorrect` saying why it is not."""
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            "the design should be a table of numbers (a DataFrame or array). If it "
            "holds text such as 'M' and 'F', code each group with numbers: 1 for "
            "its members, 0 for the others."
        ) from None
    if got.ndim == 1:
        got = got[:, None]
    return got


def two_group_design(expected: Any, name: str, solution: str = "") -> Exercise:
    """Exercise: a two-group second-level design (one row per subject, in the data's order).

    Any full-rank design that spans the same two group means is right (one column per group,
    or an intercept plus a +1/-1 or 0/1 group column). ``expected`` has one indicator column
    per group (first group first). ``solution`` is accepted for compatibility and ignored.

    Recognised mistakes: text instead of numbers; one column per subject; an intercept alone;
    one group's 0/1 column alone (no intercept and no column for the other group); a +1/-1
    column alone; linearly dependent columns; the right groups in the wrong row order.

    Examples
    --------
    >>> import pandas as pd
    >>> want = pd.DataFrame({"M": [1, 1, 0, 0], "F": [0, 0, 1, 1]})
    >>> q = two_group_design(want, "demo")
    >>> q.check(pd.DataFrame({"one": [1] * 4, "m_vs_f": [1, 1, -1, -1]})).status
    'correct'
    >>> q.check(np.eye(4)).message.startswith("your design has one column per subject")
    True
    >>> print(q.check(pd.DataFrame({"male": [1, 1, 0, 0]})).message)
    your design has a 0/1 column for the M group alone, with no intercept and no column for the
    F group: its model forces the mean of the F group to 0, so its t tests the M group against
    zero. Add a column for the F group (or an intercept).
    """
    import pandas as pd

    want = np.asarray(expected, dtype=float)
    first = want[:, 0]
    groups = (
        [f"the {c} group" for c in expected.columns[:2]]
        if isinstance(expected, pd.DataFrame)
        else ["the first group", "the second group"]
    )

    def checker(answer: Any) -> None:
        got = _design_values(answer)
        if got.ndim != 2 or got.shape[0] != want.shape[0]:
            raise Incorrect(
                f"your design has {got.shape[0] if got.ndim else 0} rows; it needs "
                f"one row per subject ({want.shape[0]})."
            )
        if not np.isfinite(got).all():
            raise Incorrect(
                "your design has NaN or infinite values: every subject needs a "
                "number in every column."
            )
        n = got.shape[0]
        indicator = np.isin(got, (0.0, 1.0)).all(axis=0)
        if got.shape[1] == n and indicator.all():
            raise Incorrect(
                "your design has one column per subject but no group or condition "
                "column: that is the paired design's subject part. Here each subject "
                "has one value; code the two groups instead."
            )
        if got.shape[1] == 1:
            column = got[:, 0]
            if np.ptp(column) == 0:
                raise Incorrect(
                    "your design is one constant column (an intercept) alone: the "
                    "one-sample design, which tests the mean of everyone. Add the "
                    "groups: one 0/1 column per group."
                )
            for group, other, values in ((*groups, first), (*groups[::-1], 1 - first)):
                if np.allclose(column, values):
                    raise Incorrect(
                        f"your design has a 0/1 column for {group} alone, with no "
                        f"intercept and no column for {other}: its model forces "
                        f"the mean of {other} to 0, so its t tests {group} against "
                        f"zero. Add a column for {other} (or an intercept)."
                    )
            plus_minus = np.where(first > 0, 1.0, -1.0)
            if np.allclose(column, plus_minus) or np.allclose(column, -plus_minus):
                raise Incorrect(
                    "your design is a +1/-1 group column alone, without an intercept: "
                    "it forces the two group means to be opposite numbers. Add a "
                    "column of ones."
                )
        if np.linalg.matrix_rank(got) < got.shape[1]:
            raise Incorrect(
                "your design's columns are linearly dependent (an intercept plus a "
                "column for each group?); drop one of them."
            )
        projection = got @ np.linalg.lstsq(got, want, rcond=None)[0]
        if got.shape[1] != want.shape[1] or not np.allclose(projection, want, atol=1e-8):
            if (
                got.shape[1] == want.shape[1]
                and indicator.all()
                and sorted(got.sum(axis=0)) == sorted(want.sum(axis=0))
            ):
                raise Incorrect(
                    "your design has as many subjects in each group as the data, but "
                    "not in the order of the subjects: build it from the sex column "
                    "of the participants table, row by row, without sorting."
                )
            raise Incorrect(
                "your design does not separate the two groups as the question asks: "
                "build it from the sex column of the participants table, in the "
                "order of the subjects."
            )

    return Exercise(
        name,
        checker,
        hint="One column per group, with 1 for the subjects of that "
        "group and 0 otherwise, rows in the order of the "
        "participants table.",
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


def corrected_threshold(
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
    >>> q = corrected_threshold(y, "demo", method="fdr")
    >>> print(q.check(3.5).message)
    3.50 is the arbitrary |t| > 3.5 used in many quick looks: an uncorrected threshold with no
    stated error rate. Correct for the 200 voxels tested.
    """
    from scipy import stats

    from course_utils.stats import inference

    if method not in ("max-t", "fdr"):
        raise ValueError(f"method must be 'max-t' or 'fdr'; got {method!r}.")
    cache: dict[str, Any] = {}

    def reference() -> dict[str, Any]:
        if cache:
            return cache
        data = scores() if callable(scores) else scores
        t, df = _group_t(data, design, contrast)
        m = t.size
        p = 2 * stats.t.sf(np.abs(t), df)
        cut = inference.fdr_threshold(p, alpha)
        fdr = float(np.abs(t)[p <= cut].min()) if cut > 0 else np.inf
        one_sided = stats.t.sf(t, df)
        cut1 = inference.fdr_threshold(one_sided, alpha)
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
                inference.bonferroni_threshold(alpha, m, df),
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
        if isinstance(answer, bool | str) or np.ndim(answer) != 0:
            raise Incorrect(
                "give one number (not text or a list): the |t| a voxel must exceed "
                "to survive the correction."
            )
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Incorrect(
                f"give one number, the |t| threshold; got {type(answer).__name__}."
            ) from None
        ref = reference()
        expected, rtol = ref["expected"], ref["rtol"]
        if np.isinf(expected):
            if np.isinf(value) and value > 0:
                return
            raise Incorrect(
                f"{value:.2f} lets voxels through, but no voxel survives this "
                "correction here: the threshold is infinite (np.inf)."
            )
        if np.isnan(value):
            raise Incorrect("your threshold is NaN.")
        if value < 0:
            raise Incorrect("a threshold on |t| is positive: the map is tested in both directions.")
        distance = abs(value - expected) / expected
        near = [
            (abs(value - wrong) / max(abs(wrong), 1e-12), message)
            for wrong, message in ref["mistakes"]
        ]
        closest = min(near, default=(np.inf, ""))
        if distance <= rtol and distance <= closest[0]:
            return
        if closest[0] <= 1e-3:
            raise Incorrect(f"{value:.2f} is {closest[1]}")
        direction = "too low: it lets through" if value < expected else "too high: it misses"
        raise Incorrect(
            f"{value:.2f} is {direction} voxels the correction would keep. Use the "
            "same data and design as your t-map, a two-sided test and alpha = "
            f"{alpha}."
        )

    hints = {
        "max-t": f"inference.permutation_test on the data (and design) of your t-map, with "
        f"n_perm={n_perm} and seed={seed}, then the fwe_threshold({alpha}) of its "
        "result.",
        "fdr": "Each voxel's two-sided p from its t (scipy.stats.t.sf and the degrees of "
        "freedom), then inference.fdr_threshold; the threshold on |t| is the smallest "
        "|t| among the voxels that pass.",
    }
    return Exercise(name, checker, hint=hints[method])


def difference_se(
    n1: int, n2: int, name: str, labels: tuple[str, str] = ("group 1", "group 2")
) -> Exercise:
    """Exercise: the standard error of a difference of two group means, in SD units.

    ``sqrt(1/n1 + 1/n2)``: the standard deviation of ``mean1 - mean2`` when each value has
    standard deviation 1. Cohen's d divided by it is the expected t of a two-sample test.

    Examples
    --------
    >>> q = difference_se(15, 15, "demo", ("men", "women"))
    >>> q.check((2 / 15) ** 0.5).status
    'correct'
    >>> print(q.check(2 / 15).message)
    that is the variance of the difference (1/n_men + 1/n_women); the standard error is its
    square root.
    """
    first, second = labels
    expected = np.sqrt(1 / n1 + 1 / n2)
    n = n1 + n2
    mistakes = [
        (
            1 / n1 + 1 / n2,
            f"that is the variance of the difference (1/n_{first} + "
            f"1/n_{second}); the standard error is its square root.",
        ),
        (
            1 / np.sqrt(n),
            f"that is the standard error of one mean of all {n} subjects; a "
            "difference between two groups adds the variances of the two group "
            "means.",
        ),
        (
            np.sqrt(1 / n1) + np.sqrt(1 / n2),
            "you added the two standard errors; add the variances, then take the square root.",
        ),
        (
            np.sqrt(2 / n),
            "you used the whole class for each group: each group has only its "
            f"own subjects ({n1} and {n2}).",
        ),
        (1 / np.sqrt(n1), f"that is the standard error of the {first}'s mean alone."),
        (1 / np.sqrt(n2), f"that is the standard error of the {second}'s mean alone."),
    ]
    mistakes = [(v, m) for v, m in mistakes if not np.isclose(v, expected, rtol=2e-3)]

    def checker(answer: Any) -> None:
        if isinstance(answer, bool | str) or np.ndim(answer) != 0:
            raise Incorrect(
                "give one number (not text or a list): the standard error in units "
                "of the standard deviation."
            )
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Incorrect(f"give one number; got {type(answer).__name__}.") from None
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{value:.4f} is {direction}: the variance of each group's mean is 1 / its size, "
                "and the variances of independent means add."
            ),
            rtol=2e-3,
        )

    return Exercise(
        name,
        checker,
        hint="Each group mean has variance 1 / (its group size) in SD units; the "
        "variance of a difference of independent means is the sum of theirs.",
    )


_LOCALIZER_QUESTIONS = {
    "visual_vs_auditory": {
        "title": "Exercise 1: seen vs heard",
        "plus": {
            "video_computation": 1,
            "video_left_hand": 1,
            "video_right_hand": 1,
            "video_sentence": 1,
        },
        "minus": {
            "audio_computation": 1,
            "audio_left_hand": 1,
            "audio_right_hand": 1,
            "audio_sentence": 1,
        },
        "swapped": "you computed heard minus seen",
        "correction": "max-t",
        "mistakes": [
            (
                {
                    "video_left_hand": 1,
                    "video_right_hand": 1,
                    "audio_left_hand": -1,
                    "audio_right_hand": -1,
                },
                "you used the button-press instructions (*_hand) only; the question compares all "
                "four kinds of trial (subtractions, sentences and both hands) seen vs heard.",
            ),
        ],
    },
    "numbers_vs_words": {
        "title": "Exercise 2: numbers vs words",
        "plus": {"audio_computation": 1, "video_computation": 1},
        "minus": {"audio_sentence": 1, "video_sentence": 1},
        "swapped": "you computed words minus numbers",
        "correction": "fdr",
        "mistakes": [
            (
                {"video_computation": 1, "video_sentence": -1},
                "you used the written (video) trials only; use both presentation modes, so that "
                "seeing vs hearing cancels out.",
            ),
            (
                {"audio_computation": 1, "audio_sentence": -1},
                "you used the spoken (audio) trials only; use both presentation modes, so that "
                "seeing vs hearing cancels out.",
            ),
        ],
    },
}


@dataclass(frozen=True)
class LocalizerExercise:
    """The checks of one Localizer exercise: the contrast, the t-map, the corrected threshold
    and the written file."""

    contrast: Exercise
    tmap: Exercise
    file: Exercise
    threshold: Exercise | None = field(default=None)


def localizer_exercise(
    ds: Any,
    question: str,
    output_folder: Any = None,
    *,
    minus_subjects: Any = None,
    alpha: float = 0.05,
    n_perm: int = 1000,
    seed: int = 0,
) -> LocalizerExercise:
    """Checks of exercise ``question`` ("visual_vs_auditory" or "numbers_vs_words").

    Every expected answer is computed from ``ds`` (a
    ``course_utils.experiments.data.LocalizerData``), so it
    is right for any number of subjects and for the real data or the stand-in: the t-map is the
    paired test of the positive conditions against the negative ones (:func:`paired_tmap`); the
    threshold is max-T FWE for the first question and Benjamini-Hochberg FDR for the second
    (:func:`corrected_threshold`).

    Parameters
    ----------
    ds : LocalizerData
    question : str
    output_folder : path, optional
        Where the map must be written (default ``config.output_dir()``).
    minus_subjects : sequence of str, optional
        The subject order of the array of the negative conditions the notebook hands out (to
        recognise rows subtracted by position).
    alpha, n_perm, seed
        Of the corrected threshold.
    """
    from course_utils import config

    if question not in _LOCALIZER_QUESTIONS:
        raise ValueError(f"question must be one of {list(_LOCALIZER_QUESTIONS)}; got {question!r}.")
    spec = _LOCALIZER_QUESTIONS[question]
    weights = {**spec["plus"], **{k: -v for k, v in spec["minus"].items()}}
    title = spec["title"]
    tmap = paired_tmap(
        ds,
        spec["plus"],
        spec["minus"],
        title + " (t-map)",
        minus_subjects=minus_subjects,
        swapped=spec["swapped"],
    )
    expected_t = _one_sample_t(_summed(ds, weights))
    folder = config.output_dir(create=True) if output_folder is None else output_folder
    method = spec["correction"]
    label = "max-T FWE" if method == "max-t" else "FDR"
    return LocalizerExercise(
        contrast=condition_contrast(
            weights, ds.conditions, title + " (contrast)", mistakes=spec["mistakes"]
        ),
        tmap=tmap,
        file=written_map(expected_t, ds.mask_img, folder, title + " (file)"),
        threshold=corrected_threshold(
            lambda: _summed(ds, weights),
            f"{title} ({label} threshold)",
            method=method,
            alpha=alpha,
            n_perm=n_perm,
            seed=seed,
        ),
    )


SEX_QUESTION = {
    "audio_computation": 1,
    "video_computation": 1,
    "audio_sentence": -1,
    "video_sentence": -1,
}


@dataclass(frozen=True)
class SexDifferenceExercise:
    """The checks of exercise 3: the design, the t-map (male minus female), its corrected
    threshold, the standard error of a difference in SD units, and the file."""

    design: Exercise
    tmap: Exercise
    file: Exercise
    threshold: Exercise | None = field(default=None)
    se: Exercise | None = field(default=None)


def sex_difference_exercise(
    ds: Any, output_folder: Any = None, *, alpha: float = 0.05, n_perm: int = 1000, seed: int = 0
) -> SexDifferenceExercise:
    """Checks of exercise 3: men vs women on arithmetic minus reading.

    The test is a two-sample t-test of each subject's computation-minus-sentence score, male
    minus female, over the subjects whose sex is known (``ds.covariates("sex")``, in the order
    of ``ds.subjects``); its threshold is max-T FWE (Freedman-Lane permutations). The group
    sizes come from the same table. On data without sexes (the DartBrains copy), or with one
    sex only, every check says so instead of judging (:meth:`Exercise.unavailable`).

    The t-map check recognises a one-sample test of the men (or the women) alone, a design with
    only a ``male`` (or ``female``) 0/1 column, the one-sample map of everyone, Welch's t and
    the opposite direction.
    """
    import pandas as pd

    from course_utils import config
    from course_utils.stats import glm

    title = "Exercise 3: men vs women, numbers minus words"
    parts = ("design", "t-map", "file", "threshold", "standard error")
    people = ds.covariates("sex", verbose=False)
    sexes = set() if people is None else set(people["sex"])
    if sexes != {"F", "M"}:
        reason = (
            f"{ds.source} has no sex for its subjects"
            if people is None
            else f"{ds.source} has only {'/'.join(sorted(sexes)) or 'no'} subjects"
        )
        reason += (
            ", so this exercise cannot run on it (it runs on the nilearn copy and the stand-in)."
        )
        return SexDifferenceExercise(
            *(Exercise.unavailable(f"{title} ({part})", reason) for part in parts)
        )
    is_male = people["sex"].to_numpy() == "M"
    male = is_male.astype(float)
    expected_design = pd.DataFrame({"male": male, "female": 1.0 - male})
    scores = _summed(ds, SEX_QUESTION, subjects=list(people.index))
    fit = glm.regress(expected_design, scores, keep_residuals=False)
    expected_t = glm.contrast(fit, [1, -1]).t
    alone = (
        "that is a one-sample test of the {who} alone: it asks whether their effect "
        "differs from zero, not whether men and women differ. Fit the two-group design to "
        "every subject and test male minus female."
    )
    column_only = (
        "that is the t of a design with only a `{col}` 0/1 column, without an "
        "intercept or a `{other}` column: it tests the {who}'s mean against zero, "
        "with the {others}' mean forced to 0. Use one column per group (or an "
        "intercept plus a group column) and the contrast male minus female."
    )
    mistakes = [
        (_one_sample_t(scores[is_male]), alone.format(who="men")),
        (_one_sample_t(scores[~is_male]), alone.format(who="women")),
        (
            glm.regress(expected_design[["male"]], scores, keep_residuals=False).t[0],
            column_only.format(col="male", other="female", who="men", others="women"),
        ),
        (
            glm.regress(expected_design[["female"]], scores, keep_residuals=False).t[0],
            column_only.format(col="female", other="male", who="women", others="men"),
        ),
        (
            _one_sample_t(scores),
            "that is the one-sample map of every subject (exercise 2's "
            "test): it has no group in it. Fit the two-group design.",
        ),
        (
            _two_sample_t(scores[is_male], scores[~is_male], welch=True),
            "that is Welch's t (unequal variances); this exercise uses the GLM's pooled-variance "
            "two-sample t.",
        ),
    ]
    folder = config.output_dir(create=True) if output_folder is None else output_folder
    n_male, n_female = int(is_male.sum()), int((~is_male).sum())

    def tmap_checker(answer: Any) -> None:
        expect_map(
            answer,
            expected_t,
            swapped="the groups are swapped: the question asks for male minus female",
            mistakes=mistakes,
        )

    return SexDifferenceExercise(
        design=two_group_design(expected_design, title + " (design)"),
        tmap=Exercise(
            title + " (t-map)",
            tmap_checker,
            hint="Fit glm.regress with your design on each subject's numbers-minus-"
            "words map (the subjects of people, in its order), then glm.contrast "
            "with one weight per design column for male minus female.",
        ),
        file=written_map(expected_t, ds.mask_img, folder, title + " (file)"),
        threshold=corrected_threshold(
            lambda: _summed(ds, SEX_QUESTION, list(people.index)),
            title + " (max-T FWE threshold)",
            method="max-t",
            design=expected_design,
            contrast=[1, -1],
            alpha=alpha,
            n_perm=n_perm,
            seed=seed,
        ),
        se=difference_se(
            n_male, n_female, title + " (standard error of a difference)", labels=("men", "women")
        ),
    )


def peak_cohens_d(ds: Any, condition: str) -> Exercise:
    """Exercise of the covariates-and-effect-sizes notebook: Cohen's d at the peak of a map.

    The expected answer is computed here from the data (the one-sample t-map of ``condition``),
    never from a variable of the notebook: Cohen's d of the voxel with the largest t,
    ``mean / sd`` (``ddof=1``), which is ``t / sqrt(n)``.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps.
    condition : str
        The condition whose one-sample map is asked about.

    Returns
    -------
    Exercise
        Recognises the t value itself, ``t / n``, the unstandardised mean, the population SD
        (``ddof=0``) and a sign error; otherwise says how far off and in which direction.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6, conditions=["audio_left_hand"],
    ...                               cache=False)
    >>> q = peak_cohens_d(ds, "audio_left_hand")
    >>> y = ds.array("audio_left_hand").astype(float)
    >>> t = y.mean(0) / (y.std(0, ddof=1) / np.sqrt(6))
    >>> print(q.check(t.max()).message)
    that is the t value at the peak; Cohen's d does not grow with the number of subjects:
    divide t by the square root of n.
    >>> q.check(t.max() / np.sqrt(6)).status
    'correct'
    """
    values = ds.array(condition).astype(np.float64)
    n = values.shape[0]
    mean = values.mean(axis=0)
    sd = values.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sd > 0, mean / (sd / np.sqrt(n)), 0.0)
    peak = int(np.argmax(t))
    expected = t[peak] / np.sqrt(n)
    mistakes = [
        (
            t[peak],
            "that is the t value at the peak; Cohen's d does not grow with the number of "
            "subjects: divide t by the square root of n.",
        ),
        (t[peak] / n, "you divided t by n; Cohen's d is t divided by the square root of n."),
        (
            mean[peak],
            "that is the mean beta at the peak, in the maps' units; Cohen's d divides it "
            "by the standard deviation across subjects.",
        ),
        (
            mean[peak] / values[:, peak].std(ddof=0),
            "close: you used the population standard deviation (ddof=0); use ddof=1, as t does.",
        ),
        (-expected, "the sign is flipped: the peak of the map is a positive effect."),
    ]

    def checker(answer: Any) -> None:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Incorrect(
                "the answer should be one number (Cohen's d at the peak); got "
                f"{type(answer).__name__}."
            ) from None
        judge_number(
            value,
            expected,
            mistakes,
            lambda direction: (
                f"{value:.3f} is {direction}; is it taken at the voxel with the largest t, and "
                "standardised by the spread across subjects?"
            ),
            rtol=1e-4,
        )

    return Exercise(
        f"Effect size at the peak of {condition}",
        checker,
        hint="Cohen's d of a one-sample test is t / sqrt(n); the peak is the voxel "
        "with the largest t.",
    )
