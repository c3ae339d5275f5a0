#!/usr/bin/env python
"""Max-T sign-flip permutation test: course_utils vs nilearn, and the matrix-product floor.

30 subjects x the 3 mm Localizer grid (nilearn's MNI brain mask resampled to the grid of the
packaged Localizer t-map, ~67,000 voxels), seeded random data, 10,000 sign flips, one BLAS
thread, two-sided in both. Prints, in one run:

- ours: ``inference.permutation_test`` (wall time, tracemalloc and RSS peak);
- nilearn ``non_parametric_inference`` (same n_perm, n_jobs=1, two_sided_test=True); with
  ``--quick`` it runs 1,000 permutations and its per-permutation time is extrapolated (stated);
- the floor: the bare (flips x subjects) @ (subjects x voxels) products in the same tiles
  (at most 255 flips x 4096 voxels, so that a tile of statistics stays in cache).

Ours and the floor run ``--repeats`` times (default 3; the medians are reported, since a shared
machine is noisy); nilearn runs once. Also prints, for reference, our Freedman-Lane test of a
two-group difference (1,000 permutations).

Goals: >= 20x faster than nilearn, within 1.5x of the floor, under 1 GiB. Exit status 1 when ours is
not 20x faster or its peak memory is over 1 GiB.

Usage: ``python benchmarks/bench_permutation.py [--quick] [--n-perm N] [--repeats R]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread, as on a hub (set before numpy is imported)

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402

import nibabel as nib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import psutil  # noqa: E402
from nilearn.datasets import load_mni152_brain_mask, load_sample_motor_activation_image  # noqa: E402
from nilearn.image import resample_to_img  # noqa: E402

from course_utils.stats import inference  # noqa: E402


def localizer_mask():
    grid = nib.load(load_sample_motor_activation_image())
    mask = resample_to_img(
        load_mni152_brain_mask(resolution=2),
        grid,
        interpolation="nearest",
        force_resample=True,
        copy_header=True,
    )
    return nib.Nifti1Image((np.asarray(mask.dataobj) > 0).astype("uint8"), grid.affine)


def floor(Y, n_perm, seed=0):
    """The bare products every sign-flip method needs, in our tiles (flips x 4096 voxels)."""
    rng = np.random.default_rng(seed)
    flips = rng.choice(np.array([1.0, -1.0], dtype=np.float32), size=(n_perm, Y.shape[0]))
    y32 = np.ascontiguousarray(Y, dtype=np.float32)
    rows, width = inference._tile_rows(None), inference.TILE_VOXELS
    out = np.empty((rows, width), dtype=np.float32)
    start = time.perf_counter()
    for c0 in range(0, Y.shape[1], width):
        block = np.ascontiguousarray(y32[:, c0 : c0 + width])
        for r0 in range(0, n_perm, rows):
            part = flips[r0 : r0 + rows]
            np.matmul(part, block, out=out[: part.shape[0], : block.shape[1]])
    return time.perf_counter() - start


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-perm", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="runs of ours and of the floor")
    parser.add_argument(
        "--quick", action="store_true", help="run nilearn with 1,000 permutations and extrapolate"
    )
    args = parser.parse_args(argv)

    mask_img = localizer_mask()
    inside = np.asarray(mask_img.dataobj).astype(bool)
    rng = np.random.default_rng(0)
    Y = rng.normal(0.1, 1.0, (args.subjects, int(inside.sum()))).astype(np.float32)

    inference.permutation_test(Y[:, :1000], n_perm=100)  # warm-up
    rss0 = psutil.Process().memory_info().rss
    tracemalloc.start()
    start = time.perf_counter()
    ours = inference.permutation_test(Y, n_perm=args.n_perm, seed=0)
    times = [time.perf_counter() - start]
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_ours = peak_rss_mib()
    for repeat in range(1, args.repeats):
        start = time.perf_counter()
        inference.permutation_test(Y, n_perm=args.n_perm, seed=repeat)
        times.append(time.perf_counter() - start)
    floors = [floor(Y, args.n_perm, seed) for seed in range(args.repeats)]
    t_ours, t_floor = statistics.median(times), statistics.median(floors)

    group = np.repeat([1.0, 0.0], [args.subjects // 2, args.subjects - args.subjects // 2])
    X = np.column_stack([np.ones(args.subjects), group])
    start = time.perf_counter()
    inference.permutation_test(Y, X, contrast=[0, 1], n_perm=1000, seed=0)
    t_fl = time.perf_counter() - start

    n_nilearn = min(1000, args.n_perm) if args.quick else args.n_perm
    from nilearn.glm.second_level import non_parametric_inference

    imgs = []
    for row in Y:
        vol = np.zeros(inside.shape, dtype=np.float32)
        vol[inside] = row
        imgs.append(nib.Nifti1Image(vol, mask_img.affine))
    design = pd.DataFrame({"intercept": np.ones(args.subjects)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        out = non_parametric_inference(
            imgs,
            design_matrix=design,
            mask=mask_img,
            n_perm=n_nilearn,
            two_sided_test=True,
            n_jobs=1,
            random_state=0,
            verbose=0,
        )
        t_nilearn = time.perf_counter() - start
    t_nilearn_full = t_nilearn * args.n_perm / n_nilearn
    p_nilearn = 10 ** -out.get_fdata()[inside]
    agree = np.abs(ours.p_fwe - p_nilearn).max()

    ratio, over_floor = t_nilearn_full / t_ours, t_ours / t_floor
    print(
        f"max-T sign flipping: {args.subjects} subjects x {Y.shape[1]} voxels (3 mm Localizer "
        f"grid), {args.n_perm} flips, two-sided, 1 BLAS thread; median of {args.repeats} runs"
    )
    print("| method | wall time (s) |")
    print("|---|---:|")
    print(
        f"| course_utils.stats.inference.permutation_test | {t_ours:.2f} "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}) |"
    )
    label = (
        f"nilearn non_parametric_inference ({n_nilearn} perms run, "
        f"x{args.n_perm / n_nilearn:g} extrapolated)"
        if n_nilearn != args.n_perm
        else "nilearn non_parametric_inference"
    )
    print(f"| {label} | {t_nilearn_full:.1f} ({1000 * t_nilearn / n_nilearn:.2f} ms/perm) |")
    print(
        f"| floor: bare flips @ data products, same tiles | {t_floor:.2f} "
        f"(runs: {', '.join(f'{t:.2f}' for t in floors)}) |"
    )
    print(
        f"ours vs nilearn: {ratio:.0f}x faster (goal >= 20x); ours / floor: {over_floor:.1f}x "
        "(aim <= 1.5x)"
    )
    print(
        f"our peak memory: tracemalloc {traced / 2**20:.0f} MiB, process RSS before "
        f"{rss0 / 2**20:.0f} MiB, peak RSS after ours {peak_ours:.0f} MiB (goal < 1024 MiB)"
    )
    print(
        f"reference: our Freedman-Lane two-group test, 1000 permutations: {t_fl:.2f} s "
        f"({t_fl:.2f} ms/perm)"
    )
    print(
        f"largest |p_FWE ours - p_FWE nilearn| on this map: {agree:.3f} "
        f"(Monte Carlo error of {min(n_nilearn, args.n_perm)} permutations)"
    )
    return 0 if ratio >= 20 and peak_ours < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
