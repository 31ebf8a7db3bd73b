# The course's commands. Each creates .venv on first use (Python 3.11+ and make are all you need).
# Every target goes through one cross-platform entry point, which Windows (no make) calls
# directly: py -m azure_llm_helpers.course lab|run|test|doctor|wheelhouse
PYTHON ?= python3
ARGS   ?=
COURSE := $(PYTHON) -m azure_llm_helpers.course $(if $(filter-out 0,$(OFFLINE)),--offline)

.PHONY: help install lab run html test test-room test-browser doctor wheelhouse notebooks bench \
	lint canary clean

help:                ## this list (OFFLINE=1 installs from wheelhouse/; ARGS=... are passed on)
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-zA-Z_.\/-]*:.*## / {printf "  make %-13s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

.venv/.installed: pyproject.toml  # the developers' venv: the course and the test tools
	$(COURSE) install --dev

install:             ## only create .venv and install the course (uv if it can, else pip)
	$(COURSE) install

lab:                 ## start the mock and open JupyterLab on the course
	$(COURSE) lab $(ARGS)

run:                 ## execute every lesson headless against the mock: build/executed, build/html
	$(COURSE) run $(if $(REPLAY),--replay $(REPLAY)) $(ARGS)

html:                ## rebuild the HTML edition (build/html) from build/executed
	$(COURSE) python tools/html_edition.py

test:                ## the whole test suite (but the room tests: make test-room)
	$(COURSE) test $(ARGS)

test-room:           ## the slow room tests: offline install from a wheelhouse, JupyterHub
	$(COURSE) test -m room $(ARGS)

test-browser:        ## only the browser tests: JupyterLab and the HTML edition in Chromium
	$(COURSE) test tests/browser

doctor:              ## pre-flight check of this laptop: a go/no-go table, each no-go with its fix
	$(COURSE) doctor $(ARGS)

wheelhouse:          ## download every wheel for Linux, macOS and Windows into wheelhouse/
	$(COURSE) wheelhouse $(ARGS)

notebooks:           ## regenerate the outputs committed in notebooks/ (against the mock)
	$(COURSE) python tools/run_lessons.py --commit-outputs $(if $(REPLAY),--replay $(REPLAY))

bench:               ## performance figures for the README
	$(COURSE) python bench/run.py

lint:                ## ruff over the repository
	$(COURSE) python -m ruff check .

canary:              ## the tests against the newest openai / langchain-openai / azure-identity
	$(COURSE) --venv .venv-canary install
	# Lift the course's upper bounds: a new major release shows up here first.
	$(COURSE) --venv .venv-canary python -m pip install -q --upgrade openai langchain-openai \
		langchain-core azure-identity
	$(COURSE) --venv .venv-canary python -m pip list 2>/dev/null | \
		grep -iE '^(openai|langchain-openai|langchain-core|azure-identity) '
	# Cold kernels: what a new release prints at import must reach the lessons' outputs.
	COURSE_COLD_KERNELS=1 $(COURSE) --venv .venv-canary test

clean:               ## remove build outputs and the canary venv
	rm -rf build .pytest_cache .venv-canary
