#!/usr/bin/env python
"""One-sample group t-map from 30 subject images: course_utils vs nilearn's SecondLevelModel.

Both pipelines take the same 30 in-memory NIfTI images on the 2 mm MNI grid (nilearn's packaged
brain mask, ~235,000 voxels) and return a t-map image:

- ours: ``data.mask_images`` -> ``glm.regress`` (no residuals kept) -> ``data.unmask``;
- nilearn: ``SecondLevelModel(mask_img=...).fit(imgs, design_matrix)`` +
  ``compute_contrast("intercept", output_type="stat")``.

Both are run warm, at least 7 times each, in this one process; the script prints the medians, the
ratio, the largest relative t difference and our tracemalloc peak as a multiple of the data's
bytes (30 x voxels x float32). Goals: >= 10x faster than nilearn, t equal to rtol 1e-6, peak <= 3x
the data. Exit status 1 when t differs or the memory goal is missed (speed is reported: shared
machines are noisy).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402

import nibabel as nib  # noqa: E402
import numpy as np  # noqa: E402
from nilearn.datasets import load_mni152_brain_mask  # noqa: E402
from nilearn.glm.second_level import SecondLevelModel  # noqa: E402

from course_utils.experiments import data  # noqa: E402
from course_utils.stats import designs, glm  # noqa: E402


def ours(imgs, mask_img, design):
    Y = data.mask_images(imgs, mask_img=mask_img)
    fit = glm.regress(design, Y, keep_residuals=False)
    return data.unmask(fit.t[0], mask_img=mask_img)


def theirs(imgs, mask_img, design):
    model = SecondLevelModel(mask_img=mask_img, n_jobs=1).fit(imgs, design_matrix=design)
    return model.compute_contrast("intercept", output_type="stat")


def _median_time(func, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    mask_img = load_mni152_brain_mask(resolution=2)
    mask_img = nib.Nifti1Image(np.asarray(mask_img.dataobj).astype("uint8"), mask_img.affine)
    n_vox = int(np.asarray(mask_img.dataobj).sum())
    rng = np.random.default_rng(0)
    imgs = [
        nib.Nifti1Image(rng.normal(0.2, 1.0, mask_img.shape).astype("float32"), mask_img.affine)
        for _ in range(args.subjects)
    ]
    design = designs.one_sample(args.subjects)
    data_bytes = args.subjects * n_vox * 4

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours(imgs, mask_img, design)  # warm-up
        theirs(imgs, mask_img, design)
        t_ours, img_ours = _median_time(lambda: ours(imgs, mask_img, design), args.repeats)
        t_theirs, img_theirs = _median_time(lambda: theirs(imgs, mask_img, design), args.repeats)

    tracemalloc.start()
    ours(imgs, mask_img, design)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    inside = np.asarray(mask_img.dataobj).astype(bool)
    a, b = img_ours.get_fdata()[inside], img_theirs.get_fdata()[inside]
    rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
    ratio = t_theirs / t_ours
    print(
        f"one-sample group t-map: {args.subjects} subjects x {n_vox} voxels (2 mm MNI mask), "
        f"median of {args.repeats} warm runs, 1 BLAS thread"
    )
    print("| pipeline | median (s) |")
    print("|---|---:|")
    print(f"| course_utils (mask_images + regress + unmask) | {t_ours:.3f} |")
    print(f"| nilearn SecondLevelModel fit + compute_contrast | {t_theirs:.3f} |")
    print(f"speed ratio nilearn / ours: {ratio:.1f}x (goal >= 10x)")
    print(f"largest relative t difference: {rel:.2e} (goal <= 1e-6)")
    print(
        f"our tracemalloc peak: {peak / 2**20:.0f} MiB = {peak / data_bytes:.2f}x the data "
        f"({data_bytes / 2**20:.0f} MiB) (goal <= 3x)"
    )
    ok = rel <= 1e-6 and peak <= 3 * data_bytes
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
