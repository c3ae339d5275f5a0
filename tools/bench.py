#!/usr/bin/env python
"""Measure the course's footprint: every notebook at several class sizes, plus the benchmarks.

Every notebook runs under nbval (as in ``make test``) with BLAS limited to one thread, once per
size in ``--sizes`` (``COURSE_N_SUBJECTS`` tells ``course_utils.experiments.data`` how many
subjects to load or generate). One table lists notebook, subjects, wall time, kernel peak memory,
the budgets and the verdict; time budgets are enforced here (60 s per notebook unless its front
matter says otherwise) and so is the 1 GiB memory budget. Then every ``benchmarks/bench_*.py`` runs
(one BLAS thread) and its report is printed. Exit status is non-zero when any notebook or benchmark
fails or is over budget.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if not __package__:  # run as `python tools/bench.py`: import the tools package by name
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
from tools import run_notebooks  # noqa: E402

REPO = run_notebooks.REPO
#: numba's cache for everything the benchmark runs: under _build, never the user's ~/.cache.
NUMBA_CACHE = REPO / "_build" / "numba_cache"


def bench_env(base: dict[str, str]) -> dict[str, str]:
    """``base`` with BLAS on one thread, and numba's cache and the course data under _build
    unless the caller chose folders."""
    env = dict(base, **run_notebooks.ONE_THREAD)
    env.setdefault("NUMBA_CACHE_DIR", str(NUMBA_CACHE))
    env.setdefault("COURSE_DATA_DIR", str(REPO / "_build" / "data_cache"))
    return env


def run_sizes(notebooks: list[Path], sizes: list[int], memory_budget: float) -> list[tuple]:
    rows = []
    base = bench_env(run_notebooks.notebook_env())
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        converted = [run_notebooks.convert(source, Path(tmp)) for source in notebooks]
        for size in sizes:
            env = dict(base, COURSE_N_SUBJECTS=str(size))
            for ipynb, budget in converted:
                print(f"running {ipynb.stem} with {size} subjects ...", flush=True)
                result = run_notebooks.run_one(ipynb, budget, memory_budget, env)
                print(
                    f"  {result.seconds:.1f} s, kernel peak {result.peak_mib:.0f} MiB: "
                    f"{result.verdict}",
                    flush=True,
                )
                if not result.passed:
                    print(result.log)
                rows.append((size, result))
    return rows


def table(rows: list[tuple]) -> str:
    lines = [
        "| notebook | subjects | wall time (s) | kernel peak memory (MiB) | budget | verdict |",
        "|---|---:|---:|---:|---|---|",
    ]
    for size, r in rows:
        lines.append(
            f"| {r.name} | {size} | {r.seconds:.1f} | {r.peak_mib:.0f} | "
            f"{r.time_budget:.0f} s, {r.memory_budget:.0f} MiB | {r.verdict} |"
        )
    return "\n".join(lines) + "\n"


def run_benchmarks(scripts: list[Path]) -> list[tuple[str, int, float, str]]:
    env = bench_env(dict(os.environ))
    results = []
    for script in scripts:
        print(f"running {script.relative_to(REPO)} ...", flush=True)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        results.append((script.name, proc.returncode, seconds, proc.stdout + proc.stderr))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="30,94", help="comma-separated numbers of subjects (default 30,94)"
    )
    parser.add_argument(
        "--notebooks", nargs="*", default=None, help="MyST notebooks (default: notebooks/NN_*.md)"
    )
    parser.add_argument(
        "--benchmarks",
        nargs="*",
        default=None,
        help="benchmark scripts (default: benchmarks/bench_*.py)",
    )
    parser.add_argument(
        "--memory-budget", type=float, default=run_notebooks.DEFAULT_MEMORY_BUDGET_MIB
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "_build" / "bench.md",
        help="where to write the Markdown report",
    )
    args = parser.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    notebooks = run_notebooks.discover(args.notebooks or [])
    scripts = (
        [Path(s).resolve() for s in args.benchmarks]
        if args.benchmarks is not None
        else sorted((REPO / "benchmarks").glob("bench_*.py"))
    )

    rows = run_sizes(notebooks, sizes, args.memory_budget)
    bench = run_benchmarks(scripts)

    heading = (
        f"Notebook footprint (BLAS 1 thread; {platform.node() or 'this machine'}, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    report = [heading, "", table(rows)]
    for name, code, seconds, output in bench:
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        report += [f"### {name}: {status}, {seconds:.0f} s", "", "```", output.rstrip(), "```", ""]
    text = "\n".join(report) + "\n"
    print()
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)

    over = [r for _, r in rows if r.verdict != "ok"]
    failed_bench = [name for name, code, _, _ in bench if code != 0]
    n_ok = len(rows) - len(over) + len(bench) - len(failed_bench)
    print(f"bench: {n_ok} passed, {len(over) + len(failed_bench)} failed")
    return 1 if over or failed_bench else 0


if __name__ == "__main__":
    raise SystemExit(main())
