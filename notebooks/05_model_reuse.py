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
# # 5. Reusing the fitted models on other text
#
# The models, applied unchanged to the study's comparison corpus and its showcase page (for the project's
# study: North Korean KCNA news about Japan and South Korea, and the scraped news page that motivated it). The
# predictions were written by `frames apply` and `topics apply`; this notebook compares and draws.

# %% tags=["parameters"]
artifacts = "artifacts"
reports = "reports"
study_file = "studies/japan-korea.toml"
smoke = False
shared = "artifacts"

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.corpus.subcorpus import load_subcorpus
from analysis.framing.codebook import FRAMES
from analysis.report import save_figure, topic_label, use_report_style, write_section, write_table
from analysis.report.study import load_study

use_report_style()
study = load_study(study_file, smoke=smoke)
corpus, other = study.corpus.spec.name, study.comparison.spec.name
backends, k = study.topics["backends"], study.topics["k"]
label, other_label = study.corpus.words["label"], study.comparison.words["label"]
in_text = study.corpus.words.get("in_text", corpus)
other_in_text = study.comparison.words.get("in_text", other_label)
own_speaker = study.comparison.words.get("speaker")
document_word = study.corpus.words.get("documents", "documents").split()[-1]
frames = list(FRAMES)
root = Path(artifacts)
ungdc = pd.read_parquet(root / "frames" / corpus / "unit_frames.parquet")
kcna = pd.read_parquet(root / "frames" / other / "unit_frames.parquet")
words = {b: json.loads((root / "topics" / corpus / f"{b}-k{k}" / "topics.json").read_text()) for b in backends}


def topic_name(backend, topic, n=3):
    return topic_label(words[backend][topic], n) if topic >= 0 else "(no topic)"


# %% [markdown]
# ## Frames: the study corpus against the comparison corpus

# %%
dated = kcna["year"].notna().any() and ungdc["year"].notna().any()
years = (int(kcna["year"].min()), int(kcna["year"].max())) if dated else None
span = "" if not dated else f" {years[0]}" if years[0] == years[1] else f" {years[0]}–{years[1]}"
same_years = ungdc[ungdc["year"].between(*years)] if dated else ungdc.iloc[:0]
groups = {f"{label}, all speakers ({len(ungdc):,})": ungdc}
if len(same_years):
    groups[f"{label}{span} ({len(same_years):,})"] = same_years
if own_speaker:
    own = ungdc[ungdc["speaker"] == own_speaker]
    groups[f"{label}, {own_speaker} {document_word} ({len(own):,})"] = own
groups[f"{other_label}{span} ({len(kcna):,})"] = kcna
comparison = pd.DataFrame([{"group": name, **{f: rows[f].mean() for f in frames},
                            **{f"{f}_present": rows[f"{f}_present"].mean() for f in frames}, "paragraphs": len(rows)}
                           for name, rows in groups.items()])
comparison_table = write_table(comparison, reports, "frames_ungdc_vs_kcna")
figure, axis = plt.subplots(figsize=(8, 3.2))
width = 0.8 / len(comparison)
for i, row in comparison.iterrows():
    axis.bar(np.arange(len(frames)) + (i - (len(comparison) - 1) / 2) * width, row[frames].astype(float), width, label=row["group"])
axis.set_xticks(range(len(frames)), frames)
axis.set_ylabel("mean frame probability per paragraph")
axis.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
comparison_figure = save_figure(figure, reports, "frames_ungdc_vs_kcna")
kcna_row, ungdc_row = comparison.iloc[-1], comparison.iloc[1 if len(same_years) else 0]
biggest = max(frames, key=lambda f: abs(kcna_row[f] - ungdc_row[f]))

# %% [markdown]
# ## Topics of the study corpus's models in the comparison corpus

# %%
rows = []
for backend in backends:
    for name, subcorpus in ((corpus, corpus), (other_label, other)):
        applied = pd.read_parquet(root / "topics" / "applied" / subcorpus / backend / "doc_topic.parquet")
        columns = [c for c in applied.columns if c.startswith("topic_")]
        shares = applied[columns].mean().to_numpy()
        rows += [{"backend": backend, "corpus": name, "topic": t, "label": topic_name(backend, t), "prevalence": float(s)}
                 for t, s in enumerate(shares)]
topic_shift = pd.DataFrame(rows)
topic_shift_table = write_table(topic_shift, reports, "topics_ungdc_vs_kcna")
figure, axes = plt.subplots(1, len(backends), figsize=(11, 3.4), constrained_layout=True)
for axis, backend in zip(np.atleast_1d(axes), backends):
    wide = topic_shift[topic_shift["backend"] == backend].pivot(index="topic", columns="corpus", values="prevalence")
    wide[[corpus, other_label]].plot.barh(ax=axis, width=0.8, legend=False)
    axis.set_yticks(range(len(wide)), [topic_name(backend, t, 2) for t in wide.index], fontsize=7)
    axis.invert_yaxis()
    axis.set_title(backend)
    axis.set_xlabel("mean topic share")
handles, names = np.atleast_1d(axes)[0].get_legend_handles_labels()
figure.legend(handles, names, loc="outside lower center", ncols=2)
topic_shift_figure = save_figure(figure, reports, "topics_ungdc_vs_kcna")
gains = []
for backend in backends:
    wide = topic_shift[topic_shift["backend"] == backend].pivot(index="topic", columns="corpus", values="prevalence")
    topic = int((wide[other_label] - wide[corpus]).idxmax())
    gains.append(f"{backend} \u201c{topic_name(backend, topic)}\u201d ({wide.loc[topic, corpus]:.2f} \u2192 "
                 f"{wide.loc[topic, other_label]:.2f})")

# %% [markdown]
# ## The showcase page (the project's study: the seed page)

# %%
showcase_blocks, showcase_findings = [], []
if study.showcase:
    seed_corpus, page_name = study.showcase.spec.name, study.showcase.words.get("label", study.showcase.spec.name)
    seed_units, seed_manifest = load_subcorpus(seed_corpus, root / "subcorpora")
    seed_frames = pd.read_parquet(root / "frames" / seed_corpus / "unit_frames.parquet")
    page = seed_units[["unit_id", "paragraph", "text"]].merge(seed_frames[["unit_id", *frames, "primary"]], on="unit_id",
                                                                validate="one_to_one")
    for backend in backends:
        applied = pd.read_parquet(root / "topics" / "applied" / seed_corpus / backend / "doc_topic.parquet")
        page = page.merge(applied[["unit_id", "dominant_topic"]].rename(columns={"dominant_topic": f"{backend}_topic"}),
                          on="unit_id", validate="one_to_one")
        page[f"{backend}_topic"] = [f"{t}: {topic_name(backend, t)}" for t in page[f"{backend}_topic"]]
    page = page.sort_values("paragraph").reset_index(drop=True)
    page["opening"] = [text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + " …" for text in page["text"]]
    seed_table = write_table(page[["paragraph", "opening", *frames, "primary", *[f"{b}_topic" for b in backends]]],
                             reports, "seed_page")
    primary_counts = page["primary"].value_counts()
    seed_finding = (f"On the {page_name} ({len(page)} paragraphs after cleaning), the frame model marks "
                    + ", ".join(f"{int(page[f].ge(0.5).sum())} {f}" for f in frames)
                    + f" paragraphs (probability ≥ 0.5); its primary frame is {primary_counts.index[0]} for "
                      f"{int(primary_counts.iloc[0])} of them.")
    showcase_blocks = [
        {"text": f"The {page_name} is {study.showcase.words.get('text', seed_corpus)}. Cleaning kept its "
                 f"headline and {len(page) - 1} article paragraphs ({seed_manifest['counts']['words']} words) and dropped "
                 f"the site's navigation, blurbs and footer (`python -m analysis corpus show {study.showcase.spec.corpus}` "
                 "lists each removal with its reason). Each paragraph's frame probabilities and its dominant topic under "
                 "every backend:"},
        {"table": seed_table, "caption": seed_finding, "rows": 20}]
    showcase_findings = [seed_finding]
    page[["paragraph", "opening", *frames, "primary"]]

# %%
sampled = f"a random sample of {len(kcna):,}" if study.comparison.sample else f"all {len(kcna):,}"
parts = ["all years", *([f"the {other_label} years"] if len(same_years) else []),
         *([f"{study.speaker_name(own_speaker)}'s own {document_word}"] if own_speaker else [])]
finding = (f"Applied unchanged to {len(kcna):,} {other_label} paragraphs ({span.strip() or 'undated'}), the frame model "
           f"finds the largest difference from {in_text}{' of the same years' if len(same_years) else ''} in {biggest} "
           f"framing ({ungdc_row[biggest]:.2f} in {label} against {kcna_row[biggest]:.2f} in {other_label}).")
title = f"Reusing the models: {other_in_text}" + (f" and the {page_name}" if study.showcase else "")
write_section(reports, order=5, slug="model-reuse", title=title, blocks=[
    {"text": f"The frame and topic models fitted on {in_text} were applied, unchanged, to {sampled} "
             f"paragraphs from {study.comparison.words.get('text', other)}, the same paragraphs for every model."},
    {"figure": comparison_figure, "caption": f"Mean frame probability per paragraph in {in_text} ({', '.join(parts)}) "
                                             f"and in {other_in_text}; paragraph counts in the legend."},
    {"table": comparison_table, "caption": "Frame shares by source: mean probability and share of paragraphs with the frame present"},
    {"figure": topic_shift_figure, "caption": f"Topic shares of {in_text} models in their own corpus and in {other_in_text}"
                                              f"; the topic gaining most in {other_label}: " + "; ".join(gains) + "."},
    *showcase_blocks,
], findings=[finding, *showcase_findings])
