"""The framing stage: training set, training with a model card, evaluation, application, explanation.

Reads the corpus stage's subcorpora and the committed annotations; writes
model folders (json + npz + ``model_card.json``) and evaluation tables that
the report's notebooks draw from.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.corpus.exemplars import ExemplarError, exemplars_of
from analysis.corpus.heldout import training_entry_point
from analysis.corpus.subcorpus import load_spec, load_subcorpus
from analysis.embeddings import encoder_runtime
from analysis.framing.annotation import ANNOTATION_DIR, CODINGS, RECODINGS, attach_text, gold_annotations, reliability
from analysis.framing.codebook import FRAMES, load_codebook
from analysis.framing.evaluate import (cross_validated_scores, error_analysis, evaluate_predictions, frac_check,
                                      transfer_metrics, unit_sources)
from analysis.framing import DEFAULT_KIND, STANDARD_KINDS
from analysis.framing.models import FrameModel, frame_columns, label_matrix, make_model
from analysis.persist import atomic_path, package_versions, verify_folder, write_csv, write_json, write_manifest

log = logging.getLogger(__name__)

ANNOTATED_SUBCORPORA = ("ungdc-japan-korea", "kcna-japan-korea", "news-bbc-japan-korea", "news-reuters-japan-korea")
OUT_OF_FOLD = "cv_scores.npz"
MODEL_PACKAGES = FrameModel.packages


def training_set(subcorpus_dir: Path, annotation_dir: Path = ANNOTATION_DIR) -> pd.DataFrame:
    """Gold labels joined to their units' text (sha1-checked), from the annotated subcorpora.

    A subcorpus built for fewer years than its spec (``corpus build --years``,
    the report's smoke variant) lacks the annotated units of the other years:
    those are skipped, counted and logged. Otherwise a missing unit is an error.
    """
    loaded = [load_subcorpus(name, subcorpus_dir) for name in ANNOTATED_SUBCORPORA]
    units = pd.concat([frame.assign(subcorpus=name) for name, (frame, _) in zip(ANNOTATED_SUBCORPORA, loaded)],
                      ignore_index=True)
    annotations = gold_annotations(annotation_dir)
    restricted = [name for name, (_, manifest) in zip(ANNOTATED_SUBCORPORA, loaded)
                  if manifest["config"].get("years") != _as_list(load_spec(name).years)]
    if restricted:
        outside = ~annotations["unit_id"].isin(units["unit_id"])
        log.warning("%d of %d annotated units are outside the years built for %s: skipped",
                    int(outside.sum()), len(annotations), ", ".join(restricted))
        annotations = annotations[~outside]
    return attach_text(annotations, units, source=str(annotation_dir))


def _as_list(years: tuple[int, int] | None) -> list[int] | None:
    return list(years) if years else None


def labels_sha256(labels: pd.DataFrame) -> str:
    """A hash of the training labels (unit ids, sha1s, frames, primary), independent of row order."""
    canonical = labels.sort_values("unit_id")[["unit_id", "sha1", "frames", "primary"]].to_dict("records")
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


@training_entry_point
def train_frame_model(units: pd.DataFrame, *, kind: str, seed: int = 0) -> FrameModel:
    """Fit one frame model on labelled units (never held-out ones), grouping inner folds by document."""
    return make_model(kind, seed=seed).fit(units["text"].tolist(), units, groups=units["doc_id"].tolist())


@training_entry_point
def cross_validate_kind(units: pd.DataFrame, *, kind: str, seed: int = 0, folds: int = 5) -> dict:
    """Grouped k-fold CV of one model kind on labelled units: metrics and out-of-fold scores."""
    scores, present = cross_validated_scores(lambda: make_model(kind, seed=seed), units["text"].tolist(), units,
                                             units["doc_id"].tolist(), folds=folds, seed=seed)
    return {**evaluate_predictions(units, scores, present), "scores": scores, "present": present}


def train_and_card(units: pd.DataFrame, *, kind: str, out: Path, seed: int = 0) -> Path:
    """Train a model, cross-validate its kind, and save both with a model card (the manifest, written last, covers all)."""
    evaluation = cross_validate_kind(units, kind=kind, seed=seed)
    model = train_frame_model(units, kind=kind, seed=seed)
    folder = out / kind
    codebook = load_codebook()
    card = {
        "model": kind,
        "description": type(model).__doc__.strip().splitlines()[0],
        "training": {"units": len(units), "documents": int(units["doc_id"].nunique()),
                     "labels_sha256": labels_sha256(units),
                     "positives": {frame: int(units[frame].sum()) for frame in FRAMES},
                     "sources": unit_sources(units).value_counts().sort_index().to_dict()},
        "codebook": {"version": codebook.version, "sha256": codebook.sha256},
        "thresholds": dict(zip(FRAMES, map(float, model.threshold_))),
        "cross_validation": {"folds": 5, "grouped_by": "document", "seed": seed,
                             "per_frame": evaluation["per_frame"].round(4).to_dict("records"),
                             "primary_accuracy": round(evaluation["primary_accuracy"], 4)},
        "seed": seed,
        "encoder": encoder_runtime(),  # the runtime that made the training vectors (kinds that embed)
        "versions": package_versions(MODEL_PACKAGES),
    }
    write_json(folder / "model_card.json", card)
    with atomic_path(folder / OUT_OF_FOLD) as temporary:
        np.savez(temporary, scores=evaluation["scores"], present=evaluation["present"],
                 unit_id=units["unit_id"].to_numpy(dtype=str))
    return model.save(folder, inputs={"labels_sha256": card["training"]["labels_sha256"], "codebook": card["codebook"]},
                      counts={"units": len(units), "documents": card["training"]["documents"]})


def _cross_validation(units: pd.DataFrame, *, kind: str, seed: int, model_dir: Path | None) -> dict:
    """The CV of ``kind``: read from the trained model's folder when it was run on these very labels, else run now."""
    folder = model_dir / kind if model_dir else None
    if folder and (folder / OUT_OF_FOLD).exists():
        verify_folder(folder)
        card = json.loads((folder / "model_card.json").read_text())
        with np.load(folder / OUT_OF_FOLD, allow_pickle=False) as stored:
            same_units = stored["unit_id"].tolist() == units["unit_id"].tolist()
            if same_units and card["training"]["labels_sha256"] == labels_sha256(units) and card["seed"] == seed:
                scores, present = stored["scores"], stored["present"]
                return {**evaluate_predictions(units, scores, present), "scores": scores, "present": present}
    return cross_validate_kind(units, kind=kind, seed=seed)


def evaluate_all(units: pd.DataFrame, frac: pd.DataFrame, *, out: Path, kinds=STANDARD_KINDS, seed: int = 0,
                 model_dir: Path | None = None, transfer_kinds=(DEFAULT_KIND,)) -> pd.DataFrame:
    """The CV table for every model kind, reliability curves, the FrAC check, and leave-one-source-out transfer
    of ``transfer_kinds`` (six more fits each, so by default only the default model's); written to ``out``.

    A model in ``model_dir`` trained on the same labels with the same seed
    brings its out-of-fold scores (saved by :func:`train_and_card`), so its
    cross-validation is not run a second time.
    """
    from analysis.framing.models import load_model

    out.mkdir(parents=True, exist_ok=True)
    tables, curves, frac_rows, errors_tables, cue_tables, summary = [], [], [], [], [], {}
    for kind in kinds:
        evaluation = _cross_validation(units, kind=kind, seed=seed, model_dir=model_dir)
        tables.append(evaluation["per_frame"].assign(model=kind))
        curves.append(evaluation["reliability"].assign(model=kind))
        summary[kind] = {"macro_f1": float(evaluation["per_frame"].iloc[-1]["f1"]),
                         "primary_accuracy": evaluation["primary_accuracy"]}
        errors, cues = error_analysis(units, evaluation["scores"], evaluation["present"])
        errors_tables.append(errors.assign(model=kind))
        cue_tables.append(cues.assign(model=kind))
        with atomic_path(out / f"cv_scores_{kind}.npz") as temporary:
            np.savez(temporary, scores=evaluation["scores"], present=evaluation["present"], truth=label_matrix(units),
                     unit_id=units["unit_id"].to_numpy(dtype=str))
        model = load_model(model_dir / kind) if model_dir and (model_dir / kind).exists() else train_frame_model(units, kind=kind, seed=seed)
        frac_rows.append(frac_check(model, frac).assign(model=kind))
    table = pd.concat(tables, ignore_index=True)[["model", "frame", "precision", "recall", "f1", "brier", "ece", "support"]]
    transfer = [transfer_metrics(units, lambda kind=kind: make_model(kind, seed=seed)).assign(model=kind)
                for kind in transfer_kinds if kind in kinds]
    if transfer:
        write_csv(out / "transfer_metrics.csv", pd.concat(transfer, ignore_index=True), index=False, float_format="%.4f")
    write_csv(out / "errors_by_source_decade.csv", pd.concat(errors_tables, ignore_index=True), index=False, float_format="%.4f")
    write_csv(out / "error_cues.csv", pd.concat(cue_tables, ignore_index=True), index=False, float_format="%.4f")
    write_csv(out / "cv_metrics.csv", table, index=False, float_format="%.4f")
    write_csv(out / "reliability_curve.csv", pd.concat(curves, ignore_index=True), index=False, float_format="%.4f")
    write_csv(out / "frac_check.csv", pd.concat(frac_rows, ignore_index=True), index=False, float_format="%.4f")
    summary["agreement"] = reliability()
    summary["agreement_by_round"] = {name: reliability(rounds=(name,)) for name in (*CODINGS, *RECODINGS)}
    write_json(out / "summary.json", summary)
    write_manifest(out, stage="frames-evaluate", inputs={"labels_sha256": labels_sha256(units), "frac_units": len(frac),
                                                         "models": str(model_dir) if model_dir else None},
                   config={"kinds": list(kinds), "transfer_kinds": [k for k in transfer_kinds if k in kinds]},
                   counts={"units": len(units)}, seed=seed)
    return table


def frame_shares(predictions: pd.DataFrame) -> pd.DataFrame:
    """Document-level frame shares aggregated by speaker and year.

    A document's share of a frame is the mean probability of that frame over
    its units; the table averages documents within each speaker and year and
    counts documents and units.
    """
    per_document = predictions.groupby(["doc_id", "speaker", "year"], dropna=False)[list(FRAMES)].mean()
    per_document["units"] = predictions.groupby(["doc_id", "speaker", "year"], dropna=False).size()
    grouped = per_document.reset_index().groupby(["speaker", "year"], dropna=False)
    shares = grouped[list(FRAMES)].mean().add_prefix("share_")
    shares["documents"] = grouped.size()
    shares["units"] = grouped["units"].sum()
    return shares.reset_index().sort_values(["speaker", "year"]).reset_index(drop=True)


def apply_model(model: FrameModel, units: pd.DataFrame) -> pd.DataFrame:
    """Unit-level frame probabilities, frames present and primary frame."""
    scores = model.predict_proba(units["text"].tolist())
    predictions = units[["unit_id", "doc_id", "speaker", "year", "heldout"]].copy()
    for name, values in frame_columns(scores, model.threshold_).items():
        predictions[name] = values
    return predictions


def frame_exemplars(predictions: pd.DataFrame, units: pd.DataFrame, *, frames=FRAMES, n: int = 5, by=(),
                    per_document: int = 1) -> pd.DataFrame:
    """Each frame's most typical units (highest probability, at most ``per_document`` from one document), per
    group of ``by``: the long table of :func:`analysis.corpus.exemplars.exemplars_of`, first column ``frame``.

    ``predictions`` are the frames of :func:`apply_model` (``frames apply``'s ``unit_frames.parquet``),
    ``units`` the subcorpus they were computed on, which gives the paragraph numbers and texts.
    """
    unknown = sorted(set(frames) - set(FRAMES))
    if unknown:
        raise ExemplarError(f"unknown frame(s) {unknown}: the frames are {', '.join(FRAMES)}")
    return exemplars_of(predictions, units, {frame: frame for frame in frames}, name="frame", n=n, by=by,
                        per_document=per_document)


def explain(model: FrameModel, units: pd.DataFrame, *, terms: int = 15, exemplars: int = 3) -> dict:
    """Each frame's most telling terms and exemplar units, for any model kind.

    Terms are those whose document frequency differs most (smoothed log-odds)
    between units the model marks as using the frame and units it does not;
    exemplars are the units with the highest probability.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    scores = model.predict_proba(units["text"].tolist())
    vectorizer = CountVectorizer(stop_words="english", min_df=3, binary=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b")
    counts = vectorizer.fit_transform(units["text"])
    vocabulary = vectorizer.get_feature_names_out()
    result = {}
    for f, frame in enumerate(FRAMES):
        inside = scores[:, f] >= model.threshold_[f]
        with_frame = np.asarray(counts[inside].sum(axis=0)).ravel() + 0.5
        without = np.asarray(counts[~inside].sum(axis=0)).ravel() + 0.5
        log_odds = np.log(with_frame / (inside.sum() + 1)) - np.log(without / ((~inside).sum() + 1))
        top = np.argsort(-log_odds)[:terms]
        best = np.argsort(-scores[:, f])[:exemplars]
        result[frame] = {
            "units_marked": int(inside.sum()),
            "terms": [{"term": vocabulary[i], "log_odds": round(float(log_odds[i]), 3)} for i in top],
            "exemplars": [{"unit_id": units["unit_id"].iloc[i], "probability": round(float(scores[i, f]), 4),
                           "text": units["text"].iloc[i]} for i in best],
        }
    return result
