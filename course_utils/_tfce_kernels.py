"""Compiled kernels of :mod:`course_utils.tfce` (numba; imported lazily).

Import this module only through :func:`course_utils.tfce._kernels`, which first points numba's
on-disk cache at a folder the user can write to, so that the kernels are compiled once per machine
(about 2-4 s) and loaded from the cache afterwards.

The method: the voxels above the lowest height step are put in buckets by how many steps they
reach, and the buckets are added from the highest step down; every new voxel is joined to its
already-present face neighbours with a union-find (union by size, path halving). After the voxels
of a step are in, each present voxel adds ``size(its cluster)**E * h**H``, the root's value being
computed once per step. One pass over the sorted voxels replaces nilearn's one 3D labelling per
step.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _find(parent, v):
    while parent[v] != v:
        parent[v] = parent[parent[v]]
        v = parent[v]
    return v


@numba.njit(cache=True, nogil=True)
def steps_of(max_score, dh):
    """nilearn's heights: ``linspace(0, max, n + 1)[1:]``, n = 100 or ``round(max / dh)``."""
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
def enhance(values, sign, neighbours, steps, E, H, out):
    """Add ``sign * TFCE`` of the voxels where ``sign * values >= steps[0]`` to ``out``."""
    n_vox = values.shape[0]
    n_steps = steps.shape[0]
    level = np.zeros(n_vox, np.int32)  # how many steps each voxel reaches
    counts = np.zeros(n_steps + 1, np.int64)
    for v in range(n_vox):
        x = sign * values[v]
        if x > 0.0 and x >= steps[0]:
            lo, hi = 1, n_steps  # number of steps <= x, by bisection
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if steps[mid - 1] <= x:
                    lo = mid
                else:
                    hi = mid - 1
            level[v] = lo
            counts[lo] += 1
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
    parent = np.full(n_vox, -1, np.int64)  # -1: not above the current height yet
    size = np.zeros(n_vox, np.int64)
    stamp = np.zeros(n_vox, np.int32)
    value = np.zeros(n_vox)
    for k in range(n_steps, 0, -1):
        stop = start[k] + counts[k]
        for i in range(start[k], stop):
            v = order[i]
            parent[v] = v
            size[v] = 1
            for j in range(neighbours.shape[1]):
                u = neighbours[v, j]
                if u >= 0 and parent[u] >= 0:
                    ru = _find(parent, u)
                    rv = _find(parent, v)
                    if ru != rv:
                        if size[ru] < size[rv]:
                            ru, rv = rv, ru
                        parent[rv] = ru
                        size[ru] += size[rv]
        height = steps[k - 1] ** H
        for i in range(stop):
            v = order[i]
            r = _find(parent, v)
            if stamp[r] != k:
                value[r] = sign * size[r] ** E * height
                stamp[r] = k
            out[v] += value[r]


@numba.njit(cache=True, nogil=True)
def tfce_map(values, neighbours, E, H, dh, two_sided):
    """TFCE of one map (float64, masked); nilearn's steps from this map's own maximum."""
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
def max_tfce(maps, neighbours, E, H, dh, two_sided):
    """Largest ``|TFCE|`` of each row of ``maps`` (one permuted t-map per row)."""
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
