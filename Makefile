# The two commands of the README. Both set up everything on a fresh machine.
#   make run   – virtualenv, install, migrate, seed; on an empty database the demo history,
#                a forecast and the alerts; then serve on http://127.0.0.1:8000
#   make test  – virtualenv, install, ruff, mypy, every test
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
CODE = blangko forecast api web
# What WeasyPrint (the PDF documents) needs from Debian: Pango, HarfBuzz's subsetter, fonts.
SYSTEM_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
.PHONY: run test install lint system

$(BIN)/blangko: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: system $(BIN)/blangko

# As root (CI) apt-get runs directly, otherwise through sudo.
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

system:
	@if command -v apt-get >/dev/null && ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		echo "Installing what the PDF documents need from Debian: $(SYSTEM_PACKAGES)"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

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
