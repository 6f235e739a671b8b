"""The topics stage: fit a backend on a subcorpus (never its held-out units), card it, apply it elsewhere."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.corpus.exemplars import ExemplarError, exemplars_of
from analysis.corpus.heldout import require_no_heldout, training_entry_point
from analysis.persist import package_versions, write_json
from analysis.topics.models import TOPIC_PACKAGES, Preprocessed, TopicModel, make_topic_model, preprocess_documents


@training_entry_point
def fit_topic_model(units: pd.DataFrame, *, backend: str, n_topics: int, seed: int, embeddings=None,
                    preprocessed: Preprocessed | None = None, **params) -> TopicModel:
    """Fit one backend on the units' text (held-out units are refused); see :meth:`TopicModel.fit`."""
    return make_topic_model(backend, n_topics=n_topics, seed=seed, **params).fit(
        units["text"].tolist(), embeddings=embeddings, preprocessed=preprocessed)


def select_k(units: pd.DataFrame, *, backend: str, ks: list[int], seeds: list[int], **params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit the backend for every K and seed; return each run's metrics and their mean and sd per K.

    Coherence is measured against the units' own preprocessed tokens, whose
    windows are counted once for the words of all the runs.
    """
    from analysis.progress import progress
    from analysis.topics.metrics import Reference, evaluate_topics

    require_no_heldout(units, purpose="select_k")  # before the shared preprocessing learns from them
    texts = units["text"].tolist()
    model = make_topic_model(backend, **params)  # the preprocessing config and whether the backend embeds
    preprocessed = preprocess_documents(model.preprocess, texts)
    embeddings = None
    if backend == "bertopic":
        from analysis.embeddings import embed

        embeddings = embed(texts)
    fitted = []
    for k, seed in progress([(k, s) for k in ks for s in seeds], desc=f"{backend} K x seed", unit="fit"):
        model = fit_topic_model(units, backend=backend, n_topics=k, seed=seed, embeddings=embeddings,
                                preprocessed=preprocessed, **params)
        fitted.append((k, seed, model.result()))
    reference = Reference(preprocessed.tokens)
    reference.prepare([topic for _, _, result in fitted for topic in result.top_words(10)])
    rows = []
    for k, seed, result in fitted:
        metrics = evaluate_topics(result, reference)
        rows.append({"k": k, "seed": seed, "npmi": metrics["npmi"], "c_v": metrics["c_v"],
                     "diversity": metrics["diversity"], "topics": metrics["n_topics"]})
    runs = pd.DataFrame(rows)
    summary = runs.groupby("k")[["npmi", "c_v", "diversity"]].agg(["mean", "std"])
    summary.columns = [f"{metric}_{'sd' if stat == 'std' else stat}" for metric, stat in summary.columns]
    return runs, summary.reset_index()


def apply_topic_model(model: TopicModel, units: pd.DataFrame) -> pd.DataFrame:
    """Each unit's ids, speaker, year, held-out flag, dominant topic and topic shares (``topic_0`` ...)."""
    from analysis.topics.result import TopicResult, topic_column

    doc_topic = model.transform(units["text"].tolist())
    table = units[["unit_id", "doc_id", "speaker", "year", "heldout"]].reset_index(drop=True).copy()
    table["dominant_topic"] = TopicResult(topics=model.topics_, doc_topic=doc_topic).dominant_topic()
    shares = pd.DataFrame(doc_topic, columns=[topic_column(t) for t in range(doc_topic.shape[1])])
    return pd.concat([table, shares], axis=1)


def topic_exemplars(doc_topic: pd.DataFrame, units: pd.DataFrame, *, topics=None, n: int = 5, by=(),
                    per_document: int = 1) -> pd.DataFrame:
    """Each topic's most typical units (highest share, at most ``per_document`` from one document), per group of
    ``by``: the long table of :func:`analysis.corpus.exemplars.exemplars_of`, first column ``topic``.

    ``doc_topic`` is the table of :func:`apply_topic_model` (``topics apply``'s ``doc_topic.parquet``), ``units``
    the subcorpus it was computed on; ``topics`` (default: all) are topic numbers.
    """
    from analysis.topics.result import topic_column

    count = doc_topic.columns.str.fullmatch(r"topic_\d+").sum()
    chosen = range(count) if topics is None else list(topics)
    unknown = [topic for topic in chosen if not 0 <= topic < count]
    if unknown:
        raise ExemplarError(f"unknown topic(s) {unknown}: the model has topics 0 to {count - 1}")
    return exemplars_of(doc_topic, units, {topic: topic_column(topic) for topic in chosen}, name="topic", n=n, by=by,
                        per_document=per_document)


def prevalence(units: pd.DataFrame, doc_topic, *, by: str) -> pd.DataFrame:
    """Tidy topic prevalence: the mean topic share of the units in each group of ``by`` (e.g. year, speaker)."""
    shares = pd.DataFrame(doc_topic, columns=range(doc_topic.shape[1]))
    shares[by] = units[by].to_numpy()
    table = shares.groupby(by).mean().stack().rename("prevalence").reset_index().rename(columns={"level_1": "topic"})
    table["units"] = table[by].map(units[by].value_counts())
    return table.sort_values([by, "topic"]).reset_index(drop=True)


def write_model_card(model: TopicModel, folder: Path, *, subcorpus: str, subcorpus_manifest: dict, metrics: dict) -> Path:
    card = {
        "backend": model.backend,
        "n_topics": model.n_topics,
        "seed": model.seed,
        "parameters": model.backend_params(),
        "preprocessing": {"config": model.preprocess.to_dict(), "steps": model.preprocessor_.steps_},
        "corpus": {"subcorpus": subcorpus, "input_sha256": subcorpus_manifest["inputs"]["sha256"],
                   "units_manifest": subcorpus_manifest["config"]},
        "metrics": metrics,
        "versions": package_versions(TOPIC_PACKAGES),
    }
    return write_json(Path(folder) / "model_card.json", card, default=str)
