#!/usr/bin/env python
"""Build the student and instructor editions of the course from the same MyST sources.

- **Instructor edition**: the notebooks as the test run executed them (``tools/run_notebooks.py
  --executed``; nothing is run twice); solution cells (tag ``solution``) are shown collapsed (they
  also carry ``hide-cell``), and every claim's check (tag ``verify``) sits collapsed behind a
  "show the check" toggle right after the claim.
- **Student edition**: every ``solution`` and every ``verify`` cell is removed from the notebooks
  themselves (so it is absent from pages, ``_sources/``, downloads and the search index), and the
  pages are not executed, so no output can reveal an answer. Exercise stubs keep their ``...``
  placeholder, which the checkers report as "not attempted".

Commands::

    python tools/editions.py student-sources OUT      # stripped .md sources (and index.md)
    python tools/editions.py instructor-sources EXECUTED OUT --cache DIR  # sources + outputs
    python tools/editions.py check-cache DIR          # fail if the site build executed a page
    python tools/editions.py student-notebooks OUT    # stripped .ipynb files, checked for leaks
    python tools/editions.py check-student SITE       # fail if any answer can reach a student

The leak check (``check-student``, also run by ``student-notebooks`` on what it wrote) fails when
an answer can reach a student:

- a distinctive code line of a ``solution`` cell appears anywhere in SITE (pages, sources,
  notebooks, search index);
- a distinctive code line of a ``verify`` cell (a claim's check) appears anywhere in SITE: the
  student edition never contains one;
- a ``solution="..."`` keyword string, in a notebook or in ``course_utils`` (an
  ``Exercise(..., solution=...)`` argument: ignored by the checks, but visible in the cell that
  passes it), appears anywhere in SITE;
- a string a check can print (any string literal in ``course_utils/teaching/checks``: hints,
  messages)
  contains a solution line or a ``solution=`` string.
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import re
import shutil
from pathlib import Path

import jupytext

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
PACKAGE = REPO / "course_utils"
SOLUTION_TAG = "solution"
VERIFY_TAG = "verify"
STUDENT_DROPS = (SOLUTION_TAG, VERIFY_TAG)
# How the instructor site shows a verify cell: collapsed, behind its own toggle.
VERIFY_PROMPT = {"code_prompt_show": "show the check", "code_prompt_hide": "hide the check"}
TEXT_SUFFIXES = {".html", ".txt", ".js", ".md", ".ipynb", ".json", ".py", ".css", ".inv"}
# Lines shorter than this are too generic to identify a solution (e.g. "answer = t").
MIN_LINE = 12


def notebook_sources(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks, in order."""
    return sorted(folder.glob("[0-9][0-9]_*.md"))


def _tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


def student_edition(notebook):
    """Return a copy of a jupytext notebook without its solution and verify cells."""
    stripped = jupytext.reads(jupytext.writes(notebook, fmt="md:myst"), fmt="md:myst")
    stripped.cells = [c for c in stripped.cells if not set(STUDENT_DROPS) & set(_tags(c))]
    return stripped


def instructor_edition(notebook):
    """Return a copy of an (executed) notebook as the instructor site shows it.

    Every ``verify`` cell is collapsed, input and output, behind a "show the check" toggle
    (myst-nb's ``hide-cell`` with a cell-level prompt); nothing else changes.
    """
    shown = jupytext.reads(jupytext.writes(notebook, fmt="md:myst"), fmt="md:myst")
    for cell in shown.cells:
        tags = _tags(cell)
        if VERIFY_TAG in tags:
            cell.metadata["tags"] = tags + ([] if "hide-cell" in tags else ["hide-cell"])
            cell.metadata.setdefault("mystnb", {}).update(VERIFY_PROMPT)
    return shown


def _copy_other_pages(folder: Path, out: Path) -> None:
    """Copy the pages that are not notebooks (index, data sources, instructors) to ``out``."""
    for extra in folder.glob("*.md"):
        if not (out / extra.name).exists():
            shutil.copy2(extra, out / extra.name)


def _with_outputs(notebook, executed, name: str):
    """``notebook`` with the outputs and execution counts of ``executed``, code cell by code
    cell; the two must hold the same code (else the executed copy is stale)."""
    mine = [c for c in notebook.cells if c.cell_type == "code"]
    ran = [c for c in executed.cells if c.cell_type == "code"]
    if [c.source.strip() for c in mine] != [c.source.strip() for c in ran]:
        raise SystemExit(
            f"the executed copy of {name} does not hold the notebook's current "
            "code: run `make test-notebooks` again."
        )
    for cell, done in zip(mine, ran, strict=True):
        cell.outputs = done.get("outputs", [])
        cell.execution_count = done.get("execution_count")
    return notebook


def write_instructor_sources(
    executed: Path, out: Path, cache: Path, folder: Path = NOTEBOOKS
) -> list[Path]:
    """Write the instructor site's sources and fill myst-nb's cache with the test run's outputs.

    ``executed`` holds ``NN_name.ipynb`` files written by ``tools/run_notebooks.py
    --executed``; every notebook of ``folder`` must have one, so the site never shows a page
    the tests did not run. Each MyST source is written to ``out`` with its ``verify`` cells
    collapsed (:func:`instructor_edition`), and the same notebook, as myst-nb reads it, with the
    executed outputs merged in, goes into the jupyter-cache at ``cache``: myst-nb's
    ``nb_execution_mode = "cache"`` then finds every page there and executes nothing. The pages
    stay ``.md`` files, so launch links and downloads name the repository's own notebooks.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    missing = [
        s.name for s in notebook_sources(folder) if not (executed / (s.stem + ".ipynb")).is_file()
    ]
    if missing:
        raise SystemExit(
            f"no executed copy of {', '.join(missing)} in {executed}: run "
            "`make test-notebooks` (or tools/run_notebooks.py --executed) first."
        )
    for target in (out, cache):
        if target.exists():
            shutil.rmtree(target)
    out.mkdir(parents=True)
    store = get_cache(str(cache))
    written = []
    for source in notebook_sources(folder):
        target = out / source.name
        shown = instructor_edition(jupytext.read(source))
        jupytext.write(shown, target, fmt="md:myst")
        read = read_myst_markdown_notebook(target.read_text(encoding="utf-8"))
        ran = nbformat.read(executed / (source.stem + ".ipynb"), as_version=4)
        bundle = CacheBundleIn(_with_outputs(read, ran, source.name), uri=str(target))
        store.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        written.append(target)
    _copy_other_pages(folder, out)
    return written


def write_student_sources(out: Path, folder: Path = NOTEBOOKS) -> list[Path]:
    """Write the student edition's MyST sources (solutions and checks removed) and the pages."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for source in notebook_sources(folder):
        target = out / source.name
        jupytext.write(student_edition(jupytext.read(source)), target, fmt="md:myst")
        written.append(target)
    _copy_other_pages(folder, out)
    return written


def write_student_notebooks(out: Path, folder: Path = NOTEBOOKS) -> list[Path]:
    """Write the student ``.ipynb`` set for a hub: solutions and checks removed, no outputs."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in notebook_sources(folder):
        target = out / (source.stem + ".ipynb")
        jupytext.write(student_edition(jupytext.read(source)), target, fmt="ipynb")
        written.append(target)
    return written


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def solution_lines(folder: Path = NOTEBOOKS, tag: str = SOLUTION_TAG) -> dict[str, str]:
    """Distinctive code lines of every cell tagged ``tag`` (a solution, or with
    ``tag="verify"`` a claim's check), mapped to the notebook they come from.

    A line that also appears in a cell the student edition keeps (a shared import, say), even as
    part of a longer line, is not distinctive and is left out, as are short lines and comments.
    """
    solution: dict[str, str] = {}
    kept: list[str] = []
    for source in notebook_sources(folder):
        for cell in jupytext.read(source).cells:
            tags = set(_tags(cell))
            if tag in tags:
                lines = {_normalise(line) for line in cell.source.splitlines()}
                for line in lines:
                    if len(line) >= MIN_LINE and not line.startswith("#"):
                        solution.setdefault(line, source.name)
            elif not tags & set(STUDENT_DROPS):
                kept.append(_normalise(cell.source))
    # A line that is part of a cell the student edition keeps (even inside a longer line) is no
    # evidence of a leak when it shows up.
    shown = "\n".join(kept)
    return {line: name for line, name in solution.items() if line not in shown}


def _string_fragments(node: ast.AST) -> list[str]:
    """The literal text of a string expression: a constant, the constant parts of an f-string,
    or the pieces of a ``+`` concatenation (implicit concatenation is already one constant)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _string_fragments(node.left) + _string_fragments(node.right)
    return []


def _distinctive_lines(texts: list[str]) -> set[str]:
    lines = {_normalise(line) for text in texts for line in text.splitlines()}
    return {line for line in lines if len(line) >= MIN_LINE and not line.startswith("#")}


def _python_sources(folder: Path, package: Path | None):
    """(name, code) of every notebook code cell and every module of ``package``."""
    for source in notebook_sources(folder):
        for k, cell in enumerate(jupytext.read(source).cells):
            if cell.cell_type == "code":
                yield f"{source.name} (cell {k})", cell.source
    if package is not None and package.is_dir():
        for module in sorted(package.rglob("*.py")):
            yield str(module.relative_to(package.parent)), module.read_text(encoding="utf-8")


def _parse(code: str) -> ast.AST | None:
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def solution_keyword_strings(
    folder: Path = NOTEBOOKS, package: Path | None = PACKAGE
) -> dict[str, str]:
    """Distinctive lines of every ``solution=...`` keyword string, mapped to where they are.

    Looks at every call with a ``solution`` keyword in the notebooks' code cells and in the
    modules of ``package``. A line that is also a line of a notebook cell that is not a
    solution (shown on purpose) is left out.
    """
    found: dict[str, str] = {}
    for name, code in _python_sources(folder, package):
        tree = _parse(code)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "solution":
                    for line in _distinctive_lines(_string_fragments(keyword.value)):
                        found.setdefault(line, name)
    shown: set[str] = set()
    for source in notebook_sources(folder):
        for cell in jupytext.read(source).cells:
            if SOLUTION_TAG not in cell.metadata.get("tags", []):
                shown |= _distinctive_lines([cell.source])
    return {line: name for line, name in found.items() if line not in shown}


def printable_strings(package: Path = PACKAGE / "checks") -> list[tuple[str, str]]:
    """Every string literal a check can print: ``(module, normalised text)``.

    All string literals of the modules in ``package`` (hints, messages, docstrings), except the
    values of ``solution=`` keywords, which the checks never print.
    """
    strings = []
    for module in sorted(Path(package).rglob("*.py")):
        tree = _parse(module.read_text(encoding="utf-8"))
        if tree is None:
            continue
        ignored = {
            id(node)
            for call in ast.walk(tree)
            if isinstance(call, ast.Call)
            for keyword in call.keywords
            if keyword.arg == "solution"
            for node in ast.walk(keyword.value)
        }
        for node in ast.walk(tree):
            if id(node) in ignored:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append((module.name, _normalise(node.value)))
    return strings


def check_printable_strings(
    folder: Path = NOTEBOOKS, package: Path | None = PACKAGE, checks: Path | None = None
) -> list[str]:
    """One problem per string a check can print that holds a solution line."""
    checks = (PACKAGE / "checks") if checks is None else checks
    answers = {**solution_keyword_strings(folder, package), **solution_lines(folder)}
    problems = []
    for module, text in printable_strings(checks):
        for line, origin in answers.items():
            if line in text:
                problems.append(
                    f"{checks.name}/{module}: a printable string holds the solution "
                    f"line from {origin}: {line}"
                )
    return problems


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


def check_student_site(
    site: Path, folder: Path = NOTEBOOKS, package: Path | None = PACKAGE
) -> list[str]:
    """Return one problem per answer found anywhere in a built student site (or folder).

    Answers are the distinctive lines of the ``solution`` cells and of every ``solution=``
    keyword string (see :func:`solution_keyword_strings`).
    """
    if not site.is_dir():
        return [f"{site} does not exist: build the student edition first (make site)."]
    answers = [
        (line, f"solution line from {notebook}")
        for line, notebook in solution_lines(folder).items()
    ]
    answers += [
        (line, f"check (verify cell) line from {notebook}")
        for line, notebook in solution_lines(folder, VERIFY_TAG).items()
    ]
    answers += [
        (line, f"solution= string from {origin}")
        for line, origin in solution_keyword_strings(folder, package).items()
    ]
    problems = []
    for path, texts in _site_texts(site):
        for line, what in answers:
            if any(line in text for text in texts):
                problems.append(f"{path.relative_to(site)}: {what}: {line}")
    return problems


def leak_report(
    site: Path, folder: Path = NOTEBOOKS, package: Path | None = PACKAGE, checks: Path | None = None
) -> list[str]:
    """Every leak: answers in ``site`` and solution lines in strings the checks can print."""
    return check_student_site(site, folder, package) + check_printable_strings(
        folder, package, checks
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "command",
        choices=[
            "student-sources",
            "student-notebooks",
            "check-student",
            "instructor-sources",
            "check-cache",
        ],
    )
    parser.add_argument("path", type=Path)
    parser.add_argument(
        "out",
        type=Path,
        nargs="?",
        help="instructor-sources: the folder to write (path = executed copies)",
    )
    parser.add_argument(
        "--cache", type=Path, help="instructor-sources: myst-nb's jupyter-cache folder to fill"
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=NOTEBOOKS,
        help="folder of the NN_*.md sources (default: notebooks/)",
    )
    parser.add_argument(
        "--package",
        type=Path,
        default=PACKAGE,
        help="the course package whose checks are scanned (default: course_utils)",
    )
    args = parser.parse_args(argv)
    source = {"folder": args.notebooks, "package": args.package}
    if args.command == "student-sources":
        written = write_student_sources(args.path, args.notebooks)
        print(f"student sources: {len(written)} notebooks without solutions in {args.path}")
    elif args.command == "student-notebooks":
        written = write_student_notebooks(args.path, args.notebooks)
        print(f"student notebooks: {len(written)} .ipynb without solutions in {args.path}")
        return _report(args.path, **source)
    elif args.command == "instructor-sources":
        if args.out is None or args.cache is None:
            parser.error("instructor-sources needs EXECUTED, OUT and --cache")
        written = write_instructor_sources(args.path, args.out, args.cache, args.notebooks)
        print(f"instructor sources: {len(written)} executed notebooks in {args.out}")
    elif args.command == "check-cache":
        from jupyter_cache import get_cache

        n_records = len(get_cache(str(args.path)).list_cache_records())
        n_notebooks = len(notebook_sources(args.notebooks))
        if n_records != n_notebooks:
            print(
                f"the site build executed {n_records - n_notebooks} notebook(s) itself: "
                "their code differs from the test run's (see instructor-sources)"
            )
            return 1
        print(f"instructor site: all {n_notebooks} notebooks shown as the test run executed them")
    else:
        return _report(args.path, **source)
    return 0


def _report(site: Path, folder: Path = NOTEBOOKS, package: Path = PACKAGE) -> int:
    problems = leak_report(site, folder, package, package / "checks")
    for problem in problems:
        print(problem)
    n_lines = len(solution_lines(folder)) + len(solution_keyword_strings(folder, package))
    if problems:
        print(f"student edition check: {len(problems)} leak(s) of an answer")
        return 1
    n_checks = len(solution_lines(folder, VERIFY_TAG))
    print(
        f"student edition check: none of {n_lines} solution lines appears in {site} or in a "
        f"string the checks print, and none of {n_checks} check (verify) lines in {site}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
