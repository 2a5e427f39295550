# ansinh — every target works from a fresh clone (it creates the venv when missing).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= ansinh.settings.base

.PHONY: install demo serve test lint test-browser test-postgres bench messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## make demo: migrate SQLite, load Hanoi and the demo data, start the worker and the server.
demo: install
	$(BIN)/ansinh demo
	@echo "Khởi động worker và máy chủ tại http://$(HOST):$(PORT)/ (Ctrl+C để dừng)"
	@$(BIN)/ansinh worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/ansinh runserver $(HOST):$(PORT) --noreload

serve: install
	$(BIN)/ansinh runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

## make test: lint, migrations up to date, the whole suite (SQLite unless DATABASE_URL is set).
test: lint
	DJANGO_SETTINGS_MODULE=ansinh.settings.test $(BIN)/ansinh makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=ansinh.settings.test $(BIN)/pytest -q

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ansinh} \
	DJANGO_SETTINGS_MODULE=ansinh.settings.test $(BIN)/pytest -q

## Browser scenarios in Debian's Chromium (/usr/bin/chromium).
test-browser: install
	DJANGO_SETTINGS_MODULE=ansinh.settings.test $(BIN)/pytest -q -m browser tests/browser

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	touch $@

## make bench: every benchmark (SQLite unless DATABASE_URL is set; scale: ANSINH_BENCH_SCALE).
bench: $(VENV)/.installed-bench
	$(BIN)/ansinh bench

## Recompile the translation catalogues after editing .po files.
messages: install
	cd src/ansinh && ../../$(BIN)/ansinh compilemessages

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info
