# 中心组学习管理平台 — the two commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint test-sqlite test-postgres test-browser bench install install-test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-deps

install: $(VENV)/.run-deps
install-test: $(VENV)/.test-deps

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: install-test
	$(BIN)/pytest -m "not browser" -q

test-postgres: install-test
	scripts/with-postgres.sh $(BIN)/pytest -m "not browser" -q

test-browser: install-test
	scripts/ensure-chromium.sh
	$(BIN)/pytest -m browser -q

test: lint test-sqlite test-postgres test-browser

bench: install-test
	$(BIN)/python -m bench.run
