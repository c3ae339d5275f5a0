"""Every public function and class of course_utils has a numpydoc docstring.

Public: a name without a leading underscore, defined in the module that holds it (imports do not
count), in every module, private modules included. A function needs ``Parameters`` (when it takes
any), ``Returns`` or ``Yields``, and ``Examples``; a class needs ``Parameters`` or ``Attributes``,
and ``Examples``. Every parameter of a function is documented in its ``Parameters`` section
(``*args``, ``**kwargs``, ``self`` and ``cls`` excepted; ``a, b : float`` documents both).
numpydoc is not installed: the section titles are read here, as numpydoc's docscrape reads them
(a title line underlined by dashes).
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import course_utils

PACKAGE = Path(course_utils.__file__).parent

#: A numpydoc section: a title line, then a line of dashes at least as long.
_SECTION = re.compile(r"^([A-Z][A-Za-z ]+)\n-{3,}$", re.MULTILINE)


def _module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__main__":  # importing it would run the command line
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def sections(doc: str | None) -> set[str]:
    """The numpydoc section titles of a docstring.

    Parameters
    ----------
    doc : str or None
        A docstring, as :func:`inspect.getdoc` returns it (indentation removed).

    Returns
    -------
    set of str

    Examples
    --------
    >>> sorted(sections("Sum.\\n\\nParameters\\n----------\\nx : int\\n\\nReturns\\n-------\\nint"))
    ['Parameters', 'Returns']
    """
    return set(_SECTION.findall(doc or ""))


def documented_parameters(doc: str | None) -> set[str]:
    """The parameter names a docstring's ``Parameters`` section documents.

    Parameters
    ----------
    doc : str or None
        A docstring, as :func:`inspect.getdoc` returns it (indentation removed).

    Returns
    -------
    set of str
        The names on the section's unindented lines (before the colon), several per line when
        separated by commas; leading ``*`` removed.

    Examples
    --------
    >>> doc = "Parameters\\n---\\na, b : float\\n    Terms.\\n*args\\nc:\\n\\nReturns\\n---\\nx"
    >>> sorted(documented_parameters(doc))
    ['a', 'args', 'b', 'c']
    """
    titles = list(_SECTION.finditer(doc or ""))
    for i, title in enumerate(titles):
        if title.group(1) == "Parameters":
            end = titles[i + 1].start() if i + 1 < len(titles) else len(doc)
            body = doc[title.end() : end]
            break
    else:
        return set()
    names = set()
    for line in body.splitlines():
        if line and not line[0].isspace():
            names.update(name.strip().lstrip("*") for name in line.split(":")[0].split(","))
    return names


def undocumented_parameters(function) -> list[str]:
    """The parameters of ``function`` that its ``Parameters`` section leaves out.

    Parameters
    ----------
    function : callable
        A function.

    Returns
    -------
    list of str
        In signature order; ``self``, ``cls``, ``*args`` and ``**kwargs`` are never listed
        (nor anything when the signature cannot be read).

    Examples
    --------
    >>> def f(x, y, *args, z=1, **kwargs):
    ...     '''Sum.
    ...
    ...     Parameters
    ...     ----------
    ...     x, z : int
    ...     '''
    >>> undocumented_parameters(f)
    ['y']
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    documented = documented_parameters(inspect.getdoc(function))
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [
        name
        for name, parameter in signature.parameters.items()
        if name not in ("self", "cls") and parameter.kind not in variadic and name not in documented
    ]


def _takes_parameters(function) -> bool:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True
    return any(name not in ("self", "cls") for name in signature.parameters)


def problems(module) -> list[str]:
    """What the public functions and classes of a module lack.

    Parameters
    ----------
    module : module
        An imported module.

    Returns
    -------
    list of str
        One entry per name that lacks a section, e.g. ``"plot_x: no Returns"``.

    Examples
    --------
    >>> import types
    >>> demo = types.ModuleType("demo")
    >>> exec("def f(x):\\n    '''One line.'''", demo.__dict__)
    >>> problems(demo)
    ['f: no Parameters, no Returns/Yields, no Examples']
    """
    found = []
    for name, obj in sorted(vars(module).items()):
        if name.startswith("_"):
            continue
        obj = getattr(obj, "py_func", obj)  # a numba dispatcher: the Python function
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", None) != module.__name__:
            continue  # imported, or a type alias: its home checks it
        have = sections(inspect.getdoc(obj))
        missing = []
        if inspect.isclass(obj):
            if not have & {"Parameters", "Attributes"}:
                missing.append("no Parameters/Attributes")
        else:
            if _takes_parameters(obj) and "Parameters" not in have:
                missing.append("no Parameters")
            elif undocumented := undocumented_parameters(obj):
                missing.append(f"parameter(s) {', '.join(undocumented)} not in Parameters")
            if not have & {"Returns", "Yields"}:
                missing.append("no Returns/Yields")
        if "Examples" not in have:
            missing.append("no Examples")
        if missing:
            found.append(f"{name}: {', '.join(missing)}")
    return found


@pytest.mark.parametrize("module_name", _module_names())
def test_public_names_have_numpydoc_sections(module_name):
    module = importlib.import_module(module_name)
    found = problems(module)
    assert not found, f"numpydoc sections missing in {module_name}:\n" + "\n".join(found)


def test_the_section_reader_sees_titles_only():
    doc = inspect.getdoc(problems)
    assert sections(doc) == {"Parameters", "Returns", "Examples"}
    assert sections("Returns the sum.\n\nReturns\n---") == {"Returns"}
    assert sections(None) == set()


def test_a_function_with_an_undocumented_parameter_is_found():
    import types

    demo = types.ModuleType("demo")
    exec(
        'def f(a, b, c=1, *args, **kwargs):\n    """One line.\n\n    Parameters\n    ----------\n'
        "    a, c : int\n        Numbers.\n\n    Returns\n    -------\n    int\n\n"
        '    Examples\n    --------\n    >>> 1\n    1\n    """',
        demo.__dict__,
    )
    assert problems(demo) == ["f: parameter(s) b not in Parameters"]
