"""pytest plugin for nbval runs: write the notebook with the outputs the run produced.

``tools/run_notebooks.py`` copies this file as ``conftest.py`` next to the ``.ipynb`` it tests
and sets ``COURSE_EXECUTED_OUT`` to the file to write. After the session, every cell nbval ran
gets the outputs it printed (figures, tables, text) and an execution count, so the instructor
site can show the notebooks exactly as the tests ran them instead of executing them again.
A notebook with a failed cell is not written: the site never shows a run that failed.
"""

from __future__ import annotations

import os

import nbformat

_failed = []


def pytest_runtest_logreport(report):
    if report.failed:
        _failed.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("COURSE_EXECUTED_OUT")
    if not target or _failed or exitstatus != 0:
        return
    notebook = None
    count = 0
    for item in session.items:
        cell = getattr(item, "cell", None)
        if cell is None or getattr(item, "test_outputs", None) is None:
            continue
        notebook = item.parent.nb
        count += 1
        cell.outputs = [nbformat.from_dict(out) for out in item.test_outputs]
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = count
        cell.execution_count = count
    if notebook is not None:
        tmp = target + ".part"
        nbformat.write(notebook, tmp)
        os.replace(tmp, target)
