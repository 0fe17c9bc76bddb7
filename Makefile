# The two commands of the README. Both set up everything on a fresh machine.
#   make run   – virtualenv, install, migrate, seed; on an empty database the demo history,
#                a forecast and the alerts; then serve on http://127.0.0.1:8000
#   make test  – virtualenv, install, ruff, mypy, every test
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
CODE = blangko forecast api web
.PHONY: run test install lint

$(BIN)/blangko: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/blangko

run: install
	$(BIN)/blangko db upgrade
	$(BIN)/blangko seed
	$(BIN)/blangko serve --demo

lint: install
	$(BIN)/ruff check $(CODE) tests bench
	$(BIN)/ruff format --check $(CODE) tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
