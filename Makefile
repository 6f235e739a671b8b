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
.PHONY: help setup setup-anchors setup-browser test test-fast lint report subcorpora models evaluate corpus-verify clean

help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

setup: $(STAMP) ## Build .venv with the pinned stack of constraints.txt (quick when nothing changed)

$(STAMP): pyproject.toml constraints.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

setup-anchors: setup ## Install the anchor topic models of benchmarks/topics.py (turftopic, FASTopic) at their pins
	# --no-deps: topmost (FASTopic's) declares torchvision, whose PyPI wheel does not load against the pinned
	# torch 2.13.0+cpu ("operator torchvision::nms does not exist") and, once installed, breaks `import bertopic`
	$(PY) -m pip install --quiet --no-deps -c constraints.txt turftopic fastopic topmost igraph texttable rich

setup-browser: ## Install Debian's chromium and chromedriver for the report's browser test (needs root and apt)
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver)

test: setup lint ## Run the whole test suite, with the two smoke report builds (what CI runs; about 9 min)
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
# A study file (studies/*.toml) says what the report is about; `make report STUDY=FILE` builds another one.
# `make report SMOKE=1 ARTIFACTS=... REPORTS=...` is the small variant CI builds (the study's [smoke] values).
DEFAULT_STUDY := studies/japan-korea.toml
STUDY ?= $(DEFAULT_STUDY)
STUDY_NAME := $(basename $(notdir $(STUDY)))
REPORTS ?= $(if $(filter $(abspath $(DEFAULT_STUDY)),$(abspath $(STUDY))),reports,reports/studies/$(STUDY_NAME))
SMOKE_FLAG := $(if $(filter 1,$(SMOKE)),--smoke)
# one folder per study (and per variant): two studies never overwrite each other's artifacts
STUDY_ART := $(ARTIFACTS)/studies/$(STUDY_NAME)$(if $(SMOKE_FLAG),-smoke)
STUDY_MK := $(STUDY_ART)/study.mk
# the study's corpora, topic settings, effects options and notebooks, as variables (analysis/report/study.py)
ifneq ($(filter subcorpora $(ARTIFACTS)/% $(REPORTS)/%,$(MAKECMDGOALS)),)
include $(STUDY_MK)
endif
$(STUDY_MK): $(STUDY) analysis/report/study.py | $(STAMP)
	$(PY) -m analysis study makevars $(STUDY) $(SMOKE_FLAG) --out $@

# the frame models: trained once from the project's annotations, shared by every study
# (and the fine-tuned kind when the study applies it: minutes more to train)
FRAME_KINDS ?= lexicon zeroshot supervised tfidf combined combined-codebook $(filter finetuned,$(FRAME_MODEL))
ifeq ($(SMOKE),1)
FRAME_KINDS := tfidf combined-codebook
# the smoke models learn from the annotated paragraphs of these years only
YEARS_ungdc-japan-korea := --years 2000 2012
YEARS_kcna-japan-korea := --years 2011 2011
endif

REPORT_CODE := $(wildcard analysis/report/*.py)
CORPUS_CODE := $(wildcard analysis/corpus/*.py) $(wildcard corpora/*.toml) $(wildcard corpora/subcorpora/*.toml)
FRAMING_CODE := $(wildcard analysis/framing/*.py) analysis/embeddings.py
TOPICS_CODE := $(wildcard analysis/topics/*.py) $(wildcard analysis/preprocess/*.py) analysis/embeddings.py
SUB := $(ARTIFACTS)/subcorpora
# the annotated subcorpora (UNGDC, KCNA, and the BBC and Reuters news of round 3) that frame training reads
TRAINING_SUBCORPORA := $(foreach c,ungdc-japan-korea kcna-japan-korea news-bbc-japan-korea news-reuters-japan-korea,$(SUB)/$(c)/manifest.json)
MODEL_CARD := $(ARTIFACTS)/models/frames/combined-codebook/manifest.json
FRAME_EVALUATION := $(ARTIFACTS)/evaluation/frames/manifest.json

$(SUB)/%/manifest.json: corpora/subcorpora/%.toml $(CORPUS_CODE) | $(STAMP)
	$(PY) -m analysis corpus build $* --out $(SUB) $(YEARS_$*)

# the study's own stages read and write under STUDY_ART
SSUB := $(STUDY_ART)/subcorpora
STUDIED := $(strip $(CORPUS) $(OTHER) $(SHOWCASE))
STUDY_SUBCORPORA := $(foreach c,$(STUDIED),$(SSUB)/$(c)/manifest.json)
FRAMES_APPLIED := $(foreach c,$(STUDIED),$(STUDY_ART)/frames/$(c)/manifest.json)
TOPIC_FITS := $(foreach b,$(BACKENDS),$(STUDY_ART)/topics/$(CORPUS)/$(b)-k$(K)/manifest.json)
TOPIC_SELECTION := $(foreach b,$(BACKENDS),$(STUDY_ART)/topics/select/$(CORPUS)/$(b)/manifest.json)
TOPICS_APPLIED := $(foreach c,$(STUDIED),$(foreach b,$(BACKENDS),$(STUDY_ART)/topics/applied/$(c)/$(b)/manifest.json))
EFFECTS := $(if $(EFFECT_OPTIONS),$(STUDY_ART)/effects/$(CORPUS)/manifest.json)
STUDY_EMBEDDINGS := $(foreach c,$(CORPUS) $(OTHER),$(STUDY_ART)/embeddings/$(c)/manifest.json)

$(SSUB)/%/manifest.json: $(STUDY) $(CORPUS_CODE) analysis/report/study.py | $(STAMP)
	$(PY) -m analysis study subcorpus $(STUDY) $(ROLE_$*) $(SMOKE_FLAG) --out $(SSUB)

subcorpora: $(STUDY_SUBCORPORA) ## Build the study's subcorpora (default: UNGDC and KCNA paragraphs about Japan and Korea)

# every paragraph is embedded once, before the stages that read its vector (frames apply, BERTopic) run side by side
$(STUDY_ART)/embeddings/%/manifest.json: $(SSUB)/%/manifest.json analysis/embeddings.py
	$(PY) -m analysis corpus embed $* --artifacts $(STUDY_ART) $(SAMPLE_$*)

# the study corpus, the longest step of a cold build, is embedded in two halves side by side (a vector depends on
# its text only); its manifest step then finds every vector in the cache
EMBED_HALVES := $(foreach i,1 2,$(STUDY_ART)/embeddings/$(CORPUS)/part-$(i)-of-2/manifest.json)
$(STUDY_ART)/embeddings/$(CORPUS)/part-%-of-2/manifest.json: $(SSUB)/$(CORPUS)/manifest.json analysis/embeddings.py
	$(PY) -m analysis corpus embed $(CORPUS) --part $*/2 --artifacts $(STUDY_ART)
$(STUDY_ART)/embeddings/$(CORPUS)/manifest.json: $(EMBED_HALVES)

# after the study's embed steps (order only: another study's embeddings never make the models stale), so that
# training never embeds a paragraph that an embed step running beside it also embeds
$(MODEL_CARD): $(TRAINING_SUBCORPORA) $(wildcard corpora/annotations/*.jsonl) corpora/codebook/frames.toml $(FRAMING_CODE) \
  | $(STUDY_EMBEDDINGS)
	$(PY) -m analysis frames train --kinds $(FRAME_KINDS) --out $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

models: $(MODEL_CARD) ## Train the frame models from the committed annotations (default: combined-codebook), shared by every study

evaluate: $(FRAME_EVALUATION) ## Also train the fine-tuned frame kind (with its grouped CV: about 20 min on 2 cores) and compare all seven
	$(PY) -m analysis frames train --kinds finetuned --out $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)
	$(PY) -m analysis frames evaluate --kinds $(filter-out finetuned,$(FRAME_KINDS)) finetuned --out $(ARTIFACTS)/evaluation/frames-all --models $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

$(FRAME_EVALUATION): $(MODEL_CARD)
	$(PY) -m analysis frames evaluate --kinds $(FRAME_KINDS) --out $(ARTIFACTS)/evaluation/frames --models $(ARTIFACTS)/models/frames --artifacts $(ARTIFACTS)

# the trained frame model, applied unchanged to the study's corpora
$(STUDY_ART)/frames/%/manifest.json: $(MODEL_CARD) $(SSUB)/%/manifest.json $(STUDY_ART)/embeddings/%/manifest.json
	$(PY) -m analysis frames apply --corpus $* --model $(ARTIFACTS)/models/frames/$(FRAME_MODEL) --out $(STUDY_ART)/frames --artifacts $(STUDY_ART) $(SAMPLE_$*)

$(STUDY_ART)/topics/$(CORPUS)/%-k$(K)/manifest.json: $(SSUB)/$(CORPUS)/manifest.json $(TOPICS_CODE)
	$(PY) -m analysis topics fit --corpus $(CORPUS) --backend $* --k $(K) --seed $(TOPIC_SEED) --out $(@D) --artifacts $(STUDY_ART)

$(STUDY_ART)/topics/select/$(CORPUS)/%/manifest.json: $(SSUB)/$(CORPUS)/manifest.json $(TOPICS_CODE)
	$(PY) -m analysis topics select --corpus $(CORPUS) --backend $* --ks $(SELECT_KS) --seeds $(SELECT_SEEDS) --out $(@D) --artifacts $(STUDY_ART)

$(STUDY_ART)/topics/$(CORPUS)/bertopic-k$(K)/manifest.json $(STUDY_ART)/topics/select/$(CORPUS)/bertopic/manifest.json: \
  $(STUDY_ART)/embeddings/$(CORPUS)/manifest.json
$(foreach c,$(STUDIED),$(STUDY_ART)/topics/applied/$(c)/bertopic/manifest.json): \
  $(STUDY_ART)/topics/applied/%/bertopic/manifest.json: $(STUDY_ART)/embeddings/%/manifest.json

# applied/CORPUS/BACKEND/: the K-topic model of BACKEND applied to CORPUS
.SECONDEXPANSION:
$(STUDY_ART)/topics/applied/%/manifest.json: $$(STUDY_ART)/topics/$(CORPUS)/$$(notdir $$*)-k$(K)/manifest.json $$(SSUB)/$$(firstword $$(subst /, ,$$*))/manifest.json
	$(PY) -m analysis topics apply --model $(<D) --corpus $(firstword $(subst /, ,$*)) --out $(@D) --artifacts $(STUDY_ART) $(SAMPLE_$(firstword $(subst /, ,$*)))

$(STUDY_ART)/effects/$(CORPUS)/manifest.json: $(STUDY_ART)/frames/$(CORPUS)/manifest.json $(wildcard analysis/effects/*.py)
	$(PY) -m analysis effects --frames $(<D)/unit_frames.parquet --outcomes security trade history $(EFFECT_OPTIONS) --out $(@D) --artifacts $(STUDY_ART)

# exemplar paragraphs of every frame, topic and speaker x period cell, and the paragraph browser's rows
# (analysis/report/evidence.py): the study corpus's frames and topics beside its texts
EVIDENCE := $(STUDY_ART)/evidence/manifest.json
$(EVIDENCE): $(STUDY_ART)/frames/$(CORPUS)/manifest.json $(foreach b,$(BACKENDS),$(STUDY_ART)/topics/applied/$(CORPUS)/$(b)/manifest.json) \
  $(STUDY) $(REPORT_CODE) analysis/corpus/exemplars.py
	$(PY) -m analysis report evidence $(STUDY) $(SMOKE_FLAG) --artifacts $(STUDY_ART) --out $(@D)

# every notebook reads the study file, the study's artifacts and (framing) the shared models' evaluation
NOTEBOOK_RUN = $(PY) -m analysis report notebook $< --reports $(REPORTS) --artifacts $(STUDY_ART) \
  -p study_file=$(STUDY) -p smoke=$(if $(SMOKE_FLAG),true,false) -p shared=$(ARTIFACTS)
$(REPORTS)/notebooks/01_corpus_overview.ipynb: notebooks/01_corpus_overview.py $(SSUB)/$(CORPUS)/manifest.json $(STUDY) $(REPORT_CODE)
	$(NOTEBOOK_RUN)
$(REPORTS)/notebooks/02_topics.ipynb: notebooks/02_topics.py $(TOPIC_FITS) $(TOPIC_SELECTION) $(EVIDENCE) $(STUDY) $(REPORT_CODE) \
  $(wildcard benchmarks/results/study_topics.csv)
	$(NOTEBOOK_RUN)
$(REPORTS)/notebooks/03_framing.ipynb: notebooks/03_framing.py $(FRAME_EVALUATION) $(FRAMES_APPLIED) $(TOPICS_APPLIED) $(EVIDENCE) $(STUDY) $(REPORT_CODE)
	$(NOTEBOOK_RUN)
$(REPORTS)/notebooks/04_frames_over_time.ipynb: notebooks/04_frames_over_time.py $(FRAMES_APPLIED) $(EFFECTS) $(EVIDENCE) $(STUDY) $(REPORT_CODE)
	$(NOTEBOOK_RUN)
$(REPORTS)/notebooks/05_model_reuse.ipynb: notebooks/05_model_reuse.py $(FRAMES_APPLIED) $(TOPICS_APPLIED) $(STUDY) $(REPORT_CODE)
	$(NOTEBOOK_RUN)

NOTEBOOKS := $(foreach n,$(STUDY_NOTEBOOKS),$(REPORTS)/notebooks/$(n).ipynb)

# embedding the study corpus and training the frame models come first: they head the longest chain
$(REPORTS)/report.html: $(STUDY_ART)/embeddings/$(CORPUS)/manifest.json $(MODEL_CARD) $(NOTEBOOKS) $(REPORT_CODE)
	$(PY) -m analysis report build --reports $(REPORTS) --title "$(STUDY_TITLE)"

JOBS ?= 2
report: | $(STAMP) ## Build the report of STUDY (default studies/japan-korea.toml) into REPORTS (only stale steps rerun)
	$(MAKE) --no-print-directory --jobs=$(JOBS) --output-sync=target $(REPORTS)/report.html

clean: ## Remove built artifacts and the generated report (keeps .venv and the caches)
	rm -rf $(filter-out $(ARTIFACTS)/cache,$(wildcard $(ARTIFACTS)/*)) $(REPORTS)/report.md $(REPORTS)/report.html $(REPORTS)/figures $(REPORTS)/tables $(REPORTS)/sections $(REPORTS)/notebooks
