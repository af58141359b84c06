# Quick start: `make serve` and `make test` (each creates .venv and installs the project first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install serve test lint build validate bench screenshots clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

validate: $(STAMP)
	$(BIN)/cnc-kg validate

build: $(STAMP)
	$(BIN)/cnc-kg build

serve: $(STAMP)
	$(BIN)/cnc-kg build
	$(BIN)/cnc-kg serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check server tests bench

bench: $(STAMP)
	.ci/need wrk:wrk virtuoso-t:virtuoso-opensource isql-vt:virtuoso-opensource
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

# The README's pictures of the site (docs/screenshots/), from a fresh build, in fr/en/zh.
screenshots: $(STAMP)
	$(BIN)/python tests/screenshots.py

clean:
	rm -rf dist .pytest_cache .ruff_cache
