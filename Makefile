# Netværksforum — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help run test lint format translations messages install install-dev db-upgrade seed clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Create .venv and install the app

install-dev: $(VENV)/.installed-dev ## Create .venv and install the app with test and lint tools

translations: $(VENV)/.installed ## Compile the message catalogues
	$(BIN)/pybabel compile -d forum/translations

db-upgrade: $(VENV)/.installed ## Apply migrations to the configured database
	$(FLASK) db upgrade

run: translations db-upgrade ## Install, migrate, seed the demo network when empty, serve on :5000 (or PORT=...) with the email worker beside it
	$(FLASK) seed-demo --if-empty
	@# The worker runs beside the web server (emails appear in this log without FORUM_MAIL_SERVER)
	@# and stops with it, on Ctrl-C as on any other exit.
	FORUM_PORT=$(PORT) $(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	FORUM_PORT=$(PORT) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev translations ## Run the whole test suite (TEST_DATABASE_URL selects PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev ## Check formatting and lint with ruff, and types with mypy (strict)
	$(BIN)/ruff check forum tests migrations wsgi.py
	$(BIN)/ruff format --check forum tests wsgi.py
	$(BIN)/mypy

format: install-dev ## Format the code with ruff
	$(BIN)/ruff format forum tests wsgi.py
	$(BIN)/ruff check --fix forum tests wsgi.py

messages: install-dev ## Extract messages and update the catalogues
	@# --ignore-dirs: pybabel skips folders starting with "_" by default (templates/_macros!)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--ignore-dirs '.* __pycache__' --no-location --sort-output -o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/fill_english_catalogue.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results
