"""JupyterLab as the course needs it, and the link that opens the course on a JupyterHub.

:func:`install_lab_settings` makes a double click on a MyST ``.md`` notebook open it as a
notebook; :func:`nbgitpuller_link` is the one-click link that clones the course into a student's
home on a hub and opens a notebook.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from course_utils._utils import atomic_write

__all__ = ["LAB_OVERRIDES", "install_lab_settings", "nbgitpuller_link"]

#: JupyterLab settings the course installs: a double click on a ``.md`` notebook opens it as a
#: notebook, and no "get notified about official Jupyter news?" pop-up covers the first notebook
#: (JupyterLab reads ``fetchNews`` as a string).
LAB_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    },
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}


def _merge(current: dict, wanted: dict) -> dict:
    """``current`` with ``wanted`` written over it, nested mappings merged key by key."""
    merged = dict(current)
    for key, value in wanted.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def nbgitpuller_link(
    hub_url: str, repo_url: str, path: str = "notebooks/00_start_here.md", branch: str = "main"
) -> str:
    """The nbgitpuller link that puts the course on a JupyterHub and opens a notebook.

    One click clones the repository into the student's home (or updates it, keeping the
    student's own changes) and opens ``path`` in JupyterLab.

    Parameters
    ----------
    hub_url : str
        The hub, e.g. ``https://hub.example.edu``.
    repo_url : str
        The git repository to pull, e.g. ``https://github.com/org/course``.
    path : str
        The file to open, relative to the repository.
    branch : str, default "main"
        The branch to pull.

    Returns
    -------
    str
        The link.

    Raises
    ------
    ValueError
        ``hub_url`` or ``repo_url`` is not an http(s) address.

    Examples
    --------
    >>> nbgitpuller_link("https://hub.example.edu/", "https://github.com/org/fmri-course.git",
    ...                  branch="student")  # doctest: +NORMALIZE_WHITESPACE
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Ffmri-course.git&urlpath=lab%2Ftree%2Ffmri-course%2Fnotebooks%2F00_start_here.md&branch=student'
    """
    from urllib.parse import urlencode

    for name, url in (("hub_url", hub_url), ("repo_url", repo_url)):
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"{name} must be an http(s) address, got {url!r}.")
    folder = repo_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = urlencode(
        {"repo": repo_url, "urlpath": f"lab/tree/{folder}/{path.lstrip('/')}", "branch": branch}
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def install_lab_settings(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Make JupyterLab open the course's ``.md`` notebooks as notebooks on a double click.

    Writes (or merges into) ``{prefix}/share/jupyter/lab/settings/overrides.json``, the file
    JupyterLab reads for environment-wide default settings. Settings already in the file are
    kept (merged key by key); only :data:`LAB_OVERRIDES` is written: the default viewers for
    Markdown and MyST files, and no news pop-up. The file is replaced atomically.

    Parameters
    ----------
    prefix : path-like, optional
        Environment prefix; defaults to ``sys.prefix`` (the running environment).

    Returns
    -------
    pathlib.Path
        The overrides file that was written.

    Raises
    ------
    ValueError
        The existing file is not valid JSON (it is left as it was).

    Examples
    --------
    >>> import json, tempfile
    >>> path = install_lab_settings(tempfile.mkdtemp())
    >>> settings = json.loads(path.read_text())
    >>> settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    {'markdown': 'Jupytext Notebook', 'myst': 'Jupytext Notebook'}
    >>> settings["@jupyterlab/apputils-extension:notification"]
    {'fetchNews': 'false'}
    """
    root = Path(sys.prefix if prefix is None else prefix)
    path = root / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings: dict = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text() or "{}")
        except json.JSONDecodeError as err:
            raise ValueError(
                f"{path} is not valid JSON ({err}); fix or remove it, then run this again."
            ) from None
    text = json.dumps(_merge(settings, LAB_OVERRIDES), indent=2) + "\n"
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text))
