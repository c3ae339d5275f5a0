"""Exercises on group maps: t-maps, written maps, Localizer contrasts and designs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils.checks.core import Exercise, Incorrect
from course_utils.checks.foundations import expect_contrast


def expect_map(answer: Any, expected: Any, what: str = "your t-map",
               swapped: str = "the two conditions (or groups) are swapped") -> None:
    """Raise :class:`Incorrect` unless ``answer`` equals the expected map (masked, one per voxel).

    Typical mistakes get their own messages: a 3D volume instead of the masked values, NaN
    values, every sign reversed (``swapped`` says what the student probably swapped), and the
    right pattern at the wrong scale (an effect map instead of a t-map, say).

    Examples
    --------
    >>> expect_map([1.0, -2.0], [1.0, -2.0])
    >>> expect_map([-1.0, 2.0], [1.0, -2.0])
    Traceback (most recent call last):
    ...
    course_utils.checks.Incorrect: every t has the wrong sign: ...
    """
    want = np.asarray(expected, dtype=float)
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be an array of numbers, one per voxel; got "
                        f"{type(answer).__name__}.") from None
    if got.ndim == 2 and got.shape[0] == 1:
        got = got[0]
    if got.ndim == 3:
        raise Incorrect(f"{what} is a 3D volume; give the masked values (one number per voxel "
                        f"inside the brain mask, {want.size} of them), e.g. the t row of the "
                        "fit.")
    if got.shape != want.shape:
        raise Incorrect(f"{what} has shape {got.shape}; expected {want.shape}, one value per "
                        "voxel of the mask.")
    if np.isnan(got).any():
        raise Incorrect(f"{what} has NaN in {int(np.isnan(got).sum())} voxels inside the brain "
                        "mask: some input had missing values there.")
    if np.allclose(got, want, rtol=1e-4, atol=1e-6):
        return
    if np.allclose(got, -want, rtol=1e-4, atol=1e-6):
        raise Incorrect(f"every t has the wrong sign: {swapped}.")
    if np.corrcoef(got, want)[0, 1] > 0.9:
        raise Incorrect(f"{what} has the right pattern but not the right values: is it a t-map "
                        "(not the mean effect or a z-map), from every subject?")
    raise Incorrect(f"{what} does not match the expected map: check the conditions and the test.")


def group_tmap(expected_t: Any, name: str, solution: str, swapped: str = "") -> Exercise:
    """Exercise: compute a group t-map; ``expected_t`` is computed from the loaded data.

    Examples
    --------
    >>> q = group_tmap(np.array([2.0, -1.0]), "demo", solution="t = fit.t[0]")
    >>> [q.check(a).status for a in (..., [-2.0, 1.0], [2.0, -1.0])]
    ['not attempted', 'incorrect', 'correct']
    """
    swap = swapped or "you tested the opposite direction; swap the order of the subtraction"
    return Exercise(name, lambda answer: expect_map(answer, expected_t, swapped=swap),
                    hint="Fit glm.regress with the design of the test on the subjects x voxels "
                         "array, and take the t values of the column (or contrast) asked for.",
                    solution=solution)




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
                raise Incorrect(f"{name!r} is not a condition of this data set.{hint} The "
                                f"conditions are {names}.")
            vector[names.index(name)] = float(weight)
        return vector
    return np.asarray(answer, dtype=float).ravel() if not isinstance(answer, str) else answer


def condition_contrast(expected: dict[str, float], conditions: Any, name: str,
                       solution: str) -> Exercise:
    """Exercise: a contrast over conditions, as ``{condition: weight}`` (or one weight each).

    Any positive rescaling is right (a sum or a mean of conditions); see :func:`expect_contrast`.

    Examples
    --------
    >>> q = condition_contrast({"a": 1, "b": -1}, ["a", "b", "c"], "demo", "{'a': 1, 'b': -1}")
    >>> [q.check(x).status for x in (..., {"a": 1}, {"a": 2, "b": -2})]
    ['not attempted', 'incorrect', 'correct']
    >>> q.check({"A": 1, "b": -1}).message
    "'A' is not a condition of this data set. Did you mean 'a'? The conditions are ['a', 'b', 'c']."
    """
    want = _weights_vector(expected, conditions)
    return Exercise(
        name,
        lambda answer: expect_contrast(_weights_vector(answer, conditions), want,
                                       names=list(conditions)),
        hint="Give +1 (or +1/k) to each condition of the first kind and -1 (or -1/k) to each of "
             "the second, so that the weights sum to zero.",
        solution=solution,
    )


def written_map(expected: Any, mask_img: Any, output_folder: Any, name: str,
                solution: str) -> Exercise:
    """Exercise: the student wrote a map to the output folder; check place, grid and values.

    ``expected`` holds the right values inside the mask (one per voxel).
    """
    from pathlib import Path

    import nibabel as nib

    folder = Path(output_folder).resolve()
    inside = np.asarray(mask_img.dataobj) > 0

    def checker(answer: Any) -> None:
        path = Path(answer)
        if not path.exists():
            raise Incorrect(f"there is no file {path}: did the cell that writes it run?")
        if path.resolve().parent != folder:
            raise Incorrect(f"the file is not in the output folder ({folder}); write it there "
                            "with results.save_map or config.output_dir().")
        try:
            img = nib.load(path)
            values = np.asarray(img.dataobj, dtype=float)
        except Exception as err:  # noqa: BLE001 - any unreadable file is the student's to fix
            raise Incorrect(f"{path.name} is not a readable NIfTI image ({err}).") from None
        if values.shape != inside.shape or not np.allclose(img.affine, mask_img.affine):
            raise Incorrect(f"the map is on another grid ({values.shape}) than the data "
                            f"({inside.shape}); write the image that ds.to_image returns.")
        if np.isnan(values[~inside]).any():
            raise Incorrect("the map has NaN outside the brain mask: fill the outside with 0 "
                            "(ds.to_image does) so that viewers show it correctly.")
        expect_map(values[inside], expected, what="the map in the file")

    return Exercise(name, checker, hint="results.save_map(ds.to_image(t_map), 'a_clear_name', "
                                        "NOTEBOOK) writes to the output folder and returns the "
                                        "path.", solution=solution)


def two_group_design(expected: Any, name: str, solution: str) -> Exercise:
    """Exercise: a two-group second-level design (one row per subject, in the data's order).

    Any full-rank design that spans the same two group means is right (one column per group,
    or an intercept plus a +1/-1 or 0/1 group column).

    Examples
    --------
    >>> import pandas as pd
    >>> want = pd.DataFrame({"M": [1, 1, 0, 0], "F": [0, 0, 1, 1]})
    >>> q = two_group_design(want, "demo", "...")
    >>> q.check(pd.DataFrame({"one": [1] * 4, "m_vs_f": [1, 1, -1, -1]})).status
    'correct'
    >>> q.check(np.eye(4)).message.startswith("your design has one column per subject")
    True
    """
    want = np.asarray(expected, dtype=float)

    def checker(answer: Any) -> None:
        try:
            got = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            raise Incorrect("the design should be a table of numbers (a DataFrame or array).") \
                from None
        if got.ndim == 1:
            got = got[:, None]
        if got.ndim != 2 or got.shape[0] != want.shape[0]:
            raise Incorrect(f"your design has {got.shape[0] if got.ndim else 0} rows; it needs "
                            f"one row per subject ({want.shape[0]}).")
        n = got.shape[0]
        indicator = np.isin(got, (0.0, 1.0)).all(axis=0)
        if got.shape[1] == n and indicator.all():
            raise Incorrect("your design has one column per subject but no group or condition "
                            "column: that is the paired design's subject part. Here each subject "
                            "has one value; code the two groups instead.")
        if np.linalg.matrix_rank(got) < got.shape[1]:
            raise Incorrect("your design's columns are linearly dependent (an intercept plus a "
                            "column for each group?); drop one of them.")
        projection = got @ np.linalg.lstsq(got, want, rcond=None)[0]
        if got.shape[1] != want.shape[1] or not np.allclose(projection, want, atol=1e-8):
            raise Incorrect("your design does not separate the two groups as the question asks: "
                            "build it from the sex column of the participants table, in the "
                            "order of the subjects.")

    return Exercise(name, checker, hint="One column per group, with 1 for the subjects of that "
                                        "group and 0 otherwise, rows in the order of ds.subjects.",
                    solution=solution)


_LOCALIZER_QUESTIONS = {
    "visual_vs_auditory": {
        "title": "Exercise 1: visual vs auditory",
        "weights": {"video_computation": 1, "video_left_hand": 1, "video_right_hand": 1,
                    "video_sentence": 1, "audio_computation": -1, "audio_left_hand": -1,
                    "audio_right_hand": -1, "audio_sentence": -1},
        "swapped": "you computed auditory minus visual",
    },
    "numbers_vs_words": {
        "title": "Exercise 2: numbers vs words",
        "weights": {"audio_computation": 1, "video_computation": 1, "audio_sentence": -1,
                    "video_sentence": -1},
        "swapped": "you computed words minus numbers",
    },
}


@dataclass(frozen=True)
class LocalizerExercise:
    """The three checks of one Localizer exercise: the contrast, the t-map, the written file."""

    contrast: Exercise
    tmap: Exercise
    file: Exercise


def _one_sample_t(scores: np.ndarray) -> np.ndarray:
    from course_utils import designs, glm

    return glm.regress(designs.one_sample(scores.shape[0]), scores, keep_residuals=False).t[0]


def localizer_exercise(ds: Any, question: str, output_folder: Any = None) -> LocalizerExercise:
    """Checks of exercise ``question`` ("visual_vs_auditory" or "numbers_vs_words") of notebook 07.

    The expected t-map is computed from ``ds`` (a ``course_utils.data.LocalizerData``), so it is
    right for any number of subjects and for the real data or the stand-in.
    """
    from course_utils import config

    if question not in _LOCALIZER_QUESTIONS:
        raise ValueError(f"question must be one of {list(_LOCALIZER_QUESTIONS)}; got {question!r}.")
    spec = _LOCALIZER_QUESTIONS[question]
    weights = spec["weights"]
    expected_t = _one_sample_t(ds.contrast(weights))
    folder = config.output_dir(create=True) if output_folder is None else output_folder
    code = "{" + ", ".join(f"{k!r}: {v}" for k, v in weights.items()) + "}"
    return LocalizerExercise(
        contrast=condition_contrast(weights, ds.conditions, spec["title"] + " (contrast)",
                                    solution=f"weights = {code}"),
        tmap=group_tmap(expected_t, spec["title"] + " (t-map)", swapped=spec["swapped"],
                        solution="scores = ds.contrast(weights)\n"
                                 "t_map = glm.regress(designs.one_sample(len(scores)), scores)"
                                 ".t[0]"),
        file=written_map(expected_t, ds.mask_img, folder, spec["title"] + " (file)",
                         solution="path = results.save_map(ds.to_image(t_map), "
                                  f"'group_{question}_t', NOTEBOOK)"),
    )


SEX_QUESTION = {"audio_computation": 1, "video_computation": 1, "audio_sentence": -1,
                "video_sentence": -1}


@dataclass(frozen=True)
class SexDifferenceExercise:
    """The checks of exercise 3: the design, the t-map (male minus female) and the file."""

    design: Exercise
    tmap: Exercise
    file: Exercise


def sex_difference_exercise(ds: Any, output_folder: Any = None) -> SexDifferenceExercise:
    """Checks of exercise 3 of notebook 07: men vs women on arithmetic minus reading.

    The test is a two-sample t-test of each subject's computation-minus-sentence score, male
    minus female, over the subjects whose sex is known (``ds.covariates("sex")``, in the order
    of ``ds.subjects``). On data without sexes (the DartBrains copy), or with one sex only,
    every check says so instead of judging (:meth:`Exercise.unavailable`).
    """
    import pandas as pd

    from course_utils import config, glm

    title = "Exercise 3: men vs women, numbers minus words"
    people = ds.covariates("sex", verbose=False)
    sexes = set() if people is None else set(people["sex"])
    if sexes != {"F", "M"}:
        reason = (f"{ds.source} has no sex for its subjects" if people is None else
                  f"{ds.source} has only {'/'.join(sorted(sexes)) or 'no'} subjects")
        reason += (", so this exercise cannot run on it (it runs on the nilearn copy and the "
                   "stand-in).")
        return SexDifferenceExercise(*(Exercise.unavailable(f"{title} ({part})", reason)
                                       for part in ("design", "t-map", "file")))
    male = (people["sex"].to_numpy() == "M").astype(float)
    expected_design = pd.DataFrame({"male": male, "female": 1.0 - male})
    scores = ds.contrast(SEX_QUESTION, subjects=list(people.index))
    fit = glm.regress(expected_design, scores, keep_residuals=False)
    expected_t = glm.contrast(fit, [1, -1]).t
    folder = config.output_dir(create=True) if output_folder is None else output_folder
    return SexDifferenceExercise(
        design=two_group_design(expected_design, title + " (design)",
                                solution="sex = people['sex']\n"
                                         "design = pd.DataFrame({'male': (sex == 'M') * 1.0, "
                                         "'female': (sex == 'F') * 1.0})"),
        tmap=group_tmap(expected_t, title + " (t-map)",
                        swapped="the groups are swapped: the question asks for male minus female",
                        solution="fit = glm.regress(design, ds.contrast(numbers_vs_words, "
                                 "subjects=list(people.index)))\n"
                                 "t_sex = glm.contrast(fit, [1, -1]).t"),
        file=written_map(expected_t, ds.mask_img, folder, title + " (file)",
                         solution="path = results.save_map(ds.to_image(t_sex), "
                                  "'group_sex_difference_numbers_vs_words_t', NOTEBOOK)"),
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
    >>> from course_utils import data
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
        (t[peak], "that is the t value at the peak; Cohen's d does not grow with the number of "
                  "subjects: divide t by the square root of n."),
        (t[peak] / n, "you divided t by n; Cohen's d is t divided by the square root of n."),
        (mean[peak], "that is the mean beta at the peak, in the maps' units; Cohen's d divides it "
                     "by the standard deviation across subjects."),
        (mean[peak] / values[:, peak].std(ddof=0),
         "close: you used the population standard deviation (ddof=0); use ddof=1, as t does."),
        (-expected, "the sign is flipped: the peak of the map is a positive effect."),
    ]

    def checker(answer: Any) -> None:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Incorrect("the answer should be one number (Cohen's d at the peak); got "
                            f"{type(answer).__name__}.") from None
        if np.isclose(value, expected, rtol=1e-4):
            return
        for wrong, message in mistakes:
            if np.isclose(value, wrong, rtol=1e-4):
                raise Incorrect(message)
        direction = "too large" if value > expected else "too small"
        raise Incorrect(f"{value:.3f} is {direction}; is it taken at the voxel with the largest "
                        "t, and standardised by the spread across subjects?")

    return Exercise(f"Effect size at the peak of {condition}", checker,
                    hint="Cohen's d of a one-sample test is t / sqrt(n); the peak is the voxel "
                         "with the largest t.")
