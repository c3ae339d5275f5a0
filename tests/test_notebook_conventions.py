"""Every notebook follows the conventions in CONTRIBUTING.md."""

import re
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.md"))
KNOWN_TAGS = {"hide-input", "hide-output", "hide-cell", "remove-input", "remove-output",
              "remove-cell", "raises-exception", "skip-execution", "parameters",
              "exercise-stub", "solution", "check"}


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
    assert any("exercise-stub" in c.metadata.get("tags", []) for c in nb.cells), \
        f"{path.name} has no exercise stub"


def test_code_habits(notebook):
    path, nb = notebook
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "plt.show()" not in code, "no plt.show(): figures display at the end of a cell"
    assert not re.search(r"np\.random\.(seed|randn|rand|normal|choice)\(", code), \
        "use a seeded np.random.default_rng(seed), not the global random state"
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
