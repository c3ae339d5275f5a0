# Entry points for students, instructors and CI. Every target creates .venv (pinned versions
# from constraints.txt) on first use, so a fresh clone needs nothing but Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BUILD  := _build
SPHINX_OPTS ?= -W --keep-going -q

.PHONY: help venv test test-unit test-notebooks lint site ipynb lab lock clean

help:
	@echo "make test   - lint, unit tests, doctests and every notebook (nbval) with a time/memory table"
	@echo "make site   - execute every notebook and build the HTML course site in $(BUILD)/site/html"
	@echo "make lab    - open JupyterLab on the notebooks (students)"
	@echo "make ipynb  - write .ipynb copies of the notebooks (for hand-outs)"
	@echo "make lock   - re-resolve and rewrite constraints.txt (maintainers)"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	$(PY) -m course_utils.config lab-settings
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .

test-unit: $(STAMP)
	$(PY) -m pytest -q

test-notebooks: $(STAMP)
	$(PY) tools/run_notebooks.py --out $(BUILD)/notebook_budget.md

test: lint test-unit test-notebooks

site: $(STAMP)
	$(PY) -m sphinx -b html $(SPHINX_OPTS) -c site -d $(BUILD)/site/doctrees notebooks $(BUILD)/site/html
	$(PY) tools/check_site_offline.py $(BUILD)/site/html
	@echo "Site built: open $(BUILD)/site/html/index.html"

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
