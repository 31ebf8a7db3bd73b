# The course's commands. Each creates .venv on first use (Python 3.11+ and make are all you need).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab run html test test-browser notebooks bench lint canary clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

lab: $(STAMP)        ## start the mock and open JupyterLab on the course
	$(PY) tools/lab.py

run: $(STAMP)        ## execute every lesson headless against the mock: build/executed, build/html
	$(PY) tools/run_lessons.py $(if $(REPLAY),--replay $(REPLAY))

html: $(STAMP)       ## rebuild the HTML edition (build/html) from build/executed
	$(PY) tools/html_edition.py

test: $(STAMP)       ## the whole test suite
	$(PY) -m pytest

test-browser: $(STAMP)  ## only the browser tests: JupyterLab and the HTML edition in Chromium
	$(PY) -m pytest tests/browser

notebooks: $(STAMP)  ## regenerate the outputs committed in notebooks/ (against the mock)
	$(PY) tools/run_lessons.py --commit-outputs $(if $(REPLAY),--replay $(REPLAY))

bench: $(STAMP)      ## performance figures for the README
	$(PY) bench/run.py

canary:              ## the tests against the newest openai / langchain-openai / azure-identity
	test -x .venv-canary/bin/python || $(PYTHON) -m venv .venv-canary
	.venv-canary/bin/python -m pip install -q -e '.[dev]'
	# Lift the course's upper bounds: a new major release shows up here first.
	.venv-canary/bin/python -m pip install -q --upgrade openai langchain-openai langchain-core azure-identity
	.venv-canary/bin/python -m pip list 2>/dev/null | grep -iE '^(openai|langchain-openai|langchain-core|azure-identity) '
	.venv-canary/bin/python -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf build .pytest_cache .venv-canary
