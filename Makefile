# The two commands of a fresh machine: `make demo` (install, then run the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench

install: $(VENV)/.installed

# Reinstall whenever the dependency set changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/pipedrive-etl demo

# Lint first: it takes a second, and a long line or an unsorted import fails CI here rather than piling up.
test: lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check pipedrive_etl tests bench

bench: install
	$(BIN)/python bench/client_parse.py
	$(BIN)/python bench/sandbox_list.py
