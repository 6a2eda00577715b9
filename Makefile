# marketdesk developer and CI entry points.  `make help` lists them.
#
# Every recipe runs in one bash with `set -euo pipefail`, so the first failing command stops the
# target with a non-zero exit.  uv manages .venv from uv.lock; nothing is installed by hand.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
UV := $(PYTHON) -m uv
BIN := .venv/bin
# uv must build the venv with the interpreter pyenv picked from .python-version and never try to
# download one (only package registries are reachable).
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
export UV_NO_PROGRESS := 1

# Debian packages a target needs; `test` and `bench` widen this list for the `install` they run.
APT_PACKAGES ?=
PO_FILES = $(shell find src -path '*/locale/*/LC_MESSAGES/*.po' 2>/dev/null)
TEMPLATE_DIRS = $(shell find src -type d -name templates -not -path '*/node_modules/*' 2>/dev/null)

step = printf '\n\033[1m==> %s\033[0m\n' "$(1)"

.PHONY: help install demo test topology lint fmt typecheck messages bench model eval-triage eval-safety

help:  ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install:  ## Create .venv from uv.lock, install needed Debian packages, compile translations
	@$(call step,Python toolchain: $$($(PYTHON) --version))
	if ! $(UV) --version >/dev/null 2>&1; then
	    echo "uv missing for $(PYTHON): installing it with pip"
	    $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	fi
	$(UV) --version
	$(call step,uv sync --frozen)
	$(UV) sync --frozen
	packages="$(APT_PACKAGES)"
	if [[ -n "$(PO_FILES)" ]]; then packages="$$packages gettext"; fi
	scripts/apt-ensure.sh $$packages
	if [[ -n "$(PO_FILES)" ]]; then
	    $(call step,compilemessages)
	    # Only our own catalogues: without --ignore Django walks into .venv as well.
	    $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules
	fi

# ffmpeg: attachments check videos with ffprobe and cut their poster frames with ffmpeg.
demo: APT_PACKAGES = ffmpeg
demo: install  ## Run the demo: web + worker on http://127.0.0.1:8000, logins printed
	@$(call step,marketdesk demo)
	exec $(BIN)/marketdesk demo

# haproxy: the topology step balances two web processes with it (scripts/topology.py).
test: APT_PACKAGES = postgresql chromium gettext ffmpeg redis-server haproxy
test: install  ## Everything CI checks: lint, types, migrations, pytest on SQLite and PostgreSQL, browser
	@scripts/test.sh

topology: APT_PACKAGES = postgresql redis-server haproxy
topology: install  ## Past one machine, on loopback: haproxy, 2 web, 2 RQ workers, scheduler, PostgreSQL, Redis, S3 (Ctrl-C stops all)
	@$(call step,scripts/topology.py)
	exec $(BIN)/python scripts/topology.py

lint:  ## ruff check, ruff format --check, djhtml --check, import layers (lint-imports)
	@$(call step,ruff check)
	$(BIN)/ruff check .
	$(call step,ruff format --check)
	$(BIN)/ruff format --check .
	$(call step,djhtml --check)
	templates=$$(find $(TEMPLATE_DIRS) -name '*.html' 2>/dev/null || true)
	if [[ -n "$$templates" ]]; then $(BIN)/djhtml --check $$templates; else echo "no templates"; fi
	$(call step,lint-imports: the floors between apps)
	# Contracts in pyproject.toml [tool.importlinter]; CONTRIBUTING.md "Layers" explains them.
	$(BIN)/lint-imports --no-cache

fmt:  ## Format and autofix: ruff format, ruff check --fix, djhtml
	@$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	templates=$$(find $(TEMPLATE_DIRS) -name '*.html' 2>/dev/null || true)
	if [[ -n "$$templates" ]]; then $(BIN)/djhtml $$templates; fi

typecheck:  ## mypy with django-stubs
	@$(call step,mypy)
	$(BIN)/mypy

messages: APT_PACKAGES = gettext
messages: install  ## Update the Russian catalogue from the source (what tests/test_translations.py compares)
	@$(call step,makemessages -l ru)
	# Run inside the package without DJANGO_SETTINGS_MODULE: strings come from src/marketdesk only
	# (not tests/ or bench/) and land in src/marketdesk/locale.
	cd src/marketdesk
	mkdir -p locale
	env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django makemessages --locale=ru --no-obsolete
	echo "Now translate the empty and fuzzy entries in src/marketdesk/locale/ru/LC_MESSAGES/django.po"

bench: APT_PACKAGES = postgresql redis-server haproxy
bench: install  ## Run the benchmarks (BENCH_ARGS="--postgres" for PostgreSQL)
	@$(call step,bench/run.py $(BENCH_ARGS))
	$(BIN)/python bench/run.py $(BENCH_ARGS)

model: install  ## Train the triage model from data/triage (never heldout/) + ../shared dev.csv; prints CV macro-F1 per language
	@$(call step,train the triage model)
	$(BIN)/python -m marketdesk.triage.train

eval-triage: install  ## Triage: scores and confusion on data/triage/heldout (en, ru; ru-translit, ru-mixed apart), CV on our own rows and on dev.csv
	@$(call step,evaluate the triage model)
	$(BIN)/python -m marketdesk.triage.evaluate

eval-safety: install  ## Message safety: precision and recall on data/safety/heldout.csv, misses, messages checked/s
	@$(call step,evaluate message safety)
	$(BIN)/python -m marketdesk.safety.evaluate
