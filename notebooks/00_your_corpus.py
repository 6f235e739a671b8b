# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 0. Your own corpus, from Python
#
# The package's public API in a few lines each: paragraph units of a corpus file with a field mapping, the
# project's trained frame model applied unchanged, a topic model fitted on the units, and the prevalence
# regression of frames on year and speaker. Every function returns pandas objects. For the whole report of a
# corpus, write a study file instead (`python -m analysis study init ...`, then `make report STUDY=FILE`).
#
# This notebook is not part of the report; the test suite executes it (`tests/test_study.py`). It needs the
# trained frame models (`make models`).

# %% tags=["parameters"]
frame_model = "artifacts/models/frames/combined-codebook"
workdir = "artifacts/tutorial"

# %%
from pathlib import Path

import analysis
from analysis import apply_frames, apply_topics, estimate_effects, fit_topics, load_frame_model, load_study, load_units

# %% [markdown]
# ## A corpus file of your own
#
# Here we make one: General Debate paragraphs of 2004-2012 that mention Korea, written as a CSV with column
# names of our choosing (a stand-in for your own file: the text stays outside the repository).

# %%
folder = Path(workdir)
folder.mkdir(parents=True, exist_ok=True)
paragraphs = load_units("ungdc", query=r"(?i)\bkorea", years=(2004, 2012),
                        speakers=["JPN", "KOR", "PRK", "CHN", "USA"])
csv = folder / "korea_paragraphs.csv"
paragraphs.rename(columns={"unit_id": "pid", "text": "body", "speaker": "country", "year": "session_year"})[
    ["pid", "body", "country", "session_year"]].to_csv(csv, index=False)
f"{len(paragraphs):,} paragraphs written to {csv}"

# %% [markdown]
# `load_units` reads any file the command line reads (CSV/TSV, JSONL, tar of text files, a folder of `.txt`),
# with a mapping from the package's fields to your columns, and keeps the paragraphs your query matches.

# %%
units = load_units(csv, map={"id": "pid", "text": "body", "speaker": "country", "year": "session_year"},
                   query=r"(?i)\bkorea")
units[["unit_id", "speaker", "year", "text"]].head()

# %% [markdown]
# ## Frames: the project's frame model, applied unchanged
#
# It was trained and validated on annotated diplomatic speech and news about Japan and Korea; on other text,
# check a sample of its readings by hand.

# %%
model = load_frame_model(frame_model)
frames = apply_frames(units, model)
frames.groupby("speaker")[["security", "trade", "history"]].mean().round(2)

# %% [markdown]
# ## Topics: fitted on your units, applied to any others

# %%
topics = fit_topics(units, backend="nmf", k=4, seed=0)
shares = apply_topics(topics, units)
[" ".join(word for word, _ in words[:6]) for words in topics.topics_]

# %%
shares.groupby("dominant_topic").size()

# %% [markdown]
# ## Effects: frame prevalence on year and speaker, with the classifier's uncertainty

# %%
effects = estimate_effects(frames, speakers=["KOR", "PRK"], baseline="KOR",  # the two with 20 or more paragraphs
                           earlier=(2004, 2007), later=(2008, 2012))
effects.contrasts[["outcome", "speaker", "estimate", "ci_low", "ci_high"]].round(3).head(10)

# %% [markdown]
# ## A study: the whole report for a corpus
#
# `load_study` checks a study file (errors name its line and key); `run_study` builds its report with the
# project's Makefile (a source checkout with `make`), exactly as `make report STUDY=...` does.

# %%
study = load_study(Path(analysis.__file__).resolve().parents[1] / "studies" / "japan-korea.toml")
study.corpus.spec.name, study.speakers["compare"], study.topics["k"]
