"""Exercises of the HRF notebook (from an event to a voxel's time series).

:func:`regressor_exercise` checks a regressor built by hand for a new design. Its feedback
says how far off the response is, in seconds and in which direction, and names the mistakes the
notebook warns about: the HRF sampled at the TR (nilearn's coarse HRF, or the notebook's own
curve subsampled, ``hrf[::steps]``, with the events rounded to scans), ``mode="same"``
convolution (the response comes before the event), no downsampling (one value per 0.1 s step
instead of one per scan), and seconds confused with steps or scans.
:func:`beta_units_exercise` asks for the beta of the same voxel when the data are in raw
scanner units and the regressor is rescaled; its feedback names the factor applied the wrong
way, the data scaling forgotten, and the baseline added to the beta.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from course_utils.experiments import signals
from course_utils.teaching.checks.core import Exercise, Incorrect

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["beta_units_exercise", "regressor_exercise"]


def _as_regressor(answer: Any, n_tr: int) -> np.ndarray:
    """The answer as a 1-D float array, or :class:`Incorrect` saying why it cannot be one."""
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            "the regressor should be an array of numbers, one per scan; got "
            f"{type(answer).__name__}."
        ) from None
    if values.ndim == 2 and 1 in values.shape:
        values = values.ravel()  # a column or a row vector is fine
    if values.ndim != 1:
        raise Incorrect(
            f"the regressor should be one row of {n_tr} numbers (one per scan); "
            f"got an array of shape {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise Incorrect("the regressor contains NaN or infinite values.")
    return values


def _length_problem(n: int, n_tr: int, steps: int, n_fine: int, n_kernel: int) -> str:
    """What a regressor of the wrong length suggests went wrong."""
    need = f"The run has {n_tr} scans, so the regressor needs {n_tr} values, one per scan"
    if n == n_fine:
        return (
            f"your regressor has {n} values, one per 0.1 s step of the fine grid: it is "
            f"not downsampled. {need}: keep every {steps}th value (x[::{steps}])."
        )
    if n == n_fine + n_kernel - 1:
        return (
            f"your regressor has {n} values: the full convolution on the fine grid, "
            f"longer than the run. Cut it to the run's {n_fine} steps ([:{n_fine}]), then "
            f"keep every {steps}th value. {need}."
        )
    if n > n_tr and n_fine % n == 0:
        k = n_fine // n
        return (
            f"your regressor has {n} values: you kept one value in every {k} of the "
            f"0.1 s grid, one per {k * signals.FINE_DT:g} s. A scan lasts "
            f"{steps * signals.FINE_DT:g} s, which is {steps} steps of 0.1 s (seconds "
            f"and steps are not the same unit). {need}."
        )
    return f"your regressor has {n} values. {need}."


def _peak_time(x: np.ndarray, t_r: float, until: float) -> float:
    """Time (s) of the largest value among the scans before ``until`` seconds."""
    times = np.arange(x.size) * t_r
    window = times < until
    return float(times[window][np.argmax(x[window])])


def _proportional(values: np.ndarray, reference: np.ndarray) -> float | None:
    """The factor c with ``values == c * reference`` (to rounding), or None."""
    norm = float(reference @ reference)
    if norm == 0:
        return None
    c = float(values @ reference) / norm
    scale = max(np.abs(values).max(), np.abs(c * reference).max(), 1e-12)
    return c if np.allclose(values, c * reference, rtol=0, atol=1e-6 * scale) else None


def _mistakes(onsets: np.ndarray, n_tr: int, t_r: float) -> dict[str, tuple[np.ndarray, str]]:
    """The regressors that the typical mistakes produce, each with its diagnosis."""
    from nilearn.glm.first_level import glover_hrf

    dt = signals.FINE_DT
    steps = int(round(t_r / dt))
    n_fine = n_tr * steps
    _, hrf = signals.canonical_hrf()

    def fine_train(index: np.ndarray) -> np.ndarray:
        train = np.zeros(n_fine)
        np.add.at(train, index[(index >= 0) & (index < n_fine)], 1.0)
        return train

    right_train = fine_train(np.round(onsets / dt).astype(int))
    coarse = np.asarray(glover_hrf(t_r=t_r, oversampling=1), dtype=float)
    scan_train = np.zeros(n_tr)
    np.add.at(scan_train, np.minimum(np.round(onsets / t_r).astype(int), n_tr - 1), 1.0)
    causal = lambda train: np.convolve(train, hrf)[:n_fine][::steps]  # noqa: E731
    subsampled = {}
    for how, to_scan in [("rounded", np.round), ("truncated", np.floor)]:
        scans = np.minimum(to_scan(onsets / t_r).astype(int), n_tr - 1)
        train = np.zeros(n_tr)
        np.add.at(train, scans, 1.0)
        subsampled[f"hrf[::steps], onsets {how}"] = (
            np.convolve(train, hrf[::steps])[:n_tr],
            f"you put the events on the scan grid (onset / TR {how} to a scan: the event at "
            f"{onsets[0]:g} s went to scan {scans[0]}, {scans[0] * t_r:g} s) and kept one "
            f"value of the HRF per scan (hrf[::{steps}]). Both throw away timing finer than "
            "a scan, so every response is off by up to a scan. Put the events on the 0.1 s "
            "grid, convolve there, and keep one value per scan only at the end.",
        )
    return subsampled | {
        "the HRF at the TR": (
            np.convolve(scan_train, coarse / coarse.max())[:n_tr],
            f"you sampled the HRF at the TR (one value every {t_r:g} s) and put the events on "
            "the scan grid. Sampled that coarsely, the HRF peaks late. Build the response on "
            "the 0.1 s grid with signals.canonical_hrf() and keep one value per scan only "
            "at the end.",
        ),
        "mode='same'": (
            np.convolve(right_train, hrf, mode="same")[::steps],
            "your regressor responds before the events: np.convolve(..., mode='same') centres "
            "the HRF on each event. Convolve causally: np.convolve(u, h)[:n] or "
            "signals.convolve_causal(u, h).",
        ),
        "seconds as steps": (
            causal(fine_train(np.round(onsets).astype(int))),
            "you put each event at index = its onset in seconds, but an index of the fine grid "
            f"counts steps of 0.1 s: the event at {onsets[0]:g} s goes to index "
            f"round({onsets[0]:g} / 0.1) = {round(onsets[0] / dt)}.",
        ),
        "onsets in scans": (
            causal(fine_train(np.round(onsets / t_r / dt).astype(int))),
            f"you gave the onsets in scans (onset / TR) where seconds were needed, so the "
            f"event at {onsets[0]:g} s went to {onsets[0] / t_r:g} s. Onsets are in seconds; "
            "divide by 0.1 s (not by the TR) to find their index on the fine grid.",
        ),
        "scans as steps": (
            causal(fine_train(np.round(onsets / t_r).astype(int))),
            "you converted the onsets to scans (onset / TR) but used them as indices of the "
            "0.1 s grid. There, an event at t seconds goes to index round(t / 0.1).",
        ),
    }


def regressor_exercise(onsets: Sequence[float], n_tr: int, t_r: float) -> Exercise:
    """Exercise of the HRF notebook: build the regressor of a new design by hand.

    The right answer is :func:`course_utils.experiments.signals.event_regressor` of the design:
    brief
    events as impulses on the 0.1 s grid, causal convolution with the canonical HRF (peak 1), one
    value per scan. An answer of the wrong length gets a message on what the length suggests
    (not downsampled, the full convolution, a wrong step). An answer of the right length is
    compared with the regressors that the typical mistakes give; the feedback names the mistake
    and says when the response to the first event peaks, how many seconds early or late that is,
    and, when the height is off, by what factor.

    Parameters
    ----------
    onsets : sequence of float
        Event onsets (s), at least two, in increasing order.
    n_tr : int
        Number of scans.
    t_r : float
        Repetition time (s), a multiple of 0.1 s.

    Returns
    -------
    Exercise
        Its answer is one value per scan; the feedback names the mistake and the timing.

    Raises
    ------
    ValueError
        If there are fewer than two onsets, they are not increasing, or they do not fit the run.

    Examples
    --------
    >>> q = regressor_exercise([12.0, 63.3, 110.0], n_tr=60, t_r=2.5)
    >>> right = signals.event_regressor([12.0, 63.3, 110.0], 60, 2.5)
    >>> q.check(right).status
    'correct'
    >>> q.check(right * 2).message
    'the timing is right but the height is 2 times the right one: ...'
    >>> print(q.check(np.zeros(1500)).message)
    your regressor has 1500 values, one per 0.1 s step of the fine grid: it is not downsampled. ...
    """
    onsets = np.asarray(onsets, dtype=float).ravel()
    if onsets.size < 2 or np.any(np.diff(onsets) <= 0):
        raise ValueError(f"give at least two increasing onsets (s); got {onsets.tolist()}.")
    truth = signals.event_regressor(onsets, n_tr, t_r)  # validates the design
    steps = int(round(t_r / signals.FINE_DT))
    n_kernel = signals.canonical_hrf()[1].size
    until = (onsets[0] + onsets[1]) / 2  # the first event's response, before the second's
    right_peak = _peak_time(truth, t_r, until)

    def timing(values: np.ndarray, same_values: bool = False) -> str:
        peak = _peak_time(values, t_r, until)
        shift = peak - right_peak
        if abs(shift) >= 1e-9:
            when = f"{abs(shift):g} s too {'late' if shift > 0 else 'early'}"
        elif same_values:
            when = "at the right time"
        else:  # the peak's scan is right, but the values around it are not
            when = "at the right scan, though its values differ"
        return (
            f" Your response to the event at {onsets[0]:g} s peaks at scan time "
            f"{peak:g} s ({peak - onsets[0]:+g} s from the event); the right one peaks at "
            f"{right_peak:g} s ({right_peak - onsets[0]:+g} s: the HRF's peak, about 5 s "
            f"after the event, seen by scans {t_r:g} s apart): yours is {when}."
        )

    def checker(answer: Any) -> None:
        values = _as_regressor(answer, n_tr)
        if values.size != n_tr:
            raise Incorrect(_length_problem(values.size, n_tr, steps, n_tr * steps, n_kernel))
        if np.allclose(values, truth, rtol=1e-6, atol=1e-6):
            return
        if not np.any(values):
            raise Incorrect(
                "your regressor is all zeros: put a 1 at each event on the fine "
                "grid before convolving."
            )
        scale = float(values @ truth) / float(truth @ truth)
        close_in_shape = np.abs(values - scale * truth).max() < 0.02 * abs(scale)
        if close_in_shape and not np.isclose(scale, 1.0, rtol=0.02):
            raise Incorrect(
                f"the timing is right but the height is {scale:.3g} times the right "
                "one: scale the HRF so that its peak is 1 (as "
                "signals.canonical_hrf() does), so that the regressor is in % "
                "signal change per unit amplitude."
            )
        for wrong, message in _mistakes(onsets, n_tr, t_r).values():
            factor = _proportional(values, wrong)
            if factor is not None and factor > 0:
                height = (
                    ""
                    if np.isclose(factor, 1.0)
                    else (
                        f" (Its height is also {factor:.3g} times that of this mistake: scale the "
                        "HRF to a peak of 1.)"
                    )
                )
                raise Incorrect(message + timing(values) + height)
        if np.ptp(values - truth) < 1e-6:
            raise Incorrect(
                f"your regressor is the right one plus a constant "
                f"{float(np.mean(values - truth)):+.3g}: it should be 0 before the "
                "first event (the design's intercept takes care of the baseline)."
            )
        worst = int(np.argmax(np.abs(values - truth)))
        if abs(values[worst] - truth[worst]) < 0.05:
            raise Incorrect(
                f"close, but not the same values: the largest difference is "
                f"{values[worst] - truth[worst]:+.3g} at scan {worst}. Build the "
                "response on the 0.1 s grid with signals.canonical_hrf(), not "
                "another grid or HRF." + timing(values, same_values=True)
            )
        raise Incorrect(
            f"not the right values: the largest difference is "
            f"{values[worst] - truth[worst]:+.3g} at scan {worst} "
            f"({worst * t_r:g} s)." + timing(values)
        )

    return Exercise(
        "Exercise: a regressor for a new design",
        checker,
        hint=(
            "Work in steps of 0.1 s until the very last line. How many 0.1 s steps long "
            f"is the run? At which index of that grid does the event at {onsets[0]:g} s go? "
            "Convolve causally with the HRF of signals.canonical_hrf(), then keep one "
            "value per scan: how many 0.1 s steps apart are two scans?"
        ),
    )


def beta_units_exercise(
    regressor: npt.ArrayLike,
    data: npt.ArrayLike,
    *,
    baseline: float = 800.0,
    factor: float = 0.5,
) -> Exercise:
    """Exercise of the HRF notebook: predict a beta after rescaling the data and the regressor.

    The voxel ``data`` are in percent signal change; in raw scanner units with a mean of
    ``baseline`` they are ``baseline * (1 + data / 100)``, and the regressor is multiplied by
    ``factor``. The right answer is the beta of that fit (regressor and a constant, OLS),
    computed here: ``baseline / 100 / factor`` times the beta in percent. The feedback names the
    typical mistakes: the regressor's factor applied the wrong way (times ``factor`` instead of
    divided), the data's rescaling forgotten, a factor of ``baseline`` instead of
    ``baseline / 100``, and the baseline added to the beta (the constant takes it).

    Parameters
    ----------
    regressor : array-like, shape (n,)
        The voxel's regressor, as fitted in percent (one brief event peaks at 1).
    data : array-like, shape (n,)
        The voxel's time series in percent signal change.
    baseline : float
        The voxel's mean in raw scanner units.
    factor : float
        What the regressor is multiplied by (positive).

    Returns
    -------
    Exercise
        Its answer is one number, the new beta of the regressor.

    Raises
    ------
    ValueError
        If the shapes differ, or ``baseline`` or ``factor`` is not positive.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 0.5, 0.0, 1.0, 0.2])
    >>> y = 2.0 * x + np.array([0.1, -0.1, 0.0, 0.2, 0.0, -0.2])
    >>> q = beta_units_exercise(x, y)
    >>> beta = float(np.linalg.lstsq(np.c_[x, np.ones(6)], y, rcond=None)[0][0])
    >>> q.check(beta * 8 / 0.5).status
    'correct'
    >>> print(q.check(beta * 8 * 0.5).message)  # doctest: +ELLIPSIS
    you multiplied by the regressor's factor 0.5; ...
    """
    from course_utils.stats import glm

    x, y = np.asarray(regressor, dtype=float), np.asarray(data, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"regressor and data must be 1-D of one length; got {x.shape}, {y.shape}.")
    if not (baseline > 0 and factor > 0):
        raise ValueError(f"baseline and factor must be positive; got {baseline}, {factor}.")
    design = np.column_stack([x * factor, np.ones(x.size)])
    right = float(glm.regress(design, baseline * (1 + y / 100)).beta[0])
    beta = float(glm.regress(np.column_stack([x, np.ones(x.size)]), y).beta[0])
    unit = baseline / 100
    mistakes = {
        beta * unit * factor: (
            f"you multiplied by the regressor's factor {factor:g}; a regressor {factor:g} "
            f"times as large needs a beta 1/{factor:g} times as large to give the same fit, "
            f"so divide by {factor:g}."
        ),
        beta / factor: (
            f"the regressor's factor is right, but the data are no longer in percent: one "
            f"percent of a baseline of {baseline:g} is {unit:g} scanner units, so the beta "
            f"is {unit:g} times larger too."
        ),
        beta * baseline / factor: (
            f"you scaled by the baseline {baseline:g}, but one percent of it is "
            f"{baseline:g} / 100 = {unit:g} units: a beta of 1 % is {unit:g} units."
        ),
        beta * unit / factor + baseline: (
            "you added the baseline to the beta, but the constant column takes the baseline: "
            "the beta is only the regressor's part."
        ),
    }

    def checker(answer: Any) -> None:
        try:
            value = float(np.asarray(answer, dtype=float).squeeze())
        except (TypeError, ValueError):
            raise Incorrect(
                f"the answer should be one number, the new beta; got {type(answer).__name__}."
            ) from None
        if np.isclose(value, right, rtol=1e-3):
            return
        for wrong, message in mistakes.items():
            if np.isclose(value, wrong, rtol=1e-3):
                raise Incorrect(message)
        raise Incorrect(
            f"{value:.4g} is {value / right:.3g} times the right beta. Ask two questions: how "
            "many scanner units is one percent, and how large must a beta be for a regressor "
            f"{factor:g} times as large to give the same fit?"
        )

    return Exercise(
        "Exercise: a beta in other units",
        checker,
        hint=(
            "A beta is in data units per regressor unit. Change one thing at a time: what "
            "does 1 % become in scanner units, and what must a beta do so that beta times "
            "the rescaled regressor still equals the same response?"
        ),
    )
