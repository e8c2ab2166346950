# hccrep — build the book and run the tests in a project-local virtual environment.
#
#   make book    build the Jupyter Book into _build/html (every notebook executed, -W)
#   make test    run the whole test suite (unit, R parity, notebooks, book build)
#   make run-notebook NB=book/fonc2025/01_baseline.md SEED=7 [PARAMS='-p FAST True']
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

.PHONY: help venv book test run-notebook clean

help:
	@echo "make book   - build the book into _build/html (creates .venv)"
	@echo "make test   - run the full test suite (creates .venv)"
	@echo "make run-notebook NB=book/<study>/<nb>.md SEED=7 [PARAMS='-p FAST True']"
	@echo "make clean  - remove build outputs (keeps .venv)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --progress-bar off -e '.[book,dev]'
	@touch $@

book: venv
	rm -rf _build/.jupyter_cache
	$(BIN)/jupyter-book build . -W --keep-going --all
	@echo "book written to _build/html/index.html"

test: venv
	$(BIN)/python -m pytest --durations=15

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

clean:
	rm -rf _build .pytest_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
