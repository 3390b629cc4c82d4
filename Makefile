# The two commands in README.md: `make run` (the product on the embedded default) and
# `make test` (the whole suite). Everything else here supports those two.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check-python lock clean bench-install

check-python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v[:2] == (3, 11) else "Python 3.11 is required (found %d.%d); set PYTHON=/path/to/python3.11" % v[:2])'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

# Stamps: reinstall only when a lock file changes.
$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	@touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	@touch $@ $(VENV)/.base-installed

# Benchmarks (bench/README.md) need the load tools on top of the dev set.
$(VENV)/.bench-installed: requirements/bench.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/bench.lock
	@touch $@ $(VENV)/.dev-installed $(VENV)/.base-installed

bench-install: $(VENV)/.bench-installed

run: $(VENV)/.base-installed
	HOST=$(HOST) PORT=$(PORT) PATH="$(abspath $(BIN)):$$PATH" bin/serve

test: $(VENV)/.dev-installed
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin every dependency from pyproject.toml (run after changing it, commit the locks).
lock:
	$(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet pip-tools
	var/lock-venv/bin/pip-compile --quiet --strip-extras --no-header --allow-unsafe -o requirements/base.lock pyproject.toml
	var/lock-venv/bin/pip-compile --quiet --strip-extras --no-header --allow-unsafe --extra dev -o requirements/dev.lock pyproject.toml
	var/lock-venv/bin/pip-compile --quiet --strip-extras --no-header --allow-unsafe --extra dev --extra bench -o requirements/bench.lock pyproject.toml

clean:
	rm -rf $(VENV) var
