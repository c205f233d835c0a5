# Every target sets itself up: a .venv with the project installed, redone only when
# pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup map test bench lint docs

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

map: $(STAMP)
	$(BIN)/garrison map --latest -o output/snapshot.html --force
	$(BIN)/garrison map --timeline -o output/timeline.html --force

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

docs: $(STAMP)
	$(BIN)/python docs/screenshot.py

lint: $(STAMP)
	$(BIN)/ruff check geo layers tests benchmarks docs
