#!/usr/bin/env python
"""The teaching dashboard: how long each notebook is, and what a student sees in it.

Per notebook: words of prose (Markdown cells, without code blocks, math and HTML comments),
visible code lines (non-blank lines of the code cells a student sees: every code cell except
``verify`` checks and ``solution`` cells), ``verify`` cells (claims checked out of sight),
``compare`` cells (visible comparisons with a reference library, at most three), figures (cells
with alt text), exercises (``exercise-stub`` cells) and visible assertions (must be 0).

A lesson stays within ``MAX_WORDS`` words of prose and ``MAX_CODE_LINES`` visible code lines
(CONTRIBUTING.md); the table marks a notebook over either with ``over``.
``make test`` prints this table after the time and memory table.

Usage: ``python tools/notebook_stats.py [NOTEBOOK.md ...] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext

REPO = Path(__file__).resolve().parent.parent
MAX_WORDS = 3000
MAX_CODE_LINES = 200
HIDDEN_CODE_TAGS = {"verify", "solution"}
# What asserts: the one definition, also used by tests/test_notebook_conventions.py.
ASSERTION = re.compile(
    r"^\s*assert\b|np\.testing\.|numpy\.testing\.|pd\.testing\.|"
    r"pytest\.approx|assert_allclose|assert_array_equal",
    re.M,
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")


@dataclass
class Stats:
    name: str
    words: int
    code_lines: int
    verify_cells: int
    compare_cells: int
    figures: int
    exercises: int
    visible_assertions: int

    @property
    def over(self) -> list[str]:
        problems = []
        if self.words > MAX_WORDS:
            problems.append(f"prose over {MAX_WORDS}")
        if self.code_lines > MAX_CODE_LINES:
            problems.append(f"code over {MAX_CODE_LINES}")
        if self.visible_assertions:
            problems.append("visible assertions")
        return problems


def prose_words(markdown: str) -> int:
    """Words a student reads in a Markdown cell: no code blocks, math or HTML comments.

    >>> prose_words("A *contrast* is a hypothesis: $c^T beta = 0$.\\n```python\\nx = 1\\n```")
    5
    """
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not read
    return len(WORD.findall(text))


def visible_assertions(code: str) -> int:
    """Lines that assert something (``assert``, ``np.testing``, ``pytest.approx``)."""
    return len(ASSERTION.findall(code))


def notebook_stats(path: Path) -> Stats:
    notebook = jupytext.read(path)
    words = code_lines = verify = compare = figures = exercises = asserts = 0
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            words += prose_words(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        verify += "verify" in tags
        compare += "compare" in tags
        exercises += "exercise-stub" in tags
        figures += bool(cell.metadata.get("mystnb", {}).get("image", {}).get("alt"))
        if tags & HIDDEN_CODE_TAGS:
            continue
        code_lines += sum(1 for line in cell.source.splitlines() if line.strip())
        asserts += visible_assertions(cell.source)
    return Stats(path.stem, words, code_lines, verify, compare, figures, exercises, asserts)


def collect(paths: list[Path] | None = None) -> list[Stats]:
    paths = paths or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.md"))
    return [notebook_stats(Path(p)) for p in paths]


def table(stats: list[Stats]) -> str:
    lines = [
        f"Teaching dashboard (limits: {MAX_WORDS} words of prose, {MAX_CODE_LINES} visible code "
        "lines; verify cells do not count)",
        "",
        "| notebook | words of prose | visible code lines | verify cells | compare cells "
        "| figures | exercises | visible assertions | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in stats:
        lines.append(
            f"| {s.name} | {s.words} | {s.code_lines} | {s.verify_cells} | "
            f"{s.compare_cells} | {s.figures} | {s.exercises} | "
            f"{s.visible_assertions} | {', '.join(s.over) or 'ok'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="write the Markdown table here too")
    args = parser.parse_args(argv)
    text = table(collect(args.notebooks or None))
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
