"""Every notebook follows the conventions in CONTRIBUTING.md."""

import re
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.md"))
KNOWN_TAGS = {
    "hide-input",
    "hide-output",
    "hide-cell",
    "remove-input",
    "remove-output",
    "remove-cell",
    "raises-exception",
    "skip-execution",
    "parameters",
    "exercise-stub",
    "solution",
    "check",
    "verify",
    "compare",
}
from tools.notebook_stats import ASSERTION  # noqa: E402 - the one definition of "asserts"

# What only a check may do: assert, compare with a tolerance, or branch on the seed.
CHECK_CODE = re.compile(
    ASSERTION.pattern + r"|\brtol\b|\batol\b|\bSEED\s*[=!<>]=|"
    r"almost every seed",
    re.M,
)
VERIFY_CODE = re.compile(ASSERTION.pattern + r"|assert_correct|\braise\b", re.M)
# Words that belong to the instructors' page on checking, not to a lesson.
NOT_IN_PROSE = ("original lesson", "almost every seed", "earlier version", "previous version")
MAX_COMPARE_CELLS = 3


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no NN_name.md notebook"


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return request.param, jupytext.read(request.param)


def test_front_matter(notebook):
    path, nb = notebook
    assert nb.metadata["jupytext"]["formats"] == "ipynb,md:myst"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


def test_structure(notebook):
    path, nb = notebook
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.match(r"\s*# \S", nb.cells[0].source), "the first cell is the title (# Title)"
    for heading in ("## What you'll do", "## What you'll learn", "## What you'll need"):
        assert heading in text, f"{path.name} lacks the section {heading!r}"
    assert re.search(r"^\*\*Data:\*\* ", text, re.M), f"{path.name} lacks its '**Data:**' line"
    assert any("exercise-stub" in c.metadata.get("tags", []) for c in nb.cells), (
        f"{path.name} has no exercise stub"
    )


def test_code_habits(notebook):
    path, nb = notebook
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "plt.show()" not in code, "no plt.show(): figures display at the end of a cell"
    assert not re.search(r"np\.random\.(seed|randn|rand|normal|choice)\(", code), (
        "use a seeded np.random.default_rng(seed), not the global random state"
    )
    assert not re.search(r"(/home/|/Users/|/dartfs|C:\\\\)", code), "no personal paths"
    long = [line for line in code.splitlines() if len(line) > 88]
    assert not long, f"code lines over 88 columns (the site shows them): {long[:3]}"


def test_cell_tags_are_known(notebook):
    path, nb = notebook
    for cell in nb.cells:
        unknown = set(cell.metadata.get("tags", [])) - KNOWN_TAGS
        assert not unknown, f"{path.name}: unknown cell tags {unknown} (see CONTRIBUTING.md)"


def test_solution_cells_follow_a_stub(notebook):
    path, nb = notebook
    seen_stub = False
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        seen_stub |= "exercise-stub" in tags
        if "solution" in tags:
            assert seen_stub, f"{path.name}: a solution cell comes before any exercise stub"
            assert "hide-cell" in tags, f"{path.name}: solution cells are collapsed (hide-cell)"


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def test_no_visible_assertion(notebook):
    """Checks live in collapsed ``verify`` cells; a visible cell teaches."""
    path, nb = notebook
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "verify" in _tags(cell):
            continue
        found = CHECK_CODE.search(cell.source)
        assert not found, (
            f"{path.name}, code cell {k}: {found.group(0).strip()!r} in a visible "
            "cell; move the check into a `verify` cell right after the claim "
            "(CONTRIBUTING.md, 'Checks out of sight')"
        )


def test_verify_cells_are_collapsed_and_check_something(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb.cells):
        if "verify" not in _tags(cell):
            continue
        assert cell.cell_type == "code", f"{path.name}, cell {k}: only code cells verify"
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden")
        assert hidden is True, (
            f"{path.name}, cell {k}: a verify cell needs the metadata "
            "`jupyter: {source_hidden: true}` (collapsed in JupyterLab)"
        )
        assert VERIFY_CODE.search(cell.source), (
            f"{path.name}, cell {k}: a verify cell that asserts nothing checks nothing"
        )
        assert not _tags(cell) & {"solution", "exercise-stub", "check", "parameters"}, (
            f"{path.name}, cell {k}: a verify cell is only a check"
        )


def test_at_most_three_visible_comparisons(notebook):
    path, nb = notebook
    n = sum("compare" in _tags(c) for c in nb.cells)
    assert n <= MAX_COMPARE_CELLS, (
        f"{path.name}: {n} visible `compare` cells; keep the "
        f"{MAX_COMPARE_CELLS} that teach and verify the rest"
    )


def test_prose_teaches_not_checks(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lowered = cell.source.lower()
        for phrase in NOT_IN_PROSE:
            assert phrase not in lowered, (
                f"{path.name}, cell {k}: {phrase!r} belongs in the "
                "instructors' page on checking, not in a lesson"
            )


def test_student_edition_has_no_check(notebook):
    from tools.editions import student_edition

    path, nb = notebook
    student = student_edition(nb)
    assert not any(_tags(c) & {"verify", "solution"} for c in student.cells)
    kept = sum(1 for c in nb.cells if not _tags(c) & {"verify", "solution"})
    assert len(student.cells) == kept, f"{path.name}: the student edition lost a lesson cell"


def _headings(nb):
    return [
        line.strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]


def test_lesson_shape(notebook):
    """The lesson template (CONTRIBUTING.md): Think! prompts, In practice, a Summary last."""
    path, nb = notebook
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "**Think!**" in prose, f"{path.name}: no `> **Think!**` prompt"
    headings = _headings(nb)
    for needed in ("## In practice", "## Summary", "## Further reading"):
        assert needed in headings, f"{path.name} lacks the section {needed!r}"
    order = [headings.index(h) for h in ("## In practice", "## Summary", "## Further reading")]
    assert order == sorted(order), f"{path.name}: In practice, then Summary, then Further reading"
    assert headings[-1] == "## Further reading", f"{path.name}: Further reading closes it"


NUMBERED_REFERENCE = re.compile(r"\b[Nn]otebooks? \d\d\b|\(see \d\d\)|\bnotebooks? \d\d?-\d\d")


def test_other_notebooks_are_named_by_topic(notebook):
    """Numbers may change: a notebook names another by its topic, never by its number."""
    path, nb = notebook
    for k, cell in enumerate(nb.cells):
        found = NUMBERED_REFERENCE.search(cell.source)
        assert not found, (
            f"{path.name}, cell {k}: {found.group(0)!r}; name the notebook by "
            "its topic (*Multiple comparisons*)"
        )


PAGES = sorted((REPO / "notebooks").glob("*.md"))


def _prose_code_lines(text: str) -> list[str]:
    """Lines inside fenced code blocks of Markdown (not the notebooks' code cells)."""
    lines, fence, collect = [], None, False
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence, collect = stripped[:3], not stripped.startswith("```{code-cell")
            continue
        if fence is not None and stripped == fence:
            fence = None
            continue
        if fence is not None and collect:
            lines.append(line)
    return lines


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_code_blocks_in_prose_fit_88_columns(page):
    """The site shows 88 columns of code whole (tools/test_site_browser.py measures it)."""
    long = [line for line in _prose_code_lines(page.read_text(encoding="utf-8")) if len(line) > 88]
    assert not long, f"{page.name}: code lines over 88 columns: {long[:2]}"
