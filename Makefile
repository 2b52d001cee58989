# Two commands matter:  `make run` (demo app on SQLite)  and  `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
TEST_WORKERS ?= 2
export FLASK_APP := app

.PHONY: run worker test lint format serve migrate clean screenshots translations
CATALOGUE := ipr_apps/translations/zh_Hans/LC_MESSAGES/messages

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## run: install, migrate the SQLite database, seed demo data, start the job worker and the
## dev server (Ctrl-C stops both)
run: export IPR_BASE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed $(CATALOGUE).mo
	$(BIN)/flask db upgrade
	@echo "Demo accounts:"
	@$(BIN)/flask ipr seed-demo
	@echo ""
	@echo "  ipr_apps is starting at  http://$(HOST):$(PORT)/   (Ctrl-C stops the server and the worker)"
	@echo ""
	@$(BIN)/flask ipr worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

## worker: the job queue's worker alone (production: see the systemd unit in the README)
worker: $(VENV)/.installed $(CATALOGUE).mo
	$(BIN)/flask ipr worker

## test: the whole suite (browser tests run when /usr/bin/chromium exists), on TEST_WORKERS
## processes; a file that shares an outside resource (a Redis database) keeps to one process;
## PYTEST_ARGS adds pytest options (e.g. PYTEST_ARGS='-m "not browser"')
test: $(VENV)/.installed $(CATALOGUE).mo
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## translations: extract every message (babel.cfg) into messages.pot, merge it into the
## zh_Hans catalogue (new messages arrive empty: translate them; tests fail on empty/fuzzy ones)
## and compile it. Export column names, JSON keys and error codes are never wrapped.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _ln:1,2 --no-wrap \
	  --add-location=file --sort-by-file --project=ipr_apps -o ipr_apps/translations/messages.pot .
	$(BIN)/pybabel update -i ipr_apps/translations/messages.pot -d ipr_apps/translations \
	  -l zh_Hans --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d ipr_apps/translations -l zh_Hans --statistics

# The compiled catalogue is built, not committed.
$(CATALOGUE).mo: $(CATALOGUE).po $(VENV)/.installed
	$(BIN)/pybabel compile -d ipr_apps/translations -l zh_Hans

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
serve: $(VENV)/.installed $(CATALOGUE).mo
	$(BIN)/gunicorn app:app --bind $(HOST):$(PORT) --workers 3

migrate: $(VENV)/.installed
	$(BIN)/flask db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts $(CATALOGUE).mo
