#!/usr/bin/env python
"""Build the student and instructor editions of the course from the same MyST sources.

- **Instructor edition**: the notebooks as they are, executed; solution cells (tag ``solution``)
  are shown collapsed (they also carry ``hide-cell``).
- **Student edition**: every ``solution`` cell is removed from the notebooks themselves (so it is
  absent from pages, ``_sources/``, downloads and the search index), and the pages are not
  executed, so no output can reveal an answer. Exercise stubs keep their ``...`` placeholder, which
  the checkers report as "not attempted".

Commands::

    python tools/editions.py student-sources OUT      # stripped .md sources (and index.md)
    python tools/editions.py student-notebooks OUT    # stripped .ipynb files without outputs
    python tools/editions.py check-student SITE       # fail if any solution line is in SITE
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
from pathlib import Path

import jupytext

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
SOLUTION_TAG = "solution"
TEXT_SUFFIXES = {".html", ".txt", ".js", ".md", ".ipynb", ".json", ".py", ".css", ".inv"}
# Lines shorter than this are too generic to identify a solution (e.g. "answer = t").
MIN_LINE = 12


def notebook_sources(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks, in order."""
    return sorted(folder.glob("[0-9][0-9]_*.md"))


def strip_solutions(notebook):
    """Return a copy of a jupytext notebook without its solution cells."""
    stripped = jupytext.reads(jupytext.writes(notebook, fmt="md:myst"), fmt="md:myst")
    stripped.cells = [c for c in stripped.cells
                      if SOLUTION_TAG not in c.metadata.get("tags", [])]
    return stripped


def write_student_sources(out: Path, folder: Path = NOTEBOOKS) -> list[Path]:
    """Write the student edition's MyST sources (solutions removed) and the landing page."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for source in notebook_sources(folder):
        target = out / source.name
        jupytext.write(strip_solutions(jupytext.read(source)), target, fmt="md:myst")
        written.append(target)
    for extra in folder.glob("*.md"):
        if not (out / extra.name).exists():
            shutil.copy2(extra, out / extra.name)
    return written


def write_student_notebooks(out: Path, folder: Path = NOTEBOOKS) -> list[Path]:
    """Write the student ``.ipynb`` set for a hub: solutions removed, no outputs."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in notebook_sources(folder):
        target = out / (source.stem + ".ipynb")
        jupytext.write(strip_solutions(jupytext.read(source)), target, fmt="ipynb")
        written.append(target)
    return written


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def solution_lines(folder: Path = NOTEBOOKS) -> dict[str, str]:
    """Distinctive code lines of every solution cell, mapped to the notebook they come from.

    A line that also appears in a cell that is not a solution (a shared import, say) is not
    distinctive and is left out, as are short lines and comments.
    """
    solution: dict[str, str] = {}
    elsewhere: set[str] = set()
    for source in notebook_sources(folder):
        for cell in jupytext.read(source).cells:
            lines = {_normalise(line) for line in cell.source.splitlines()}
            lines = {line for line in lines if len(line) >= MIN_LINE and not line.startswith("#")}
            if SOLUTION_TAG in cell.metadata.get("tags", []):
                for line in lines:
                    solution.setdefault(line, source.name)
            else:
                elsewhere |= lines
    return {line: name for line, name in solution.items() if line not in elsewhere}


def _site_texts(site: Path):
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        variants = [raw]
        if path.suffix == ".html":
            variants.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
        if path.suffix in {".ipynb", ".json", ".js"}:
            variants.append(raw.replace('\\"', '"').replace("\\n", "\n"))
        if path.suffix == ".ipynb":
            try:
                cells = json.loads(raw).get("cells", [])
                variants.append("\n".join("".join(c.get("source", "")) for c in cells))
            except json.JSONDecodeError:
                pass
        yield path, [_normalise(v) for v in variants]


def check_student_site(site: Path, folder: Path = NOTEBOOKS) -> list[str]:
    """Return one problem per solution line found anywhere in a built student site."""
    if not site.is_dir():
        return [f"{site} does not exist: build the student edition first (make site)."]
    lines = solution_lines(folder)
    problems = []
    for path, texts in _site_texts(site):
        for line, notebook in lines.items():
            if any(line in text for text in texts):
                problems.append(f"{path.relative_to(site)}: solution line from {notebook}: {line}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["student-sources", "student-notebooks",
                                            "check-student"])
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command == "student-sources":
        written = write_student_sources(args.path)
        print(f"student sources: {len(written)} notebooks without solutions in {args.path}")
    elif args.command == "student-notebooks":
        written = write_student_notebooks(args.path)
        print(f"student notebooks: {len(written)} .ipynb without solutions in {args.path}")
    else:
        problems = check_student_site(args.path)
        for problem in problems:
            print(problem)
        n_lines = len(solution_lines())
        if problems:
            print(f"student edition check: {len(problems)} solution line(s) leaked")
            return 1
        print(f"student edition check: none of {n_lines} solution lines appears in {args.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
