"""Exercises on group maps built from subject maps: the paired t-map, matched by subject ID.

The expected answer is always computed here, from the data (a
``course_utils.experiments.data.LocalizerData``), never taken from a variable of the notebook that a
student can edit. The checker names the typical mistakes: subtracting two arrays whose rows are
in different subject orders, a two-sample test instead of a paired one, the reversed direction,
and the mean difference, its standard error or variance given instead of t. Checking never
raises, whatever the answer is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.teaching.checks.core import Exercise, Incorrect

#: Voxels processed at once; bounds the float64 temporaries.
_CHUNK = 16384
#: Two maps are the same answer when they agree to this (t values of float32 data).
_RTOL, _ATOL = 1e-4, 1e-4


def _one_sample_t(mean: np.ndarray, var: np.ndarray, n: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, mean / np.sqrt(var / n), 0.0)


def _paired_statistics(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Maps of the paired test of ``a - b`` (rows already matched), and of its usual mistakes."""
    n, n_vox = a.shape
    names = ("t", "mean", "var", "two_sample_t", "t_first", "t_second")
    out = {name: np.empty(n_vox) for name in names}
    for start in range(0, n_vox, _CHUNK):
        block = slice(start, min(start + _CHUNK, n_vox))
        x = a[:, block].astype(np.float64)
        y = b[:, block].astype(np.float64)
        d = x - y
        mean, var = d.mean(axis=0), d.var(axis=0, ddof=1)
        var_x, var_y = x.var(axis=0, ddof=1), y.var(axis=0, ddof=1)
        out["t"][block] = _one_sample_t(mean, var, n)
        out["mean"][block] = mean
        out["var"][block] = var
        out["two_sample_t"][block] = _one_sample_t(mean, var_x + var_y, n)
        out["t_first"][block] = _one_sample_t(x.mean(axis=0), var_x, n)
        out["t_second"][block] = _one_sample_t(y.mean(axis=0), var_y, n)
    return out


def _misaligned_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One-sample t of ``a - b`` with the rows as they come (not matched by subject)."""
    n, n_vox = a.shape
    t = np.empty(n_vox)
    for start in range(0, n_vox, _CHUNK):
        block = slice(start, min(start + _CHUNK, n_vox))
        d = a[:, block].astype(np.float64) - b[:, block].astype(np.float64)
        t[block] = _one_sample_t(d.mean(axis=0), d.var(axis=0, ddof=1), n)
    return t


def _as_map(answer: Any, n_voxels: int, n_subjects: int) -> np.ndarray:
    """The answer as one float per voxel, or :class:`Incorrect` saying what it is instead."""
    if hasattr(answer, "get_fdata"):
        raise Incorrect(
            "you gave an image; give the masked values, one number per voxel of the "
            f"brain mask ({n_voxels} of them), e.g. the t row of the fit."
        )
    if hasattr(answer, "statistic") and not isinstance(answer, np.ndarray):
        raise Incorrect(
            "you gave scipy's whole result; the answer is its t values (result.statistic)."
        )
    if hasattr(answer, "t") and hasattr(answer, "df") and not isinstance(answer, np.ndarray):
        raise Incorrect(
            "you gave the whole fit; the answer is its t values, one per voxel "
            "(fit.t[0] for the first column)."
        )
    if isinstance(answer, str | bytes):
        raise Incorrect("the answer should be an array of t values, one per voxel; got text.")
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            "the answer should be an array of t values, one per voxel; got "
            f"{type(answer).__name__}."
        ) from None
    got = np.squeeze(got) if got.ndim > 1 and 1 in got.shape[:-1] else got
    if got.ndim == 3:
        raise Incorrect(
            "your map is a 3D volume; give the masked values (one number per voxel "
            f"inside the brain mask, {n_voxels} of them)."
        )
    if got.shape == (n_subjects, n_voxels):
        raise Incorrect(
            "you gave one map per subject; test them across subjects to get one "
            "group t value per voxel."
        )
    if got.shape != (n_voxels,):
        raise Incorrect(
            f"your map has shape {got.shape}; expected ({n_voxels},), one value per "
            "voxel of the mask."
        )
    if not np.isfinite(got).all():
        raise Incorrect(
            f"your map has NaN or infinite values in {int((~np.isfinite(got)).sum())}"
            " voxels; every voxel inside the mask has a t value."
        )
    return got


def _same(got: np.ndarray, want: np.ndarray) -> bool:
    return bool(np.allclose(got, want, rtol=_RTOL, atol=_ATOL))


def paired_tmap_exercise(
    ds: Any,
    first: str,
    second: str,
    orders: Mapping[str, Sequence[str]] | None = None,
    name: str | None = None,
) -> Exercise:
    """Exercise: the group paired t-map of ``first`` minus ``second``, subjects matched by ID.

    The expected map is computed here from ``ds``: each subject's ``first`` map minus the same
    subject's ``second`` map (rows selected by subject ID), then a one-sample t across
    subjects (``ddof=1``), per voxel.

    Parameters
    ----------
    ds : LocalizerData
        The loaded maps, with both conditions.
    first, second : str
        The conditions, in the direction asked (``first - second``).
    orders : mapping of condition to list of subject IDs, optional
        The subject order of the arrays the student works with (e.g. maps that arrive in
        another order); a condition not listed is in ``ds.subjects`` order. Only used to
        recognise a subtraction by position; the expected answer never depends on it.
    name : str, optional
        The exercise's name.

    Returns
    -------
    Exercise
        Recognises the reversed direction, a two-sample test, rows matched by position (when
        ``orders`` says the orders differ), the mean difference, half of it (the long-format
        condition beta), its standard error, the variance or SD of the differences, and a
        one-sample map of one condition alone.

    Raises
    ------
    ValueError
        For an unknown condition, or ``first == second``.

    Examples
    --------
    >>> from course_utils.experiments import data
    >>> from course_utils.stats import designs, glm
    >>> ds = data.synthetic_localizer(seed=1, n_subjects=6, cache=False,
    ...     conditions=["horizontal_checkerboard", "vertical_checkerboard"])
    >>> shuffled = ds.subjects[::-1]
    >>> q = paired_tmap_exercise(ds, "vertical_checkerboard", "horizontal_checkerboard",
    ...                          orders={"vertical_checkerboard": shuffled})
    >>> V = ds.array("vertical_checkerboard", subjects=shuffled)
    >>> Y = ds.array("horizontal_checkerboard")
    >>> def t_of(scores):
    ...     return glm.regress(designs.one_sample(6), scores).t[0]
    >>> print(q.check(t_of(V - Y)).message)
    your map is the paired test with subjects matched by position: the rows of the two arrays
    are not in the same subject order. Align them by subject ID first (designs.align_subjects).
    >>> iv, ih, _ = designs.align_subjects(shuffled, ds.subjects)
    >>> q.check(t_of(V[iv] - Y[ih])).status
    'correct'
    >>> q.check(-t_of(V[iv] - Y[ih])).message.startswith("every t has the wrong sign")
    True
    >>> q.check("t").status, q.check(...).status
    ('incorrect', 'not attempted')
    """
    if first == second:
        raise ValueError("first and second must be two different conditions.")
    subjects = sorted(ds.subjects, key=str)  # both arrays selected by ID, in one order
    a = ds.array(first, subjects=subjects)
    b = ds.array(second, subjects=subjects)
    n, n_voxels = a.shape
    maps = _paired_statistics(a, b)
    del a, b
    expected = maps["t"]
    se = np.sqrt(maps["var"] / n)
    mistakes = [
        (
            maps["two_sample_t"],
            f"that is a two-sample t-map: it treats the {first} and {second} maps as two "
            "independent groups. The same subjects saw both conditions: subtract each subject's "
            "two maps and test the differences against zero (a paired test).",
        ),
        (
            maps["mean"],
            "that is the mean difference (the effect), not t: divide it by its standard error.",
        ),
        (
            maps["mean"] / 2,
            "that is half the mean difference (the condition beta of the "
            "long-format design); the question asks for t.",
        ),
        (
            se,
            "that is the standard error of the mean difference; t is the mean difference "
            "divided by it.",
        ),
        (maps["var"], "that is the variance of the differences across subjects, not t."),
        (
            np.sqrt(maps["var"]),
            "that is the standard deviation of the differences across subjects, not t.",
        ),
        (
            maps["t_first"],
            f"that is the one-sample t-map of {first} alone; subtract the {second} maps first.",
        ),
        (
            maps["t_second"],
            f"that is the one-sample t-map of {second} alone; the question "
            f"asks for {first} minus {second}.",
        ),
    ]
    orders = dict(orders or {})
    unknown = sorted(set(orders) - {first, second})
    if unknown:
        raise ValueError(
            f"orders names conditions {unknown}; give the orders of {first!r} and {second!r}."
        )
    order_a = list(orders.get(first, ds.subjects))
    order_b = list(orders.get(second, ds.subjects))
    if order_a != order_b:
        by_position = _misaligned_t(
            ds.array(first, subjects=order_a), ds.array(second, subjects=order_b)
        )
        mistakes.insert(
            0,
            (
                by_position,
                "your map is the paired test with subjects matched by position: the rows of the "
                "two arrays are not in the same subject order. Align them by subject ID first "
                "(designs.align_subjects).",
            ),
        )
    reversed_message = (
        f"every t has the wrong sign: you computed {second} minus {first}; "
        f"the question asks for {first} minus {second}."
    )

    def checker(answer: Any) -> None:
        try:
            got = _as_map(answer, n_voxels, n)
            if _same(got, expected):
                return
            if _same(got, -expected):
                raise Incorrect(reversed_message)
            for wrong, message in mistakes:
                if _same(got, wrong):
                    raise Incorrect(message)
                if _same(got, -wrong):
                    raise Incorrect(message + f" (It is also reversed: {second} minus {first}.)")
            r = np.corrcoef(got, expected)[0, 1] if got.std() > 0 else 0.0
            if r > 0.9:
                raise Incorrect(
                    "your map has the right pattern but not the right values: is "
                    "it a t-map (not a z-map or an effect), from every subject, "
                    "with the two maps of each subject matched by ID?"
                )
            raise Incorrect(
                f"this is not the paired t-map of {first} minus {second}: match "
                "each subject's two maps by subject ID, subtract, and test the "
                "differences against zero with a one-sample test."
            )
        except Incorrect:
            raise
        except Exception as err:  # noqa: BLE001 - feedback, never a crash, whatever the answer
            raise Incorrect(
                f"your answer could not be read as a map ({type(err).__name__}: {err})."
            ) from None

    return Exercise(
        name or f"Paired t-map, {first} minus {second}",
        checker,
        hint="Put the two arrays' rows in the same subject order (the aligned indices), "
        "subtract in the direction the question asks, and test the differences against "
        "zero with the one-sample design; take the t row of the fit.",
    )
