"""Selecting voxels, and the bias of selecting them on the data: circular ROIs, winner's curse.

- :func:`sphere_mask`: the voxels of a mask within a radius of a point (an ROI).
- :func:`circularity_null`: ROI tests on null data, with the ROI defined independently or
  selected from the same data (Kriegeskorte et al. 2009; Vul et al. 2009).
- :func:`winners_curse`: the inflation of the effect sizes that pass a threshold.

Rates are reported in the layout of :func:`course_utils.stats.error_rates.rate_table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from course_utils import _utils
from course_utils.experiments import power
from course_utils.stats import error_rates

if TYPE_CHECKING:
    import os

    import nibabel as nib
    import numpy.typing as npt

__all__ = ["circularity_null", "sphere_mask", "winners_curse"]


def sphere_mask(
    centre_mm: Sequence[float], radius_mm: float, *, mask_img: nib.Nifti1Image | str | os.PathLike
) -> np.ndarray:
    """The voxels of a mask within ``radius_mm`` of a point in world (MNI) millimetres.

    Parameters
    ----------
    centre_mm : sequence of 3 float
        The centre, in the mask's world coordinates (mm).
    radius_mm : float
        Radius of the sphere in mm.
    mask_img : nibabel image or path
        The 3D mask whose voxels are chosen from.

    Returns
    -------
    numpy.ndarray of bool, shape (n_voxels,)
        In the mask's C order, as the columns of :meth:`LocalizerData.array`.

    Raises
    ------
    ValueError
        No voxel of the mask within the sphere.

    Examples
    --------
    >>> import nibabel as nib
    >>> mask = nib.Nifti1Image(np.ones((9, 9, 9), np.uint8), np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> int(sphere_mask((12, 12, 12), 3.0, mask_img=mask).sum())  # centre + 6 face neighbours
    7
    """
    mask, affine = _utils.load_mask(mask_img, purpose="An ROI")
    xyz = np.argwhere(mask) @ affine[:3, :3].T + affine[:3, 3]
    inside = np.sum((xyz - np.asarray(centre_mm, float)) ** 2, axis=1) <= radius_mm**2 + 1e-9
    if not inside.any():
        raise ValueError(f"No voxel of the mask lies within {radius_mm} mm of {centre_mm}.")
    return inside


def _split_halves(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint halves of the subjects: one selects the ROI, the other tests it."""
    order = rng.permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def _inverse_root_ss(y: np.ndarray) -> np.ndarray:
    """1 / sqrt(sum of squares) of each column (0 for an all-zero column), float32: ranks the
    voxels of sign-flipped data by t without computing t."""
    ss = np.einsum("ij,ij->j", y, y, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(ss > 0, 1.0 / np.sqrt(ss), 0.0).astype(np.float32)


def circularity_null(
    Y: npt.ArrayLike,
    anatomical: npt.ArrayLike,
    n_sim: int = 1000,
    alpha: float = 0.05,
    *,
    seed: int | np.random.Generator = 0,
    size: int | None = None,
    batch: int = 50,
) -> pd.DataFrame:
    """How often an ROI test "finds" an effect in null data, by how the ROI was chosen.

    Null data sets are the maps ``Y`` minus their group mean, with each subject's sign flipped
    at random: no group effect is left, everything else (smoothness, differences between
    subjects, outliers) stays. In each, three ROIs are tested with a two-sided one-sample
    t-test of the subjects' ROI means at ``alpha``:

    - ``anatomical``: the given voxels, fixed before seeing the data;
    - ``split half``: the ``size`` voxels of largest t in one half of the subjects, tested in
      the other half;
    - ``circular``: the ``size`` voxels of largest t in all subjects, tested in the same ones.

    Parameters
    ----------
    Y : array-like, shape (n_subjects, n_voxels)
        Subject maps (at least 6 subjects).
    anatomical : array-like of bool, shape (n_voxels,)
        The ROI fixed in advance.
    n_sim : int, default 1000
        Null data sets.
    alpha : float, default 0.05
        Level of the ROI tests.
    seed : int or numpy.random.Generator, default 0
    size : int, optional
        Voxels in the selected ROIs; default the size of ``anatomical``.
    batch : int, default 50
        Data sets per matrix product.

    Returns
    -------
    pandas.DataFrame
        The layout of :func:`course_utils.stats.error_rates.rate_table`: index ``method``
        (``anatomical``, ``split half``, ``circular``); columns ``hits`` (data sets with
        ``p < alpha``), ``n_sim``, ``rate``, ``ci_low``, ``ci_high`` (95% Clopper-Pearson),
        then ``mean_d`` (mean ROI effect, Cohen's d).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.normal(size=(20, 2000)).astype(np.float32)
    >>> table = circularity_null(Y, np.arange(2000) < 20, n_sim=400)
    >>> bool(table.loc["circular", "rate"] > 0.9 > 0.1 > table.loc["split half", "rate"])
    True
    """
    y = np.asarray(Y, dtype=np.float32)
    y = y - y.mean(axis=0, dtype=np.float64).astype(np.float32)
    anatomical = np.asarray(anatomical, dtype=bool)
    n = y.shape[0]
    if anatomical.shape != (y.shape[1],) or not anatomical.any() or n < 6:
        raise ValueError(
            "anatomical must be a non-empty bool array over the voxels of Y, and "
            "Y must have at least 6 subjects."
        )
    rng = _utils.as_generator(seed)
    size = int(anatomical.sum()) if size is None else int(size)
    half_a, half_b = _split_halves(n, rng)
    y_a, y_b = y[half_a], y[half_b]
    isq_all, isq_a = _inverse_root_ss(y), _inverse_root_ss(y_a)
    roi_mean = y[:, anatomical].mean(axis=1, dtype=np.float64)
    t_all = {k: [] for k in ("anatomical", "split half", "circular")}
    for start in range(0, n_sim, batch):
        signs = rng.choice(np.array([1.0, -1.0], np.float32), size=(min(batch, n_sim - start), n))
        top = np.argpartition(-(signs @ y) * isq_all, size - 1, axis=1)[:, :size]
        top_a = np.argpartition(-(signs[:, half_a] @ y_a) * isq_a, size - 1, axis=1)[:, :size]
        means = {
            "anatomical": roi_mean[:, None] * signs.T,
            "split half": y_b[:, top_a].mean(axis=2) * signs[:, half_b].T,
            "circular": y[:, top].mean(axis=2) * signs.T,
        }
        for name, values in means.items():
            t_all[name].append(_utils.one_sample_t(np.asarray(values, dtype=np.float64), axis=0))
    hits, mean_d = {}, []
    for name, parts in t_all.items():
        t = np.concatenate(parts)
        n_sub = len(half_b) if name == "split half" else n
        hits[name] = int(np.count_nonzero(np.abs(t) > stats.t.isf(alpha / 2, n_sub - 1)))
        mean_d.append(float(np.mean(t / np.sqrt(n_sub))))
    return error_rates.rate_table(hits, n_sim, 0.95, mean_d=mean_d)


def winners_curse(
    d: float,
    n_values: Sequence[int],
    alpha: float = 0.001,
    n_sim: int = 4000,
    *,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """The effect size reported by significant studies, by number of subjects (simulation).

    Each study estimates ``d_hat = mean / sd`` of its subjects; only those with ``|t|`` above
    the two-sided threshold are "published". Their mean ``d_hat`` overestimates ``d`` when
    power is low.

    Parameters
    ----------
    d : float
        True effect size (Cohen's d, not 0).
    n_values : sequence of int
        Subjects per study.
    alpha : float, default 0.001
        Two-sided level of each study's test.
    n_sim : int, default 4000
        Studies simulated per number of subjects.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    pandas.DataFrame
        Index ``n_subjects``; columns ``power`` (share significant), ``analytic_power``,
        ``mean_d_all`` (every study), ``mean_d_significant`` and ``inflation``
        (``mean_d_significant / d``).

    Examples
    --------
    >>> table = winners_curse(0.5, [10, 100], n_sim=2000, seed=0)
    >>> bool(table.loc[10, "inflation"] > 2 > 1.1 > table.loc[100, "inflation"])
    True
    """
    rng = _utils.as_generator(seed)
    rows = []
    for n in n_values:
        x = rng.standard_normal((n_sim, n)) + d
        t = _utils.one_sample_t(x, axis=1)
        d_hat, significant = t / np.sqrt(n), np.abs(t) > stats.t.isf(alpha / 2, n - 1)
        mean_sig = float(d_hat[significant].mean()) if significant.any() else np.nan
        rows.append(
            {
                "n_subjects": n,
                "power": significant.mean(),
                "analytic_power": power.analytic_power(d, n, alpha),
                "mean_d_all": d_hat.mean(),
                "mean_d_significant": mean_sig,
                "inflation": mean_sig / d,
            }
        )
    return pd.DataFrame(rows).set_index("n_subjects")
