"""The package's shape: four layers that import only downwards, no import cycle, small modules.

The layers are declared once, as import-linter's contract in ``pyproject.toml``
(``[tool.importlinter]``); ``make lint`` runs ``lint-imports``. These tests show that the
contract holds, that it would catch an upward import planted in a copy of the package, that the
import graph has no cycle (a checker shown to find a planted one), and that every module stays
within 600 lines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 600


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the package found under ``root``, with ``root``'s pyproject."""
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def import_cycles(package: str) -> list[list[str]]:
    """The import cycles among the modules of ``package`` (strongly connected groups of >= 2).

    Parameters
    ----------
    package : str
        An importable package name.

    Returns
    -------
    list of list of str
        Each cycle's modules, sorted; empty when the import graph is acyclic.
    """
    graph = grimp.build_graph(package, cache_dir=None)
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_the_layers_contract_is_kept():
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    # Catches: a contract that checks nothing (wrong package name, layers not declared).
    shutil.copytree(REPO / "course_utils", tmp_path / "course_utils")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    planted = tmp_path / "course_utils" / "stats" / "glm.py"
    planted.write_text(
        planted.read_text() + "\nfrom course_utils.teaching import plotting  # noqa: E402\n"
    )
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "course_utils.stats is not allowed to import course_utils.teaching" in result.stdout


def test_the_package_has_no_import_cycle():
    assert import_cycles("course_utils") == []


def test_the_cycle_finder_finds_a_planted_cycle(tmp_path, monkeypatch):
    package = tmp_path / "planted_cycle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from planted_cycle import b\n")
    (package / "b.py").write_text("def f():\n    from planted_cycle import a\n")
    (package / "c.py").write_text("from planted_cycle import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("planted_cycle") == [["planted_cycle.a", "planted_cycle.b"]]


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "course_utils").rglob("*.py")),
    ids=lambda p: p.relative_to(REPO / "course_utils").as_posix(),
)
def test_every_module_is_at_most_600_lines(path):
    n_lines = len(path.read_text().splitlines())
    assert n_lines <= MAX_LINES, f"{path.name} has {n_lines} lines: split it by concept"


#: Private modules tested through the public module that uses them.
TESTED_THROUGH = {"_tfce_kernels": "test_tfce.py"}


def _test_files_for(path: Path) -> list[str]:
    """Names a test file of the module at ``path`` may have (tests/test_<name>.py and kin)."""
    name, parent = path.stem, path.parent.name
    bare = name.lstrip("_")
    names = [f"test_{bare}.py", f"test_{parent}_{bare}.py"]
    if name.startswith("_") and parent != "course_utils":
        names.append(f"test_{parent}.py")  # a private part of a package's one public face
    if name in TESTED_THROUGH:
        names.append(TESTED_THROUGH[name])
    return names


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in (REPO / "course_utils").rglob("*.py")
        if p.name not in {"__init__.py", "__main__.py"}
    ),
    ids=lambda p: p.relative_to(REPO / "course_utils").as_posix(),
)
def test_every_module_has_a_test_file(path):
    candidates = _test_files_for(path)
    assert any((REPO / "tests" / name).is_file() for name in candidates), (
        f"{path.relative_to(REPO)} has no test file: write tests/{candidates[0]}"
    )


def _private_imports(path: Path, root: Path = REPO) -> list[str]:
    """Imports in ``path`` of another module's private name, or of a private module of another
    package (``_utils`` is the package-wide plumbing and may be imported anywhere)."""
    import ast

    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("course_"):
            continue
        parts = node.module.split(".")
        private = [i for i, part in enumerate(parts) if part.startswith("_") and part != "_utils"]
        if private and ".".join(parts[: private[0]]) != package:
            found.append(f"from {node.module} import ...: a private module of another package")
        for alias in node.names:
            name = alias.name
            if name.startswith("_") and not name.startswith("__") and name != "_utils":
                is_module = (root / Path(*parts) / f"{name}.py").is_file()
                if not (is_module and node.module == package):
                    found.append(f"from {node.module} import {name}: another module's private name")
    return found


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "course_utils").rglob("*.py")),
    ids=lambda p: p.relative_to(REPO / "course_utils").as_posix(),
)
def test_no_module_imports_a_private_name_of_another_package(path):
    assert _private_imports(path) == []


def test_a_planted_private_import_is_found(tmp_path):
    copy = tmp_path / "course_utils" / "stats" / "planted.py"
    copy.parent.mkdir(parents=True)
    copy.write_text(
        "from course_utils.experiments.data._manifest import check_names\n"
        "from course_utils.stats.glm import _column_index\n"
        "from course_utils.stats import _tfce_kernels\n"
        "from course_utils._utils import as_generator\n"
    )
    (tmp_path / "course_utils" / "stats" / "_tfce_kernels.py").write_text("")
    found = _private_imports(copy, tmp_path)
    assert [line.split(":")[0] for line in found] == [
        "from course_utils.experiments.data._manifest import ...",
        "from course_utils.stats.glm import _column_index",
    ]


def _public_module_names() -> list[str]:
    """Public modules of course_utils: no ``_`` in the path (no ``__init__``, ``__main__``)."""
    names = []
    for path in sorted((REPO / "course_utils").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if not any(part.startswith("_") for part in parts):
            names.append(".".join(parts))
    return names


def _all_problems(module) -> list[str]:
    """What is wrong with ``module.__all__``: missing, naming what does not exist, or leaving out
    a public function or class defined in the module."""
    import inspect

    if not hasattr(module, "__all__"):
        return ["no __all__"]
    found = [
        f"{name!r} in __all__ does not exist"
        for name in module.__all__
        if not hasattr(module, name)
    ]
    for name, obj in vars(module).items():
        obj = getattr(obj, "py_func", obj)  # a numba dispatcher: the Python function
        defined_here = getattr(obj, "__module__", None) == module.__name__
        if (
            not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and defined_here
            and name not in module.__all__
        ):
            found.append(f"{name} is public but not in __all__")
    return found


@pytest.mark.parametrize("module_name", _public_module_names())
def test_every_public_module_lists_its_public_names_in_all(module_name):
    import importlib

    assert _all_problems(importlib.import_module(module_name)) == []


def test_the_all_check_finds_a_missing_all_a_stale_name_and_a_forgotten_function():
    import types

    demo = types.ModuleType("demo")
    assert _all_problems(demo) == ["no __all__"]
    exec("__all__ = ['gone']\ndef f():\n    pass\ndef _g():\n    pass", demo.__dict__)
    demo.f.__module__ = "demo"
    assert _all_problems(demo) == [
        "'gone' in __all__ does not exist",
        "f is public but not in __all__",
    ]
