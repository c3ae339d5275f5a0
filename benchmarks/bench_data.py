#!/usr/bin/env python
"""Loading the offline stand-in: 30 subjects x 10 conditions, first time and from the cache.

Runs in a fresh temporary data cache (``COURSE_DATA_DIR``), so "first" includes building the
brain mask on the Localizer grid and generating every map. Then loads the same data again from
the cached masked arrays several times. Prints the figures and checks the goals:

- first load under 10 s;
- cached load under 1 s (median of the repeats);
- peak memory under 500 MB, both as traced by tracemalloc (Python allocations, numpy included)
  and as the growth of the process's resident set size (psutil) over its size before loading.

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import psutil  # noqa: E402

GOALS = {"first_s": 10.0, "cached_s": 1.0, "peak_mb": 500.0}


class _RssPeak:
    """Sample the resident set size every 10 ms in a thread; keep the maximum."""

    def __init__(self):
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-subjects", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_data_") as folder:
        os.environ["COURSE_DATA_DIR"] = folder
        os.environ["COURSE_DATA"] = "synthetic"
        # import outside the timed region: a notebook has these imported anyway
        from course_utils.experiments import data

        baseline = psutil.Process().memory_info().rss
        tracemalloc.start()
        with _RssPeak() as rss:
            start = time.perf_counter()
            loaded = data.load_localizer(n_subjects=args.n_subjects, verbose=False)
            first = time.perf_counter() - start
            _, traced_first = tracemalloc.get_traced_memory()
            del loaded
            tracemalloc.reset_peak()
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                loaded = data.load_localizer(n_subjects=args.n_subjects, verbose=False)
                times.append(time.perf_counter() - start)
                del loaded
            _, traced_cached = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        data_mb = args.n_subjects * len(data.CONDITIONS) * data.brain_mask().get_fdata().sum() * 4
    cached = statistics.median(times)
    traced_mb = max(traced_first, traced_cached) / 1e6
    rss_mb = (rss.peak - baseline) / 1e6
    print(
        f"stand-in, {args.n_subjects} subjects x {len(data.CONDITIONS)} conditions "
        f"({data_mb / 1e6:.0f} MB of float32 maps)"
    )
    print(f"  first load (generate + cache): {first:6.2f} s   (goal < {GOALS['first_s']:.0f} s)")
    print(
        f"  cached load, median of {args.repeats}:  {cached:6.3f} s   "
        f"(goal < {GOALS['cached_s']:.0f} s; all: {', '.join(f'{t:.3f}' for t in times)})"
    )
    print(f"  peak memory, tracemalloc:      {traced_mb:6.0f} MB  (goal < {GOALS['peak_mb']:.0f})")
    print(f"  peak RSS growth (psutil):      {rss_mb:6.0f} MB  (goal < {GOALS['peak_mb']:.0f})")
    missed = [
        name
        for name, ok in [
            ("first load", first < GOALS["first_s"]),
            ("cached load", cached < GOALS["cached_s"]),
            ("tracemalloc peak", traced_mb < GOALS["peak_mb"]),
            ("RSS peak", rss_mb < GOALS["peak_mb"]),
        ]
        if not ok
    ]
    print("goals missed: " + ", ".join(missed) if missed else "all goals met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
