"""All-resolution inference (ARI): how many voxels of each cluster are truly active, at least.

A significant cluster says "an effect somewhere in here". ARI (Rosenblatt et al., 2018) says
more: for every cluster, a lower bound on the proportion of truly active voxels, the true
discovery proportion (TDP), and the bounds of *all* clusters hold together with probability
``1 - alpha``, whichever clusters one looks at (closed testing with Simes' test; Goeman & Solari,
2011). nilearn implements it as ``nilearn.glm.cluster_level_inference``; :func:`cluster_tdp`
calls it the way a two-sided group t-map needs:

- nilearn expects z values, so t is converted with the same tail probability
  (:func:`course_utils.stats.thresholds.t_to_z`);
- nilearn finds positive clusters only, so it runs on ``z`` and on ``-z``, each at ``alpha / 2``
  (a Bonferroni split: the bounds of both signs then hold together at ``1 - alpha``);
- the cluster-forming threshold is passed explicitly, as a z for a two-sided p (nilearn's
  default, 3.0, is being changed and warns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import nibabel as nib
import numpy as np
import pandas as pd
from scipy import stats

from course_utils._utils import check_alpha, load_mask
from course_utils.stats import map_inference, thresholds

if TYPE_CHECKING:
    import os

    import numpy.typing as npt

__all__ = ["TDPResult", "cluster_tdp"]


@dataclass(frozen=True)
class TDPResult:
    """Result of :func:`cluster_tdp`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cluster, largest first: ``cluster`` (label), ``sign``, ``size_voxels``,
        ``peak_t``, ``tdp_bound`` (lower bound of the proportion of truly active voxels) and
        ``active_bound`` (at least this many voxels are active: ``floor(tdp_bound * size)``).
    labels : numpy.ndarray, shape (n_voxels,)
        Cluster label of each voxel (0 outside every cluster), numbered as in ``table``.
    tdp : numpy.ndarray, shape (n_voxels,)
        Each voxel's cluster TDP bound (0 outside clusters): the map nilearn returns.
    z_threshold : float
        The cluster-forming threshold on ``|z|``.

    Examples
    --------
    >>> res = TDPResult(pd.DataFrame(), np.zeros(3, int), np.zeros(3), 3.29)
    >>> res.z_threshold
    3.29
    """

    table: pd.DataFrame
    labels: np.ndarray
    tdp: np.ndarray
    z_threshold: float


def cluster_tdp(
    t: npt.ArrayLike,
    df: float,
    *,
    mask_img: nib.Nifti1Image | str | os.PathLike,
    cluster_p: float = 0.001,
    alpha: float = 0.05,
) -> TDPResult:
    """Lower bounds of the true discovery proportion of every cluster of a two-sided t-map.

    Parameters
    ----------
    t : array-like, shape (n_voxels,)
        t statistics of the mask's voxels (C order, as
        :func:`course_utils.experiments.data.mask_images`
        gives them).
    df : float
        Their degrees of freedom.
    mask_img : nibabel image or path
        The 3D mask the voxels come from.
    cluster_p : float, default 0.001
        Two-sided cluster-forming p: clusters are face-connected voxels with
        ``|z| > Phi^-1(1 - cluster_p / 2)`` (the same voxels as ``|t| > t_{df}^-1(1 - p / 2)``).
    alpha : float, default 0.05
        The bounds of all clusters, of both signs, hold together with probability ``1 - alpha``.

    Returns
    -------
    TDPResult

    Raises
    ------
    ValueError
        A map that does not fit the mask, NaN in it, or ``cluster_p``/``alpha`` outside (0, 1).

    See Also
    --------
    nilearn.glm.cluster_level_inference : the computation, for positive z clusters.

    References
    ----------
    Rosenblatt, Finos, Weeda, Solari & Goeman (2018), NeuroImage 181:786-796.
    Goeman & Solari (2011), Statistical Science 26:584-597.

    Examples
    --------
    >>> mask = nib.Nifti1Image(np.ones((300, 1, 1), dtype="uint8"), np.eye(4))
    >>> t = np.zeros(300)
    >>> t[2:6] = 9.0            # four very strong voxels
    >>> t[20:22] = -4.0         # a weaker negative cluster of two (p = 0.0004 each)
    >>> res = cluster_tdp(t, df=29, mask_img=mask)
    >>> res.table[["sign", "size_voxels", "active_bound"]].values.tolist()
    [[1, 4, 4], [-1, 2, 0]]

    The weak cluster passes the cluster-forming threshold, yet with 300 tests ARI cannot vouch
    for any of its voxels; with 30 tests it vouches for both.
    """
    from nilearn.glm import cluster_level_inference

    check_alpha(cluster_p, name="cluster_p")
    check_alpha(alpha)
    mask, affine = load_mask(mask_img, purpose="ARI")
    t = np.asarray(t, dtype=np.float64)
    if t.shape != (int(mask.sum()),):
        raise ValueError(
            f"t has shape {t.shape} but the mask has {int(mask.sum())} voxels: pass "
            "the masked t-map of this mask."
        )
    if not np.isfinite(t).all():
        raise ValueError("t has NaN or infinite values; ARI needs a statistic at every voxel.")
    z = thresholds.t_to_z(t, df)
    z_threshold = float(stats.norm.isf(cluster_p / 2))
    labels = np.zeros(t.size, dtype=np.int64)
    tdp = np.zeros(t.size)
    rows = []
    volume = np.zeros(mask.shape)
    for sign in (1, -1):
        volume[mask] = sign * z
        image = nib.Nifti1Image(volume.copy(), affine)
        bound = np.asarray(
            cluster_level_inference(
                image, mask_img=mask_img, threshold=z_threshold, alpha=alpha / 2
            ).dataobj
        )[mask]
        found, count = map_inference.label_clusters(z, sign, z_threshold, mask)
        found = found[mask]
        for label in range(1, count + 1):
            inside = found == label
            proportion = float(bound[inside].max())
            size = int(inside.sum())
            rows.append(
                {
                    "sign": sign,
                    "size_voxels": size,
                    "peak_t": float(t[inside][np.argmax(sign * t[inside])]),
                    "tdp_bound": proportion,
                    "active_bound": int(np.floor(proportion * size + 1e-4)),
                    "_voxels": inside,
                }
            )
    rows.sort(key=lambda row: -row["size_voxels"])
    for number, row in enumerate(rows, start=1):
        labels[row["_voxels"]] = number
        tdp[row["_voxels"]] = row["tdp_bound"]
    table = pd.DataFrame(
        [{k: v for k, v in row.items() if k != "_voxels"} for row in rows],
        columns=["sign", "size_voxels", "peak_t", "tdp_bound", "active_bound"],
    )
    table.insert(0, "cluster", np.arange(1, len(rows) + 1))
    return TDPResult(table, labels, tdp, z_threshold)
