# `make demo` and `make test` work on a fresh machine with Python 3.11, pip and apt-get.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the project needs (WeasyPrint's Pango and HarfBuzz for PDF packs, Chromium for browser tests,
# Java for Spark in local mode); installed only when missing.
APT_PACKAGES ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 chromium \
                openjdk-17-jre-headless
DEMO_DIR ?= demo
# The demo data ends on 31 March 2025; the app treats that as today so overdue and stale read sensibly.
DEMO_TODAY ?= 2025-03-31

.PHONY: setup system-packages demo test lint format bench docs clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

setup: system-packages $(STAMP)

demo: setup
	$(BIN)/asc-assure demo --dir $(DEMO_DIR)
	@echo "Demo store: $(DEMO_DIR)/store  (try: $(BIN)/asc-assure store summary --store $(DEMO_DIR)/store)"
	ASC_ASSURE_DEBUG=1 ASC_ASSURE_STORE=$(DEMO_DIR)/store $(BIN)/asc-assure web create-demo-users
	@echo "Open http://127.0.0.1:8000 and sign in as one of the users above (e.g. administrator). Ctrl+C stops it."
	ASC_ASSURE_DEBUG=1 ASC_ASSURE_TODAY=$(DEMO_TODAY) ASC_ASSURE_STORE=$(DEMO_DIR)/store $(BIN)/asc-assure serve --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check src tests bench

test: setup lint
	$(BIN)/pytest -n 2 -q
	bash scripts/test-postgres.sh

bench: setup
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_synth.py --councils 10
	$(BIN)/python bench/bench_measures.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_schedule.py
	$(BIN)/python bench/bench_ascof.py
	$(BIN)/python bench/bench_cld_validate.py --baseline-rows 200000

docs: setup
	$(BIN)/asc-assure contracts doc --out docs/data-contract.md
	$(BIN)/asc-assure measures doc --out docs/measure-catalogue.md

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
