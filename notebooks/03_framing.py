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
# # 3. The framing classifier, and frames by topic
#
# How well the frame models do under grouped cross-validation on the annotated paragraphs (no speech
# in both training and test folds), whether their probabilities are calibrated, and which topics carry
# which frames. Training and evaluation ran in `python -m analysis frames train|evaluate`.

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

from analysis.framing.codebook import FRAMES
from analysis.report import save_figure, topic_label, use_report_style, write_section, write_table
from analysis.report.study import load_study

use_report_style()
study = load_study(study_file, smoke=smoke)
corpus, model = study.corpus.spec.name, study.frame_model
heatmap_backend, k = study.topics["heatmap_backend"], study.topics["k"]
frames = list(FRAMES)
evaluation = Path(shared) / "evaluation" / "frames"  # the shared frame models' evaluation, the same for every study
metrics = pd.read_csv(evaluation / "cv_metrics.csv")
summary = json.loads((evaluation / "summary.json").read_text())

# %% [markdown]
# ## Cross-validated F1 of every model

# %%
wide = metrics.pivot(index="model", columns="frame", values="f1")
macro = wide[frames].mean(axis=1).rename("macro_f1")
scores = pd.concat([wide[frames].add_suffix("_f1"), macro], axis=1).reset_index().sort_values("macro_f1", ascending=False)
scores_table = write_table(scores, reports, "frames_cv_f1")
chosen = scores.set_index("model").loc[model]
scores

# %% [markdown]
# ## Confusion and reliability of the chosen model

# %%
with np.load(evaluation / f"cv_scores_{model}.npz", allow_pickle=False) as cv:
    predicted, truth, probability = cv["present"], cv["truth"], cv["scores"]
figure, axes = plt.subplots(1, len(frames), figsize=(9, 2.8), constrained_layout=True)
confusion_rows = []
for axis, index, frame in zip(axes, range(len(frames)), frames):
    matrix = np.array([[np.sum(~truth[:, index] & ~predicted[:, index]), np.sum(~truth[:, index] & predicted[:, index])],
                       [np.sum(truth[:, index] & ~predicted[:, index]), np.sum(truth[:, index] & predicted[:, index])]])
    axis.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        axis.text(column, row, str(count), ha="center", va="center", color="black")
    axis.set_xticks([0, 1], ["absent", "present"])
    axis.set_yticks([0, 1], ["absent", "present"])
    axis.set_xlabel("predicted")
    axis.set_title(frame)
    confusion_rows += [{"frame": frame, "truth": t, "predicted": p, "units": int(matrix[i, j])}
                       for i, t in enumerate(("absent", "present")) for j, p in enumerate(("absent", "present"))]
axes[0].set_ylabel("annotated")
confusion_figure = save_figure(figure, reports, "frames_confusion")
confusion_table = write_table(pd.DataFrame(confusion_rows), reports, "frames_confusion")

curve = pd.read_csv(evaluation / "reliability_curve.csv")
figure, axes = plt.subplots(1, len(frames), figsize=(9, 2.9), sharey=True, constrained_layout=True)
for axis, frame in zip(axes, frames):
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    for name, rows in curve[curve["frame"] == frame].groupby("model"):
        axis.plot(rows["mean_predicted"], rows["observed"], marker="o", markersize=3,
                  linewidth=2.2 if name == model else 1, label=name)
    axis.set_title(frame)
    axis.set_xlabel("mean predicted probability")
axes[0].set_ylabel("share annotated present")
axes[-1].legend(fontsize=7)
reliability_figure = save_figure(figure, reports, "frames_reliability")
brier = metrics[metrics["model"] == model].set_index("frame")["brier"]

# %% [markdown]
# ## Where the chosen model errs: out-of-fold errors by source, and the words they share

# %%
errors = pd.read_csv(evaluation / "errors_by_source_decade.csv")
errors = errors[(errors["model"] == model) & (errors["decade"] == "all")].drop(columns=["model", "decade"])
errors_table = write_table(errors, reports, "frames_errors_by_source")
cues = pd.read_csv(evaluation / "error_cues.csv")
cues = cues[cues["model"] == model]
history_errors = errors[errors["frame"] == "history"].set_index("source")
false_positive_cues = cues[(cues["frame"] == "history") & (cues["error"] == "false positive")]["word"].head(5).tolist()
error_text = ("Out of fold, the history frame's false positives number "
              + ", ".join(f"{int(row.false_positives)} in {source}" for source, row in history_errors.iterrows())
              + (f"; the words they share most are {', '.join(false_positive_cues)}." if false_positive_cues else "."))
errors

# %% [markdown]
# ## Transfer to a source the model never saw (leave one source out)

# %%
transfer = pd.read_csv(evaluation / "transfer_metrics.csv")
# `frames evaluate` scores the transfer of the default model (`--transfer-kinds`): a study's other model shows that
transfer_model = model if (transfer["model"] == model).any() else transfer["model"].iloc[0]
transfer = transfer[transfer["model"] == transfer_model].drop(columns="model")
transfer_table = write_table(transfer, reports, "frames_transfer")
weakest = transfer.loc[transfer["macro_f1"].idxmin()]
transfer_text = (f"Trained on some sources and tested on another it never saw, the {transfer_model} model reaches macro-F1 "
                 + ", ".join(f"{row.macro_f1:.2f} ({row.train} to {row.test})" for row in transfer.itertuples())
                 + f", against {scores.set_index('model').loc[transfer_model, 'macro_f1']:.2f} in the grouped "
                 "cross-validation over all sources; the weakest "
                 f"transfer is {weakest['train']} to {weakest['test']}. Frames measured on a corpus unlike the annotated "
                 "sources carry this larger error.")
transfer

# %% [markdown]
# ## Frames by topic

# %%
predictions = pd.read_parquet(Path(artifacts) / "frames" / corpus / "unit_frames.parquet")
applied = pd.read_parquet(Path(artifacts) / "topics" / "applied" / corpus / heatmap_backend / "doc_topic.parquet")
topic_words = json.loads((Path(artifacts) / "topics" / corpus / f"{heatmap_backend}-k{k}" / "topics.json").read_text())
joined = predictions.merge(applied[["unit_id", "dominant_topic"]], on="unit_id", validate="one_to_one")
joined = joined[joined["dominant_topic"] >= 0]
by_topic = joined.groupby("dominant_topic")[frames].mean()
by_topic["units"] = joined.groupby("dominant_topic").size()
by_topic.index = [f"{t}: {topic_label(topic_words[t])}" for t in by_topic.index]
figure, axis = plt.subplots(figsize=(6.5, 0.38 * len(by_topic) + 1.2))
image = axis.imshow(by_topic[frames].to_numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
for (row, column), value in np.ndenumerate(by_topic[frames].to_numpy()):
    axis.text(column, row, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.6 else "black", fontsize=8)
axis.set_xticks(range(len(frames)), frames)
axis.set_yticks(range(len(by_topic)), by_topic.index, fontsize=8)
figure.colorbar(image, ax=axis, label="mean frame probability")
heatmap_figure = save_figure(figure, reports, "frames_by_topic")
heatmap_table = write_table(by_topic.rename_axis("topic").reset_index(), reports, "frames_by_topic")
peaks = {frame: by_topic[frame].idxmax() for frame in frames}

# the same, interactive: the hover gives each cell's paragraphs and the 95% interval of its mean
import plotly.graph_objects as go

from analysis.report.interactive import mean_interval, save_interactive

cells = mean_interval(joined, ["dominant_topic"], frames)
grid = {name: cells.pivot(index="dominant_topic", columns="measure", values=name)[frames]
        for name in ("mean", "ci_low", "ci_high", "n")}
heatmap = go.Figure(go.Heatmap(
    z=grid["mean"].to_numpy(), x=frames, y=list(by_topic.index), zmin=0, zmax=1, colorscale="Viridis",
    customdata=np.dstack([grid["n"].to_numpy(), grid["ci_low"].to_numpy(), grid["ci_high"].to_numpy()]),
    colorbar={"title": {"text": "mean frame<br>probability"}},
    hovertemplate="topic %{y}<br>%{x}: mean probability %{z:.3f}<br>95% interval %{customdata[1]:.3f} to "
                  "%{customdata[2]:.3f}<br>%{customdata[0]:,} paragraphs<extra></extra>"))
heatmap.update_layout(height=int(34 * len(by_topic) + 160), margin={"l": 10, "r": 10, "t": 30, "b": 40},
                      yaxis={"autorange": "reversed"}, template="plotly_white")
heatmap_interactive = save_interactive(heatmap, reports, "frames_by_topic")

# %% [markdown]
# ## The paragraphs behind the frames: exemplars, and every paragraph in the browser

# %%
from analysis.report.browser import write_browser
from analysis.report.evidence import exemplar_table, load_evidence

evidence = load_evidence(Path(artifacts) / "evidence")
frame_exemplars = exemplar_table(evidence["frame_exemplars"])
frame_exemplars_table = write_table(frame_exemplars, reports, "frames_exemplars")
browser = write_browser(evidence["paragraphs"], reports, title=f"{study.title}: the paragraphs of {corpus}",
                        frames=frames, topics={t: topic_label(words) for t, words in enumerate(topic_words)},
                        topic_backend=heatmap_backend)
frame_exemplars

# %% [markdown]
# ## The frame model applied to this study's corpus
#
# The frame models are trained once, on the project's annotations; a study applies one unchanged. When the
# study corpus is not one of the annotated subcorpora, the report says so, with the model's validation figures.

# %%
from analysis.framing.annotation import gold_annotations
from analysis.framing.pipeline import ANNOTATED_SUBCORPORA

transfer_blocks = []
if corpus not in ANNOTATED_SUBCORPORA:
    by_source = (pd.read_csv(evaluation / "errors_by_source_decade.csv")
                 .query("model == @model and decade == 'all' and frame == @frames[0]").set_index("source")["units"])
    annotated_here = int(predictions["unit_id"].isin(gold_annotations()["unit_id"]).sum())
    transfer_blocks = [{"text": (
        f"The frames of this study come from the {model} frame model, trained once on the project's "
        f"{int(truth.shape[0]):,} annotated paragraphs (" + ", ".join(f"{n:,} {source}" for source, n in by_source.items())
        + f") and applied here unchanged: it was not retrained or tuned on the {len(predictions):,} paragraphs of "
        f"{corpus}, {annotated_here:,} of which are among the annotated ones. Its grouped 5-fold cross-validated F1 is "
        + ", ".join(f"{chosen[f'{f}_f1']:.2f} ({f})" for f in frames) + f" (macro {chosen['macro_f1']:.2f}). "
        "Caution: these figures were measured on diplomatic speech and news about Japan and Korea, the sources "
        "named above. On other kinds of text or other subjects they do not carry over: read the "
        "frame shares below as the model's reading, and check a sample of paragraphs by hand before relying on them.")}]

# %%
agreement = summary["agreement"]["per_label"]
finding = (f"The {model} frame model reaches cross-validated F1 of "
           + ", ".join(f"{chosen[f'{f}_f1']:.2f} ({f})" for f in frames)
           + f" (macro {chosen['macro_f1']:.2f}) against double-coded annotations with Krippendorff's alpha "
           + ", ".join(f"{agreement[f]['alpha']:.2f}" for f in frames) + ".")
write_section(reports, order=3, slug="framing", title="The framing classifier", blocks=[
    {"text": f"Frame models were trained on {int(truth.shape[0]):,} annotated paragraphs and scored by grouped 5-fold "
             "cross-validation (no speech or story in both training and test folds)."},
    *transfer_blocks,
    {"table": scores_table, "caption": "Cross-validated F1 per frame and macro-F1, every model kind"},
    {"figure": confusion_figure, "caption": f"Out-of-fold confusion of the {model} model per frame "
                                            f"({int(truth.shape[0]):,} annotated paragraphs)."},
    {"figure": reliability_figure, "caption": "Reliability curves: observed share against mean predicted probability per "
                                              f"bin; Brier scores of {model}: "
                                              + ", ".join(f"{f} {brier[f]:.3f}" for f in frames) + "."},
    {"text": error_text},
    {"table": errors_table, "caption": f"Out-of-fold true positives, false positives and false negatives of {model} per frame and source "
                                       "(by decade in evaluation/frames/errors_by_source_decade.csv)"},
    {"text": transfer_text},
    {"table": transfer_table, "caption": f"Leave-one-source-out F1 of {transfer_model}: trained on the sources named, tested on "
                                         "the other (history precision and recall beside)"},
    {"figure": heatmap_figure, "caption": f"Mean frame probability of the paragraphs whose dominant {heatmap_backend} topic "
                                          "is each row; " + "; ".join(f"{f} peaks in topic {peaks[f]}" for f in frames) + ".",
     "interactive": heatmap_interactive},
    {"table": heatmap_table, "caption": "Frames by topic, with the number of paragraphs per topic", "rows": 12},
    {"text": f"The paragraphs behind the frames: for each frame, the {len(frame_exemplars) // len(frames)} paragraphs "
             f"of {corpus} with the highest probability of it, one per document, cited as document id and paragraph "
             "number (the text cut after 300 characters; in full in the browser)."},
    {"table": frame_exemplars_table, "caption": f"The most typical paragraphs of each frame ({model} probability)",
     "rows": len(frame_exemplars)},
    {"link": browser, "label": f"Every paragraph of {corpus} ({len(evidence['paragraphs']):,}), with its frames, "
                               "dominant topic, speaker and year: the paragraph browser (filter and search)"},
], findings=[finding, *([f"It was applied unchanged to this study's {len(predictions):,} paragraphs, {annotated_here:,} of "
                           "which are among the annotated ones; its figures were measured on diplomatic speech and news."]
                         if transfer_blocks else [])])
