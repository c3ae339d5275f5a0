"""The course's own tools: notebook runner, editions, mutations, benchmarks, the data double.

A package so that tests and the tools themselves import each other by name
(``from tools import run_notebooks``); run them from the repository root with
``python -m tools.<name>`` (``python tools/<name>.py`` works too).
"""
