"""Checks of the exercises notebook: the Localizer exercises, each in several steps.

Exercise 1 (seen vs heard) and exercise 2 (numbers vs words) are :func:`localizer_exercise`:
a contrast, a paired t-map, a corrected threshold and a written map. Exercise 3 (men vs women)
is :func:`sex_difference_exercise`: a design, a two-sample t-map, its threshold, a standard
error and the written map. Every expected answer is computed here from the data; the steps use
the checks of the topic notebooks (:mod:`~course_utils.teaching.checks.paired_maps`,
:mod:`~course_utils.teaching.checks.contrasts`, :mod:`~course_utils.teaching.checks.thresholds`,
:mod:`~course_utils.teaching.checks.regression`, :mod:`~course_utils.teaching.checks.power`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from course_utils._utils import load_mask, one_sample_t, voxel_blocks
from course_utils.teaching.checks import contrasts, paired_maps, power, regression, thresholds
from course_utils.teaching.checks.core import Exercise, Incorrect, expect_map

__all__ = [
    "SEX_QUESTION",
    "LocalizerExercise",
    "SexDifferenceExercise",
    "localizer_exercise",
    "sex_difference_exercise",
    "written_map_exercise",
]

#: What ``q.tmap.hint()`` says in exercises 1 and 2.
TMAP_HINT = (
    "A paired test is a one-sample t-test of each subject's difference map. "
    "Row i of both arrays must be the same person: match the two subject "
    "lists with designs.align_subjects before you subtract."
)


def _welch_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Welch's two-sample t of ``a`` minus ``b`` (rows are subjects), voxel by voxel."""
    na, nb = a.shape[0], b.shape[0]
    t = np.empty(a.shape[1])
    for block in voxel_blocks(a.shape[1]):
        xa, xb = a[:, block].astype(np.float64), b[:, block].astype(np.float64)
        se = np.sqrt(xa.var(axis=0, ddof=1) / na + xb.var(axis=0, ddof=1) / nb)
        with np.errstate(divide="ignore", invalid="ignore"):
            t[block] = (xa.mean(axis=0) - xb.mean(axis=0)) / se
    return t


def written_map_exercise(
    expected: Any, output_folder: Any, name: str, *, mask_img: Any
) -> Exercise:
    """Exercise: the student wrote a map to the output folder; check place, grid and values.

    Parameters
    ----------
    expected : array-like, shape (n_voxels,)
        The right values inside the mask (one per voxel).
    output_folder : path
        Where the file must be.
    name : str
        Name of the exercise.
    mask_img : nibabel image or path
        The 3D mask the map's voxels were taken from (its grid is the file's).

    Returns
    -------
    Exercise
        Its answer is the path of the file; a missing file, another folder, an unreadable file,
        another grid, NaN outside the mask and a wrong map get their own messages.

    Examples
    --------
    >>> import tempfile
    >>> import nibabel as nib
    >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), dtype="uint8"), np.eye(4))
    >>> folder = Path(tempfile.mkdtemp())
    >>> q = written_map_exercise([1.0, -2.0], folder, "demo", mask_img=mask)
    >>> path = folder / "t.nii.gz"
    >>> nib.save(nib.Nifti1Image(np.array([[[1.0]], [[-2.0]]]), np.eye(4)), path)
    >>> q.check(path).status, q.check(folder / "other.nii.gz").status
    ('correct', 'incorrect')
    """
    import nibabel as nib

    folder = Path(output_folder).resolve()
    inside, affine = load_mask(mask_img, purpose="Checking a written map")

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
                "with results.save_map or paths.output_dir()."
            )
        try:
            img = nib.load(path)
            values = np.asarray(img.dataobj, dtype=float)
        except Exception as err:  # noqa: BLE001 - any unreadable file is the student's to fix
            raise Incorrect(f"{path.name} is not a readable NIfTI image ({err}).") from None
        if values.shape != inside.shape or not np.allclose(img.affine, affine):
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
    and the written file.

    Parameters
    ----------
    contrast, tmap, file : Exercise
        The checks of the contrast, of the t-map and of the written file.
    threshold : Exercise, optional
        The check of the corrected threshold.

    Returns
    -------
    LocalizerExercise

    Examples
    --------
    >>> q = LocalizerExercise(*(Exercise(part, lambda a: None) for part in "abc"))
    >>> q.tmap.check(1.0).status, q.threshold is None
    ('correct', True)
    """

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
    paired test of the positive conditions against the negative ones
    (:func:`~course_utils.teaching.checks.paired_maps.paired_tmap_exercise`); the threshold is
    max-T FWE for the first question and Benjamini-Hochberg FDR for the second
    (:func:`~course_utils.teaching.checks.thresholds.corrected_threshold_exercise`).

    Parameters
    ----------
    ds : LocalizerData
    question : str
    output_folder : path, optional
        Where the map must be written (default ``paths.output_dir()``).
    minus_subjects : sequence of str, optional
        The subject order of the array of the negative conditions the notebook hands out (to
        recognise rows subtracted by position).
    alpha, n_perm, seed
        Of the corrected threshold.

    Returns
    -------
    LocalizerExercise

    Raises
    ------
    ValueError
        For an unknown question.

    Examples
    --------
    >>> import tempfile
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6, cache=False,
    ...     conditions=["audio_computation", "video_computation", "audio_sentence",
    ...                 "video_sentence"])
    >>> q = localizer_exercise(ds, "numbers_vs_words", tempfile.mkdtemp())
    >>> q.contrast.check({"audio_computation": 1, "video_computation": 1,
    ...                   "audio_sentence": -1, "video_sentence": -1}).status
    'correct'
    """
    from course_utils.config import paths

    if question not in _LOCALIZER_QUESTIONS:
        raise ValueError(f"question must be one of {list(_LOCALIZER_QUESTIONS)}; got {question!r}.")
    spec = _LOCALIZER_QUESTIONS[question]
    weights = {**spec["plus"], **{k: -v for k, v in spec["minus"].items()}}
    title = spec["title"]
    tmap = paired_maps.paired_tmap_exercise(
        ds,
        spec["plus"],
        spec["minus"],
        name=title + " (t-map)",
        minus_subjects=minus_subjects,
        swapped=spec["swapped"],
        hint=TMAP_HINT,
    )
    expected_t = one_sample_t(paired_maps.condition_sum(ds, weights))
    folder = paths.output_dir(create=True) if output_folder is None else output_folder
    method = spec["correction"]
    label = "max-T FWE" if method == "max-t" else "FDR"
    return LocalizerExercise(
        contrast=contrasts.condition_contrast_exercise(
            weights, ds.conditions, title + " (contrast)", mistakes=spec["mistakes"]
        ),
        tmap=tmap,
        file=written_map_exercise(expected_t, folder, title + " (file)", mask_img=ds.mask_img),
        threshold=thresholds.corrected_threshold_exercise(
            lambda: paired_maps.condition_sum(ds, weights),
            f"{title} ({label} threshold)",
            method=method,
            alpha=alpha,
            n_perm=n_perm,
            seed=seed,
        ),
    )


#: The contrast of exercise 3: numbers minus words, over both modalities.
SEX_QUESTION = {
    "audio_computation": 1,
    "video_computation": 1,
    "audio_sentence": -1,
    "video_sentence": -1,
}


@dataclass(frozen=True)
class SexDifferenceExercise:
    """The checks of exercise 3: the design, the t-map (male minus female), its corrected
    threshold, the standard error of a difference in SD units, and the file.

    Parameters
    ----------
    design, tmap, file : Exercise
        The checks of the design, of the t-map and of the written file.
    threshold, se : Exercise, optional
        The checks of the corrected threshold and of the standard error.

    Returns
    -------
    SexDifferenceExercise

    Examples
    --------
    >>> q = SexDifferenceExercise(*(Exercise(part, lambda a: None) for part in "abc"))
    >>> q.design.check([1.0]).status, q.se is None
    ('correct', True)
    """

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

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps, with the four conditions of :data:`SEX_QUESTION`.
    output_folder : path, optional
        Where the map must be written (default: the course's output folder).
    alpha, n_perm, seed
        Of the corrected threshold.

    Returns
    -------
    SexDifferenceExercise

    Examples
    --------
    >>> import tempfile
    >>> from course_utils.experiments import data
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=8, cache=False,
    ...                               conditions=list(SEX_QUESTION))
    >>> q = sex_difference_exercise(ds, tempfile.mkdtemp())
    >>> print(q.se.check(0.3).message)
    0.3000 is too small: the variance of each group's mean is 1 / its size, and the variances
    of independent means add.
    """
    import pandas as pd

    from course_utils.config import paths
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
    scores = paired_maps.condition_sum(ds, SEX_QUESTION, subjects=list(people.index))
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
        (one_sample_t(scores[is_male]), alone.format(who="men")),
        (one_sample_t(scores[~is_male]), alone.format(who="women")),
        (
            glm.regress(expected_design[["male"]], scores, keep_residuals=False).t[0],
            column_only.format(col="male", other="female", who="men", others="women"),
        ),
        (
            glm.regress(expected_design[["female"]], scores, keep_residuals=False).t[0],
            column_only.format(col="female", other="male", who="women", others="men"),
        ),
        (
            one_sample_t(scores),
            "that is the one-sample map of every subject (exercise 2's "
            "test): it has no group in it. Fit the two-group design.",
        ),
        (
            _welch_t(scores[is_male], scores[~is_male]),
            "that is Welch's t (unequal variances); this exercise uses the GLM's pooled-variance "
            "two-sample t.",
        ),
    ]
    folder = paths.output_dir(create=True) if output_folder is None else output_folder
    n_male, n_female = int(is_male.sum()), int((~is_male).sum())

    def tmap_checker(answer: Any) -> None:
        expect_map(
            answer,
            expected_t,
            swapped="the groups are swapped: the question asks for male minus female",
            mistakes=mistakes,
        )

    return SexDifferenceExercise(
        design=regression.two_group_design_exercise(expected_design, title + " (design)"),
        tmap=Exercise(
            title + " (t-map)",
            tmap_checker,
            hint="Fit glm.regress with your design on each subject's numbers-minus-"
            "words map (the subjects of people, in its order), then glm.contrast "
            "with one weight per design column for male minus female.",
        ),
        file=written_map_exercise(expected_t, folder, title + " (file)", mask_img=ds.mask_img),
        threshold=thresholds.corrected_threshold_exercise(
            lambda: paired_maps.condition_sum(ds, SEX_QUESTION, list(people.index)),
            title + " (max-T FWE threshold)",
            method="max-t",
            design=expected_design,
            contrast=[1, -1],
            alpha=alpha,
            n_perm=n_perm,
            seed=seed,
        ),
        se=power.difference_se_exercise(
            n_male, n_female, title + " (standard error of a difference)", labels=("men", "women")
        ),
    )
