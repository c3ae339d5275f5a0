"""Argument checks shared by the simulators of this layer (signals, simulation, run4d).

Each check returns the value in the type the simulator computes with, or raises a
``ValueError`` that names the argument and the allowed values. Seeds are checked by
:func:`course_utils._utils.as_generator`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ar_coefficient", "count", "positive"]


def positive(value: float, name: str, allow_zero: bool = False) -> float:
    """``value`` as a float, finite and > 0 (or >= 0 with ``allow_zero``).

    Parameters
    ----------
    value : float
        The number to check.
    name : str
        The argument's name, for the error message.
    allow_zero : bool, default False
        Accept 0 too.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``value`` is not finite, negative, or 0 without ``allow_zero``.

    Examples
    --------
    >>> positive(2, "t_r")
    2.0
    >>> positive(0.0, "sigma")
    Traceback (most recent call last):
    ...
    ValueError: sigma must be a finite number > 0; got 0.0.
    """
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}; got {value}.")
    return value


def count(value: int, name: str, minimum: int = 1) -> int:
    """``value`` as an int, an integer (not a bool) of at least ``minimum``.

    Parameters
    ----------
    value : int
        The count to check.
    name : str
        The argument's name, for the error message.
    minimum : int, default 1
        Smallest allowed value.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``value`` is not an integer or is below ``minimum``.

    Examples
    --------
    >>> count(np.int64(5), "n_tr")
    5
    >>> count(2.5, "n_trials")
    Traceback (most recent call last):
    ...
    ValueError: n_trials must be an integer >= 1; got 2.5.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def ar_coefficient(ar1: float) -> float:
    """The lag-1 autocorrelation ``ar1`` as a float, strictly between -1 and 1.

    Parameters
    ----------
    ar1 : float
        Lag-1 autocorrelation of AR(1) noise.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``ar1`` is outside (-1, 1): the noise would not be stationary.

    Examples
    --------
    >>> ar_coefficient(0.3)
    0.3
    """
    ar1 = float(ar1)
    if not -1 < ar1 < 1:
        raise ValueError(
            f"ar1 must lie strictly between -1 and 1 for stationary noise; got {ar1}. "
            "Typical fMRI values are 0.1-0.4; use 0 for white noise."
        )
    return ar1
