# Run `make help` for the targets. The README needs only `make report` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARTIFACTS ?= artifacts
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# One thread per step: `make report` runs two steps side by side on the two cores. Two-thread BLAS, torch and
# numba in each of two steps spin-wait for each other (frame training: 147 s of CPU for 79 s, against 49 for 49 on
# one thread), and a fixed thread count keeps the float results the same on any machine.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export NUMBA_NUM_THREADS := 1

.DEFAULT_GOAL := help
.PHONY: help setup setup-browser test test-fast lint report subcorpora models corpus-verify clean

help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

setup: $(STAMP) ## Build .venv with the pinned stack of constraints.txt (quick when nothing changed)

$(STAMP): pyproject.toml constraints.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

setup-browser: ## Install Debian's chromium and chromedriver for the report's browser test (needs root and apt)
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver)

test: setup lint ## Run the whole test suite, with the two smoke report builds (what CI runs; about 12 min)
	$(PY) -m pytest -q

test-fast: setup lint ## The tests not marked slow: no smoke report, no Dask cluster, no training on real corpora (< 2 min)
	$(PY) -m pytest -q -m "not slow"

lint: setup ## ruff (pinned in the dev extra) over the package, tests, benchmarks and notebooks
	$(VENV)/bin/ruff check analysis tests benchmarks notebooks setup.py

corpus-verify: setup ## Check the sha256 of every corpus file named in corpora/*.toml
	$(PY) -m analysis corpus verify

# ---- the report: raw corpora -> stage artifacts -> executed notebooks -> reports/report.{md,html} ----
# Every step is a file target, so only stale steps rebuild and `make -j2 report` is safe. A stage's target is the
# manifest.json it writes last, after every other file of its folder (each written under a temporary name and
# renamed when complete), so a build killed at any point reruns exactly the steps it had not finished.
.SECONDARY:  # keep every intermediate artifact: a rebuilt file must not make make delete its inputs
# `make report SMOKE=1 ARTIFACTS=... REPORTS=...` is the small variant CI builds (fewer years, Ks, seeds).
REPORTS ?= reports
CORPUS := ungdc-japan-korea
OTHER := kcna-japan-korea
BACKENDS := lda nmf bertopic
K ?= 10
SELECT_KS ?= 5 10 15 20
SELECT_SEEDS ?= 0 1
FRAME_KINDS ?= lexicon zeroshot supervised tfidf combined
KCNA_SAMPLE ?= 3000
# the prevalence regression: the years in which all five speakers speak (the Koreas joined the UN in 1991)
EFFECT_OPTIONS ?= --speakers JPN KOR PRK CHN USA --baseline JPN --years 1991-2022 --earlier 2000-2010 --later 2011-2022 --knots 4
ifeq ($(SMOKE),1)
EFFECT_OPTIONS := --speakers JPN KOR PRK --baseline JPN --years 2000-2012 --earlier 2000-2006 --later 2007-2012 --knots 4
K := 6
SELECT_KS := 4 6
SELECT_SEEDS := 0
FRAME_KINDS := tfidf combined
KCNA_SAMPLE := 300
YEARS_$(CORPUS) := --years 2000 2012
YEARS_$(OTHER) := --years 2011 2011
endif

REPORT_CODE := $(wildcard analysis/report/*.py)
CORPUS_CODE := $(wildcard analysis/corpus/*.py) $(wildcard corpora/*.toml)
FRAMING_CODE := $(wildcard analysis/framing/*.py) analysis/embeddings.py
TOPICS_CODE := $(wildcard analysis/topics/*.py) $(wildcard analysis/preprocess/*.py) analysis/embeddings.py
SUB := $(ARTIFACTS)/subcorpora
SUBCORPORA := $(SUB)/$(CORPUS)/manifest.json $(SUB)/$(OTHER)/manifest.json
# news paragraphs (BBC, Reuters) annotated in round 3: training reads them beside the two study subcorpora
NEWS_SUBCORPORA := $(SUB)/news-bbc-japan-korea/manifest.json $(SUB)/news-reuters-japan-korea/manifest.json
MODEL_CARD := $(ARTIFACTS)/models/frames/combined/manifest.json
FRAME_EVALUATION := $(ARTIFACTS)/evaluation/frames/manifest.json
FRAMES_APPLIED := $(foreach c,$(CORPUS) $(OTHER) seed,$(ARTIFACTS)/frames/$(c)/manifest.json)
TOPIC_FITS := $(foreach b,$(BACKENDS),$(ARTIFACTS)/topics/$(CORPUS)/$(b)-k$(K)/manifest.json)
TOPIC_SELECTION := $(foreach b,$(BACKENDS),$(ARTIFACTS)/topics/select/$(CORPUS)/$(b)/manifest.json)
TOPICS_APPLIED := $(foreach c,$(CORPUS) $(OTHER) seed,$(foreach b,$(BACKENDS),$(ARTIFACTS)/topics/applied/$(c)/$(b)/manifest.json))
EFFECTS := $(ARTIFACTS)/effects/$(CORPUS)/manifest.json
SAMPLE_$(OTHER) := --sample $(KCNA_SAMPLE)

$(SUB)/%/manifest.json: corpora/subcorpora/%.toml $(CORPUS_CODE) | $(STAMP)
	$(PY) -m analysis corpus build $* --out $(SUB) $(YEARS_$*)

subcorpora: $(SUBCORPORA) ## Build the study subcorpora (UNGDC and KCNA paragraphs about Japan and Korea)

# every paragraph is embedded once, before the stages that read its vector (frames apply, BERTopic) run side by side
$(ARTIFACTS)/embeddings/%/manifest.json: $(SUB)/%/manifest.json analysis/embeddings.py
	$(PY) -m analysis corpus embed $* --artifacts $(ARTIFACTS) $(SAMPLE_$*)

# the study corpus, the longest step of a cold build, is embedded in two halves side by side (a vector depends on
# its text only); its manifest step then finds every vector in the cache
EMBED_HALVES := $(foreach i,1 2,$(ARTIFACTS)/embeddings/$(CORPUS)/part-$(i)-of-2/manifest.json)
$(ARTIFACTS)/embeddings/$(CORPUS)/part-%-of-2/manifest.json: $(SUB)/$(CORPUS)/manifest.json analysis/embeddings.py
	$(PY) -m analysis corpus embed $(CORPUS) --part $*/2 --artifacts $(ARTIFACTS)
$(ARTIFACTS)/embeddings/$(CORPUS)/manifest.json: $(EMBED_HALVES)

# after the embed steps, so that training never embeds a paragraph that an embed step running beside it also embeds
$(MODEL_CARD): $(SUBCORPORA) $(NEWS_SUBCORPORA) $(ARTIFACTS)/embeddings/$(CORPUS)/manifest.json $(ARTIFACTS)/embeddings/$(OTHER)/manifest.json \
  $(wildcard corpora/annotations/*.jsonl) corpora/codebook/frames.toml $(FRAMING_CODE)
	$(PY) -m analysis frames train --kinds $(FRAME_KINDS) --out $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

models: $(MODEL_CARD) ## Train the frame models from the committed annotations (default: combined)

$(FRAME_EVALUATION): $(MODEL_CARD)
	$(PY) -m analysis frames evaluate --kinds $(FRAME_KINDS) --out $(ARTIFACTS)/evaluation/frames --models $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

$(ARTIFACTS)/frames/%/manifest.json: $(MODEL_CARD) $(SUB)/%/manifest.json $(ARTIFACTS)/embeddings/%/manifest.json
	$(PY) -m analysis frames apply --corpus $* --model $(ARTIFACTS)/models/frames/combined --out $(ARTIFACTS)/frames --artifacts $(ARTIFACTS) $(SAMPLE_$*)

$(ARTIFACTS)/topics/$(CORPUS)/%-k$(K)/manifest.json: $(SUB)/$(CORPUS)/manifest.json $(TOPICS_CODE)
	$(PY) -m analysis topics fit --corpus $(CORPUS) --backend $* --k $(K) --seed 0 --out $(@D) --artifacts $(ARTIFACTS)

$(ARTIFACTS)/topics/select/$(CORPUS)/%/manifest.json: $(SUB)/$(CORPUS)/manifest.json $(TOPICS_CODE)
	$(PY) -m analysis topics select --corpus $(CORPUS) --backend $* --ks $(SELECT_KS) --seeds $(SELECT_SEEDS) --out $(@D) --artifacts $(ARTIFACTS)

$(ARTIFACTS)/topics/$(CORPUS)/bertopic-k$(K)/manifest.json $(ARTIFACTS)/topics/select/$(CORPUS)/bertopic/manifest.json: \
  $(ARTIFACTS)/embeddings/$(CORPUS)/manifest.json
$(foreach c,$(CORPUS) $(OTHER) seed,$(ARTIFACTS)/topics/applied/$(c)/bertopic/manifest.json): \
  $(ARTIFACTS)/topics/applied/%/bertopic/manifest.json: $(ARTIFACTS)/embeddings/%/manifest.json

# applied/CORPUS/BACKEND/: the K-topic model of BACKEND applied to CORPUS
.SECONDEXPANSION:
$(ARTIFACTS)/topics/applied/%/manifest.json: $$(ARTIFACTS)/topics/$(CORPUS)/$$(notdir $$*)-k$(K)/manifest.json $$(SUB)/$$(firstword $$(subst /, ,$$*))/manifest.json
	$(PY) -m analysis topics apply --model $(<D) --corpus $(firstword $(subst /, ,$*)) --out $(@D) --artifacts $(ARTIFACTS) $(SAMPLE_$(firstword $(subst /, ,$*)))

$(EFFECTS): $(ARTIFACTS)/frames/$(CORPUS)/manifest.json $(wildcard analysis/effects/*.py)
	$(PY) -m analysis effects --frames $(<D)/unit_frames.parquet --outcomes security trade history $(EFFECT_OPTIONS) --seed 0 --out $(@D) --artifacts $(ARTIFACTS)

NOTEBOOK_RUN = $(PY) -m analysis report notebook $< --reports $(REPORTS) --artifacts $(ARTIFACTS)
$(REPORTS)/notebooks/01_corpus_overview.ipynb: notebooks/01_corpus_overview.py $(SUB)/$(CORPUS)/manifest.json $(REPORT_CODE)
	$(NOTEBOOK_RUN)
$(REPORTS)/notebooks/02_topics.ipynb: notebooks/02_topics.py $(TOPIC_FITS) $(TOPIC_SELECTION) $(REPORT_CODE)
	$(NOTEBOOK_RUN) -p k=$(K)
$(REPORTS)/notebooks/03_framing.ipynb: notebooks/03_framing.py $(FRAME_EVALUATION) $(FRAMES_APPLIED) $(TOPICS_APPLIED) $(REPORT_CODE)
	$(NOTEBOOK_RUN) -p k=$(K)
$(REPORTS)/notebooks/04_frames_over_time.ipynb: notebooks/04_frames_over_time.py $(FRAMES_APPLIED) $(EFFECTS) $(REPORT_CODE)
	$(NOTEBOOK_RUN)
$(REPORTS)/notebooks/05_model_reuse.ipynb: notebooks/05_model_reuse.py $(FRAMES_APPLIED) $(TOPICS_APPLIED) $(REPORT_CODE)
	$(NOTEBOOK_RUN) -p k=$(K)

NOTEBOOKS := $(patsubst notebooks/%.py,$(REPORTS)/notebooks/%.ipynb,$(sort $(wildcard notebooks/[0-9]*.py)))

# embedding the study corpus and training the frame models come first: they head the longest chain
$(REPORTS)/report.html: $(ARTIFACTS)/embeddings/$(CORPUS)/manifest.json $(MODEL_CARD) $(NOTEBOOKS) $(REPORT_CODE)
	$(PY) -m analysis report build --reports $(REPORTS)

JOBS ?= 2
report: | $(STAMP) ## Build reports/report.{html,md}, figures and tables from the raw corpora (only stale steps rerun)
	$(MAKE) --no-print-directory --jobs=$(JOBS) --output-sync=target $(REPORTS)/report.html

clean: ## Remove built artifacts and the generated report (keeps .venv and the caches)
	rm -rf $(filter-out $(ARTIFACTS)/cache,$(wildcard $(ARTIFACTS)/*)) $(REPORTS)/report.md $(REPORTS)/report.html $(REPORTS)/figures $(REPORTS)/tables $(REPORTS)/sections $(REPORTS)/notebooks
