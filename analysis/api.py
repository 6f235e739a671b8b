"""The public Python API: a corpus's paragraph units, frames, topics and effects as pandas objects, and studies.

Everything here is also a command (``python -m analysis ...``); these are the few lines a notebook needs::

    from analysis import load_units, load_frame_model, apply_frames, fit_topics, apply_topics, estimate_effects
    units = load_units("speeches.csv", map={"text": "body", "date": "delivered", "speaker": "country"},
                       query=r"(?i)\\bkorea", years=(1990, 2020))
    frames = apply_frames(units)                       # the project's trained frame model, unchanged
    model = fit_topics(units, backend="nmf", k=8)      # never on held-out units
    topics = apply_topics(model, units)
    effects = estimate_effects(frames, speakers=["JPN", "KOR"], baseline="JPN", earlier=(1990, 2005), later=(2006, 2020))
    frame_exemplars(frames, units)                     # each frame's most typical paragraphs, one per document
    topic_exemplars(topics, units, by=["speaker"])     # each topic's, per speaker

The API sits on top of the stages (like the command line) and adds no logic of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.corpus.manifest import Manifest, load_manifest
from analysis.corpus.readers import open_corpus
from analysis.corpus.sources import file_manifest
from analysis.corpus.subcorpus import SubcorpusSpec
from analysis.corpus.units import SegmentOptions, iter_units
from analysis.framing import DEFAULT_KIND
from analysis.framing.models import FrameModel, load_model
from analysis.framing.pipeline import apply_model, frame_exemplars
from analysis.report.study import Study, load_study, run_study
from analysis.topics.models import TopicModel
from analysis.topics.pipeline import apply_topic_model, fit_topic_model, topic_exemplars

__all__ = ["DEFAULT_FRAME_MODEL", "Effects", "Study", "apply_frames", "apply_topics", "corpus_manifest",
           "estimate_effects", "fit_topics", "frame_exemplars", "load_frame_model", "load_study", "load_units",
           "run_study", "topic_exemplars"]

#: Where ``make models`` puts the default frame model (trained once from the project's annotations).
DEFAULT_FRAME_MODEL = Path("artifacts/models/frames") / DEFAULT_KIND


def corpus_manifest(source: str | Path, *, map: dict[str, str] | None = None, format: str | None = None,
                    options: dict[str, str] | None = None, language: str | None = None) -> Manifest:
    """A named corpus (``"ungdc"``, see ``corpus list``) or a file of one's own with its field mapping."""
    if map is None and format is None and not Path(source).exists():
        return load_manifest(str(source))
    return file_manifest(Path(source), fmt=format, fields=map or {}, options=options or {}, language=language)


def load_units(source: str | Path | Manifest, *, map: dict[str, str] | None = None, format: str | None = None,
               options: dict[str, str] | None = None, query: str | None = None, years: tuple[int, int] | None = None,
               speakers: list[str] | None = None) -> pd.DataFrame:
    """The paragraph units (one row each: ``unit_id``, ``doc_id``, ``text``, ``speaker``, ``year``, ``heldout`` ...)
    of a corpus, optionally only those matching ``query`` (a regular expression), of ``years`` and ``speakers``."""
    manifest = source if isinstance(source, Manifest) else corpus_manifest(source, map=map, format=format, options=options)
    spec = SubcorpusSpec(name="units", corpus=manifest.name, query=query, speakers=tuple(speakers or ()), years=years)
    pattern = re.compile(query) if query else None
    documents = (document for document in open_corpus(manifest) if spec.accepts(document))
    rows = [row for row in iter_units(documents, SegmentOptions(**manifest.units))
            if pattern is None or pattern.search(row["text"])]
    return pd.DataFrame(rows)


def load_frame_model(folder: str | Path = DEFAULT_FRAME_MODEL) -> FrameModel:
    """A trained frame model (``make models``); it is verified against its manifest as it loads."""
    return load_model(Path(folder))


def apply_frames(units: pd.DataFrame, model: FrameModel | str | Path = DEFAULT_FRAME_MODEL) -> pd.DataFrame:
    """Each unit's frame probabilities, presence and primary frame, beside its ids, speaker and year."""
    return apply_model(model if isinstance(model, FrameModel) else load_frame_model(model), units)


def fit_topics(units: pd.DataFrame, *, backend: str = "nmf", k: int = 10, seed: int = 0) -> TopicModel:
    """A topic model (``lda``, ``nmf`` or ``bertopic``) fitted on the units' text; held-out units are refused."""
    return fit_topic_model(units, backend=backend, n_topics=k, seed=seed)


def apply_topics(model: TopicModel, units: pd.DataFrame) -> pd.DataFrame:
    """Each unit's dominant topic and topic shares (``topic_0`` ...), beside its ids, speaker and year."""
    return apply_topic_model(model, units)


@dataclass(frozen=True)
class Effects:
    """The prevalence regression's tidy tables (see ``python -m analysis effects``)."""

    coefficients: pd.DataFrame
    expected: pd.DataFrame
    contrasts: pd.DataFrame


def estimate_effects(frames: pd.DataFrame, *, speakers: list[str], baseline: str, earlier: tuple[int, int],
                     later: tuple[int, int], knots: int = 4, seed: int = 0) -> Effects:
    """Frame prevalence regressed on year (a cubic spline) and speaker, with measurement uncertainty."""
    from analysis.effects import PrevalenceRegression, frame_outcomes
    from analysis.framing.codebook import FRAMES

    chosen = frames[frames["speaker"].isin(speakers)].reset_index(drop=True)
    model = PrevalenceRegression(year="spline", knots=knots, baseline=baseline, seed=seed).fit(
        chosen, frame_outcomes(chosen[list(FRAMES)]))
    return Effects(model.coefficients(), model.expected(), model.contrast(later=later, earlier=earlier))
