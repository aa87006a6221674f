# jixiao — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PG_URL ?= postgres://jixiao:jixiao@127.0.0.1:5432/jixiao
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := chromium fonts-wqy-microhei poppler-utils
export JIXIAO_LOCAL ?= 1

.PHONY: run test install install-dev system-deps postgres lint typecheck test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install what is missing, migrate, load the demo into an empty database, serve on 127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py demo_accounts
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/gunicorn jixiao.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

## system-deps: Debian packages the tests need (browser, CJK font, PDF-to-PNG)
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing="$$missing fonts-wqy-microhei"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-upgrade $$missing; \
	fi

## postgres: start the local PostgreSQL 15 cluster and make the role and database the tests use
postgres:
	@$(SUDO) pg_ctlcluster 15 main start 2>/dev/null || $(SUDO) pg_ctlcluster 15 main status >/dev/null
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
	@$(SUDO) runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='jixiao'" | grep -q 1 || \
	  $(SUDO) runuser -u postgres -- psql -qc "CREATE ROLE jixiao LOGIN PASSWORD 'jixiao' CREATEDB"
	@$(SUDO) runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='jixiao'" | grep -q 1 || \
	  $(SUDO) runuser -u postgres -- psql -qc "CREATE DATABASE jixiao OWNER jixiao"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy jixiao

test-sqlite: install-dev system-deps
	DATABASE_URL= $(BIN)/python -m pytest -n 2 --dist loadfile

test-postgres: install-dev system-deps postgres
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -n 2 --dist loadfile

## test: lint, types, and the whole suite on SQLite and on PostgreSQL
test: lint typecheck test-sqlite test-postgres

## bench: the recompute benchmark on SQLite and PostgreSQL (see docs/benchmarks.md)
bench: install-dev postgres
	$(BIN)/python bench/recompute.py

clean:
	rm -rf $(VENV) var/static
