# Regen Atlas — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-unit test-app test-browser screenshots bench sample system-deps clean help

help:
	@echo "make run          install into $(VENV) if needed and serve the app on http://localhost:$(PORT)"
	@echo "make test         install what tests need (Python packages, Chromium, CJK fonts, PostgreSQL) and run every test"
	@echo "make screenshots  write PNGs of every page in English and Japanese to docs/screenshots/"
	@echo "make bench        run the benchmarks and print figures"
	@echo "make sample       regenerate data/sample/ from its fixed seed"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall when a requirements file changes.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

# Debian packages the browser tests and screenshots need (only when root and missing).
system-deps:
	@bash scripts/system-deps.sh

test: $(VENV)/.dev system-deps
	@bash scripts/run-tests.sh

test-unit: $(VENV)/.dev
	$(PY) -m pytest tests/unit -q

test-app: $(VENV)/.dev
	$(PY) -m pytest tests/app -q

test-browser: $(VENV)/.dev system-deps
	$(PY) -m pytest tests/browser -q

screenshots: $(VENV)/.dev system-deps
	$(PY) scripts/screenshots.py

bench: $(VENV)/.dev
	$(PY) benchmarks/run_all.py

sample: $(VENV)/.runtime
	$(PY) -m regen sample

clean:
	rm -rf $(VENV) .pytest_cache
