# Rapport — the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?= -n 2

.PHONY: run test install lint format check-migrations schema messages demo bench clean

$(VENV)/.installed: requirements/dev.txt pyproject.toml
	@set -e; python=$$(scripts/find-python.sh); \
	  echo "Using $$python"; \
	  [ -x $(PY) ] || "$$python" -m venv $(VENV); \
	  $(PY) -m pip install -q --upgrade pip; \
	  $(PY) -m pip install -q -r requirements/dev.txt; \
	  $(PY) -m pip install -q --no-deps -e .
	@touch $@

install: $(VENV)/.installed

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	$(MANAGE) rapport_run

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: install
	$(MANAGE) makemigrations --check --dry-run

schema: install
	$(MANAGE) spectacular --file docs/openapi.yaml --validate --fail-on-warn

messages: install
	cd src/rapport && ../../$(PY) ../../manage.py makemessages -l ru -l uk -l lv --no-obsolete --no-location -i 'web/static/*'
	cd src/rapport && ../../$(PY) ../../manage.py compilemessages

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
