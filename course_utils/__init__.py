"""Helpers for the fMRI group-analysis teaching module, in four layers.

A module imports only its own layer and the layers below it (``make lint`` runs
import-linter's contract from ``pyproject.toml``; ``tests/test_layers.py`` shows that an upward
import fails it)::

    4  teaching      plotting, checks                  what the notebooks show and answer
    3  experiments   signals, simulation,              where data come from (simulated, null,
                     two_levels, nulldata, data,       the Localizer) and experiments on them
                     power, selection, qc,
                     reporting, sharing
    2  stats         designs, glm, effect_sizes,       estimators and tests on arrays
                     anova, mixed,
                     thresholds, error_rates,
                     inference, map_inference, tfce,
                     ari
    1  (top level)   results > config > _utils         files, folders, shared plumbing

- :mod:`course_utils.teaching` (plotting, checks), :mod:`course_utils.experiments` and
  :mod:`course_utils.stats` list their modules in their own docstrings;
- :mod:`course_utils.results`: writing maps and tables to the output folder safely;
- :mod:`course_utils.config`: where data and outputs live, the environment check, JupyterLab;
- :mod:`course_utils._utils`: seeds, argument checks, voxel blocks, masks, atomic writes.

Every public name has one home, and notebooks import it from there; they do not define long
helpers inline.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("course_utils")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
