# PairUp: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/pairup

.PHONY: run install install-dev migrate demo test test-pg fuzz lint screenshots bench bench-smoke bench-load bench-cohort bench-live bench-events bench-insights bench-semantic clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/pairup migrate --no-input

demo: migrate
	$(BIN)/pairup demo

run: demo
	@echo ""
	@echo "PairUp is starting on http://127.0.0.1:8000"
	@echo "Sign in with any demo login above (password: pairup-demo)."
	@echo ""
	$(BIN)/pairup serve --host 127.0.0.1 --port 8000

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Everything on SQLite, browser tests included (skipped, and said so, without chromium).
test: lint
	$(BIN)/pytest -q -n 2 --dist loadfile

# The database tests again on PostgreSQL (engine and browser tests need no second run).
test-pg: install-dev
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist loadfile -m "not e2e" --ignore=tests/engine

# Schemathesis against the live OpenAPI schema, signed in as the demo mentee, on PostgreSQL
# (where bad bytes bite): no 5xx, every status and body as documented. A few minutes.
fuzz: install-dev
	DATABASE_URL=$(PG_URL) PAIRUP_FUZZ=1 $(BIN)/pytest -q -p no:xdist tests/site/test_fuzz.py

screenshots: install-dev
	PAIRUP_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -m e2e -p no:xdist

bench: install-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

bench-smoke: install-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py --smoke

# Web load test against the baseline commit, both on PostgreSQL (PG_URL's server; drops and
# recreates the databases pairup_loadbase and pairup_loadbench). Not part of `make test`/CI.
LOAD_ARGS ?=
bench-load: install-dev
	LOAD_PG=$(dir $(PG_URL)) $(BIN)/python bench/load.py --write-docs $(LOAD_ARGS)

# Cohort matching from the database (SQLite, and PostgreSQL on PG_URL's server in the database
# pairup_bench_cohort, dropped and recreated) against `pairup match` on the same cohort in
# files; writes the "Cohort matching" section of docs/benchmarks.md. Not part of CI.
bench-cohort: install-dev
	COHORT_PG_URL=$(dir $(PG_URL))pairup_bench_cohort $(BIN)/python bench/cohort.py

# The event engine (rotations, re-seat against a full re-solve, roundtables, buddies), then
# event schedules from the database with the organisers' preview against the bare engine call
# (SQLite, and PostgreSQL on PG_URL's server in the database pairup_bench_events, dropped and
# recreated); writes the "Event engine" and "Event schedules" sections of docs/benchmarks.md.
# Not part of CI.
bench-events: install-dev
	$(BIN)/python bench/events_engine.py
	EVENTS_PG_URL=$(dir $(PG_URL))pairup_bench_events $(BIN)/python bench/events.py

# The live room: re-seat after 50 no-shows from the database, and 1,000 phones polling the
# state against gunicorn (2 workers x 4 threads) on PostgreSQL (PG_URL's server; drops and
# recreates pairup_bench_live and pairup_bench_live_reseat) with Redis (REDIS_BASE, database
# 14, flushed); writes the "Live room" section of docs/benchmarks.md. Not part of CI.
REDIS_BASE ?= redis://127.0.0.1:6379
bench-live: install-dev
	LIVE_PG=$(dir $(PG_URL)) REDIS_BASE=$(REDIS_BASE) $(BIN)/python bench/live.py --write-docs

# Semantic relevance (issue 16): the expert-finding development set in both modes with the
# popularity effect, cross-validated on its training questions, the order of every mentor on
# long documents, recommend among 50,000 mentors, embedding time, assign 10k x 1k hybrid
# beside lexical. Results in bench/results/semantic_*.json; figures in docs/benchmarks.md.
bench-semantic: install-dev
	$(BIN)/python bench/semantic.py dev
	$(BIN)/python bench/semantic.py cv
	$(BIN)/python bench/semantic.py learned
	$(BIN)/python bench/semantic.py long
	$(BIN)/python bench/semantic.py recommend
	$(BIN)/python bench/semantic.py embed
	$(BIN)/python bench/semantic.py assign

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache

# Program insights on 200,000 asks, on PostgreSQL (PG_URL's server; drops and recreates the
# database pairup_insights_bench); writes the "Program insights" section of
# docs/benchmarks.md. Not part of CI.
bench-insights: install-dev
	PG_URL=$(PG_URL) $(BIN)/python bench/insights.py --write-docs
