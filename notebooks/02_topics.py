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
# # 2. Topics
#
# What the three topic backends find in the study corpus, how coherent and diverse their topics are
# as the number of topics K changes, and how topic prevalence moves over the decades. The models were
# fitted by `python -m analysis topics fit` and swept by `topics select` (see the Makefile); this
# notebook only reads their artifacts.

# %% tags=["parameters"]
artifacts = "artifacts"
reports = "reports"
study_file = "studies/japan-korea.toml"
smoke = False
shared = "artifacts"
anchor_benchmark = "benchmarks/results/study_topics.csv"

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report import save_figure, topic_label, use_report_style, write_section, write_table
from analysis.report.study import load_study

use_report_style()
study = load_study(study_file, smoke=smoke)
corpus = study.corpus.spec.name
backends, k, period_years = study.topics["backends"], study.topics["k"], study.topics["period_years"]
topics_dir = Path(artifacts) / "topics"
fits = {backend: topics_dir / corpus / f"{backend}-k{k}" for backend in backends}
cards = {backend: json.loads((folder / "model_card.json").read_text()) for backend, folder in fits.items()}
words = {backend: json.loads((folder / "topics.json").read_text()) for backend, folder in fits.items()}


# %% [markdown]
# ## Coherence and diversity against K

# %%
selection = pd.concat([pd.read_csv(topics_dir / "select" / corpus / backend / "summary.csv").assign(backend=backend)
                       for backend in backends], ignore_index=True)
figure, axes = plt.subplots(1, 3, figsize=(10, 3), constrained_layout=True)
for axis, metric, name in zip(axes, ("npmi", "c_v", "diversity"), ("NPMI", "C_V", "topic diversity")):
    for backend, rows in selection.groupby("backend", sort=False):
        axis.errorbar(rows["k"], rows[f"{metric}_mean"], yerr=rows[f"{metric}_sd"], marker="o", capsize=3, label=backend)
    axis.set_xlabel("K (topics)")
    axis.set_ylabel(name)
    axis.grid(alpha=0.3)
axes[0].legend()
selection_figure = save_figure(figure, reports, "topics_coherence_diversity_by_k")
selection_table = write_table(selection[["backend", "k", "npmi_mean", "npmi_sd", "c_v_mean", "c_v_sd", "diversity_mean",
                                         "diversity_sd"]].sort_values(["backend", "k"]), reports, "topics_selection")
seeds = len(pd.read_csv(topics_dir / "select" / corpus / backends[0] / "runs.csv")["seed"].unique())

# %% [markdown]
# ## The topics at K

# %%
rows = []
for backend in backends:
    card = cards[backend]
    for topic, topic_words in enumerate(words[backend]):
        rows.append({"backend": backend, "topic": topic, "words": " ".join(word for word, _ in topic_words[:10])})
topic_words = pd.DataFrame(rows)
topic_words_table = write_table(topic_words, reports, "topics_top_words")
measures = ["npmi", "c_v", "diversity", "outlier_share", "largest_topic_share"]
metrics = pd.DataFrame([{"backend": b, **{m: cards[b]["metrics"][m] for m in measures}, "source": "this build"}
                        for b in backends])
best = metrics.sort_values("npmi", ascending=False).iloc[0]
# the newer contextual anchors (turftopic KeyNMF and S³, the optional `make setup-anchors`) on the same units,
# preprocessing and vectors: the committed run of benchmarks/study_topics.py, when it was made on this corpus and K
anchor_rows = (pd.read_csv(anchor_benchmark) if Path(anchor_benchmark).exists()
               else pd.DataFrame(columns=["corpus", "k", "backend", "configuration", "commit"]))
anchor_rows = anchor_rows[(anchor_rows["corpus"] == corpus) & (anchor_rows["k"] == k)
                          & anchor_rows["backend"].str.startswith("turftopic")]
anchors = anchor_rows.assign(backend=anchor_rows["configuration"],
                             source=anchor_benchmark + " (commit " + anchor_rows["commit"].astype(str) + ")")
metrics_table = write_table(pd.concat([metrics, anchors.reindex(columns=metrics.columns)], ignore_index=True), reports,
                            "topics_metrics")
metrics

# %% [markdown]
# ## Prevalence over time

# %%
figure, axes = plt.subplots(len(backends), 1, figsize=(9, 2.6 * len(backends)), sharex=True, constrained_layout=True)
prevalence_tables, years = [], []
for axis, backend in zip(np.atleast_1d(axes), backends):
    by_year = pd.read_csv(fits[backend] / "prevalence_by_year.csv")
    years += [by_year["year"].min(), by_year["year"].max()]
    by_year["period"] = by_year["year"] // period_years * period_years
    weighted = by_year.assign(mass=by_year["prevalence"] * by_year["units"])
    period = weighted.groupby(["period", "topic"])[["mass", "units"]].sum()
    period["prevalence"] = period["mass"] / period["units"]
    wide = period["prevalence"].unstack("topic").fillna(0)
    axis.stackplot(wide.index, wide.T.to_numpy(), labels=[topic_label(words[backend][t]) for t in wide.columns],
                   colors=plt.cm.tab20(np.linspace(0, 1, wide.shape[1])))
    axis.set_ylabel(f"{backend}\nmean topic share")
    axis.set_ylim(0, 1)
    axis.legend(fontsize=6, bbox_to_anchor=(1.01, 1), loc="upper left")
    prevalence_tables.append(period["prevalence"].reset_index().assign(backend=backend))
np.atleast_1d(axes)[-1].set_xlabel(f"{period_years}-year period (start)")
prevalence_figure = save_figure(figure, reports, "topics_prevalence_over_time")
prevalence = pd.concat(prevalence_tables)[["backend", "period", "topic", "prevalence"]].sort_values(["backend", "period", "topic"])
prevalence_table = write_table(prevalence, reports, "topics_prevalence_by_period")

# the same, interactive, from each model applied to the same paragraphs (topics apply): the hover gives each
# period's paragraphs and the 95% interval of the mean share
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.report.evidence import exemplar_table, load_applied, load_evidence, period_starts
from analysis.report.interactive import mean_interval, save_interactive

curves = make_subplots(rows=len(backends), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                       subplot_titles=[f"{backend} (K = {k})" for backend in backends])
palette = ["rgb({:.0f},{:.0f},{:.0f})".format(*(255 * value for value in colour[:3])) for colour in plt.cm.tab20.colors]
for row, backend in enumerate(backends, start=1):
    doc_topic, _ = load_applied(topics_dir / "applied" / corpus / backend, "doc_topic.parquet")
    training = doc_topic[~doc_topic["heldout"]].assign(period=lambda table: period_starts(table["year"], period_years))
    shares = mean_interval(training, ["period"], [column for column in doc_topic if column.startswith("topic_")])
    for topic in range(k):
        rows = shares[shares["measure"] == f"topic_{topic}"]
        label = topic_label(words[backend][topic])
        curves.add_trace(go.Scatter(
            x=rows["period"], y=rows["mean"], mode="lines+markers", name=f"{topic}: {label}", legendgroup=backend,
            legendgrouptitle_text=backend, line={"color": palette[topic % len(palette)]},
            customdata=np.column_stack([rows["period"] + period_years - 1, rows["n"], rows["ci_low"], rows["ci_high"]]),
            hovertemplate=f"{backend} topic {topic}: {label}<br>%{{x}}–%{{customdata[0]}}: mean share %{{y:.3f}}<br>"
                          "95% interval %{customdata[2]:.3f} to %{customdata[3]:.3f}<br>%{customdata[1]} paragraphs"
                          "<extra></extra>"), row=row, col=1)
curves.update_layout(height=300 * len(backends) + 80, template="plotly_white", legend={"groupclick": "toggleitem"},
                     margin={"l": 10, "r": 10, "t": 40, "b": 40})
curves.update_yaxes(title_text="mean topic share")
curves.update_xaxes(title_text=f"{period_years}-year period (start)", row=len(backends), col=1)
prevalence_interactive = save_interactive(curves, reports, "topics_prevalence_over_time")

# %% [markdown]
# ## The paragraphs behind each topic

# %%
topic_exemplars = exemplar_table(load_evidence(topics_dir.parent / "evidence")["topic_exemplars"])
topic_exemplars.insert(2, "label", [topic_label(words[b][t]) for b, t in zip(topic_exemplars["backend"], topic_exemplars["topic"])])
topic_exemplar_tables = {backend: write_table(rows, reports, f"topics_exemplars_{backend}")
                         for backend, rows in topic_exemplars.groupby("backend", sort=False)}
topic_exemplars.head(10)

# the topic whose share grew most between the first and the last third of the periods, per backend
periods = sorted(prevalence["period"].unique())
early, late = periods[: len(periods) // 3], periods[-(len(periods) // 3):] if len(periods) >= 3 else []
shifts = []
for backend, rows in prevalence.groupby("backend") if late else ():
    change = rows[rows["period"].isin(late)].groupby("topic")["prevalence"].mean() - \
             rows[rows["period"].isin(early)].groupby("topic")["prevalence"].mean()
    shifts.append((backend, int(change.idxmax()), float(change.max())))
rising = "; ".join(f"{backend} \u201c{topic_label(words[backend][topic])}\u201d (+{gain:.2f})" for backend, topic, gain in shifts)
if late:
    def span(first, last):
        return f"{first}" if first == last else f"{first}–{last}"

    early_span = span(max(early[0], min(years)), early[-1] + period_years - 1)
    late_span = span(late[0], min(late[-1] + period_years - 1, max(years)))
    rising = f"the topic that gained most from {early_span} to {late_span} is, per backend: {rising}"
else:
    rising = f"the corpus spans fewer than three {period_years}-year periods, too few to tell which topics gained"

# %%
finding = (f"At K = {k}, {best['backend']} gives the most coherent topics (NPMI {best['npmi']:.3f}, "
           f"diversity {best['diversity']:.2f}); {rising}.")
described = {"lda": "gensim LDA", "nmf": "scikit-learn NMF on TF-IDF",
             "bertopic": "BERTopic on MiniLM embeddings (k-means on their UMAP projection, so no paragraph is an outlier)"}
named = [described[backend] for backend in backends]
count = {1: "One backend", 2: "Two backends", 3: "Three backends"}[len(backends)]
heldout_name = study.corpus.words.get("heldout_name", "documents")
write_section(reports, order=2, slug="topics", title="Topics", blocks=[
    {"text": f"{count}, fitted with seed {study.topics['seed']} on the {corpus} paragraphs outside the held-out "
             f"{heldout_name}, {'each ' if len(backends) > 1 else ''}with K = {k}: "
             + (", ".join(named[:-1]) + ", and " + named[-1] if len(named) > 2 else " and ".join(named)) + "."},
    {"table": metrics_table, "caption": f"Coherence (NPMI, C_V on the top 10 words), diversity (top 25 words), the share "
                                        "of paragraphs with no topic and the share whose dominant topic is the largest one "
                                        f"(near 1: a catch-all) at K = {k}"
                                        + (", beside the contextual anchors KeyNMF and S³ (turftopic) fitted on the same "
                                           "paragraphs and vectors by benchmarks/study_topics.py" if len(anchors) else "")},
    {"table": topic_words_table, "caption": f"Each topic's ten best words, per backend (K = {k})", "rows": 3 * k},
    {"figure": selection_figure,
     "caption": f"NPMI, C_V and topic diversity against K, mean ± sd over {seeds} seed(s), per backend."},
    {"table": selection_table, "caption": "The sweep over K behind the figure", "rows": 30},
    {"figure": prevalence_figure,
     "caption": f"Mean topic share of the paragraphs in each {period_years}-year period, per backend (K = {k}); "
                "topics labelled by their three best words. In report.html: each topic's mean share in the paragraphs "
                "outside the held-out years, under the model applied to them, with 95% intervals in the hover.",
     "interactive": prevalence_interactive},
    {"text": f"The paragraphs behind each topic: the {int(topic_exemplars['rank'].max())} paragraphs with the highest "
             "share of it, one per document, cited as document id and paragraph number (the text cut after 300 "
             "characters)."},
    *[{"table": path, "caption": f"The most typical paragraphs of each {backend} topic (K = {k})",
       "rows": int((topic_exemplars["backend"] == backend).sum())} for backend, path in topic_exemplar_tables.items()],
], findings=[finding])
