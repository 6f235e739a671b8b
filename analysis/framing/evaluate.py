"""Validating frame models as content analysts validate a coding instrument.

Grouped cross-validation (no document in both train and test), per-frame
precision/recall/F1, macro-F1, primary accuracy, calibration (Brier score and
reliability curve), transfer to a source the model never saw (leave one source
out), and an out-of-domain check on FrAC that is reported and never tuned on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from analysis.progress import progress as progress_bar

from analysis.corpus.heldout import training_entry_point
from analysis.framing.codebook import FRAMES
from analysis.framing.models import FrameModel, label_matrix, primary_frames

log = logging.getLogger(__name__)

#: FrAC's Media Frames Corpus categories that correspond to our frames (history has none).
FRAC_FRAMES = {"Economic": "trade", "Security and defense": "security"}


def cross_validated_scores(make: Callable[[], FrameModel], texts: Sequence[str], labels: pd.DataFrame,
                           groups: Sequence[str], *, folds: int = 5, seed: int = 0,
                           progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and the thresholds each fold's model chose, from grouped k-fold CV.

    Returns
    -------
    scores
        (n, 3) probability of each frame for every unit, from the model that did not see its document.
    present
        (n, 3) boolean: the frame passed the threshold of that fold's model.
    """
    texts = np.asarray(list(texts), dtype=object)
    groups = np.asarray(list(groups))
    scores = np.zeros((len(texts), len(FRAMES)))
    present = np.zeros((len(texts), len(FRAMES)), dtype=bool)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in progress_bar(list(splitter.split(texts, groups=groups)), desc="cv folds", unit="fold", enabled=progress):
        if set(groups[train]) & set(groups[test]):
            raise RuntimeError("grouped cross-validation put a document on both sides of a fold")
        model = make().fit(texts[train].tolist(), labels.iloc[train], groups=groups[train].tolist())
        scores[test] = model.predict_proba(texts[test].tolist())
        present[test] = scores[test] >= model.threshold_
    return scores, present


def frame_metrics(truth: np.ndarray, present: np.ndarray, scores: np.ndarray | None = None) -> pd.DataFrame:
    """Per-frame precision, recall, F1, support (and Brier score and ECE when scores are given), plus the macro row."""
    rows = []
    for f, frame in enumerate(FRAMES):
        precision, recall, f1, _ = precision_recall_fscore_support(truth[:, f], present[:, f], average="binary", zero_division=0)
        row = {"frame": frame, "precision": precision, "recall": recall, "f1": f1, "support": int(truth[:, f].sum())}
        if scores is not None:
            row["brier"] = brier_score_loss(truth[:, f], scores[:, f])
            row["ece"] = expected_calibration_error(truth[:, f], scores[:, f])
        rows.append(row)
    table = pd.DataFrame(rows)
    macro = {"frame": "macro", **table.drop(columns=["frame", "support"]).mean().to_dict(), "support": int(truth.sum())}
    return pd.concat([table, pd.DataFrame([macro])], ignore_index=True)


def primary_accuracy(primary_truth: Sequence[str], scores: np.ndarray, present: np.ndarray) -> float:
    return float(np.mean(primary_frames(scores, present) == np.asarray(list(primary_truth))))


def reliability_curve(truth: np.ndarray, scores: np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability against observed frequency in equal-width bins, per frame."""
    rows = []
    for f, frame in enumerate(FRAMES):
        which = probability_bins(scores[:, f], bins)
        for b in range(bins):
            inside = which == b
            if inside.any():
                rows.append({"frame": frame, "bin": b, "mean_predicted": float(scores[inside, f].mean()),
                             "observed": float(truth[inside, f].mean()), "units": int(inside.sum())})
    return pd.DataFrame(rows)


def probability_bins(scores: np.ndarray, bins: int) -> np.ndarray:
    """Each probability's equal-width bin, 0 to ``bins - 1`` (1.0 falls in the last)."""
    return np.clip(np.digitize(scores, np.linspace(0, 1, bins + 1)[1:-1]), 0, bins - 1)


def expected_calibration_error(truth: np.ndarray, scores: np.ndarray, *, bins: int = 10) -> float:
    """The units-weighted mean gap between predicted probability and observed share over equal-width bins."""
    which = probability_bins(scores, bins)
    gaps = [abs(scores[which == b].mean() - truth[which == b].mean()) * (which == b).sum()
            for b in range(bins) if (which == b).any()]
    return float(np.sum(gaps) / len(scores))


def unit_sources(units: pd.DataFrame) -> pd.Series:
    """Each unit's source (``UNGDC``, ``KCNA`` or ``news``), from the subcorpus it was drawn from."""
    return units["subcorpus"].map(lambda name: "UNGDC" if name.startswith("ungdc") else "KCNA" if name.startswith("kcna") else "news")


def unit_decades(units: pd.DataFrame) -> pd.Series:
    """Each unit's decade as ``1980s``, or ``undated``."""
    years = pd.to_numeric(units["year"], errors="coerce")
    return years.map(lambda year: "undated" if pd.isna(year) else f"{int(year) // 10 * 10}s")


#: Leave-one-source-out: train on the first sources, test on the last, the units of one source never on both sides.
TRANSFER_SPLITS = ((("UNGDC",), "KCNA"), (("KCNA",), "UNGDC"), (("UNGDC",), "news"),
                   (("UNGDC", "KCNA"), "news"), (("KCNA", "news"), "UNGDC"), (("UNGDC", "news"), "KCNA"))


@training_entry_point
def transfer_metrics(units: pd.DataFrame, make: Callable[[], FrameModel], *, splits=TRANSFER_SPLITS) -> pd.DataFrame:
    """How a model carries to a source it never saw: F1 per frame and history precision/recall for each split.

    A split naming a source without units (a smoke build without news) is skipped and counted in the log.
    """
    sources = unit_sources(units).to_numpy()
    truth = label_matrix(units)
    texts = units["text"].to_numpy(dtype=object)
    rows, skipped = [], []
    for train_sources, test_source in splits:
        train, test = np.isin(sources, train_sources), sources == test_source
        name = f"{'+'.join(train_sources)} -> {test_source}"
        if not all((sources == source).any() for source in (*train_sources, test_source)):
            skipped.append(name)
            continue
        model = make().fit(texts[train].tolist(), units[train], groups=units["doc_id"][train].tolist())
        scores = model.predict_proba(texts[test].tolist())
        metrics = frame_metrics(truth[test], scores >= model.threshold_).set_index("frame")
        rows.append({"train": "+".join(train_sources), "test": test_source, "train_units": int(train.sum()),
                     "test_units": int(test.sum()), "macro_f1": metrics.loc["macro", "f1"],
                     **{f"{frame}_f1": metrics.loc[frame, "f1"] for frame in FRAMES},
                     "history_precision": metrics.loc["history", "precision"],
                     "history_recall": metrics.loc["history", "recall"]})
    if skipped:
        log.warning("transfer: %d of %d splits skipped, a side has no units: %s", len(skipped), len(splits), "; ".join(skipped))
    return pd.DataFrame(rows)


#: Words shown as the cues errors share: letters only, no stopwords, in at least this share of the errors (and 3).
CUE_MIN_SHARE = 0.05


def error_analysis(units: pd.DataFrame, scores: np.ndarray, present: np.ndarray, *, cues: int = 8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-fold errors per frame by source and decade, and the cue words each kind of error shares.

    Returns ``(errors, cue_words)``. ``errors`` has one row per frame, source and decade (and an ``all``
    row per frame and source): units, annotated positives, true and false positives, false negatives,
    precision and recall. ``cue_words`` lists, per frame and error kind (``false positive``, ``false
    negative``), the words most over-represented in those errors against the units the model got right
    for that frame (smoothed log-odds of document frequency), with how many errors contain them.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    truth = label_matrix(units)
    table = pd.DataFrame({"source": unit_sources(units).to_numpy(), "decade": unit_decades(units).to_numpy()})
    rows = []
    for f, frame in enumerate(FRAMES):
        outcome = table.assign(positive=truth[:, f], tp=truth[:, f] & present[:, f], fp=~truth[:, f] & present[:, f],
                               fn=truth[:, f] & ~present[:, f])
        for keys, group in pd.concat([outcome, outcome.assign(decade="all")]).groupby(["source", "decade"]):
            tp, fp, fn = int(group["tp"].sum()), int(group["fp"].sum()), int(group["fn"].sum())
            rows.append({"frame": frame, "source": keys[0], "decade": keys[1], "units": len(group),
                         "positives": int(group["positive"].sum()), "true_positives": tp, "false_positives": fp,
                         "false_negatives": fn, "precision": tp / (tp + fp) if tp + fp else np.nan,
                         "recall": tp / (tp + fn) if tp + fn else np.nan})
    errors = pd.DataFrame(rows).sort_values(["frame", "source", "decade"], key=lambda c: c.map(_sort_key)).reset_index(drop=True)

    vectorizer = CountVectorizer(stop_words="english", binary=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b")
    counts = vectorizer.fit_transform(units["text"].tolist()).tocsc()
    vocabulary = vectorizer.get_feature_names_out()
    cue_rows = []
    for f, frame in enumerate(FRAMES):
        correct = truth[:, f] == present[:, f]
        for kind, wrong in (("false positive", ~truth[:, f] & present[:, f]), ("false negative", truth[:, f] & ~present[:, f])):
            if not wrong.any():
                continue
            in_errors = np.asarray(counts[wrong].sum(axis=0)).ravel()
            in_correct = np.asarray(counts[correct].sum(axis=0)).ravel()
            log_odds = np.log((in_errors + 0.5) / (wrong.sum() + 1)) - np.log((in_correct + 0.5) / (correct.sum() + 1))
            log_odds[in_errors < max(3, CUE_MIN_SHARE * wrong.sum())] = -np.inf
            for rank, i in enumerate(np.argsort(-log_odds, kind="stable")[:cues], start=1):
                if np.isfinite(log_odds[i]):
                    cue_rows.append({"frame": frame, "error": kind, "rank": rank, "word": vocabulary[i],
                                     "errors_with_word": int(in_errors[i]), "errors": int(wrong.sum()),
                                     "share_of_correct_with_word": in_correct[i] / correct.sum(),
                                     "log_odds": float(log_odds[i])})
    return errors, pd.DataFrame(cue_rows)


def _sort_key(value):
    """Sort ``all`` after the decades and ``undated``; frames in codebook order."""
    return {"all": "~", **{frame: str(i) for i, frame in enumerate(FRAMES)}}.get(value, value)


def frac_check(model: FrameModel, frac: pd.DataFrame) -> pd.DataFrame:
    """Out-of-domain check on FrAC sentences: Economic -> trade, Security and defense -> security.

    Every sentence is scored; a sentence is a positive for a frame when its FrAC
    label maps to it. History has no FrAC counterpart and is not scored.
    """
    scores = model.predict_proba(frac["text"].tolist())
    present = scores >= model.threshold_
    rows = []
    for label, frame in FRAC_FRAMES.items():
        f = FRAMES.index(frame)
        truth = (frac["label"] == label).to_numpy()
        precision, recall, f1, _ = precision_recall_fscore_support(truth, present[:, f], average="binary", zero_division=0)
        rows.append({"frame": frame, "frac_label": label, "precision": precision, "recall": recall, "f1": f1,
                     "support": int(truth.sum()), "sentences": len(frac)})
    return pd.DataFrame(rows)


def evaluate_predictions(labels: pd.DataFrame, scores: np.ndarray, present: np.ndarray) -> dict:
    truth = label_matrix(labels)
    return {
        "per_frame": frame_metrics(truth, present, scores),
        "primary_accuracy": primary_accuracy(labels["primary"], scores, present),
        "reliability": reliability_curve(truth, scores),
    }


__all__ = ["cross_validated_scores", "frame_metrics", "primary_accuracy", "reliability_curve", "frac_check",
           "evaluate_predictions", "error_analysis", "expected_calibration_error", "unit_sources", "unit_decades",
           "FRAC_FRAMES"]
