"""Helpers for the fMRI group-analysis teaching module.

One module per concept:

- :mod:`course_utils.config`: where data and outputs live, and an environment check.
- :mod:`course_utils.plotting`: the course figure style and the figures the notebooks share.

Notebooks import what they need from these modules; they do not define long helpers inline.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("course_utils")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
