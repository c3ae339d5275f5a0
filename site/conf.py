"""Sphinx configuration for the course site.

Built by ``make site`` as ``sphinx-build -c site notebooks _build/site/html``: the MyST notebooks in
``notebooks/`` are the pages, executed by myst-nb (with a cache, so an unchanged notebook is not
run again). Everything the pages load is served from the build folder, so the site works offline:
MathJax comes from the ``sphinx-mathjax-offline`` package and no widget JavaScript is loaded from
a CDN.
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

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
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
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "navigation_with_keys": False,
}
html_last_updated_fmt = ""
# An explicit light/dark default: with none, the theme logs a console error on a first visit.
html_context = {"default_mode": "light"}
