#!/usr/bin/env python
"""Prove that the notebooks' checks can fail: run each notebook with one helper broken.

A check that passes whatever the code does proves nothing. For every notebook, the files in
``tools/mutations/`` list plausible bugs (an erratum of the original lesson, a slip a student or a
maintainer could make): each replaces one ``course_utils`` function by a broken version. This
runner executes the notebook under nbval with that mutation put in from outside the package (a
first cell, added here, that swaps the function in its module) and expects the notebook to
**fail**. A mutation under which the notebook still runs clean is a claim nobody checks: the run
fails and names it.

Mutation files are YAML, one per notebook, named after the notebook's topic without its number
(``hrf_simulation.yaml`` for ``01_hrf_simulation.md``), so renumbering breaks nothing::

    - name: hrf-late
      why: the HRF is sampled 2 s late (onsets shifted by a sampling slip)
      code: |
        import course_utils.experiments.signals as m
        _original = m.canonical_hrf
        def canonical_hrf(*args, **kwargs):
            times, hrf = _original(*args, **kwargs)
            return times, np.roll(hrf, 20)
        m.canonical_hrf = canonical_hrf

``numpy as np`` is imported for the code. ``course_utils`` itself carries no test hook.

Each run stops at its first failing cell (``pytest -x``), and a mutation counts as **caught** only
when a check fails: an error in a ``verify`` cell (a claim's check), or an ``AssertionError``
anywhere (a solution's ``q.assert_correct``). A notebook that fails otherwise, say an
``AttributeError`` in a lesson cell because the mutation renamed a private helper, has not
caught the bug: the run is reported as **failed outside a check**, and ``make mutations`` fails.

Usage: ``python tools/mutations.py [TOPIC ...] [--jobs 2] [--out _build/mutations.md]``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jupytext
import yaml

if not __package__:  # run as `python tools/mutations.py`: import the tools package by name
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
from tools import run_notebooks  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MUTATIONS = REPO / "tools" / "mutations"
HEADER = "# added by tools/mutations.py: one course_utils function is deliberately broken\n"


@dataclass
class Mutation:
    topic: str
    name: str
    why: str
    code: str


def topic_of(notebook: Path) -> str:
    """``01_hrf_simulation.md`` -> ``hrf_simulation``."""
    stem = notebook.stem
    return stem.split("_", 1)[1] if stem[:2].isdigit() and "_" in stem else stem


def load(topics: list[str] | None = None) -> list[Mutation]:
    found = []
    for path in sorted(MUTATIONS.glob("*.yaml")):
        if topics and path.stem not in topics:
            continue
        entries = yaml.safe_load(path.read_text()) or []
        for entry in entries:
            missing = {"name", "why", "code"} - set(entry)
            if missing:
                raise SystemExit(
                    f"{path.name}: mutation {entry.get('name')!r} lacks "
                    f"{', '.join(sorted(missing))}"
                )
            found.append(Mutation(path.stem, entry["name"], entry["why"], entry["code"]))
    return found


def notebooks_by_topic() -> dict[str, Path]:
    return {topic_of(p): p for p in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.md"))}


def mutated_copy(source: Path, mutation: Mutation, folder: Path) -> tuple[Path, list[set]]:
    """Write the notebook with the mutation as its first cell; also return the tags of each
    code cell, in nbval's numbering (``Cell 0`` is the mutation)."""
    notebook = jupytext.read(source)
    code = HEADER + "import numpy as np\n" + mutation.code
    cell = jupytext.reads(f"```{{code-cell}} ipython3\n{code}\n```\n", fmt="md:myst").cells[0]
    notebook.cells.insert(0, cell)
    target = folder / f"{source.stem}__{mutation.name}.ipynb"
    jupytext.write(notebook, target, fmt="ipynb")
    tags = [set(c.metadata.get("tags", [])) for c in notebook.cells if c.cell_type == "code"]
    return target, tags


def first_failure(log: str) -> str:
    for line in log.splitlines():
        if line.startswith("FAILED"):
            return line.split("::", 1)[-1].split(" - ")[0].strip()
    return ""


ANSI = re.compile(r"\x1b\[[0-9;]*m")


# nbval's message when the kernel never answered its start-up request: the machine, not the
# notebook or the mutation (seen once on a loaded shared machine); such a run is repeated once.
KERNEL_DID_NOT_START = "Kernel didn't respond"


def kernel_never_started(passed: bool, log: str) -> bool:
    """Whether a run failed only because its kernel did not start (then it is run again once)."""
    return not passed and first_failure(log) in ("Cell 0", "") and KERNEL_DID_NOT_START in log


def verdict(passed: bool, log: str, tags: list[set]) -> tuple[str, str]:
    """``(outcome, where)``: outcome is "caught", "missed", "broken" (the mutation's own cell
    failed) or "outside a check" (a lesson cell failed without an AssertionError)."""
    where = first_failure(log)
    if passed:
        return "missed", where
    if where in ("Cell 0", ""):
        return "broken", where
    number = int(where.split()[-1]) if where.split()[-1].isdigit() else -1
    cell_tags = tags[number] if 0 <= number < len(tags) else set()
    if "verify" in cell_tags:
        return "caught", f"{where} (verify)"
    if "AssertionError" in ANSI.sub("", log):
        return "caught", f"{where} (AssertionError, {', '.join(sorted(cell_tags)) or 'untagged'})"
    return "outside a check", where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topics", nargs="*", help="notebook topics (default: every file)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once")
    parser.add_argument("--out", type=Path, help="write the Markdown table here too")
    args = parser.parse_args(argv)

    mutations = load(args.topics or None)
    notebooks = notebooks_by_topic()
    unknown = sorted({m.topic for m in mutations} - set(notebooks))
    if unknown:
        print(f"Mutation files without a notebook: {', '.join(unknown)}", file=sys.stderr)
        return 1
    if not mutations:
        print("No mutations found in tools/mutations/.", file=sys.stderr)
        return 1
    env = run_notebooks.notebook_env(outputs="mutation_outputs")

    with tempfile.TemporaryDirectory(prefix="course-mutations-") as tmp:
        jobs = [(m, mutated_copy(notebooks[m.topic], m, Path(tmp))) for m in mutations]

        def run(job):
            mutation, (ipynb, tags) = job
            result = run_notebooks.run_one(ipynb, 0, float("inf"), env, extra_args=("-x",))
            if kernel_never_started(result.passed, result.log):
                result = run_notebooks.run_one(ipynb, 0, float("inf"), env, extra_args=("-x",))
            return mutation, result, tags

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(run, jobs))

    lines = [
        "| notebook | mutation | the bug it stands for | caught | first failing cell |",
        "|---|---|---|---|---|",
    ]
    missed, broken, outside = [], [], []
    shown = {
        "caught": "yes",
        "missed": "**NO**",
        "broken": "**mutation code failed**",
        "outside a check": "**failed outside a check**",
    }
    for mutation, result, tags in results:
        outcome, where = verdict(result.passed, result.log, tags)
        if outcome == "broken":  # the mutation's own code failed: it proves nothing
            broken.append(mutation)
            print(result.log[-3000:], file=sys.stderr)
        elif outcome == "missed":
            missed.append(mutation)
        elif outcome == "outside a check":
            outside.append(mutation)
            print(result.log[-3000:], file=sys.stderr)
        lines.append(
            f"| {mutation.topic} | {mutation.name} | {mutation.why} | {shown[outcome]} | {where} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    for mutation in missed:
        print(
            f"NOT CAUGHT: {mutation.topic}/{mutation.name} ({mutation.why}): the notebook "
            "runs clean with this bug, so some claim is not checked.",
            file=sys.stderr,
        )
    for mutation in broken:
        print(
            f"BROKEN: {mutation.topic}/{mutation.name}: its code fails in the inserted first "
            "cell, before the notebook runs; fix the mutation.",
            file=sys.stderr,
        )
    for mutation in outside:
        print(
            f"OUTSIDE A CHECK: {mutation.topic}/{mutation.name}: the notebook failed in a "
            "lesson cell without an AssertionError, not in a check; make a verify cell catch "
            "the bug, or fix the mutation.",
            file=sys.stderr,
        )
    failed = len(missed) + len(broken) + len(outside)
    print(f"mutations: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
