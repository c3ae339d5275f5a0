"""Data quality: one summary per subject, and a robust way to flag the ones that stand out.

Before a group test, look at every subject. A subject whose map is far noisier than the others
inflates the standard deviation of every voxel (a loss of power); one shifted by an artefact of
one sign biases the group mean and breaks what sign flipping assumes (independent errors,
symmetric about zero; unequal variances are allowed, Winkler et al. 2014). A large spread can
also mark a strong responder, which is no artefact: a flag asks to look, not to exclude. This
module summarises each subject's masked map by its **mean** and its **spread** (standard deviation)
over the voxels of the mask, and scores each summary with a **robust z**: the distance from the
median in units of the scaled median absolute deviation (MAD), so that the outliers it is meant
to find do not inflate the yardstick (a standard deviation they inflate shrinks their own z).

- :func:`robust_z`: ``(x - median(x)) / (1.4826 * MAD)``, the modified z-score of Iglewicz &
  Hoaglin (1993);
- :func:`subject_summary`: mean, spread and their robust z, one row per subject;
- :func:`flag_subjects`: the subjects whose robust z is beyond a cut (3.5 by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from course_utils._utils import as_subjects_by_voxels, voxel_blocks

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["DEFAULT_CUT", "MAD_SCALE", "flag_subjects", "robust_z", "subject_summary"]

#: The cut on |robust z| that Iglewicz & Hoaglin (1993) recommend for flagging outliers.
DEFAULT_CUT = 3.5
#: 1 / Phi^-1(3/4): makes the MAD a consistent estimate of the SD for normal data.
MAD_SCALE = 1.482602218505602


def robust_z(values: npt.ArrayLike) -> np.ndarray:
    """Robust z-scores: distance from the median in units of the normal-consistent MAD.

    ``z = (x - median(x)) / (1.4826 * median(|x - median(x)|))``. Unlike the ordinary z-score,
    one extreme value barely moves the median and the MAD, so it cannot hide itself.

    Parameters
    ----------
    values : array-like, shape (n,)
        One number per subject (at least 3).

    Returns
    -------
    numpy.ndarray
        float64, shape (n,). When more than half the values are equal (MAD = 0), the values
        equal to the median get 0 and the others +/- inf.

    Raises
    ------
    ValueError
        When ``values`` is not 1D, has fewer than 3 values, or has NaN or infinite values.

    Examples
    --------
    >>> robust_z([1.0, 2.0, 3.0, 4.0, 100.0]).round(2).tolist()
    [-1.35, -0.67, 0.0, 0.67, 65.43]
    >>> from scipy import stats
    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    >>> bool(np.allclose(robust_z(x), (x - 3.0) / stats.median_abs_deviation(x, scale="normal")))
    True
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.size < 3:
        raise ValueError(f"robust_z needs a 1D array of at least 3 values; got shape {x.shape}.")
    if not np.isfinite(x).all():
        raise ValueError("robust_z: the values contain NaN or infinite numbers; drop them first.")
    deviation = x - np.median(x)
    mad = MAD_SCALE * np.median(np.abs(deviation))
    if mad == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(deviation == 0, 0.0, np.sign(deviation) * np.inf)
    return deviation / mad


def subject_summary(Y: np.ndarray, subjects: Sequence[str]) -> pd.DataFrame:
    """Each subject's mean and spread over the voxels of the mask, with their robust z.

    Parameters
    ----------
    Y : numpy.ndarray, shape (n_subjects, n_voxels)
        One masked map per subject (float32 is fine: sums are accumulated in float64).
    subjects : sequence of str
        Subject IDs, one per row of ``Y``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``subject``, in the order given, with columns ``mean`` and ``spread`` (the
        standard deviation over voxels, ``ddof=1``) in the maps' units, and ``mean_z`` and
        ``spread_z``, their robust z across subjects (:func:`robust_z`).

    Raises
    ------
    ValueError
        When ``Y`` is not 2D, has fewer than 3 subjects or 2 voxels, or NaN values
        (:func:`course_utils._utils.as_subjects_by_voxels`), or the number of IDs differs from
        its rows, or an ID repeats.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.normal(0, 1, (8, 500))
    >>> Y[3] *= 4  # one subject four times noisier
    >>> table = subject_summary(Y, [f"S{k}" for k in range(1, 9)])
    >>> list(table.columns), table["spread_z"].idxmax()
    (['mean', 'spread', 'mean_z', 'spread_z'], 'S4')
    """
    if np.ndim(Y) != 2:  # a vector could be one subject's map or one value per subject
        raise ValueError(f"Y must be a (subjects x voxels) array; got shape {np.shape(Y)}.")
    values = as_subjects_by_voxels(Y, min_subjects=3)  # robust_z needs 3 subjects
    ids = [str(s) for s in subjects]
    if len(ids) != values.shape[0]:
        raise ValueError(
            f"{len(ids)} subject IDs for {values.shape[0]} rows of Y: give one ID "
            "per row, in the same order."
        )
    if len(set(ids)) != len(ids):
        raise ValueError("The subject IDs repeat: each row must be a different subject.")
    n, n_vox = values.shape
    if n_vox < 2:
        raise ValueError("Y needs at least 2 voxels to measure a spread.")
    total = np.zeros(n)
    squares = np.zeros(n)
    for voxels in voxel_blocks(n_vox):
        block = values[:, voxels].astype(np.float64)
        total += block.sum(axis=1)
        squares += np.einsum("ij,ij->i", block, block)
    mean = total / n_vox
    spread = np.sqrt(np.maximum(squares - n_vox * mean**2, 0.0) / (n_vox - 1))
    table = pd.DataFrame({"mean": mean, "spread": spread}, index=pd.Index(ids, name="subject"))
    table["mean_z"] = robust_z(mean)
    table["spread_z"] = robust_z(spread)
    return table


def flag_subjects(
    summary: pd.DataFrame, column: str = "spread_z", cut: float = DEFAULT_CUT
) -> list[str]:
    """The subjects whose robust z in ``column`` is beyond ``cut`` (in absolute value).

    Parameters
    ----------
    summary : pandas.DataFrame
        The table of :func:`subject_summary`.
    column : str, default "spread_z"
        Which robust z to use (``"spread_z"`` or ``"mean_z"``).
    cut : float, default 3.5
        Flag ``|z| > cut``.

    Returns
    -------
    list of str
        Subject IDs, the most extreme first.

    Examples
    --------
    >>> table = pd.DataFrame({"spread_z": [0.2, 5.1, -0.4, 3.9]},
    ...                      index=pd.Index(["S1", "S2", "S3", "S4"], name="subject"))
    >>> flag_subjects(table)
    ['S2', 'S4']
    """
    if column not in summary.columns:
        raise ValueError(
            f"summary has no column {column!r}; its columns are "
            f"{list(summary.columns)} (see subject_summary)."
        )
    if not cut > 0:
        raise ValueError(f"cut must be positive; got {cut!r}.")
    z = summary[column].abs()
    return [str(s) for s in z[z > cut].sort_values(ascending=False).index]
