"""Validating frame models as content analysts validate a coding instrument.

Grouped cross-validation (no document in both train and test), per-frame
precision/recall/F1, macro-F1, primary accuracy, calibration (Brier score and
reliability curve), and an out-of-domain check on FrAC that is reported and
never tuned on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from tqdm import tqdm

from analysis.framing.codebook import FRAMES
from analysis.framing.models import FrameModel, label_matrix, primary_frames

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
    for train, test in tqdm(list(splitter.split(texts, groups=groups)), desc="cv folds", disable=None if progress else True):
        assert not set(groups[train]) & set(groups[test]), "a document is on both sides of a fold"
        model = make().fit(texts[train].tolist(), labels.iloc[train], groups=groups[train].tolist())
        scores[test] = model.predict_proba(texts[test].tolist())
        present[test] = scores[test] >= model.threshold_
    return scores, present


def frame_metrics(truth: np.ndarray, present: np.ndarray, scores: np.ndarray | None = None) -> pd.DataFrame:
    """Per-frame precision, recall, F1, support (and Brier score when scores are given), plus the macro row."""
    rows = []
    for f, frame in enumerate(FRAMES):
        precision, recall, f1, _ = precision_recall_fscore_support(truth[:, f], present[:, f], average="binary", zero_division=0)
        row = {"frame": frame, "precision": precision, "recall": recall, "f1": f1, "support": int(truth[:, f].sum())}
        if scores is not None:
            row["brier"] = brier_score_loss(truth[:, f], scores[:, f])
        rows.append(row)
    table = pd.DataFrame(rows)
    macro = {"frame": "macro", **table.drop(columns=["frame", "support"]).mean().to_dict(), "support": int(truth.sum())}
    return pd.concat([table, pd.DataFrame([macro])], ignore_index=True)


def primary_accuracy(primary_truth: Sequence[str], scores: np.ndarray, present: np.ndarray) -> float:
    return float(np.mean(primary_frames(scores, present) == np.asarray(list(primary_truth))))


def reliability_curve(truth: np.ndarray, scores: np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability against observed frequency in equal-width bins, per frame."""
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for f, frame in enumerate(FRAMES):
        which = np.clip(np.digitize(scores[:, f], edges[1:-1]), 0, bins - 1)
        for b in range(bins):
            inside = which == b
            if inside.any():
                rows.append({"frame": frame, "bin": b, "mean_predicted": float(scores[inside, f].mean()),
                             "observed": float(truth[inside, f].mean()), "units": int(inside.sum())})
    return pd.DataFrame(rows)


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
           "evaluate_predictions", "FRAC_FRAMES"]
