"""JupyterLab itself, in headless Chromium: the student notebooks open as notebooks and run.

Run by ``make test-lab``. What students actually do on a hub is tested here, not only the
notebooks' code: JupyterLab is started on 127.0.0.1 with a random token in a temporary copy of the
student notebooks (``tools/editions.py student-sources``), with the extension manager read-only and
the course's lab settings (``.md`` opens as a notebook, no news pop-up). For the start-here
notebook and the first notebook that loads the Localizer, the browser opens the ``.md`` file, checks
that it opens as a notebook with a running Python kernel, runs every cell through the *Run* menu,
waits until the kernel is idle, and fails on any error output outside cells tagged
``raises-exception``. Every request to an address other than 127.0.0.1 is blocked and counted as a
failure. A planted notebook whose cell raises proves the check can fail. An instructor notebook
(one with ``verify`` cells) opens with every check collapsed: the cell's input hidden behind
JupyterLab's placeholder, as ``jupyter.source_hidden`` asks. Screenshots:
``_build/lab_screenshots``.

Environment: ``CHROMIUM`` (default: ``chromium`` on PATH, Debian's package).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools.conftest import block_outside

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "_build" / "lab_screenshots"
PLANTED = """---
jupytext:
  formats: ipynb,md:myst
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A planted failure

```{code-cell} ipython3
:tags: [raises-exception]

raise ValueError("an error on purpose: tagged, so it must not count")
```

```{code-cell} ipython3
raise RuntimeError("a planted error the Lab test must report")
```
"""

# Runs in the page: every code cell of the open notebook, its execution count, its tags and its
# error outputs (window.jupyterapp exists because the server runs with expose_app_in_browser).
CELLS_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    const errors = [];
    for (let k = 0; k < cell.outputs.length; k++) {
      const o = cell.outputs.get(k).toJSON();
      if (o.output_type === 'error') errors.push(o.ename + ': ' + o.evalue);
    }
    out.push({index: i, count: cell.executionCount, tags: cell.getMetadata('tags') || [],
              errors: errors});
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {cells: out, status: kernel ? kernel.status : 'none',
          kernel: kernel ? kernel.name : null};
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_data_notebook(folder: Path) -> str:
    for path in sorted(folder.glob("[0-9][0-9]_*.md")):
        if "data.load_localizer(" in path.read_text():
            return path.name
    raise AssertionError("no student notebook loads the Localizer")


def _first_notebook_with_checks(folder: Path) -> Path:
    for path in sorted(folder.glob("[0-9][0-9]_*.md")):
        if "tags: [verify]" in path.read_text():
            return path
    raise AssertionError("no notebook has a verify cell")


# Runs in the page: for every code cell, its tags, whether its input is hidden, and whether the
# hidden input shows JupyterLab's placeholder (the collapsed bar a reader clicks to open it).
HIDDEN_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.filter(w => w.model.type === 'code').map(w => ({
    tags: w.model.getMetadata('tags') || [],
    hidden: w.inputHidden,
    placeholder: w.node.querySelector('.jp-InputPlaceholder') !== null,
  }));
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab_notebooks")
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "editions.py"), "student-sources", str(folder)],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    (folder / "99_planted_failure.md").write_text(PLANTED)
    instructor = _first_notebook_with_checks(REPO / "notebooks")
    (folder / f"instructor_{instructor.name}").write_text(instructor.read_text())
    token, port = secrets.token_hex(24), _free_port()
    env = dict(
        os.environ,
        COURSE_DATA="synthetic",
        COURSE_DATA_OFFLINE="1",
        COURSE_DATA_DIR=str(REPO / "_build" / "data_cache"),
        COURSE_OUTPUT_DIR=str(tmp_path_factory.mktemp("lab_outputs")),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path_factory.mktemp("workspaces")),
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    log = open(tmp_path_factory.mktemp("lab_log") / "lab.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.extension_manager=readonly",
            "--LabApp.news_url=None",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.open_browser=False",
            "--allow-root",
        ],  # CI runs as root
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start; see {log.name}")
            time.sleep(0.5)
    yield {"url": url, "token": token, "folder": folder}
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def run_in_lab(browser, lab, name: str, timeout_s: float = 240.0) -> dict:
    """Open ``name`` in JupyterLab, run every cell from the Run menu, return what happened."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900})

    block_outside(context, problems)
    page = context.new_page()
    page.on("pageerror", lambda err: problems.append(f"JavaScript error: {err}"))
    # a workspace of its own, reset: only this notebook is open
    page.goto(
        f"{lab['url']}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={lab['token']}"
    )
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)  # a notebook, not text
    page.wait_for_function(
        "(name) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.context && w.context.path === name && w.sessionContext"
        " && w.sessionContext.session && w.sessionContext.session.kernel;"
        " return k && k.status === 'idle' && w.content.widgets.length > 0; }",
        arg=name,
        timeout=120_000,
    )
    before = page.evaluate(CELLS_JS)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    deadline = time.monotonic() + timeout_s
    while True:
        page.wait_for_timeout(1000)
        state = page.evaluate(CELLS_JS)
        pending = [c for c in state["cells"] if c["count"] is None]
        stopped = any(c["errors"] and "raises-exception" not in c["tags"] for c in state["cells"])
        if state["status"] == "idle" and (not pending or stopped):
            break
        if time.monotonic() > deadline:
            ran = [c["index"] for c in state["cells"] if c["count"] is not None]
            problems.append(
                f"still running after {timeout_s:.0f} s: {len(pending)} cells not "
                f"run, the last cell run is cell {max(ran, default=None)}"
            )
            break
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(name).stem}.png"))
    news = page.locator("text=official Jupyter news").count()
    context.close()
    errors = [
        f"cell {c['index']}: {e}"
        for c in state["cells"]
        for e in c["errors"]
        if "raises-exception" not in c["tags"]
    ]
    return {
        "kernel": before["kernel"],
        "cells": state["cells"],
        "errors": errors,
        "problems": problems,
        "news_popup": news > 0,
    }


@pytest.mark.parametrize("which", ["start", "data"])
def test_student_notebook_opens_and_runs_in_jupyterlab(lab, browser, which):
    name = "00_start_here.md" if which == "start" else _first_data_notebook(lab["folder"])
    result = run_in_lab(browser, lab, name)
    assert result["kernel"] == "python3", f"{name}: kernel {result['kernel']}"
    assert not result["news_popup"], "JupyterLab's news pop-up is showing"
    assert not result["problems"], f"{name}:\n" + "\n".join(result["problems"])
    assert not result["errors"], f"{name} raised in JupyterLab:\n" + "\n".join(result["errors"])
    assert all(c["count"] is not None for c in result["cells"]), f"{name}: cells did not run"


def test_a_cell_that_raises_in_jupyterlab_is_reported(lab, browser):
    result = run_in_lab(browser, lab, "99_planted_failure.md", timeout_s=60)
    assert result["errors"] == ["cell 2: RuntimeError: a planted error the Lab test must report"]
    tagged = [c for c in result["cells"] if "raises-exception" in c["tags"]]
    assert tagged and tagged[0]["errors"], "the tagged cell raised, and was not counted"


def test_verify_cells_open_collapsed_in_jupyterlab(lab, browser):
    name = next(p.name for p in lab["folder"].glob("instructor_*.md"))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    block_outside(context, problems)
    page = context.new_page()
    page.goto(f"{lab['url']}/lab/workspaces/verify/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
    page.wait_for_function(
        "(name) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === name && w.content.widgets.length > 0; }",
        arg=name,
        timeout=120_000,
    )
    placeholder = page.locator(".jp-InputPlaceholder").first
    placeholder.scroll_into_view_if_needed()
    cells = page.evaluate(HIDDEN_JS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "instructor_verify_cells_collapsed.png"))
    context.close()
    checks = [c for c in cells if "verify" in c["tags"]]
    # Lesson cells open expanded, except figure mechanics folded on purpose (hide-input).
    lessons = [c for c in cells if not {"verify", "hide-input"} & set(c["tags"])]
    assert checks, f"{name}: no verify cell reached JupyterLab"
    # JupyterLab renders only the cells near the viewport, so the placeholder itself is looked
    # for on the first check (scrolled into view, in the screenshot); the state on every one.
    assert all(c["hidden"] for c in checks), f"{name}: a verify cell opens expanded: {checks}"
    assert checks[0]["placeholder"], f"{name}: the first check shows no collapsed placeholder"
    assert not any(c["hidden"] for c in lessons), f"{name}: a lesson cell opens collapsed"
    assert not problems, "\n".join(problems)
