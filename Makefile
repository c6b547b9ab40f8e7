# The front door for development tasks. Every target sets up the virtual
# environment first (pinned by requirements/constraints.txt), so a fresh clone
# needs only `make demo` or `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench lock clean system

$(STAMP): pyproject.toml requirements/constraints.txt scripts/fetch-web-assets
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	scripts/fetch-web-assets
	touch $(STAMP)

## system: Debian packages the browser and PDF tests need (chromium, CJK fonts)
system:
	scripts/system-packages

## demo: synthetic county → workspace → ingest → indicators → evaluation → report → demo
## users; prints the console URL and the report (serve: cityops serve -w cityops-workspace)
demo: $(STAMP)
	$(BIN)/cityops demo --workspace cityops-workspace

## test: the whole test suite (unit, integration against PostgreSQL/Mosquitto, e2e)
test: $(STAMP) system
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

## lint: ruff (lint + format check) and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: the benchmarks in bench/ (slow: a city month; see bench/README.md)
bench: $(STAMP)
	$(BIN)/python -m pytest bench --benchmark-only -p no:cacheprovider -s

## lock: re-resolve and pin every transitive dependency
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable > requirements/constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) cityops-workspace .pytest_cache .mypy_cache .ruff_cache src/cityops/console/static/vendor
