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
# The models fitted on the General Debate, applied unchanged to North Korean KCNA news about Japan and
# South Korea, and to the scraped news page that motivated the study. The predictions were written by
# `frames apply` and `topics apply`; this notebook compares and draws.

# %% tags=["parameters"]
artifacts = "artifacts"
reports = "reports"
corpus = "ungdc-japan-korea"
other = "kcna-japan-korea"
seed_corpus = "seed"
backends = ["lda", "nmf", "bertopic"]
k = 10

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.corpus.subcorpus import load_subcorpus
from analysis.framing.codebook import FRAMES
from analysis.report import save_figure, topic_label, use_report_style, write_section, write_table

use_report_style()
frames = list(FRAMES)
root = Path(artifacts)
ungdc = pd.read_parquet(root / "frames" / corpus / "unit_frames.parquet")
kcna = pd.read_parquet(root / "frames" / other / "unit_frames.parquet")
words = {b: json.loads((root / "topics" / corpus / f"{b}-k{k}" / "topics.json").read_text()) for b in backends}


def label(backend, topic, n=3):
    return topic_label(words[backend][topic], n) if topic >= 0 else "(no topic)"


# %% [markdown]
# ## Frames: UN General Debate against KCNA

# %%
years = (int(kcna["year"].min()), int(kcna["year"].max()))
span = f"{years[0]}" if years[0] == years[1] else f"{years[0]}–{years[1]}"
groups = {
    f"UNGDC, all speakers ({len(ungdc):,})": ungdc,
    f"UNGDC {span} ({int(ungdc['year'].between(*years).sum()):,})": ungdc[ungdc["year"].between(*years)],
    f"UNGDC, PRK speeches ({int((ungdc['speaker'] == 'PRK').sum()):,})": ungdc[ungdc["speaker"] == "PRK"],
    f"KCNA {span} ({len(kcna):,})": kcna,
}
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
kcna_row, ungdc_row = comparison.iloc[-1], comparison.iloc[1]
biggest = max(frames, key=lambda f: abs(kcna_row[f] - ungdc_row[f]))

# %% [markdown]
# ## Topics of the General Debate model in KCNA news

# %%
rows = []
for backend in backends:
    for name, subcorpus in ((corpus, corpus), ("KCNA", other)):
        applied = pd.read_parquet(root / "topics" / "applied" / subcorpus / backend / "doc_topic.parquet")
        columns = [c for c in applied.columns if c.startswith("topic_")]
        shares = applied[columns].mean().to_numpy()
        rows += [{"backend": backend, "corpus": name, "topic": t, "label": label(backend, t), "prevalence": float(s)}
                 for t, s in enumerate(shares)]
topic_shift = pd.DataFrame(rows)
topic_shift_table = write_table(topic_shift, reports, "topics_ungdc_vs_kcna")
figure, axes = plt.subplots(1, len(backends), figsize=(11, 3.4), constrained_layout=True)
for axis, backend in zip(np.atleast_1d(axes), backends):
    wide = topic_shift[topic_shift["backend"] == backend].pivot(index="topic", columns="corpus", values="prevalence")
    wide[[corpus, "KCNA"]].plot.barh(ax=axis, width=0.8, legend=False)
    axis.set_yticks(range(len(wide)), [label(backend, t, 2) for t in wide.index], fontsize=7)
    axis.invert_yaxis()
    axis.set_title(backend)
    axis.set_xlabel("mean topic share")
handles, names = np.atleast_1d(axes)[0].get_legend_handles_labels()
figure.legend(handles, names, loc="outside lower center", ncols=2)
topic_shift_figure = save_figure(figure, reports, "topics_ungdc_vs_kcna")
gains = []
for backend in backends:
    wide = topic_shift[topic_shift["backend"] == backend].pivot(index="topic", columns="corpus", values="prevalence")
    topic = int((wide["KCNA"] - wide[corpus]).idxmax())
    gains.append(f"{backend} \u201c{label(backend, topic)}\u201d ({wide.loc[topic, corpus]:.2f} \u2192 {wide.loc[topic, 'KCNA']:.2f})")

# %% [markdown]
# ## The seed page

# %%
seed_units, seed_manifest = load_subcorpus(seed_corpus, root / "subcorpora")
seed_frames = pd.read_parquet(root / "frames" / seed_corpus / "unit_frames.parquet")
page = seed_units[["unit_id", "paragraph", "text"]].merge(seed_frames[["unit_id", *frames, "primary"]], on="unit_id",
                                                            validate="one_to_one")
for backend in backends:
    applied = pd.read_parquet(root / "topics" / "applied" / seed_corpus / backend / "doc_topic.parquet")
    page = page.merge(applied[["unit_id", "dominant_topic"]].rename(columns={"dominant_topic": f"{backend}_topic"}),
                      on="unit_id", validate="one_to_one")
    page[f"{backend}_topic"] = [f"{t}: {label(backend, t)}" for t in page[f"{backend}_topic"]]
page = page.sort_values("paragraph").reset_index(drop=True)
page["opening"] = [text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + " …" for text in page["text"]]
seed_table = write_table(page[["paragraph", "opening", *frames, "primary", *[f"{b}_topic" for b in backends]]],
                         reports, "seed_page")
primary_counts = page["primary"].value_counts()
seed_finding = (f"On the seed page ({len(page)} paragraphs after cleaning), the frame model marks "
                + ", ".join(f"{int(page[f].ge(0.5).sum())} {f}" for f in frames)
                + f" paragraphs (probability ≥ 0.5); its primary frame is {primary_counts.index[0]} for "
                  f"{int(primary_counts.iloc[0])} of them.")
page[["paragraph", "opening", *frames, "primary"]]

# %%
finding = (f"Applied unchanged to {len(kcna):,} KCNA paragraphs ({span}), the frame model finds the "
           f"largest difference from the General Debate of the same years in {biggest} framing "
           f"({ungdc_row[biggest]:.2f} in UNGDC against {kcna_row[biggest]:.2f} in KCNA).")
write_section(reports, order=5, slug="model-reuse", title="Reusing the models: KCNA news and the seed page", blocks=[
    {"text": f"The frame and topic models fitted on the General Debate were applied, unchanged, to a random sample of "
             f"{len(kcna):,} paragraphs from KCNA stories about Japan or South Korea, the same paragraphs for every model."},
    {"figure": comparison_figure, "caption": "Mean frame probability per paragraph in the General Debate (all years, the "
                                             "KCNA years, North Korea's own speeches) and in KCNA news; paragraph counts in "
                                             "the legend."},
    {"table": comparison_table, "caption": "Frame shares by source: mean probability and share of paragraphs with the frame present"},
    {"figure": topic_shift_figure, "caption": "Topic shares of the General Debate models in their own corpus and in KCNA "
                                              "news; the topic gaining most in KCNA: " + "; ".join(gains) + "."},
    {"text": f"The seed page is a scraped news article on Japan–South Korea security ties (2025). Cleaning kept its "
             f"headline and {len(page) - 1} article paragraphs ({seed_manifest['counts']['words']} words) and dropped the site's "
             "navigation, blurbs and footer (`python -m analysis corpus show seed` lists each removal with its reason). "
             "Each paragraph's frame probabilities and its dominant topic under every backend:"},
    {"table": seed_table, "caption": seed_finding, "rows": 20},
], findings=[finding, seed_finding])
