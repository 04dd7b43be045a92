# Twinning Workshop: `make run` serves the demo, `make test` runs everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := workshop
# Where `make run` serves: `make run PORT=8080`, or HOST=0.0.0.0 to reach it from the room's phones.
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint translations extract-messages migrate seed install install-test clean bench-forms bench-documents bench-dashboard

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test node_modules/.installed translations

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d workshop/translations 2>&1 | grep -v '^compiling catalog' || true

# After changing user-facing text: refresh both catalogues, then translate what is new in uk.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o workshop/translations/messages.pot .
	$(BIN)/pybabel update -i workshop/translations/messages.pot -d workshop/translations --no-fuzzy-matching --ignore-obsolete
	@rm workshop/translations/messages.pot

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask workshop seed-demo --if-empty

run: seed
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test:
	scripts/system-deps.sh
	$(MAKE) --no-print-directory install-test lint
	@echo "== test suite on SQLite =="
	$(BIN)/pytest -n 2 --dist worksteal
	@echo "== test suite on PostgreSQL =="
	scripts/with-postgres.sh $(BIN)/pytest -n 2 --dist worksteal

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache

# Fill a demo partnership's stages 1–4 through autosave; the last line is RESULT ...
bench-forms: $(VENV)/.installed-test translations
	$(BIN)/python benchmarks/bench_forms.py

# Render the fullest demo partnership's vision against raw WeasyPrint; the last line is RESULT ...
bench-documents: $(VENV)/.installed-test translations
	scripts/system-deps.sh
	$(BIN)/python benchmarks/bench_documents.py

# Seed 1,000 partnerships and time the dashboard, its 304 poll and the programme overview; RESULT ...
bench-dashboard: $(VENV)/.installed-test translations
	$(BIN)/python benchmarks/bench_dashboard.py

# Seed 1,000 partnerships and time the seminar page, the partnership lists and the join page; RESULT ...
.PHONY: bench-lists
bench-lists: $(VENV)/.installed-test translations
	$(BIN)/python benchmarks/bench_lists.py

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[bench]"
	@touch $@

# A seminar room, the most saves a second and a programme day, on gunicorn and a private
# PostgreSQL on loopback (about 12 minutes; LOAD_SECONDS=30 for a short try); RESULT ...
.PHONY: bench-load
bench-load: $(VENV)/.installed-bench translations
	scripts/system-deps.sh
	$(BIN)/python benchmarks/bench_load.py

# What one autosave costs the app in CPU, in-process against hello-world, and in instructions
# under valgrind, the same on a busy day (about 10 minutes; SAVE_CPU_INSTRUCTIONS=0 skips them)
.PHONY: bench-save-cpu
bench-save-cpu: $(VENV)/.installed-bench translations
	scripts/system-deps.sh
	command -v valgrind >/dev/null || apt-get install -y -q -o DPkg::Lock::Timeout=120 valgrind
	$(BIN)/python benchmarks/bench_save_cpu.py

# Production: check the configuration, migrate, then serve with gunicorn.conf.py. Settings come
# from the environment (WORKSHOP_DATABASE_URL, WORKSHOP_SECRET_KEY, …): docs/deployment.md.
.PHONY: serve
serve: install
	WORKSHOP_ENV=$${WORKSHOP_ENV:-production} $(BIN)/flask db upgrade
	exec $(BIN)/gunicorn --config gunicorn.conf.py
