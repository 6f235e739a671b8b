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
# # 4. Frames over time, by speaker
#
# How Japan, the two Koreas, China and the United States frame Japan–Korea matters in the General
# Debate, decade by decade: first the raw shares, then the expected prevalence from the prevalence
# regression (`python -m analysis effects`), whose bands carry the classifier's uncertainty.

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
from analysis.report import save_figure, use_report_style, write_section, write_table
from analysis.report.evidence import exemplar_table, load_evidence, period_starts
from analysis.report.study import load_study

use_report_style()
study = load_study(study_file, smoke=smoke)
corpus, speakers, baseline = study.corpus.spec.name, study.speakers["compare"], study.speakers["baseline"]
period_years = study.topics["period_years"]
about = study.corpus.words.get("about", "the query")
frames = list(FRAMES)
predictions = pd.read_parquet(Path(artifacts) / "frames" / corpus / "unit_frames.parquet")
focus = predictions[predictions["speaker"].isin(speakers)].copy()
focus["period"] = period_starts(focus["year"], period_years)
colours = dict(zip(speakers, plt.cm.tab10.colors))

# %% [markdown]
# ## Raw frame shares

# %%
# a speech's share of a frame is the mean probability over its paragraphs; periods average speeches
per_speech = focus.groupby(["speaker", "period", "doc_id"])[frames].mean().reset_index()
shares = per_speech.groupby(["speaker", "period"])[frames].mean()
shares["speeches"] = per_speech.groupby(["speaker", "period"]).size()
shares = shares.reset_index().sort_values(["speaker", "period"]).reset_index(drop=True)
shares_table = write_table(shares, reports, "frames_by_speaker_period")
figure, axes = plt.subplots(1, len(frames), figsize=(10, 3.2), sharey=True, constrained_layout=True)
for axis, frame in zip(axes, frames):
    for speaker in speakers:
        rows = shares[shares["speaker"] == speaker]
        axis.plot(rows["period"], rows[frame], marker="o", markersize=3, color=colours[speaker], label=speaker)
    axis.set_title(frame)
    axis.set_xlabel(f"{period_years}-year period")
    axis.grid(alpha=0.3)
axes[0].set_ylabel("mean frame probability per speech")
axes[-1].legend(fontsize=7)
shares_figure = save_figure(figure, reports, "frames_over_time_by_speaker")
recent = shares[shares["period"] >= shares["period"].max() - 2 * period_years]
recent_means = recent.groupby("speaker")[frames].mean()
leading = {frame: recent_means[frame].idxmax() for frame in frames}

# the same, interactive: the hover gives each point's speeches, paragraphs and the 95% interval of the mean
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.report.interactive import mean_interval, save_interactive

points = mean_interval(per_speech, ["speaker", "period"], frames).merge(
    focus.groupby(["speaker", "period"]).size().rename("paragraphs").reset_index(), on=["speaker", "period"])
lines = make_subplots(rows=1, cols=len(frames), shared_yaxes=True, subplot_titles=frames, horizontal_spacing=0.04)
for column, frame in enumerate(frames, start=1):
    for speaker in speakers:
        rows = points[(points["measure"] == frame) & (points["speaker"] == speaker)]
        colour = "rgb({:.0f},{:.0f},{:.0f})".format(*(255 * value for value in colours[speaker]))
        lines.add_trace(go.Scatter(
            x=rows["period"], y=rows["mean"], mode="lines+markers", name=speaker, legendgroup=speaker,
            showlegend=column == 1, line={"color": colour},
            error_y={"type": "data", "symmetric": False, "array": rows["ci_high"] - rows["mean"],
                     "arrayminus": rows["mean"] - rows["ci_low"], "thickness": 1},
            customdata=np.column_stack([rows["period"] + period_years - 1, rows["n"], rows["paragraphs"],
                                        rows["ci_low"], rows["ci_high"]]),
            hovertemplate=f"{speaker} %{{x}}–%{{customdata[0]}}<br>{frame}: mean share %{{y:.3f}}<br>95% interval "
                          "%{customdata[3]:.3f} to %{customdata[4]:.3f}<br>%{customdata[1]} speeches, "
                          "%{customdata[2]} paragraphs<extra></extra>"), row=1, col=column)
lines.update_layout(height=420, template="plotly_white", margin={"l": 10, "r": 10, "t": 40, "b": 40})
lines.update_yaxes(title_text="mean frame probability per speech", row=1, col=1)
lines.update_xaxes(title_text=f"{period_years}-year period")
shares_interactive = save_interactive(lines, reports, "frames_over_time_by_speaker")

# %% [markdown]
# ## The paragraphs behind the shares: exemplars of each speaker and period

# %%
cell_exemplars = exemplar_table(load_evidence(Path(artifacts) / "evidence")["cell_exemplars"])
cell_exemplars_all = write_table(cell_exemplars, reports, "frames_cell_exemplars")
recent_periods = sorted(recent["period"].unique())
# in the report: the cells the finding names, each frame's leading speaker in the last periods
shown_cells = pd.concat([cell_exemplars[(cell_exemplars["frame"] == frame) & (cell_exemplars["speaker"] == leading[frame])
                                        & cell_exemplars["period"].isin(recent_periods)] for frame in frames])
shown_cells_table = write_table(shown_cells, reports, "frames_cell_exemplars_recent")
shown_cells

# %% [markdown]
# ## Expected prevalence from the regression, with uncertainty

# %%
effects = Path(artifacts) / "effects" / corpus
expected = pd.read_parquet(effects / "expected.parquet")
contrasts = pd.read_csv(effects / "contrasts.csv")
effect_counts = json.loads((effects / "manifest.json").read_text())["counts"]
unit_counts, skipped = effect_counts["units_by_speaker"], effect_counts.get("skipped_speakers", {})
figure, axes = plt.subplots(1, len(frames), figsize=(10, 3.2), sharey=True, constrained_layout=True)
for axis, frame in zip(axes, frames):
    for speaker in speakers:
        rows = expected[(expected["outcome"] == frame) & (expected["speaker"] == speaker)].sort_values("year")
        if rows.empty:
            continue
        axis.fill_between(rows["year"], rows["ci_low"], rows["ci_high"], color=colours[speaker], alpha=0.15, linewidth=0)
        axis.plot(rows["year"], rows["estimate"], color=colours[speaker], label=speaker)
    axis.set_title(frame)
    axis.set_xlabel("year")
    axis.set_ylim(-0.05, 1.05)  # a linear probability model's bands can leave [0, 1]: the plot shows the possible range
    axis.grid(alpha=0.3)
axes[0].set_ylabel("expected share of paragraphs with the frame")
axes[-1].legend(fontsize=7)
expected_figure = save_figure(figure, reports, "frames_expected_prevalence")
contrasts_table = write_table(contrasts, reports, "frames_contrasts")
contrasts

# %%
security = contrasts[contrasts["outcome"] == "security"].set_index("speaker")
clear = security[(security["ci_low"] > 0) | (security["ci_high"] < 0)]
finding = ("In the last fifteen years of the corpus, " + "; ".join(f"{leading[f]} gives {f} framing the largest share"
                                                                   for f in frames) + ". ")
if baseline in security.index:
    row = security.loc[baseline]
    finding += (f"Between {row['earlier']} and {row['later']}, {study.speaker_name(baseline)}'s expected share"
                " of security-framed paragraphs "
                f"changed by {row['estimate']:+.2f} (95% interval {row['ci_low']:+.2f} to {row['ci_high']:+.2f}); "
                f"{len(clear)} of {len(security)} speakers' security contrasts exclude zero.")
write_section(reports, order=4, slug="frames-over-time", title="Frames over time, by speaker", blocks=[
    {"figure": shares_figure, "caption": f"Mean frame probability per speech, in {period_years}-year periods, for "
                                         + ", ".join(speakers) + f" paragraphs on {about}.",
     "interactive": shares_interactive},
    {"table": shares_table, "caption": "Frame shares by speaker and period, with the number of speeches", "rows": 15},
    {"text": "The paragraphs behind the recent shares: for each frame, the speaker that gives it the largest share in "
             f"the last periods ({', '.join(f'{f} {leading[f]}' for f in frames)}), and in each of its periods the "
             f"{int(shown_cells['rank'].max()) if len(shown_cells) else 0} paragraphs with the highest probability of "
             f"the frame, one per speech. Every speaker and period is in {cell_exemplars_all}."},
    {"table": shown_cells_table, "caption": "The most typical paragraphs of each frame's leading speaker, per recent "
                                            f"{period_years}-year period", "rows": len(shown_cells)},
    {"figure": expected_figure, "caption": "Expected share of paragraphs with each frame by year and speaker (prevalence "
                                           "regression, method of composition; bands are 95% intervals that carry the "
                                           "classifier's uncertainty, cut at 0 and 1). Speakers with few paragraphs ("
                                           + ", ".join(f"{s} {n}" for s, n in unit_counts.items() if n < 100)
                                           + ") get wide bands."
                                           + ("" if not skipped else " Left out of the regression for having fewer than "
                                              f"{study.effects['min_units']} paragraphs in "
                                              f"{study.effects['years'][0]}–{study.effects['years'][1]}: "
                                              + ", ".join(f"{s} ({n})" for s, n in skipped.items()) + ".")},
    {"table": contrasts_table, "caption": "Contrasts of expected prevalence between periods, per speaker and frame, "
                                          f"with 95% intervals; {len(clear)} of {len(security)} security contrasts exclude zero"},
], findings=[finding])
