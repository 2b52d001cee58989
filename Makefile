# Two commands matter:  `make run` (demo app on SQLite)  and  `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := app

.PHONY: run test lint format serve migrate clean screenshots

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## run: install, migrate the SQLite database, seed demo data, start the dev server
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	@echo "Demo accounts:"
	@$(BIN)/flask ipr seed-demo
	@echo ""
	@echo "  ipr_apps is starting at  http://$(HOST):$(PORT)/   (Ctrl-C to stop)"
	@echo ""
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## test: the whole suite (browser tests run when /usr/bin/chromium exists)
test: $(VENV)/.installed
	$(BIN)/pytest -q

## screenshots: each demo role's main pages at desktop and phone width, from a running `make run`
screenshots: $(VENV)/.installed
	$(BIN)/python -m tests.browser.screenshots http://$(HOST):$(PORT) docs/screenshots

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## serve: production-style server (set DATABASE_URL and run `flask db upgrade` first)
serve: $(VENV)/.installed
	$(BIN)/gunicorn app:app --bind $(HOST):$(PORT) --workers 3

migrate: $(VENV)/.installed
	$(BIN)/flask db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
