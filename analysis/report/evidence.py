"""The evidence behind the report's figures: exemplar paragraphs, and the rows of the paragraph browser.

``python -m analysis report evidence STUDY --artifacts A --out A/evidence`` (a step of ``make report``) reads
the study corpus's subcorpus, its applied frames and applied topics, and writes

- ``frame_exemplars.parquet``: each frame's most typical paragraphs;
- ``cell_exemplars.parquet``: the same per speaker x period cell of the frames-over-time figure (the compared
  speakers, ``[topics] period_years`` periods);
- ``topic_exemplars.parquet``: each topic's, per backend;
- ``paragraphs.parquet``: every paragraph of the study corpus with its frame probabilities, primary frame and
  dominant topic of ``heatmap_backend``, which the paragraph browser shows;

all with their text, read from the subcorpus (so from the data home) at build time, beside a manifest.
The notebooks only draw these. Exemplars are chosen by :mod:`analysis.corpus.exemplars`: the highest
probability first, one paragraph per document.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.corpus.exemplars import excerpt
from analysis.corpus.subcorpus import load_subcorpus
from analysis.framing.codebook import FRAMES
from analysis.framing.pipeline import frame_exemplars
from analysis.persist import verify_folder, write_manifest, write_parquet
from analysis.report.study import Study
from analysis.topics.pipeline import topic_exemplars

#: Exemplars per frame and per topic, and per frame in each speaker x period cell.
EXEMPLARS, CELL_EXEMPLARS = 5, 3
FILES = ("frame_exemplars", "cell_exemplars", "topic_exemplars", "paragraphs")


def load_applied(folder: Path, name: str) -> tuple[pd.DataFrame, dict]:
    """The table ``name`` of a stage's folder (``frames apply``, ``topics apply``) and its manifest, once verified."""
    manifest = verify_folder(folder)
    return pd.read_parquet(folder / name), manifest


def period_starts(years: pd.Series, period_years: int) -> pd.Series:
    """The first year of each year's period, as the report's over-time figures and tables group years."""
    return years // period_years * period_years


def build_evidence(study: Study, artifacts: Path, out: Path) -> Path:
    """Write the study's evidence folder (see the module docstring); return its manifest."""
    artifacts, out = Path(artifacts), Path(out)
    corpus, topics = study.corpus.spec.name, study.topics
    units, subcorpus_manifest = load_subcorpus(corpus, artifacts / "subcorpora")
    predictions, frames_manifest = load_applied(artifacts / "frames" / corpus, "unit_frames.parquet")
    compared = predictions[predictions["speaker"].isin(study.speakers["compare"])]
    tables = {
        "frame_exemplars": frame_exemplars(predictions, units, n=EXEMPLARS),
        "cell_exemplars": frame_exemplars(compared.assign(period=period_starts(compared["year"], topics["period_years"])),
                                          units, n=CELL_EXEMPLARS, by=["speaker", "period"]),
    }
    topic_tables, topic_inputs = [], {}
    for backend in topics["backends"]:
        doc_topic, manifest = load_applied(artifacts / "topics" / "applied" / corpus / backend, "doc_topic.parquet")
        topic_tables.append(topic_exemplars(doc_topic, units, n=EXEMPLARS).assign(backend=backend))
        topic_inputs[backend] = manifest["files"]["doc_topic.parquet"]
        if backend == topics["heatmap_backend"]:
            dominant = doc_topic[["unit_id", "dominant_topic"]]
    topic_table = pd.concat(topic_tables, ignore_index=True)
    tables["topic_exemplars"] = topic_table[["backend", *topic_table.columns.drop("backend")]]
    paragraphs = units[["unit_id", "doc_id", "paragraph", "speaker", "year", "text"]].merge(
        predictions[["unit_id", *FRAMES, "primary"]], on="unit_id", how="inner", validate="one_to_one")
    tables["paragraphs"] = paragraphs.merge(dominant, on="unit_id", how="left", validate="one_to_one")
    for name in FILES:
        write_parquet(out / f"{name}.parquet", tables[name])
    return write_manifest(out, stage="report-evidence",
                          inputs={"subcorpus": corpus, "subcorpus_input_sha256": subcorpus_manifest["inputs"]["sha256"],
                                  "unit_frames_sha256": frames_manifest["files"]["unit_frames.parquet"],
                                  "doc_topic_sha256": topic_inputs},
                          config={"exemplars": EXEMPLARS, "cell_exemplars": CELL_EXEMPLARS, "per_document": 1,
                                  "speakers": list(study.speakers["compare"]), "period_years": topics["period_years"],
                                  "backends": list(topics["backends"]), "browser_topics": topics["heatmap_backend"]},
                          counts={name: len(tables[name]) for name in FILES})


def load_evidence(folder: Path) -> dict[str, pd.DataFrame]:
    """The tables of an evidence folder, once its manifest vouches for every file."""
    verify_folder(folder)
    return {name: pd.read_parquet(Path(folder) / f"{name}.parquet") for name in FILES}


def exemplar_table(exemplars: pd.DataFrame, *, width: int = 300) -> pd.DataFrame:
    """Exemplars as the report's tables show them: cited as ``DOC_ID ¶N``, the text cut after ``width`` characters."""
    cited = exemplars["doc_id"].astype(str) + " \u00b6" + exemplars["paragraph"].astype(str)
    table = exemplars.drop(columns=["unit_id", "doc_id", "paragraph", "text"])
    position = table.columns.get_loc("rank") + 1
    table.insert(position, "cited_as", cited)
    return table.assign(text=[excerpt(text, width) for text in exemplars["text"]])
