"""Compiled kernels of :mod:`course_utils.stats.tfce` (numba; imported lazily).

Import this module only through :func:`course_utils.stats.tfce._kernels`, which first points numba's
on-disk cache at a folder the user can write to, so that the kernels are compiled once per machine
(about 2-4 s) and loaded from the cache afterwards.

The method: the voxels above the lowest height step are put in buckets by how many steps they
reach, and the buckets are added from the highest step down; every new voxel is joined to its
already-present face neighbours with a union-find (union by size, path halving). After the voxels
of a step are in, each cluster's root adds ``size**E * h**H`` to a partial sum that all the
cluster's voxels share (a voxel's TFCE is the sum along its path to the root, see ``enhance``).
One pass over the voxels sorted by height, plus one term per cluster and step, replaces nilearn's
one 3D labelling per step.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _find_sum(parent: np.ndarray, acc: np.ndarray, v: int) -> int:
    """Root of ``v``, halving the path; a node that skips its parent takes over its sum."""
    while parent[v] != v:
        p = parent[v]
        if parent[p] != p:
            acc[v] += acc[p]
            parent[v] = parent[p]
        v = parent[v]
    return v


@numba.njit(cache=True, nogil=True)
def steps_of(max_score: float, dh: float) -> np.ndarray:
    """nilearn's heights: ``linspace(0, max, n + 1)[1:]``, n = 100 or ``round(max / dh)``.

    Parameters
    ----------
    max_score : float
        The map's largest value (``|t|`` when two-sided), positive.
    dh : float
        Step between heights; 0 for 100 steps. ``round(max_score / dh)`` steps are kept
        between 10 and 1000.

    Returns
    -------
    numpy.ndarray
        The heights, float64, the last exactly ``max_score``.

    Examples
    --------
    >>> steps = steps_of(2.0, 0.0)
    >>> len(steps), float(steps[0]), float(steps[-1])
    (100, 0.02, 2.0)
    >>> len(steps_of(2.0, 1.0))    # 2 steps asked, 10 kept
    10
    """
    if dh > 0:
        n = int(round(max_score / dh))
        n = min(max(n, 10), 1000)
    else:
        n = 100
    steps = np.empty(n)
    step = max_score / n
    for i in range(1, n):
        steps[i - 1] = i * step  # numpy's linspace: arange(num) * (delta / div) + start
    steps[n - 1] = max_score  # ... with the end point set exactly
    return steps


@numba.njit(cache=True, nogil=True)
def enhance(
    values: np.ndarray,
    sign: float,
    neighbours: np.ndarray,
    steps: np.ndarray,
    E: float,
    H: float,
    out: np.ndarray,
) -> None:
    """Add ``sign * TFCE`` of the voxels where ``sign * values >= steps[0]`` to ``out``.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_voxels,)
        The masked map, float64.
    sign : float
        1.0 enhances positive values, -1.0 negative ones (added as negative TFCE).
    neighbours : numpy.ndarray, shape (n_voxels, 6)
        :func:`course_utils.stats.tfce.neighbours` of the mask.
    steps : numpy.ndarray
        The heights (:func:`steps_of`).
    E, H : float
        Extent and height exponents.
    out : numpy.ndarray, shape (n_voxels,)
        Where the TFCE values are added, in place.

    Returns
    -------
    None
        ``out`` holds the result.

    Examples
    --------
    >>> table = np.array([[-1, 1], [0, 2], [1, -1]])    # three voxels in a row
    >>> out = np.zeros(3)
    >>> enhance(np.array([1.0, 1.0, 0.0]), 1.0, table, steps_of(1.0, 0.0), 0.5, 2.0, out)
    >>> bool(out[0] == out[1] > 0 == out[2])
    True
    """
    n_vox = values.shape[0]
    n_steps = steps.shape[0]
    level = np.zeros(n_vox, np.int32)  # how many steps each voxel reaches
    counts = np.zeros(n_steps + 1, np.int64)
    spacing = steps[0]  # the steps are multiples of the first: guess, then correct
    for v in range(n_vox):
        x = sign * values[v]
        if x > 0.0 and x >= steps[0]:
            lev = min(int(x / spacing), n_steps)
            while lev < n_steps and steps[lev] <= x:
                lev += 1
            while lev > 0 and steps[lev - 1] > x:
                lev -= 1
            level[v] = lev
            counts[lev] += 1
    start = np.zeros(n_steps + 2, np.int64)  # voxels sorted by level, highest first
    pos = 0
    for k in range(n_steps, 0, -1):
        start[k] = pos
        pos += counts[k]
    order = np.empty(pos, np.int64)
    fill = start.copy()
    for v in range(n_vox):
        k = level[v]
        if k > 0:
            order[fill[k]] = v
            fill[k] += 1
    # Union-find whose nodes carry partial sums: a voxel's TFCE is the sum of `acc` along its
    # path to the root. A cluster's root is credited with size**E * h**H for every step during
    # which the cluster did not change, in one go when it changes (or at the end), from prefix
    # sums of h**H; `mark[r]` is the highest step not yet credited. A root attached below another
    # subtracts the new root's sum, so no voxel gains what was credited before it joined. Path
    # halving keeps the sums by folding the skipped parent's into the child's.
    cum = np.zeros(n_steps + 1)
    for k in range(1, n_steps + 1):
        cum[k] = cum[k - 1] + steps[k - 1] ** H
    parent = np.full(n_vox, -1, np.int64)  # -1: not above the current height yet
    size = np.zeros(n_vox, np.int64)
    mark = np.zeros(n_vox, np.int64)
    acc = np.zeros(n_vox)
    for k in range(n_steps, 0, -1):
        for i in range(start[k], start[k] + counts[k]):
            v = order[i]
            parent[v] = v
            size[v] = 1
            mark[v] = k
            rv = v  # the root of v's cluster so far
            for j in range(neighbours.shape[1]):
                u = neighbours[v, j]
                if u < 0 or parent[u] < 0:
                    continue
                ru = _find_sum(parent, acc, u)
                if ru == rv:
                    continue
                for r in (ru, rv):  # credit both for the steps above k
                    acc[r] += _extent(size[r], E) * (cum[mark[r]] - cum[k])
                    mark[r] = k
                if size[ru] < size[rv]:
                    ru, rv = rv, ru
                parent[rv] = ru
                acc[rv] -= acc[ru]
                size[ru] += size[rv]
                rv = ru
    for i in range(pos):
        v = order[i]
        if parent[v] == v:  # the roots left: credit the steps down to the first
            acc[v] += _extent(size[v], E) * cum[mark[v]]
    for i in range(pos):
        v = order[i]
        total = 0.0
        while parent[v] != v:
            total += acc[v]
            v = parent[v]
        out[order[i]] += sign * (total + acc[v])


@numba.njit(cache=True, nogil=True)
def _extent(size: float, E: float) -> float:
    return np.sqrt(size) if E == 0.5 else size**E


@numba.njit(cache=True, nogil=True)
def tfce_map(
    values: np.ndarray, neighbours: np.ndarray, E: float, H: float, dh: float, two_sided: bool
) -> np.ndarray:
    """TFCE of one map (float64, masked); nilearn's steps from this map's own maximum.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_voxels,)
        The masked map, float64.
    neighbours : numpy.ndarray, shape (n_voxels, 6)
        :func:`course_utils.stats.tfce.neighbours` of the mask.
    E, H : float
        Extent and height exponents.
    dh : float
        Step between heights (0: 100 steps).
    two_sided : bool
        Enhance negative values too.

    Returns
    -------
    numpy.ndarray, shape (n_voxels,)

    Examples
    --------
    >>> table = np.array([[-1, 1], [0, 2], [1, -1]])
    >>> values = tfce_map(np.array([2.0, 0.0, -2.0]), table, 0.5, 2.0, 0.0, True)
    >>> bool(values[0] == -values[2] > 0), float(values[1])
    (True, 0.0)
    """
    out = np.zeros(values.shape[0])
    top = 0.0
    for v in range(values.shape[0]):
        x = abs(values[v]) if two_sided else values[v]
        if x > top:
            top = x
    if top <= 0.0:
        return out
    steps = steps_of(top, dh)
    enhance(values, 1.0, neighbours, steps, E, H, out)
    if two_sided:
        enhance(values, -1.0, neighbours, steps, E, H, out)
    return out


@numba.njit(cache=True, nogil=True)
def max_tfce(
    maps: np.ndarray, neighbours: np.ndarray, E: float, H: float, dh: float, two_sided: bool
) -> np.ndarray:
    """Largest ``|TFCE|`` of each row of ``maps`` (one permuted t-map per row).

    Parameters
    ----------
    maps : numpy.ndarray, shape (n_maps, n_voxels)
        Masked maps, float64, C-contiguous.
    neighbours : numpy.ndarray, shape (n_voxels, 6)
        :func:`course_utils.stats.tfce.neighbours` of the mask.
    E, H, dh, two_sided
        As in :func:`tfce_map`.

    Returns
    -------
    numpy.ndarray, shape (n_maps,)

    Examples
    --------
    >>> table = np.array([[-1, 1], [0, 2], [1, -1]])
    >>> maps = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, -2.0]])
    >>> top = max_tfce(maps, table, 0.5, 2.0, 0.0, True)
    >>> bool(top[0] == top[1] > 0)
    True
    """
    best = np.zeros(maps.shape[0])
    row = np.empty(maps.shape[1])
    for b in range(maps.shape[0]):
        for v in range(maps.shape[1]):
            row[v] = maps[b, v]
        enhanced = tfce_map(row, neighbours, E, H, dh, two_sided)
        top = 0.0
        for v in range(enhanced.shape[0]):
            if abs(enhanced[v]) > top:
                top = abs(enhanced[v])
        best[b] = top
    return best


@numba.njit(cache=True, nogil=True)
def max_cluster(
    maps: np.ndarray, neighbours: np.ndarray, threshold: float, two_sided: bool
) -> np.ndarray:
    """Size of the largest face-connected cluster above ``threshold`` in each row of ``maps``.

    Parameters
    ----------
    maps : numpy.ndarray, shape (n_maps, n_voxels)
        Masked maps, float64, C-contiguous.
    neighbours : numpy.ndarray, shape (n_voxels, 6)
        :func:`course_utils.stats.tfce.neighbours` of the mask.
    threshold : float
        Voxels with ``t > threshold`` form clusters (``|t|``, each sign on its own, when
        two-sided).
    two_sided : bool

    Returns
    -------
    numpy.ndarray of int64, shape (n_maps,)
        0 for a map without any voxel above the threshold.

    Examples
    --------
    >>> table = np.array([[-1, 1], [0, 2], [1, -1]])
    >>> maps = np.array([[3.0, 3.0, -3.0], [0.0, 0.0, 0.0]])
    >>> max_cluster(maps, table, 2.0, True).tolist()
    [2, 0]
    """
    n_vox = maps.shape[1]
    parent = np.empty(n_vox, np.int64)
    size = np.empty(n_vox, np.int64)
    acc = np.zeros(n_vox)  # unused sums: _find_sum needs them
    best = np.zeros(maps.shape[0], np.int64)
    for b in range(maps.shape[0]):
        top = 0
        for sign in (1.0, -1.0):
            if sign < 0 and not two_sided:
                break
            for v in range(n_vox):
                parent[v] = v if sign * maps[b, v] > threshold else -1
                size[v] = 1
            for v in range(n_vox):
                if parent[v] < 0:
                    continue
                rv = _find_sum(parent, acc, v)
                for j in range(neighbours.shape[1]):
                    u = neighbours[v, j]
                    if u < 0 or parent[u] < 0:
                        continue
                    ru = _find_sum(parent, acc, u)
                    if ru != rv:
                        if size[ru] < size[rv]:
                            ru, rv = rv, ru
                        parent[rv] = ru
                        size[ru] += size[rv]
                        rv = ru
                        if size[ru] > top:
                            top = size[ru]
                if top == 0:
                    top = 1
        best[b] = top
    return best
