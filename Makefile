# hccrep — build the book and run the tests in a project-local virtual environment.
#
#   make book    build the Jupyter Book into _build/html (every notebook executed afresh, in
#                parallel on BOOK_JOBS=nproc workers, then rendered with -W)
#   make test    run the whole test suite (unit, R parity, notebooks, book build)
#   make test-latest     the unit tests against the newest releases of the dependencies (.venv-latest)
#   make run-notebook NB=book/fonc2025/01_baseline.md SEED=7 [PARAMS='-p FAST True']
#   make run-chapter CHAPTER=fonc2025 SEED=7 [PARAMS='-p N_MC 500']
#   make book-student    the book without exercise solutions (for teachers)
#   make linkcheck       check the book's external links (needs internet; CI runs it)
#   make clean
#
# Both `book` and `test` create .venv from pyproject.toml first; the venv is
# re-installed whenever pyproject.toml is newer than .venv/.stamp.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp

NB     ?=
CHAPTER ?=
SEED   ?= 7
PARAMS ?=
PAPERMILL_DIR := _build/papermill

# MPLBACKEND is deliberately not set: a kernel started with MPLBACKEND=Agg shows no figures
# (ipykernel's inline backend is used only when the variable is unset).
# Notebooks of one study share their Monte Carlo through this cache; its key covers the code of
# hccrep, the data, the settings and the library versions (see hccrep.replication.monte_carlo).
export HCCREP_CACHE_DIR ?= $(CURDIR)/_build/.hccrep_cache
# Silence debugpy's "frozen modules" notice printed by every kernel on 3.11.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv book test test-latest run-notebook run-chapter book-student linkcheck clean

help:
	@echo "make book   - build the book into _build/html (creates .venv)"
	@echo "make test   - run the full test suite (creates .venv)"
	@echo "make test-latest - unit tests with the newest release of every dependency (creates .venv-latest)"
	@echo "make run-notebook NB=book/<study>/<nb>.md SEED=7 [PARAMS='-p FAST True']"
	@echo "make run-chapter CHAPTER=<study> SEED=7 [PARAMS='-p N_MC 500'] - every notebook of a chapter"
	@echo "make book-student - the book without solutions, into _build/student"
	@echo "make linkcheck - check external links of the book (needs internet)"
	@echo "make clean  - remove build outputs (keeps .venv)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --progress-bar off -e '.[book,dev]'
	@touch $@

# A cold, complete build in two steps. The execution cache is emptied, then every notebook of
# _toc.yml is executed by `python -m hccrep.book execute` on BOOK_JOBS worker processes
# (longest first, each in a fresh kernel) into _build/.jupyter_cache; jupyter-book
# (execute_notebooks: cache in _config.yml) then finds each notebook there and only renders.
# A notebook that raises stops here, after the others finished, with its name and traceback.
BOOK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# The build must take every notebook from the cache the pre-execution filled. A page it executed
# itself means that hccrep.bookexec.read_page no longer reads the pages as MyST-NB does (a new
# release of myst-nb or jupyter-cache): fail, with the log lines and the library versions.
define check_no_build_execution
if grep -q "Executing notebook" $(1); then \
    echo "ERROR: jupyter-book executed notebooks that 'python -m hccrep.book execute' had cached:" >&2; \
    grep -B2 "Executing notebook" $(1) >&2 || true; \
    $(BIN)/python -c 'from hccrep.bookexec import library_versions as v; print(v())' >&2; \
    exit 1; \
fi
endef

book: venv
	rm -rf _build/.jupyter_cache
	$(BIN)/python -m hccrep.book execute --jobs $(BOOK_JOBS)
	$(BIN)/jupyter-book build . -W --keep-going --all 2>&1 | tee _build/book-build.log
	@$(call check_no_build_execution,_build/book-build.log)
	@echo "book written to _build/html/index.html"

# Two pytest workers (pytest-xdist), one test file per worker at a time (--dist loadfile): the
# book build and its browser checks (tests/test_browser.py) run in one worker while the other
# runs the rest. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: venv
	$(BIN)/python -m pytest --durations=25 -n $(TEST_WORKERS) --dist loadfile

# Dependency guard: the unit tests (not the book, its notebooks or the browser) against the
# newest release of every dependency, ignoring the upper bounds of pyproject.toml. A fresh
# .venv-latest gets hccrep without its dependencies, then every requirement of pyproject.toml
# and its book and dev extras by name only (scripts/latest_requirements.py), upgraded eagerly.
# LATEST_EXCEPT holds the major lines left out on purpose: Jupyter Book 2 is another program
# (built on MyST-MD, not Sphinx), to which the book would have to be ported.
# The versions tested are printed (and kept in .venv-latest/versions.txt).
VENV_LATEST   := .venv-latest
LATEST_EXCEPT ?= jupyter-book<2

test-latest:
	rm -rf $(VENV_LATEST)
	$(PYTHON) -m venv $(VENV_LATEST)
	$(VENV_LATEST)/bin/python -m pip install --progress-bar off --upgrade pip
	$(VENV_LATEST)/bin/python -m pip install --progress-bar off --no-deps -e .
	printf '%s\n' $(foreach c,$(LATEST_EXCEPT),'$(c)') > $(VENV_LATEST)/constraints.txt
	$(VENV_LATEST)/bin/python -m pip install --progress-bar off --upgrade --upgrade-strategy eager \
	    -c $(VENV_LATEST)/constraints.txt $$($(VENV_LATEST)/bin/python scripts/latest_requirements.py)
	$(VENV_LATEST)/bin/python -m pip freeze --exclude-editable > $(VENV_LATEST)/versions.txt
	$(VENV_LATEST)/bin/python scripts/latest_requirements.py --report
	$(VENV_LATEST)/bin/python -m pytest -m "not book and not notebook and not browser" \
	    -n $(TEST_WORKERS) --dist loadfile

run-notebook: venv
	@test -n "$(NB)" || { echo "usage: make run-notebook NB=book/<study>/<notebook>.md SEED=7"; exit 2; }
	@test -f "$(NB)" || { echo "no such notebook: $(NB)"; exit 2; }
	@mkdir -p $(PAPERMILL_DIR)
	$(BIN)/jupytext --to ipynb --set-kernel python3 \
	    -o $(PAPERMILL_DIR)/$(basename $(notdir $(NB))).input.ipynb $(NB)
	$(BIN)/papermill --cwd $(dir $(NB)) --kernel python3 \
	    $(PAPERMILL_DIR)/$(basename $(notdir $(NB))).input.ipynb \
	    $(PAPERMILL_DIR)/$(basename $(notdir $(NB)))-seed$(SEED).ipynb \
	    -p SEED $(SEED) $(PARAMS)
	@echo "executed notebook: $(PAPERMILL_DIR)/$(basename $(notdir $(NB)))-seed$(SEED).ipynb"

# Every notebook of one chapter (book/<CHAPTER>/NN_*.md, in order) through run-notebook.
run-chapter: venv
	@test -n "$(CHAPTER)" || { echo "usage: make run-chapter CHAPTER=<study> SEED=7 [PARAMS='-p N_MC 500']"; exit 2; }
	@test -d "book/$(CHAPTER)" || { echo "no such chapter: book/$(CHAPTER)"; exit 2; }
	@nbs="$$(ls book/$(CHAPTER)/[0-9]*.md 2>/dev/null)"; \
	test -n "$$nbs" || { echo "book/$(CHAPTER) has no numbered notebooks"; exit 2; }; \
	for nb in $$nbs; do \
	    $(MAKE) --no-print-directory run-notebook NB="$$nb" SEED="$(SEED)" PARAMS="$(PARAMS)"; \
	done

# The teacher's edition: the same book with sphinx-exercise's hide_solutions set.
# Built like `book` (fresh execution cache, parallel pre-execution), into _build/student.
book-student: venv
	@mkdir -p _build/student
	$(BIN)/python -m hccrep.book config _config.yml --hide-solutions > _build/student/_config.yml
	rm -rf _build/student/_build/.jupyter_cache
	$(BIN)/python -m hccrep.book execute --jobs $(BOOK_JOBS) --config _build/student/_config.yml \
	    --cache-path _build/student/_build/.jupyter_cache
	$(BIN)/jupyter-book build . --config _build/student/_config.yml --path-output _build/student -W --keep-going --all \
	    2>&1 | tee _build/student/book-build.log
	@$(call check_no_build_execution,_build/student/book-build.log)
	@echo "student edition written to _build/student/_build/html/index.html"

# External links need internet: CI's book workflow runs this; offline it reports every link as broken.
linkcheck: venv
	$(BIN)/jupyter-book build . --builder linkcheck
	@echo "report: _build/linkcheck/output.txt"

clean:
	rm -rf _build .pytest_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
