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
# # 1. The study corpus
#
# Who speaks about the study's subject, and when (for the project's study: Japan and Korea in the UN General
# Debate). This notebook reads the study file and its built subcorpus (`make subcorpora`) and draws; it trains
# nothing.

# %% tags=["parameters"]
artifacts = "artifacts"
reports = "reports"
study_file = "studies/japan-korea.toml"
smoke = False
shared = "artifacts"

# %%
from pathlib import Path

import matplotlib.pyplot as plt

from analysis.corpus.subcorpus import load_subcorpus
from analysis.report import save_figure, use_report_style, write_section, write_table
from analysis.report.study import load_study

use_report_style()
study = load_study(study_file, smoke=smoke)
corpus, focus_speakers = study.corpus.spec.name, study.speakers["overview"]
words = study.corpus.words
about, documents = words.get("about", "the query"), words.get("documents", "documents")
units, manifest = load_subcorpus(corpus, Path(artifacts) / "subcorpora")
units["decade"] = (units["year"] // 10 * 10).astype("Int64")  # whole decades, also where some years are unknown
units["group"] = units["speaker"].where(units["speaker"].isin(focus_speakers), "other")
counts = manifest["counts"]

# %%
composition = (units.groupby(["decade", "group"]).size().rename("units").reset_index()
               .sort_values(["decade", "group"]).reset_index(drop=True))
by_decade = composition.pivot(index="decade", columns="group", values="units").fillna(0).astype(int)
by_decade = by_decade[[s for s in focus_speakers if s in by_decade.columns] + ["other"]]
figure, axis = plt.subplots(figsize=(8, 3.6))
by_decade.plot.bar(stacked=True, ax=axis, width=0.8, colormap="tab10")
axis.set_xlabel("decade")
axis.set_ylabel(f"paragraphs mentioning {about}")
axis.legend(title="speaker", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
composition_figure = save_figure(figure, reports, "corpus_composition")
composition_table = write_table(composition, reports, "corpus_composition")

# %%
speakers = (units.groupby("speaker").agg(units=("unit_id", "size"), speeches=("doc_id", "nunique"),
                                         first_year=("year", "min"), last_year=("year", "max"))
            .reset_index().sort_values(["units", "speaker"], ascending=[False, True]).reset_index(drop=True))
speakers_table = write_table(speakers, reports, "corpus_speakers")
top = speakers.head(3)
peak = composition.groupby("decade")["units"].sum().idxmax()
first, last = counts["years"] or (None, None)
years = "" if first is None else f" ({first})" if first == last else f" ({first}–{last})"
heldout_note = words.get("heldout_note", manifest["config"]["heldout_rule"])
heldout = (f"{counts['heldout_units']:,} of them ({heldout_note}) are held out from all training" if counts["heldout_units"]
           else f"none of them is held out from training (held-out rule: {heldout_note})")
summary = (f"The study corpus holds {counts['units']:,} paragraphs from {counts['documents_with_units']:,} {documents}"
           f"{years} by {counts['speakers']} speakers that mention {about}; {heldout}.")
most = list(top["speaker"])
most = ", ".join(most[:-1]) + f" and {most[-1]}" if len(most) > 1 else most[0]
write_section(reports, order=1, slug="corpus", title="The study corpus", blocks=[
    {"text": summary},
    {"figure": composition_figure,
     "caption": f"Paragraphs per decade and speaker; the {peak}s contribute most "
                f"({int(composition.groupby('decade')['units'].sum().max()):,} paragraphs)."},
    {"table": speakers_table, "caption": "Speakers by number of paragraphs", "rows": 10},
], findings=[summary, f"{most} speak{'s' if len(top) == 1 else ''} about {about.replace(' or ', ' and ')} most "
             f"({', '.join(f'{n:,}' for n in top['units'])} paragraphs)."])
speakers.head(10)
