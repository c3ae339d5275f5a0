"""pytest plugin for nbval runs: write the notebook with the outputs the run produced.

``tools/run_notebooks.py`` copies this file as ``conftest.py`` next to the ``.ipynb`` it tests
and sets ``COURSE_EXECUTED_OUT`` to the file to write. After the session, every cell nbval ran
gets the outputs it printed (figures, tables, text) and an execution count, so the instructor
site can show the notebooks exactly as the tests ran them instead of executing them again.
A notebook with a failed cell is not written: the site never shows a run that failed.

It also makes nbval run each cell as JupyterLab does, with ``store_history=True``: nbval sends
cells without history, and IPython then decides whether to print a cell's last value by looking
at the history, so a trailing ``;`` stopped hiding ``<Axes: ...>`` and the executed copies (and the
site) showed such reprs where a student's notebook shows none.
"""

from __future__ import annotations

import os

import nbformat
from nbval import kernel as _nbval_kernel


def _execute_with_history(self, cell_input, allow_stdin=None):
    return self.kc.execute(
        cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
    )


_nbval_kernel.RunningKernel.execute_cell_input = _execute_with_history


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("COURSE_EXECUTED_OUT")
    if not target or exitstatus != 0:  # a run with a failed cell is never shown
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
