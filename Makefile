# 中心组学习管理平台 — the two commands of the README: `make run` and `make test`.
#
#   make run    virtualenv + install + migrate (SQLite) + demo data + job worker +
#               http://127.0.0.1:$(PORT) (scripts/run-demo.sh stops both together)
#   make test   ruff + suite on SQLite + suite on PostgreSQL + browser tests (Debian chromium)
#   make bench  benchmark harness, writes BENCHMARKS.md
#   make bench-load  the load run (gunicorn, 50 users), its section of BENCHMARKS.md
#
# pytest exits 5 when it collects no test; make treats every non-zero exit as a failure, so
# "no tests ran" fails the build too. Nothing here masks an exit code.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?= -q

.PHONY: run test lint test-sqlite test-postgres test-browser bench bench-load install install-test \
	check-deploy clean

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "需要 Python ≥ 3.11（当前 $(PY)：$$($(PY) --version 2>&1)）" >&2; exit 1; }
	@$(PY) -m venv $(VENV) || { rm -rf $(VENV); \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -q && apt-get install -y -q python3-venv && $(PY) -m venv $(VENV); \
		else echo "无法创建虚拟环境：请先安装 python3-venv（sudo apt-get install python3-venv）" >&2; \
			exit 1; fi; }
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-deps

# The chart library (ECharts) comes from the npm registry at the versions and integrity hashes
# of package-lock.json; only its dist file is copied into static-vendor/ (served as /static/vendor/,
# never committed). The offline bundle carries static-vendor/, so the intranet needs no Node.
VENDOR_JS := static-vendor/echarts/echarts.min.js
$(VENDOR_JS): package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 和 npm 来安装图表库 ECharts（sudo apt-get install nodejs npm），或使用已含 static-vendor/ 的离线安装包" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE $(@D)/
	touch $@

install: $(VENV)/.run-deps $(VENDOR_JS)
install-test: $(VENV)/.test-deps $(VENDOR_JS)

# Demo mode: SQLite in db.sqlite3, demo accounts printed by seed_demo. DEBUG stays off so a
# user never sees Django's debug page; the product's own 404/403/500 pages answer instead.
# The demo's secret key is made once per checkout in var/ (never committed).
DEMO_ENV = DEBUG=0 DEMO_MODE=1 ALLOWED_HOSTS=127.0.0.1,localhost SECURE_COOKIES=0 \
	SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SECRET_KEY="$$(cat var/demo-secret-key)"

var/demo-secret-key: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

run: install var/demo-secret-key
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) BIN=$(BIN) PORT=$(PORT) scripts/run-demo.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# DATABASE_URL from the caller's environment must not leak into the SQLite run. Both suites
# convert the generated documents with Debian's LibreOffice, installed when missing.
test-sqlite: install-test
	scripts/ensure-libreoffice.sh
	env -u DATABASE_URL EXPECT_DB_VENDOR=sqlite $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

# TEST_DATABASE_URL, else a server on 127.0.0.1:5432, else a private cluster (see the script).
test-postgres: install-test
	scripts/ensure-libreoffice.sh
	PYTHON=$(BIN)/python scripts/with-postgres.sh $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

# Debian's /usr/bin/chromium, installed when missing; never a browser downloaded by Playwright.
test-browser: install-test
	scripts/ensure-chromium.sh
	env -u DATABASE_URL EXPECT_DB_VENDOR=sqlite $(BIN)/pytest -m browser $(PYTEST_ARGS)

test: lint test-sqlite test-postgres test-browser

bench: install-test
	$(BIN)/python -m bench.run

# gunicorn + job workers on a copy of the bench province, 50 users over HTTP for 150 s.
bench-load: install-test
	$(BIN)/python -m bench.load

# The production check of the README, with throw-away values.
check-deploy: install
	DEBUG=0 SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=study.example.internal DATABASE_URL=sqlite:///$(CURDIR)/var/check.sqlite3 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles test-artifacts node_modules static-vendor
