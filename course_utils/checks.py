"""Checks: instant feedback on exercises, in the spirit of learntools' ``q.check()``.

An :class:`Exercise` knows how to judge a student's answer and answers with one of three
distinct messages:

- **not attempted**: the stub still holds the placeholder ``...`` (or ``None``);
- **incorrect**, with the reason in plain words;
- **correct**.

It also offers :meth:`Exercise.hint` and :meth:`Exercise.solution`. Checking never raises on a
wrong answer, so a student's notebook keeps running; :meth:`Exercise.assert_correct` is the
strict form that the instructor's solution cells use so that CI proves every solution right.

Notebook pattern (see CONTRIBUTING.md): a stub cell (tag ``exercise-stub``) that sets the answer
to ``...``; a solution cell (tag ``solution``) that the student edition removes; a check cell
that calls ``q.check(answer)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Status = Literal["not attempted", "incorrect", "correct"]


class Incorrect(Exception):
    """Raised by a checker function to say why an answer is wrong."""


@dataclass(frozen=True)
class Feedback:
    """The outcome of checking one answer.

    Attributes
    ----------
    exercise : str
        Name of the exercise.
    status : {"not attempted", "incorrect", "correct"}
        The verdict.
    message : str
        What to tell the student.
    """

    exercise: str
    status: Status
    message: str

    @property
    def correct(self) -> bool:
        """True when the answer is right."""
        return self.status == "correct"

    def __str__(self) -> str:
        marks = {"not attempted": "[ ]", "incorrect": "[x]", "correct": "[v]"}
        return f"{marks[self.status]} {self.exercise}: {self.status.upper()}. {self.message}"

    __repr__ = __str__


def is_placeholder(value: Any) -> bool:
    """Return True when ``value`` is still the stub's placeholder.

    Parameters
    ----------
    value : object
        The student's answer.

    Returns
    -------
    bool
        True for ``...`` and ``None``, and for a list or tuple that contains ``...``.

    Examples
    --------
    >>> is_placeholder(...), is_placeholder([1, ..., 3]), is_placeholder([1, 2])
    (True, True, False)
    """
    if value is Ellipsis or value is None:
        return True
    if isinstance(value, list | tuple):
        return any(item is Ellipsis for item in value)
    return False


class Exercise:
    """One exercise: a checker function plus a hint and a solution.

    Parameters
    ----------
    name : str
        Short name shown in every message, e.g. ``"Exercise 1: visual vs auditory"``.
    checker : callable
        ``checker(answer)`` returns None when the answer is right and raises
        :class:`Incorrect` with the reason when it is wrong.
    hint : str
        A nudge that does not give the answer away.
    solution : str
        The solution, as code or text.

    Examples
    --------
    >>> def is_mean_of_data(answer):
    ...     if not np.isclose(answer, 2.0):
    ...         raise Incorrect(f"you gave {answer}; add up the values and divide by how many.")
    >>> q = Exercise("mean", is_mean_of_data, hint="np.mean", solution="np.mean([1, 2, 3])")
    >>> q.check(...)
    [ ] mean: NOT ATTEMPTED. Replace the ... placeholder with your answer, then run this cell.
    >>> q.check(3)
    [x] mean: INCORRECT. you gave 3; add up the values and divide by how many.
    >>> q.check(2.0)
    [v] mean: CORRECT. Well done.
    """

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], None],
        hint: str = "",
        solution: str = "",
    ) -> None:
        self.name = name
        self._checker = checker
        self._hint = hint
        self._solution = solution
        self._unavailable: str | None = None

    @classmethod
    def unavailable(cls, name: str, reason: str) -> Exercise:
        """An exercise the data at hand cannot support: every check says why, and says that
        nothing was judged (e.g. a sex difference on a copy of the data without sexes)."""
        exercise = cls(name, lambda answer: None, hint=reason)
        exercise._unavailable = reason
        return exercise

    def check(self, answer: Any) -> Feedback:
        """Judge ``answer`` and return the feedback (it prints itself in a notebook)."""
        if self._unavailable:
            return Feedback(self.name, "not attempted", self._unavailable)
        if is_placeholder(answer):
            return Feedback(
                self.name,
                "not attempted",
                "Replace the ... placeholder with your answer, then run this cell.",
            )
        try:
            self._checker(answer)
        except Incorrect as why:
            return Feedback(self.name, "incorrect", str(why))
        return Feedback(self.name, "correct", "Well done.")

    def assert_correct(self, answer: Any) -> None:
        """Raise AssertionError unless ``answer`` is correct (for solution cells and tests)."""
        feedback = self.check(answer)
        if not feedback.correct:
            raise AssertionError(str(feedback))

    def hint(self) -> str:
        """Return the hint."""
        return self._hint or "No hint for this one: re-read the section above the exercise."

    def solution(self) -> str:
        """Return the solution."""
        return self._solution


def expect_close(value: Any, expected: Any, what: str, rtol: float = 1e-6,
                 atol: float = 1e-8) -> None:
    """Raise :class:`Incorrect` unless ``value`` matches ``expected`` in shape and value.

    Parameters
    ----------
    value, expected : array-like
        The student's value and the right one.
    what : str
        What the value is, used in the message (e.g. ``"your contrast"``).
    rtol, atol : float
        Tolerances, as in :func:`numpy.allclose`.

    Examples
    --------
    >>> expect_close([1.0, 2.0], [1.0, 2.0], "your vector")
    >>> expect_close([1.0], [1.0, 2.0], "your vector")
    Traceback (most recent call last):
    ...
    course_utils.checks.Incorrect: your vector has shape (1,); expected shape (2,).
    """
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be numbers; got {type(value).__name__}.") from None
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        raise Incorrect(f"{what} has shape {got.shape}; expected shape {want.shape}.")
    if np.isnan(got).any() and not np.isnan(want).any():
        raise Incorrect(f"{what} contains NaN values.")
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        raise Incorrect(f"{what} has the right shape but not the right values.")


# --- The exercises of the notebooks -------------------------------------------------------------
# Each function builds the Exercise of one notebook from the data the notebook made, so the
# expected answer always matches what the student sees (any seed, any number of subjects).


def standard_error(values: Any) -> Exercise:
    """Exercise of ``00_start_here``: the standard error of the mean of ``values``.

    Parameters
    ----------
    values : array-like
        The numbers whose standard error the student computes.

    Returns
    -------
    Exercise
        Recognises the population standard deviation (``ddof=0``) and the bare standard deviation
        as typical mistakes.

    Examples
    --------
    >>> q = standard_error([1.0, 2.0, 3.0, 4.0])
    >>> q.check(np.std([1.0, 2.0, 3.0, 4.0], ddof=0) / 2).status
    'incorrect'
    >>> q.check(np.std([1.0, 2.0, 3.0, 4.0], ddof=1) / 2).status
    'correct'
    """
    data = np.asarray(values, dtype=float)
    n = data.size
    expected = data.std(ddof=1) / np.sqrt(n)

    def checker(answer: Any) -> None:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Incorrect(f"the answer should be one number; got {type(answer).__name__}.") \
                from None
        if np.isclose(value, expected):
            return
        if np.isclose(value, data.std(ddof=0) / np.sqrt(n)):
            raise Incorrect("close: you used the population standard deviation (ddof=0).")
        if np.isclose(value, data.std(ddof=1)):
            raise Incorrect("that is the standard deviation; divide it by the square root of n.")
        raise Incorrect(f"{value:.4f} is not the standard error of these {n} values.")

    return Exercise(
        "Warm-up: standard error",
        checker,
        hint="The standard error is the sample standard deviation divided by the square root of n.",
        solution="sem = betas.std(ddof=1) / np.sqrt(len(betas))",
    )


def expect_contrast(answer: Any, expected: Any, what: str = "your contrast",
                    zero_sum: bool = True, names: Any = None) -> None:
    """Raise :class:`Incorrect` unless ``answer`` is ``expected`` up to a positive scale factor.

    A contrast means the same hypothesis when all its weights are multiplied by one positive
    number (``[1, -1]``, ``[0.5, -0.5]``, a sum or a mean), so every such version is right. A
    negative factor tests the opposite direction and gets its own message.

    Parameters
    ----------
    answer, expected : array-like
        The student's weights and one right answer.
    what : str
        How to name the answer in messages.
    zero_sum : bool, default True
        Whether a right answer must sum to zero (a comparison); checked first, with its own
        message.
    names : sequence of str, optional
        Names of the weights (conditions or columns), quoted when the length is wrong.

    Examples
    --------
    >>> expect_contrast([2, -2], [1, -1])
    >>> expect_contrast([-1, 1], [1, -1])
    Traceback (most recent call last):
    ...
    course_utils.checks.Incorrect: your contrast points the wrong way: ...
    """
    try:
        got = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be a list or array of numbers; got "
                        f"{type(answer).__name__}.") from None
    want = np.asarray(expected, dtype=float).ravel()
    if got.size != want.size:
        order = f" in the order {list(names)}" if names is not None else ""
        raise Incorrect(f"{what} has {got.size} weights; it needs {want.size}, one per "
                        f"condition or column{order}.")
    if not np.isfinite(got).all():
        raise Incorrect(f"{what} contains NaN or infinite values.")
    if not got.any():
        raise Incorrect(f"{what} is all zeros, so it tests nothing.")
    if zero_sum and not np.isclose(got.sum(), 0.0, atol=1e-8 * np.abs(got).max()):
        raise Incorrect(f"{what} does not sum to zero (it sums to {got.sum():g}), so it also "
                        "tests the overall mean: give both sides the same total weight.")
    scale = float(got @ want) / float(want @ want)
    if np.allclose(got, scale * want, rtol=1e-6, atol=1e-9 * np.abs(got).max()):
        if scale > 0:
            return
        raise Incorrect(f"{what} points the wrong way: it tests the opposite direction of the "
                        "question. Swap the signs of the weights.")
    raise Incorrect(f"{what} {got.tolist()} does not compare the right conditions: check which "
                    "conditions should get positive and which negative weights.")


def dummy_code_mean(group1_mean: float) -> Exercise:
    """Exercise of ``03_ttests_as_regression``: the contrast that gives group 1's mean.

    The design is ``two_sample(..., coding="dummy")``: columns ``intercept`` and ``is_group1``.

    Examples
    --------
    >>> q = dummy_code_mean(10.0)
    >>> q.check([1, 1]).status, q.check([0, 1]).status
    ('correct', 'incorrect')
    """

    def checker(answer: Any) -> None:
        weights = np.asarray(answer, dtype=float).ravel() if not isinstance(answer, str) else None
        if weights is None or weights.size != 2 or not np.isfinite(weights).all():
            raise Incorrect("give two numbers: one weight for `intercept`, one for `is_group1`.")
        if np.allclose(weights, [0, 1]):
            raise Incorrect("[0, 1] is the slope alone: the difference group 1 minus group 2.")
        if np.allclose(weights, [1, 0]):
            raise Incorrect("[1, 0] is the intercept alone: the mean of group 2, the reference.")
        if not np.allclose(weights, [1, 1]):
            raise Incorrect(f"{weights.tolist()} is not group 1's mean ({group1_mean:.3f}).")

    return Exercise("Dummy codes", checker,
                    hint="Group 1's rows have a 1 in both columns. What does the model predict "
                         "for such a row?",
                    solution="c = [1, 1]   # intercept + is_group1")


def last_versus_rest(k: int = 4) -> Exercise:
    """Exercise of ``04_contrasts``: does the highest of ``k`` loads differ from the others' mean?

    Any positive multiple of ``[-1/(k-1), ..., -1/(k-1), 1]`` is right.

    Examples
    --------
    >>> q = last_versus_rest(4)
    >>> q.check([-1, -1, -1, 3]).status, q.check([-1, -1, -1, 1]).status
    ('correct', 'incorrect')
    """
    expected = np.r_[-np.ones(k - 1) / (k - 1), 1.0]
    return Exercise(
        "Highest load vs the rest",
        lambda answer: expect_contrast(answer, expected, names=[f"load {i + 1}" for i in range(k)]),
        hint="Give the highest load a positive weight, share an equal negative weight among the "
             "others, and make the weights sum to zero.",
        solution=f"c = np.array({[-1] * (k - 1) + [k - 1]})   # or the same divided by {k - 1}",
    )


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


# --- The Localizer exercises (notebook 07) ------------------------------------------------------


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
