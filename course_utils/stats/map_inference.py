"""Cluster-size and TFCE inference from whole permuted maps, for the permutation test.

:func:`course_utils.stats.inference.permutation_test` computes the voxelwise max-T null itself;
cluster sizes and TFCE need whole permuted maps. :class:`MapNulls` collects, for each permuted
map, its largest cluster and its largest ``|TFCE|`` (with the numba union-find kernels of
:mod:`course_utils.stats.tfce`, the one cluster labeller of permuted maps); the observed map is
labelled once with :func:`scipy.ndimage.label` (:func:`label_clusters`) and its clusters get
their FWE p-values (:func:`observed_clusters`).

p-values follow the convention of the permutation test (:func:`permutation_p`):
``(1 + #null >= observed) / (1 + n_perm)``, or ``#null >= observed / n_perm`` when every
permutation was enumerated (the identity among them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import ndimage

from course_utils._utils import FACES, mask_array
from course_utils.stats import tfce as tfce_module

if TYPE_CHECKING:
    import os

    import nibabel as nib
    import numpy.typing as npt

__all__ = [
    "RTOL_TFCE",
    "ClusterResult",
    "MapNulls",
    "count_exceed",
    "label_clusters",
    "observed_clusters",
    "permutation_p",
]

#: Relative tolerance for ties between a permuted largest TFCE and an observed TFCE value (TFCE
#: jumps when a voxel crosses a height step, so float32 rounding can move it by ~1e-5).
RTOL_TFCE = 1e-3


@dataclass(frozen=True)
class ClusterResult:
    """Cluster-size inference from the permutations of a permutation test.

    Parameters
    ----------
    threshold : float
        Cluster-forming threshold on the t statistic (``|t|`` for a two-sided test).
    connectivity : int
        Voxels are neighbours when they share a face (6-connectivity,
        ``scipy.ndimage.generate_binary_structure(3, 1)``), as in nilearn.
    labels : numpy.ndarray of int, shape (n_voxels,)
        Cluster number of each voxel (0 outside every cluster), numbered from 1 in decreasing
        size; positive and negative clusters are formed separately.
    sizes : numpy.ndarray of int, shape (n_clusters,)
        Size in voxels of cluster ``k`` at index ``k - 1``.
    signs : numpy.ndarray of int, shape (n_clusters,)
        +1 for a cluster of positive t, -1 for negative t.
    p_fwe : numpy.ndarray, shape (n_clusters,)
        FWE-corrected p-value of each cluster (same convention as the voxel p-values).
    max_size_null : numpy.ndarray of int, shape (n_permutations,)
        Largest cluster size (either sign when two-sided) in each permutation.

    Examples
    --------
    >>> res = ClusterResult(3.0, 6, np.array([1, 1, 0]), np.array([2]), np.array([1]),
    ...                     np.array([0.01]), np.array([1, 0, 1]))
    >>> res.table()["size_voxels"].tolist()
    [2]
    """

    threshold: float
    connectivity: int
    labels: np.ndarray
    sizes: np.ndarray
    signs: np.ndarray
    p_fwe: np.ndarray
    max_size_null: np.ndarray

    def table(self) -> pd.DataFrame:
        """One row per cluster: label, sign, size in voxels and FWE p (largest cluster first).

        Returns
        -------
        pandas.DataFrame
            Columns ``cluster``, ``sign``, ``size_voxels`` and ``p_fwe``.
        """
        return pd.DataFrame(
            {
                "cluster": np.arange(1, self.sizes.size + 1),
                "sign": self.signs,
                "size_voxels": self.sizes,
                "p_fwe": self.p_fwe,
            }
        )


def count_exceed(null: npt.ArrayLike, observed: npt.ArrayLike) -> np.ndarray:
    """For each observed value, how many null values are at least as large (a sorted search).

    Parameters
    ----------
    null : array-like, shape (n_perm,)
        The null distribution (e.g. the largest statistic of each permutation).
    observed : array-like
        Observed values.

    Returns
    -------
    numpy.ndarray of int, shape of ``observed``

    Examples
    --------
    >>> count_exceed([1.0, 2.0, 3.0], [0.5, 2.0, 4.0]).tolist()
    [3, 2, 0]
    """
    ordered = np.sort(np.asarray(null))
    return ordered.size - np.searchsorted(ordered, observed, side="left")


def permutation_p(exceed: np.ndarray, n_perm: int, exact: bool) -> np.ndarray:
    """Permutation p-values from the counts of null values at least as large as observed.

    Parameters
    ----------
    exceed : array-like of int
        From :func:`count_exceed`.
    n_perm : int
        Number of permutations in the null distribution.
    exact : bool
        True when every permutation (the identity among them) was enumerated: ``exceed /
        n_perm``; otherwise the observed data count once: ``(1 + exceed) / (1 + n_perm)``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> permutation_p(np.array([0, 9]), 99, exact=False).tolist()
    [0.01, 0.1]
    """
    exceed = np.asarray(exceed)
    return exceed / n_perm if exact else (1.0 + exceed) / (1.0 + n_perm)


def label_clusters(
    t: np.ndarray, sign: int, threshold: float, mask: np.ndarray
) -> tuple[np.ndarray, int]:
    """Face-connected clusters of ``sign * t > threshold`` in the 3D volume of the mask.

    Parameters
    ----------
    t : numpy.ndarray, shape (n_voxels,)
        The statistic of the mask's voxels (C order).
    sign : {1, -1}
        Clusters of positive (1) or negative (-1) values.
    threshold : float
        Cluster-forming threshold.
    mask : numpy.ndarray of bool, 3D
        The mask (:func:`course_utils._utils.mask_array`).

    Returns
    -------
    labels : numpy.ndarray of int, shape of ``mask``
        :func:`scipy.ndimage.label` of the supra-threshold voxels (0 elsewhere).
    count : int
        Number of clusters.

    Examples
    --------
    >>> mask = np.ones((5, 1, 1), dtype=bool)
    >>> labels, count = label_clusters(np.array([4.0, 4.0, 0.0, 4.0, -4.0]), 1, 3.0, mask)
    >>> labels.ravel().tolist(), count
    ([1, 1, 0, 2, 0], 2)
    """
    volume = np.zeros(mask.shape, dtype=bool)
    volume[mask] = sign * np.asarray(t) > threshold
    return ndimage.label(volume, structure=FACES)


def observed_clusters(
    t: np.ndarray,
    threshold: float,
    two_sided: bool,
    mask: np.ndarray,
    null: npt.ArrayLike,
    n_perm: int,
    exact: bool,
) -> ClusterResult:
    """The clusters of the observed map with their FWE p-values against a null of largest sizes.

    Parameters
    ----------
    t : numpy.ndarray, shape (n_voxels,)
        Observed statistic of the mask's voxels.
    threshold : float
        Cluster-forming threshold (``|t|`` when two-sided, each sign on its own).
    two_sided : bool
    mask : numpy.ndarray of bool, 3D
        The mask the voxels come from.
    null : array-like of int, shape (n_perm,)
        Largest cluster of each permuted map.
    n_perm : int
    exact : bool
        As in :func:`permutation_p`.

    Returns
    -------
    ClusterResult

    Examples
    --------
    >>> mask = np.ones((6, 1, 1), dtype=bool)
    >>> t = np.array([4.0, 4.0, 4.0, 0.0, -4.0, 0.0])
    >>> res = observed_clusters(t, 3.0, True, mask, [1, 2, 1, 3], 4, exact=False)
    >>> res.sizes.tolist(), res.signs.tolist(), res.p_fwe.tolist()
    ([3, 1], [1, -1], [0.4, 1.0])
    """
    t = np.asarray(t)
    labels = np.zeros(t.shape, dtype=np.int64)
    sizes: list[int] = []
    signs: list[int] = []
    for sign in (1, -1) if two_sided else (1,):
        lab, count = label_clusters(t, sign, threshold, mask)
        if count:
            inside = lab[mask]
            counts = np.bincount(inside, minlength=count + 1)[1:]
            labels[inside > 0] = inside[inside > 0] + len(sizes)
            sizes.extend(counts.tolist())
            signs.extend([sign] * count)
    size_arr, sign_arr = np.asarray(sizes, dtype=np.int64), np.asarray(signs, dtype=np.int64)
    order = np.argsort(-size_arr, kind="stable")
    relabel = np.zeros(size_arr.size + 1, dtype=np.int64)
    relabel[order + 1] = np.arange(1, size_arr.size + 1)
    null = np.asarray(null, dtype=np.int64)
    exceed = count_exceed(null.astype(np.float64), size_arr[order].astype(np.float64))
    return ClusterResult(
        float(threshold),
        6,
        relabel[labels],
        size_arr[order],
        sign_arr[order],
        permutation_p(exceed, n_perm, exact),
        null,
    )


class MapNulls:
    """Null distributions that need whole permuted maps: largest cluster and largest ``|TFCE|``.

    Parameters
    ----------
    n_voxels : int
        Voxels of each map (checked against the mask).
    cluster_threshold : float or None
        Cluster-forming threshold on t; None: no cluster inference.
    two_sided : bool
    tfce : bool
        Also the max-TFCE null (E = 0.5, H = 2, as :func:`course_utils.stats.tfce.tfce`).
    mask_img : nibabel image or path, optional
        The 3D mask of the voxels; required with ``cluster_threshold`` or ``tfce``.

    Examples
    --------
    >>> import nibabel as nib
    >>> mask_img = nib.Nifti1Image(np.ones((4, 1, 1), dtype="uint8"), np.eye(4))
    >>> nulls = MapNulls(4, 1.0, True, False, mask_img=mask_img)
    >>> nulls.add(np.array([[2.0, 2.0, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0]]))
    >>> nulls.cluster
    [2, 0]
    """

    def __init__(
        self,
        n_voxels: int,
        cluster_threshold: float | None,
        two_sided: bool,
        tfce: bool,
        *,
        mask_img: nib.Nifti1Image | str | os.PathLike | None = None,
    ):
        self.threshold, self.two_sided = cluster_threshold, two_sided
        self.mask = self.neighbours = self.table = None
        if cluster_threshold is not None or tfce:
            what = "Cluster inference" if cluster_threshold is not None else "TFCE"
            self.mask = mask_array(mask_img, purpose=what)
            if int(self.mask.sum()) != n_voxels:
                raise ValueError(
                    f"mask_img has {int(self.mask.sum())} voxels but Y has {n_voxels}: use the "
                    "mask the data were taken from."
                )
            self.neighbours = tfce_module.neighbours(mask_img=mask_img)
            self.table = self.neighbours if tfce else None
        self.mask_img = mask_img
        self.cluster: list[int] = []
        self.tfce: list[np.ndarray] = []

    @property
    def active(self) -> bool:
        """True when whole permuted maps are needed.

        Returns
        -------
        bool
        """
        return self.threshold is not None or self.table is not None

    def add(self, tmaps: np.ndarray) -> None:
        """Record the largest cluster and ``|TFCE|`` of each row (a permuted t-map).

        Parameters
        ----------
        tmaps : numpy.ndarray, shape (n_maps, n_voxels)

        Returns
        -------
        None
        """
        if self.threshold is not None:
            self.add_clusters(tmaps, self.threshold)
        if self.table is not None:
            self.add_tfce(tmaps)

    def add_clusters(self, maps: np.ndarray, threshold: float) -> None:
        """Record the largest cluster of each row, on any scale that grows with t.

        A sign-flip test passes its maps on the scale ``w = t / sqrt(df + t**2)`` with the
        threshold on that scale: the same voxels, without converting every map to t.

        Parameters
        ----------
        maps : numpy.ndarray, shape (n_maps, n_voxels)
        threshold : float
            The cluster-forming threshold on the scale of ``maps``.

        Returns
        -------
        None
        """
        self.cluster.extend(
            tfce_module.max_cluster_sizes(maps, self.neighbours, threshold, self.two_sided).tolist()
        )

    def add_tfce(self, tmaps: np.ndarray) -> None:
        """Record the largest ``|TFCE|`` of each row (a permuted t-map).

        Parameters
        ----------
        tmaps : numpy.ndarray, shape (n_maps, n_voxels)

        Returns
        -------
        None
        """
        self.tfce.append(tfce_module.max_tfce(tmaps, self.table, two_sided=self.two_sided))

    def results(self, t: np.ndarray, n_perm: int, exact: bool) -> dict:
        """Fields of a permutation result: observed clusters, TFCE and their FWE p-values.

        Parameters
        ----------
        t : numpy.ndarray, shape (n_voxels,)
            The observed t-map.
        n_perm : int
        exact : bool
            As in :func:`permutation_p`.

        Returns
        -------
        dict
            ``clusters`` (:class:`ClusterResult`) with a cluster threshold; ``tfce``,
            ``p_fwe_tfce`` and ``max_tfce_null`` with TFCE.
        """
        out = {}
        if self.threshold is not None:
            out["clusters"] = observed_clusters(
                t, self.threshold, self.two_sided, self.mask, self.cluster, n_perm, exact
            )
        if self.table is not None:
            observed = tfce_module.tfce(t, mask_img=self.mask_img, two_sided=self.two_sided)
            null = np.concatenate(self.tfce)
            size = np.abs(observed)
            exceed = count_exceed(null, size - RTOL_TFCE * size)
            out.update(
                tfce=observed,
                p_fwe_tfce=permutation_p(exceed, n_perm, exact),
                max_tfce_null=null,
            )
        return out
