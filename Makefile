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
.PHONY: help setup test report subcorpora models corpus-verify clean

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

corpus-verify: setup ## Check the sha256 of every corpus file named in corpora/*.toml
	$(PY) -m analysis corpus verify

CORPUS_CODE := $(wildcard analysis/corpus/*.py) $(wildcard corpora/*.toml)
FRAMING_CODE := $(wildcard analysis/framing/*.py) analysis/embeddings.py
SUBCORPORA := $(ARTIFACTS)/subcorpora/ungdc-japan-korea/units.parquet $(ARTIFACTS)/subcorpora/kcna-japan-korea/units.parquet
MODEL_CARD := $(ARTIFACTS)/models/frames/combined/model_card.json
FRAME_EVALUATION := $(ARTIFACTS)/evaluation/frames/cv_metrics.csv
FRAME_SHARES := $(ARTIFACTS)/frames/ungdc-japan-korea/frame_shares_by_speaker_year.csv

$(ARTIFACTS)/subcorpora/%/units.parquet: corpora/subcorpora/%.toml $(CORPUS_CODE) | $(STAMP)
	$(PY) -m analysis corpus build $* --out $(ARTIFACTS)/subcorpora

subcorpora: $(SUBCORPORA) ## Build the study subcorpora (UNGDC and KCNA paragraphs about Japan and Korea)

$(MODEL_CARD): $(SUBCORPORA) $(wildcard corpora/annotations/*.jsonl) corpora/codebook/frames.toml $(FRAMING_CODE)
	$(PY) -m analysis frames train --out $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

models: $(MODEL_CARD) ## Train the frame models from the committed annotations (default: combined)

$(FRAME_EVALUATION): $(MODEL_CARD)
	$(PY) -m analysis frames evaluate --out $(ARTIFACTS)/evaluation/frames --models $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

$(FRAME_SHARES): $(MODEL_CARD)
	$(PY) -m analysis frames apply --corpus ungdc-japan-korea --model $(ARTIFACTS)/models/frames/combined --out $(ARTIFACTS)/frames --artifacts $(ARTIFACTS)

report: $(FRAME_EVALUATION) $(FRAME_SHARES) ## Build the report from the raw corpora (for now: subcorpora, frame models, evaluation, frame shares)
	$(PY) -m analysis corpus info ungdc-japan-korea --artifacts $(ARTIFACTS)
	@echo "frame model cross-validation: $(FRAME_EVALUATION)"; cat $(FRAME_EVALUATION)
	@echo "frame shares by speaker and year: $(FRAME_SHARES)"

clean: ## Remove built artifacts (keeps .venv)
	rm -rf $(ARTIFACTS)
