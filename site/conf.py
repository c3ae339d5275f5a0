"""Sphinx configuration for the course site.

Built by ``make site`` (see the Makefile): the instructor edition's pages are the MyST notebooks
as ``tools/editions.py instructor-sources`` writes them (``verify`` cells behind a "show the check"
toggle), and their outputs are those of the test run, read by myst-nb from a jupyter-cache that
the same command fills (``nb_execution_mode = "cache"`` finds every page there, so nothing is
executed twice); the student edition is not executed. Everything the pages load is served from
the build folder, so the site works offline: MathJax comes from the ``sphinx-mathjax-offline``
package and no widget JavaScript is loaded from a CDN. ``_static/course.css`` sizes code so that a
line of 88 columns (the notebooks' limit) shows whole.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "_build"

# Notebooks executed for the site write their outputs under _build, never into a user's home.
os.environ.setdefault("COURSE_OUTPUT_DIR", str(BUILD / "outputs"))
os.environ.setdefault("COURSE_DATA_DIR", str(BUILD / "data_cache"))
# The site has no live kernel: notebooks show static figures instead of interactive widgets.
os.environ["COURSE_STATIC_FIGURES"] = "1"

# `sphinx-build -t student` builds the student edition (see tools/editions.py and the Makefile).
STUDENT = tags.has("student")  # noqa: F821 - `tags` is injected by Sphinx
EDITION = "student edition" if STUDENT else "instructor edition"

project = "fMRI group analysis"
author = "The course contributors"
copyright = "2026, the course contributors"
html_title = f"fMRI group analysis ({EDITION})"

extensions = ["myst_nb", "sphinx-mathjax-offline"]
mathjax_path = "mathjax/tex-chtml.js"

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["*.ipynb", ".ipynb_checkpoints", "_build"]
master_doc = "index"

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3

nb_execution_mode = "cache"
nb_execution_cache_path = str(BUILD / "jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# No require.js / widget manager from a CDN: widgets fall back to their static output.
nb_ipywidgets_js = {}

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "navigation_with_keys": False,
}
html_last_updated_fmt = ""
# An explicit light/dark default: with none, the theme logs a console error on a first visit.
html_context = {"default_mode": "light"}

# Launch links (sphinx-book-theme): JupyterHub through nbgitpuller and Binder, on every notebook
# page, opening that page's notebook in JupyterLab. Only when configured, so that the default site
# stays self-contained:
#   COURSE_REPO_URL      the course's git repository (Binder link; needed for any link)
#   COURSE_HUB_URL       the class JupyterHub (nbgitpuller link)
#   COURSE_REPO_BRANCH   the instructors' branch (default "main")
#   COURSE_STUDENT_BRANCH  the branch whose notebooks/ holds the student sources written by
#                        `python tools/editions.py student-sources` (default "student"): the
#                        student edition's links open those, never the instructor notebooks
#   COURSE_BINDER_URL    BinderHub (default https://mybinder.org)
# The theme needs `repository_url` whenever `launch_buttons` is set, so neither is set without it.
_REPO_URL = os.environ.get("COURSE_REPO_URL", "").strip()
_HUB_URL = os.environ.get("COURSE_HUB_URL", "").strip()
if _REPO_URL:
    _branch = (
        os.environ.get("COURSE_STUDENT_BRANCH", "student")
        if STUDENT
        else os.environ.get("COURSE_REPO_BRANCH", "main")
    )
    _launch = {
        "notebook_interface": "jupyterlab",
        "binderhub_url": os.environ.get("COURSE_BINDER_URL", "https://mybinder.org"),
    }
    if _HUB_URL:
        _launch["jupyterhub_url"] = _HUB_URL
    html_theme_options.update(
        {
            "repository_url": _REPO_URL,
            "repository_branch": _branch,
            "path_to_docs": "notebooks",
            "launch_buttons": _launch,
        }
    )

# The instructors' page shows the class link when the site is built with the two addresses.
if _REPO_URL and _HUB_URL:
    import sys

    sys.path.insert(0, str(REPO))
    from course_utils.config.lab import nbgitpuller_link

    _LINK = nbgitpuller_link(
        _HUB_URL,
        _REPO_URL,
        "notebooks/00_start_here.md",
        os.environ.get("COURSE_STUDENT_BRANCH", "student"),
    )
    myst_substitutions = {"class_link": f"<{_LINK}>"}
else:
    myst_substitutions = {
        "class_link": "(build the site with COURSE_HUB_URL and COURSE_REPO_URL "
        "set to show your class link here)"
    }
