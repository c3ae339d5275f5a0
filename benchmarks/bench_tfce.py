#!/usr/bin/env python
"""TFCE permutation test: course_utils vs nilearn, per permutation, in one run.

30 subjects x the 3 mm Localizer grid (nilearn's MNI brain mask resampled to the grid of the
packaged Localizer t-map, 67,402 voxels), seeded smooth random data (white noise smoothed with
sigma = 1 voxel, mean 0.1), two-sided, E = 0.5, H = 2, 100 height steps, face connectivity, one
BLAS thread. Prints, in one run:

- the TFCE of one map: ours (``course_utils.stats.tfce.tfce``) vs nilearn's ``calculate_tfce`` on
  the same observed t-map, median of ``--repeats`` maps, and their largest relative difference;
- a whole permutation test with TFCE: ours (``inference.permutation_test(..., tfce=True)``) vs
  nilearn's ``non_parametric_inference(..., tfce=True, two_sided_test=True, n_jobs=1)``. The
  time per permutation is the difference between two runs (``--small`` and ``--large``
  permutations) divided by the difference in permutations, so the fixed costs (masking, the
  observed map, numba's kernel loading) drop out; ours repeats ``--repeats`` times (median),
  nilearn once (it is slow);
- our peak memory (tracemalloc and process RSS).

Goal: ours >= 10x faster per permutation (stretch 20x); exit status 1 below 10x, when the TFCE
values differ from nilearn's by more than 1e-6 relative, or when ours peaks over 1 GiB.

Usage: ``python benchmarks/bench_tfce.py [--repeats R] [--small N] [--large N]``.
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
from pathlib import Path  # noqa: E402

import nibabel as nib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from nilearn.mass_univariate._utils import calculate_tfce  # noqa: E402
from scipy import ndimage, stats  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_permutation import localizer_mask  # noqa: E402

from course_utils.stats import inference, tfce  # noqa: E402


def smooth_data(inside: np.ndarray, n_subjects: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_subjects):
        volume = ndimage.gaussian_filter(rng.normal(size=inside.shape), 1.0)
        row = volume[inside]
        rows.append(0.1 + row / row.std())
    return np.asarray(rows, dtype=np.float32)


def nilearn_run(Y, inside, mask_img, n_perm):
    from nilearn.glm.second_level import non_parametric_inference

    imgs = []
    for row in Y:
        vol = np.zeros(inside.shape, dtype=np.float32)
        vol[inside] = row
        imgs.append(nib.Nifti1Image(vol, mask_img.affine))
    design = pd.DataFrame({"intercept": np.ones(len(Y))})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        non_parametric_inference(
            imgs,
            design_matrix=design,
            mask=mask_img,
            n_perm=n_perm,
            two_sided_test=True,
            tfce=True,
            n_jobs=1,
            random_state=0,
            verbose=0,
        )
    return time.perf_counter() - start


def ours_run(Y, mask_img, n_perm, seed):
    start = time.perf_counter()
    inference.permutation_test(Y, n_perm=n_perm, seed=seed, tfce=True, mask_img=mask_img)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--small", type=int, default=20, help="permutations of the short runs")
    parser.add_argument("--large", type=int, default=60, help="permutations of the long runs")
    args = parser.parse_args(argv)

    mask_img = localizer_mask()
    inside = np.asarray(mask_img.dataobj).astype(bool)
    Y = smooth_data(inside, args.subjects)
    t_obs = stats.ttest_1samp(Y.astype(np.float64), 0).statistic

    start = time.perf_counter()
    tiny = nib.Nifti1Image(np.ones((4, 1, 1), dtype="uint8"), np.eye(4))
    # load (or, the first time on a machine, compile) the kernels
    tfce.tfce(np.arange(4.0), mask_img=tiny)
    load = time.perf_counter() - start

    faces = ndimage.generate_binary_structure(3, 1)
    volume = np.zeros(inside.shape)
    map_ours, map_nilearn, worst = [], [], 0.0
    for repeat in range(args.repeats):
        t_map = (
            t_obs
            if repeat == 0
            else t_obs * np.random.default_rng(repeat).choice([-1, 1], size=t_obs.size)
        )  # other maps: same values, broken-up clusters
        start = time.perf_counter()
        ours = tfce.tfce(t_map, mask_img=mask_img)
        map_ours.append(time.perf_counter() - start)
        volume[inside] = t_map
        start = time.perf_counter()
        ref = calculate_tfce(volume[..., None], faces, two_sided_test=True)[..., 0][inside]
        map_nilearn.append(time.perf_counter() - start)
        worst = max(worst, float(np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300))))

    tracemalloc.start()
    short = [ours_run(Y, mask_img, args.small, seed) for seed in range(args.repeats)]
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    long = [ours_run(Y, mask_img, args.large, seed) for seed in range(args.repeats)]
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_ours = (statistics.median(long) - statistics.median(short)) / (args.large - args.small)
    nl_short = nilearn_run(Y, inside, mask_img, args.small)
    nl_long = nilearn_run(Y, inside, mask_img, args.large)
    per_nilearn = (nl_long - nl_short) / (args.large - args.small)
    ratio = per_nilearn / per_ours
    step_ratio = statistics.median(map_nilearn) / statistics.median(map_ours)

    print(
        f"TFCE permutation test: {args.subjects} subjects x {Y.shape[1]} voxels (3 mm Localizer "
        "grid, smooth random data), two-sided, E=0.5, H=2, 100 steps, 1 BLAS thread"
    )
    print("| step | course_utils | nilearn | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| TFCE of one map (median of {args.repeats}) | "
        f"{1000 * statistics.median(map_ours):.1f} ms | "
        f"{1000 * statistics.median(map_nilearn):.0f} ms | {step_ratio:.0f}x |"
    )
    print(
        f"| one permutation ((T({args.large}) - T({args.small})) / {args.large - args.small}) | "
        f"{1000 * per_ours:.1f} ms | {1000 * per_nilearn:.0f} ms | {ratio:.0f}x |"
    )
    print(
        f"| 1,000 permutations, extrapolated | {per_ours * 1000:.0f} s | "
        f"{per_nilearn * 1000:.0f} s | |"
    )
    print(
        f"ours, runs of {args.small}: {', '.join(f'{t:.2f}' for t in short)} s; of {args.large}: "
        f"{', '.join(f'{t:.2f}' for t in long)} s; nilearn: {nl_short:.1f} s and {nl_long:.1f} s"
    )
    print(f"numba kernels loaded (or compiled) in {load:.2f} s, cache {tfce.cache_folder()}")
    print(f"largest relative difference from nilearn's calculate_tfce: {worst:.1e} (goal <= 1e-6)")
    print(
        f"our peak memory: tracemalloc {traced / 2**20:.0f} MiB, process peak RSS "
        f"{peak_rss:.0f} MiB (goal < 1024 MiB)"
    )
    print(f"ours vs nilearn per permutation: {ratio:.1f}x faster (goal >= 10x, stretch 20x)")
    return 0 if ratio >= 10 and worst <= 1e-6 and peak_rss < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
