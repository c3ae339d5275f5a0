# Entry points for students, instructors and CI. Every target creates .venv (pinned versions
# from constraints.txt) on first use, so a fresh clone needs nothing but Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BUILD  := _build
SPHINX_OPTS ?= -W --keep-going -q

.PHONY: help venv test test-unit test-notebooks test-notebooks-real mutations test-lab test-site browser bench lint site student-notebooks \
        ipynb lab lock clean

help:
	@echo "make test   - lint, unit tests, doctests and every notebook (nbval) with a time/memory table"
	@echo "make test-notebooks-real - the data notebooks on a real-shaped nilearn cache and a DartBrains-shaped one"
	@echo "make mutations - every notebook with one helper deliberately broken: each must fail"
	@echo "make test-lab - JupyterLab in headless Chromium: notebooks open and run (installs chromium)"
	@echo "make site   - the instructor and student sites in $(BUILD)/site (from the test run's executed notebooks)"
	@echo "make test-site - build the site and test it in headless Chromium (installs chromium with apt)"
	@echo "make student-notebooks - write the student .ipynb set (no solutions) to $(BUILD)/student_notebooks"
	@echo "make bench  - every notebook at 30 and 94 subjects plus the benchmarks, budgets enforced"
	@echo "make lab    - open JupyterLab on the notebooks (students)"
	@echo "make ipynb  - write .ipynb copies of the notebooks (for hand-outs)"
	@echo "make lock   - re-resolve and rewrite constraints.txt (maintainers)"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	$(PY) -m course_utils.config lab-settings
	touch $(STAMP)

venv: $(STAMP)

# ruff (lint and format) on the package, tests and tools; the layers contract (import-linter,
# pyproject.toml); ruff on every notebook's code (jupytext writes the .ipynb to ruff's stdin,
# lines within 88 columns as the notebooks promise).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	@status=0; for nb in notebooks/[0-9][0-9]_*.md; do \
	  $(PY) -m jupytext --quiet --to ipynb --output - "$$nb" \
	  | $(PY) -m ruff check --quiet --output-format concise --line-length 88 \
	      --stdin-filename "$${nb%.md}.ipynb" - || status=1; \
	done; exit $$status

test-unit: $(STAMP)
	$(PY) -m pytest -q

# Every notebook as the instructor runs it (solutions and verify cells prove the claims), two at a
# time; each passing run is saved with its outputs in $(BUILD)/executed for the instructor site.
# Then as a student gets it (solutions and checks removed: every exercise check must say "not
# attempted" and nothing may crash). The teaching dashboard follows the budget table.
JOBS ?= 2
EXECUTED := $(BUILD)/executed
test-notebooks: $(STAMP)
	$(PY) -m tools.run_notebooks --jobs $(JOBS) --executed $(EXECUTED) --out $(BUILD)/notebook_budget.md
	$(PY) -m tools.notebook_stats --out $(BUILD)/notebook_stats.md
	$(PY) -m tools.run_notebooks --jobs $(JOBS) --student --out $(BUILD)/notebook_budget_student.md

# The notebooks that load the Localizer, on real-shaped data loaded through the real loader,
# offline: (1) a cache that nilearn's own fetcher filled from tools/localizer_double.py (the
# study's index layout and participant tables; 40 subjects, so that one has no age), and (2) a
# DartBrains-shaped copy fetched by pooch from 127.0.0.1, without t-maps or participant table.
REAL := $(abspath $(BUILD))/real_shaped
test-notebooks-real: $(STAMP)
	rm -rf $(REAL)
	$(PY) -m tools.localizer_double build --root $(REAL)/nilearn --n-subjects 40
	COURSE_DATA=localizer COURSE_DATA_OFFLINE=1 COURSE_N_SUBJECTS=40 \
	  COURSE_DATA_DIR=$(REAL)/nilearn COURSE_OUTPUT_DIR=$(REAL)/outputs \
	  $(PY) -m tools.run_notebooks --jobs $(JOBS) --data-only \
	  --label "real-shaped nilearn copy, 40 subjects" --out $(BUILD)/notebook_budget_real.md
	$(PY) -m tools.localizer_double build-dartbrains --root $(REAL)/dartbrains --n-subjects 20
	COURSE_DATA=localizer_dartbrains COURSE_DATA_OFFLINE=1 COURSE_N_SUBJECTS=20 \
	  COURSE_DATA_DIR=$(REAL)/dartbrains COURSE_OUTPUT_DIR=$(REAL)/outputs \
	  $(PY) -m tools.run_notebooks --jobs $(JOBS) --data-only \
	  --label "DartBrains-shaped copy, no covariates" --out $(BUILD)/notebook_budget_dartbrains.md

# Each notebook run once per mutation in tools/mutations/ (a course_utils function deliberately
# broken from outside), stopped at its first failing cell; every run must fail in a check (a
# verify cell, or an AssertionError), or some claim of that notebook is not checked.
mutations: $(STAMP)
	$(PY) -m tools.mutations --jobs $(JOBS) --out $(BUILD)/mutations.md

test: lint test-unit test-notebooks test-notebooks-real

# Instructor edition: the notebooks as the test run executed them ($(EXECUTED); a missing or stale
# copy is run first, so `make site` alone works), verify cells behind "show the check", solutions
# collapsed; myst-nb reads the outputs from a jupyter-cache filled from those copies and executes
# nothing (check-cache proves it). Student edition: solution and verify cells removed from the
# sources themselves, not executed (no output can reveal an answer). Each edition has its own
# parent folder: myst-nb and the theme's launch buttons use <outdir>/../jupyter_execute, and no
# instructor notebook may reach the student site. The pages are in _build/site/<edition>/html.
# COURSE_REPO_URL / COURSE_HUB_URL add launch links (see site/conf.py and the instructors' page).
site: $(STAMP)
	$(PY) -m tools.run_notebooks --jobs $(JOBS) --executed $(EXECUTED) --reuse \
	  --out $(BUILD)/notebook_budget_site.md
	$(PY) -m tools.editions instructor-sources $(EXECUTED) $(BUILD)/instructor_src \
	  --cache $(BUILD)/site/instructor/jupyter_cache
	$(PY) -m sphinx -b html $(SPHINX_OPTS) -c site -d $(BUILD)/site/instructor/doctrees \
	  -D nb_execution_cache_path=$(abspath $(BUILD))/site/instructor/jupyter_cache \
	  $(BUILD)/instructor_src $(BUILD)/site/instructor/html
	$(PY) -m tools.editions check-cache $(BUILD)/site/instructor/jupyter_cache
	$(PY) -m tools.editions student-sources $(BUILD)/student_src
	$(PY) -m tools.editions check-student $(BUILD)/student_src
	$(PY) -m sphinx -b html $(SPHINX_OPTS) -c site -d $(BUILD)/site/student/doctrees -t student \
	  -D nb_execution_mode=off $(BUILD)/student_src $(BUILD)/site/student/html
	$(PY) -m tools.check_site_offline $(BUILD)/site/instructor/html $(BUILD)/site/student/html
	$(PY) -m tools.editions check-student $(BUILD)/site/student/html
	$(PY) -m tools.editions check-student $(BUILD)/site/student/jupyter_execute
	@echo "Site built: open $(BUILD)/site/instructor/html/index.html (or student/html/index.html)"

# Headless Chromium from Debian (chromium, chromium-driver) opens every page of both editions
# with all non-local requests blocked; screenshots go to $(BUILD)/screenshots.
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser test (needs root and apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver >/dev/null; }

# JupyterLab itself in headless Chromium: the start-here notebook and the first data notebook
# (student editions) open as notebooks with a Python kernel and run from the Run menu without an
# error; a planted raising notebook must be reported. Offline: only 127.0.0.1 is reached.
test-lab: $(STAMP) browser
	$(PY) -m pytest -q -p no:cacheprovider -o addopts= tools/test_lab.py

test-site: site browser
	COURSE_SITE=$(BUILD)/site COURSE_SCREENSHOTS=$(BUILD)/screenshots \
	  $(PY) -m pytest -q -p no:cacheprovider -o addopts= tools/test_site_browser.py

# Footprint at class sizes 30 and 94: every notebook (time and memory budgets enforced) and every
# benchmark in benchmarks/, one BLAS thread, one table (also written to $(BUILD)/bench.md).
bench: $(STAMP)
	$(PY) -m tools.bench --sizes 30,94 --out $(BUILD)/bench.md

student-notebooks: $(STAMP)
	$(PY) -m tools.editions student-notebooks $(BUILD)/student_notebooks

ipynb: $(STAMP)
	$(VENV)/bin/jupytext --sync notebooks/[0-9][0-9]_*.md

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

# Maintainers: resolve the newest versions allowed by pyproject.toml in a scratch venv and pin them.
lock:
	rm -rf $(BUILD)/lockenv && $(PYTHON) -m venv $(BUILD)/lockenv
	$(BUILD)/lockenv/bin/pip install --quiet --disable-pip-version-check ".[dev]"
	$(BUILD)/lockenv/bin/pip freeze --exclude course_utils --exclude-editable \
	  | sed '1i # Exact versions CI and the course are tested with. Regenerate with `make lock`.' > constraints.txt
	rm -rf $(BUILD)/lockenv

clean:
	rm -rf $(BUILD) notebooks/*.ipynb
