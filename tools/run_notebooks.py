#!/usr/bin/env python
"""Run every course notebook under nbval and measure its wall time and kernel memory.

Each MyST notebook ``notebooks/NN_*.md`` is converted to ``.ipynb`` in a temporary folder (no
stored outputs) and run with ``pytest --nbval-lax --nbval-current-env`` in its own process, with
BLAS limited to one thread and matplotlib's non-interactive inline backend, as on a one-CPU hub.
While it runs, the resident memory of the kernel (every process below pytest) is sampled; the
peak, the wall time and the budgets go into a Markdown table.

Exit status: non-zero when a notebook fails (an error in any cell or a failed assertion), when a
kernel's peak memory exceeds the memory budget, or, with ``--enforce-time``, when a notebook is
over its time budget. Time is reported but not enforced by default: shared machines are noisy.

With ``--student`` each notebook is first turned into its student edition (solution and
``verify`` cells removed, see ``tools/editions.py``), and after every ``check`` cell an assertion
is added that the feedback says "not attempted": the placeholders of the stubs must never crash
the rest of a student's notebook, and must never be judged right or wrong.

With ``--executed DIR`` each notebook that passes is also written to ``DIR/NN_name.ipynb`` with the
outputs of this very run (``tools/nbval_save.py``), for the instructor site, which then executes
nothing again. ``--jobs 2`` runs two notebooks at a time (each kernel on one BLAS thread; the
machines here have two cores).

A notebook sets its own time budget in its front matter (default 60 s)::

    course:
      budget_seconds: 90
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jupytext
import psutil

REPO = Path(__file__).resolve().parent.parent
if not __package__:  # run as `python tools/run_notebooks.py`: import the tools package by name
    sys.path[0] = str(REPO)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
DEFAULT_TIME_BUDGET = 60.0
DEFAULT_MEMORY_BUDGET_MIB = 1024.0
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}


@dataclass
class Result:
    name: str
    seconds: float
    peak_mib: float
    time_budget: float
    memory_budget: float
    passed: bool
    log: str

    @property
    def verdict(self) -> str:
        problems = []
        if not self.passed:
            problems.append("FAILED")
        if self.peak_mib > self.memory_budget:
            problems.append("over memory")
        if self.seconds > self.time_budget:
            problems.append("over time")
        return ", ".join(problems) or "ok"


def discover(paths: list[str], data_only: bool = False) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    found = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.md"))
    if data_only:  # the notebooks that load the Localizer, whatever their numbers
        found = [p for p in found if "data.load_localizer(" in p.read_text()]
    return found


STUDENT_CHECK = (
    "# added by tools/run_notebooks.py --student: the stub's placeholder is 'not attempted'.\n"
    "# IPython's Out history, not `_`, which a notebook may use as a variable of its own.\n"
    "feedback__ = Out[max(Out)]\n"
    "assert feedback__.status == 'not attempted', f'a student stub was judged: {feedback__}'"
)


def _student_edition(notebook):
    from tools.editions import student_edition

    stripped = student_edition(notebook)
    cells = []
    for cell in stripped.cells:
        cells.append(cell)
        if "check" in cell.metadata.get("tags", []):
            cells.append(
                jupytext.reads(
                    f"```{{code-cell}} ipython3\n{STUDENT_CHECK}\n```\n", fmt="md:myst"
                ).cells[0]
            )
    stripped.cells = cells
    return stripped


def notebook_env(outputs: str = "outputs") -> dict[str, str]:
    """The environment every test run gives a notebook's kernel.

    matplotlib's inline backend: non-interactive (no windows, no plt.show() warnings) and it
    renders every figure as a student's kernel does, so time and memory are measured honestly.
    No browser runs the widgets here: notebooks show their static figures instead. BLAS on one
    thread, as on a hub. Test runs stay out of the user's own folders unless they chose folders
    themselves (``_build/data_cache`` and ``_build/<outputs>``).
    """
    env = dict(
        os.environ,
        MPLBACKEND=INLINE_BACKEND,
        PYTHONHASHSEED="0",
        COURSE_STATIC_FIGURES="1",
        **ONE_THREAD,
    )
    env.setdefault("COURSE_DATA_DIR", str(REPO / "_build" / "data_cache"))
    env.setdefault("COURSE_OUTPUT_DIR", str(REPO / "_build" / outputs))
    return env


def fingerprint(source: Path) -> str:
    """What an executed copy depends on: the notebook, the package and the data settings."""
    digest = hashlib.sha256(source.read_bytes())
    for module in sorted((REPO / "course_utils").rglob("*.py")):
        digest.update(module.read_bytes())
    for name in ("COURSE_DATA", "COURSE_N_SUBJECTS", "COURSE_DATA_OFFLINE"):
        digest.update(f"{name}={os.environ.get(name, '')};".encode())
    return digest.hexdigest()


def is_fresh(source: Path, executed: Path) -> bool:
    """Whether ``executed`` was written by a passing run of the current ``source``."""
    if not executed.is_file():
        return False
    try:
        meta = jupytext.read(executed).metadata.get("course", {})
    except Exception:  # noqa: BLE001 - an unreadable copy is simply not fresh
        return False
    return meta.get("executed_from") == fingerprint(source)


def convert(source: Path, folder: Path, student: bool = False) -> tuple[Path, float]:
    notebook = jupytext.read(source)
    notebook.metadata.setdefault("course", {})["executed_from"] = fingerprint(source)
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        raise SystemExit(f"{source.name}: kernelspec name is {kernel!r}; it must be 'python3'.")
    budget = float(notebook.metadata.get("course", {}).get("budget_seconds", DEFAULT_TIME_BUDGET))
    if student:
        notebook = _student_edition(notebook)
    target = folder / (source.stem + (".student" if student else "") + ".ipynb")
    jupytext.write(notebook, target, fmt="ipynb")
    return target, budget


def _sample_peak(proc: subprocess.Popen, stop: threading.Event, out: list[float]) -> None:
    """Sample the summed RSS of every process below ``proc`` (the kernel and its children)."""
    try:
        parent = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        return
    peak = 0
    while not stop.is_set():
        total = 0
        try:
            children = parent.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for child in children:
            try:
                total += child.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        peak = max(peak, total)
        stop.wait(0.05)
    out.append(peak / 2**20)


def run_one(
    ipynb: Path,
    time_budget: float,
    memory_budget: float,
    env: dict,
    extra_args: tuple[str, ...] = (),
    executed: Path | None = None,
) -> Result:
    """Run one notebook under nbval in its own folder; ``extra_args`` go to pytest (``-x`` stops
    at the first failing cell). With ``executed``, the run's outputs are written there."""
    folder = ipynb.parent / ipynb.stem  # its own folder: its conftest, its outputs
    folder.mkdir(exist_ok=True)
    ipynb = Path(shutil.copy(ipynb, folder / ipynb.name))
    shutil.copy(Path(__file__).resolve().parent / "nbval_save.py", folder / "conftest.py")
    env = dict(env)
    if executed is not None:
        env["COURSE_EXECUTED_OUT"] = str(executed)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
        "-o",
        "addopts=",
        *extra_args,
        str(ipynb),
    ]
    stop, peak = threading.Event(), []
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ipynb.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = threading.Thread(target=_sample_peak, args=(proc, stop, peak), daemon=True)
    sampler.start()
    log, _ = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return Result(
        ipynb.stem,
        seconds,
        peak[0] if peak else 0.0,
        time_budget,
        memory_budget,
        proc.returncode == 0,
        log,
    )


def table(results: list[Result], label: str) -> str:
    lines = [
        f"Notebook budgets ({label}; BLAS 1 thread; {platform.node() or 'this machine'}, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        "| notebook | wall time (s) | kernel peak memory (MiB) | time budget (s) "
        "| memory budget (MiB) | verdict |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.seconds:.1f} | {r.peak_mib:.0f} | {r.time_budget:.0f} "
            f"| {r.memory_budget:.0f} | {r.verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="MyST notebooks (default: notebooks/NN_*.md)")
    parser.add_argument("--out", type=Path, help="write the Markdown table to this file too")
    parser.add_argument(
        "--memory-budget",
        type=float,
        default=DEFAULT_MEMORY_BUDGET_MIB,
        help="kernel peak memory limit in MiB (default 1024)",
    )
    parser.add_argument(
        "--enforce-time",
        action="store_true",
        help="also fail when a notebook is over its time budget",
    )
    parser.add_argument(
        "--student",
        action="store_true",
        help="run the student editions (solutions removed, stubs unanswered)",
    )
    parser.add_argument(
        "--data-only",
        action="store_true",
        help="only the notebooks that load the Localizer (data.load_localizer)",
    )
    parser.add_argument(
        "--label", default="", help="text for the table heading, e.g. '94 subjects'"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="notebooks run at once (default 1; CI uses 2 on its 2 cores)",
    )
    parser.add_argument(
        "--executed", type=Path, help="write each passing notebook with its outputs to this folder"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --executed: skip notebooks whose executed copy is fresh",
    )
    args = parser.parse_args(argv)

    notebooks = discover(args.notebooks, args.data_only)
    if not notebooks:
        print("No notebooks found in notebooks/ (expected NN_name.md).", file=sys.stderr)
        return 1
    if args.reuse and args.executed is not None:
        stale = [p for p in notebooks if not is_fresh(p, args.executed / (p.stem + ".ipynb"))]
        print(
            f"{len(notebooks) - len(stale)} executed copies are fresh in {args.executed}; "
            f"running {len(stale)}",
            flush=True,
        )
        notebooks = stale
        if not notebooks:
            return 0
    env = notebook_env()

    if args.executed is not None:
        args.executed = args.executed.resolve()
        args.executed.mkdir(parents=True, exist_ok=True)

    def run(source: Path) -> Result:
        ipynb, budget = convert(source, Path(tmp), student=args.student)
        target = None if args.executed is None else args.executed / (source.stem + ".ipynb")
        if target is not None and target.exists():
            target.unlink()  # a stale copy must never stand in for a failed run
        result = run_one(ipynb, budget, args.memory_budget, env, executed=target)
        print(
            f"{source.name}: {result.seconds:.1f} s, kernel peak {result.peak_mib:.0f} MiB: "
            f"{result.verdict}",
            flush=True,
        )
        if not result.passed:
            print(result.log, flush=True)
        return result

    print(f"running {len(notebooks)} notebooks, {max(1, args.jobs)} at a time ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="course-nbval-") as tmp:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(run, notebooks))

    label = args.label or ("student editions" if args.student else "notebook tests")
    text = table(results, label)
    print()
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    failed = [
        r
        for r in results
        if not r.passed
        or r.peak_mib > r.memory_budget
        or (args.enforce_time and r.seconds > r.time_budget)
    ]
    n_passed = len(results) - len(failed)
    print(f"notebooks: {n_passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
