"""Configuration: where the course reads and writes, the environment check, JupyterLab setup.

One module per concern, imported by name (this package re-exports nothing)::

    from course_utils.config import paths
    paths.output_dir()

- :mod:`~course_utils.config.paths`: the folders the course uses (:func:`~.paths.data_dir`,
  :func:`~.paths.output_dir`, :func:`~.paths.shared_data_dir`, :func:`~.paths.paths_report`);
- :mod:`~course_utils.config.environment`: installed versions against the pinned ones
  (:func:`~.environment.check_environment`);
- :mod:`~course_utils.config.lab`: the JupyterLab settings the course installs and the
  nbgitpuller link that opens it on a hub;
- :mod:`~course_utils.config.cli`: ``python -m course_utils.config [paths | check |
  lab-settings | launch-link]``.
"""
