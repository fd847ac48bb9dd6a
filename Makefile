# The two commands: `make run` and `make test`. Both need only Python 3.11, make and git.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INI ?= development.ini
PORT ?= 6543
# Pyramid 2.1 imports pkg_resources; its deprecation notice is noise for anyone running tmo.
export PYTHONWARNINGS := ignore:pkg_resources is deprecated:UserWarning

.PHONY: run test lint format install migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: $(VENV)/.installed
	mkdir -p var
	$(BIN)/alembic -c $(INI) upgrade head

demo: migrate
	$(BIN)/tmo-demo $(INI)

# The mail worker sends the outbox's emails beside the web server, and stops with it.
run: demo
	$(BIN)/tmo-mail-worker $(INI) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/pserve $(INI) http_port=$(PORT)

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var *.egg-info
