# Two commands on a fresh clone (see README):
#   make site   builds the sample commune: output/ (website) and qr/ (posters)
#   make test   runs the whole test suite (lint, unit, browser, decoder, PDF)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AXE := tests/js/node_modules/.installed

.PHONY: site test lint golden lighthouse clean

site: $(VENV)/.site
	$(BIN)/python build.py build

test: $(VENV)/.test $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy thutuc
	$(BIN)/python -m pytest -n auto -rs

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy thutuc

golden: $(VENV)/.test
	$(BIN)/python tests/update_golden.py

lighthouse: $(VENV)/.test bench/node_modules/.installed
	$(BIN)/python bench/lighthouse.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.site: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.site

%/node_modules/.installed: %/package.json %/package-lock.json
	npm ci --prefix $* --no-audit --no-fund
	touch $@

clean:
	rm -rf output qr .venv test-artifacts
