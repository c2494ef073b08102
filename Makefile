# Malmö Pilot Portal — `make run` to try it, `make test` to check it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Local development defaults; production sets these in its own environment.
export DJANGO_DEBUG ?= 1

.PHONY: help install run serve test check lint format migrations messages messages-check lock browser clean bench audit soak faults

help:
	@echo "make run      install, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test     lint, migration check and the whole test suite (DATABASE_URL picks the database)"
	@echo "make serve    the same portal under gunicorn with production settings"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make messages extract and compile translations"
	@echo "make lock     refresh requirements*.lock from pyproject.toml"
	@echo "make soak     50 simulated users for 2 minutes against the large data set in DATABASE_URL"
	@echo "make faults   restart a private PostgreSQL under load: recovery within 5 s, no write lost"
	@echo "make audit    known vulnerabilities in the locked Python and npm packages"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install it or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements-dev.lock pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20) is needed for the front-end packages: install nodejs and npm."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

# A stable demo password for this checkout, so the printed logins stay true across runs.
.demo_password: | $(BIN)/python
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(12))" > $@

define seed_if_empty
	DEMO_PASSWORD="$${DEMO_PASSWORD:-$$(cat .demo_password)}" $(MANAGE) seed_demo --if-empty
	@[ -n "$${DEMO_PASSWORD:-}" ] || echo "Demo password (kept in .demo_password): $$(cat .demo_password)"
	@echo "Open http://$(HOST):$(PORT)/ and sign in as one of the users above."
endef

run: install .demo_password
	$(MANAGE) migrate --no-input
	$(seed_if_empty)
	$(MANAGE) runserver $(HOST):$(PORT)

.secret_key: | $(BIN)/python
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Production settings (DEBUG off, hashed static files). Cookies are marked Secure in production;
# this local target serves plain HTTP on loopback, so it opts out unless told otherwise.
serve: export DJANGO_DEBUG = 0
serve: install .secret_key .demo_password
	$(eval export DJANGO_SECRET_KEY ?= $(shell cat .secret_key))
	$(eval export DJANGO_ALLOWED_HOSTS ?= 127.0.0.1,localhost)
	$(eval export DJANGO_SECURE_COOKIES ?= 0)
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) migrate --no-input
	$(seed_if_empty)
	$(BIN)/gunicorn malmo_portal.wsgi:application --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

# Load test on loopback: gunicorn with production settings against the large data set in
# DATABASE_URL (PostgreSQL), driven by wrk; prints a Markdown table (see bench/README.md).
bench: install
	@[ -n "$${DATABASE_URL:-}" ] || { echo "make bench needs DATABASE_URL: the PostgreSQL database with 'manage.py seed_demo --size large', e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/malmo_seed_bench make bench"; exit 2; }
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk: apt-get install wrk"; exit 2; }
	$(BIN)/python bench/run.py

# 50 simulated people (locust, loopback, 2 minutes) over the main journeys against gunicorn with
# production settings and the large data set in DATABASE_URL; PASS or FAIL (bench/README.md).
soak: install
	@[ -n "$${DATABASE_URL:-}" ] || { echo "make soak needs DATABASE_URL: the PostgreSQL database with 'manage.py seed_demo --size large', e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/malmo_seed_bench make soak"; exit 2; }
	$(BIN)/python bench/soak.py

# Restarts PostgreSQL under load and checks recovery and that no acknowledged write is lost. It
# starts a private, temporary PostgreSQL of its own: never the one in DATABASE_URL.
faults: install
	$(BIN)/python bench/faults.py

# The browser tests drive Debian's Chromium; nothing here downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
export PORTAL_CHROMIUM := $(CHROMIUM)
browser:
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Chromium not found at $(CHROMIUM): installing Debian's chromium package..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	fi
	@[ -x "$(CHROMIUM)" ] || { echo "The browser tests need Chromium at $(CHROMIUM). Install Debian's package as root (apt-get install chromium) or run 'make test CHROMIUM=/path/to/chromium'."; exit 1; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations: install
	$(MANAGE) makemigrations --check --dry-run

check: lint migrations messages-check

test: install browser check
	$(BIN)/pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

MAKEMESSAGES := $(MANAGE) makemessages --locale sv --no-location --no-obsolete \
	--ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --ignore 'bench/*'

messages: install
	$(MAKEMESSAGES)
	$(MANAGE) compilemessages --locale sv --ignore '.venv/*' --ignore 'node_modules/*'

# Every visible string is in the catalogue: extracting again must not change the .po file.
messages-check: install
	@cp locale/sv/LC_MESSAGES/django.po .messages-check.po
	@$(MAKEMESSAGES) >/dev/null
	@if ! diff -q -I '^"POT-Creation-Date' .messages-check.po locale/sv/LC_MESSAGES/django.po >/dev/null; then \
		diff -I '^"POT-Creation-Date' .messages-check.po locale/sv/LC_MESSAGES/django.po | head -40; \
		mv .messages-check.po locale/sv/LC_MESSAGES/django.po; \
		echo "New or changed strings are not in the Swedish catalogue: run 'make messages', translate them and commit."; \
		exit 1; \
	fi
	@mv .messages-check.po locale/sv/LC_MESSAGES/django.po

# Exit 1: a vulnerability not explained in .ci/audit.py; 3: the advisory services were unreachable.
audit: install
	$(BIN)/python .ci/audit.py

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --strip-extras -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --strip-extras --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
