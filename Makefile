# Run `make help` for the targets. The README needs only `make report` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARTIFACTS ?= artifacts
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.DEFAULT_GOAL := help
.PHONY: help setup test test-all report corpus-verify clean

help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

setup: $(STAMP) ## Build .venv with the pinned stack (quick when nothing changed)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

test: setup ## Run the test suite (what CI runs)
	$(PY) -m pytest -q

test-all: setup ## Run the test suite including slow whole-corpus tests
	$(PY) -m pytest -q -m "slow or not slow"

corpus-verify: setup ## Check the sha256 of every corpus file named in corpora/*.toml
	$(PY) -m analysis corpus verify

$(ARTIFACTS)/subcorpora/ungdc-japan-korea/units.parquet: $(STAMP) corpora/ungdc.toml corpora/subcorpora/ungdc-japan-korea.toml $(wildcard analysis/corpus/*.py)
	$(PY) -m analysis corpus build ungdc-japan-korea --out $(ARTIFACTS)/subcorpora

report: $(ARTIFACTS)/subcorpora/ungdc-japan-korea/units.parquet ## Build the report (for now: the default study subcorpus and its summary)
	$(PY) -m analysis corpus info ungdc-japan-korea --artifacts $(ARTIFACTS)

clean: ## Remove built artifacts (keeps .venv)
	rm -rf $(ARTIFACTS)
