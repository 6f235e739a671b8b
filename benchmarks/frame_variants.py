"""Frame-model variants the default was compared against, in the same grouped 5-fold CV, side by side.

    .venv/bin/python benchmarks/frame_variants.py [--out benchmarks/results/frame_variants.csv]

Every variant is scored on the project's gold annotations (``training_set``: never a held-out unit) with the
folds ``frames evaluate`` uses (grouped by document, seed 0), so the rows differ only in the model:

``combined``            the default: TF-IDF beside the paragraph's MiniLM embedding (C = 1)
``combined C=10``       weaker regularisation
``combined + sentence max``  plus the element-wise maximum of the paragraph's sentence embeddings: a frame
                        that lives in one sentence of a long paragraph still shows
``tfidf + sentence max``     the sentence maximum in place of the paragraph embedding
``combined + zeroshot + lexicon``  plus the codebook-similarity and seed-term features (kind ``combined-codebook``)

Sentences come from a plain splitter (end punctuation, then a capital or digit). The table is written with the
commit, the machine and the wall time of each row.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.embeddings import embed
from analysis.framing.evaluate import cross_validated_scores, evaluate_predictions
from analysis.framing.models import CombinedCodebookModel, CombinedModel, TfidfModel
from analysis.framing.pipeline import training_set

SENTENCE_END = re.compile(r'(?<=[.!?])["”’)]?\s+(?=["“(]?[A-Z0-9])')


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()] or [text]


class SentenceMaximum:
    """The element-wise maximum of each text's sentence embeddings (embedded once, through the shared cache)."""

    def __init__(self, texts):
        self.split = {text: sentences(text) for text in texts}
        unique = sorted({sentence for parts in self.split.values() for sentence in parts})
        self.row = {sentence: i for i, sentence in enumerate(unique)}
        self.vectors = embed(unique, progress=False)

    def __call__(self, texts):
        return np.vstack([self.vectors[[self.row[s] for s in self.split[text]]].max(axis=0) for text in texts])


def variants(sentence_maximum: SentenceMaximum) -> dict:
    class CombinedSentenceMaximum(CombinedModel):
        def _features(self, texts):
            return np.hstack([super()._features(texts), sentence_maximum(texts)])

    class TfidfSentenceMaximum(CombinedModel):
        def _features(self, texts):
            return np.hstack([TfidfModel._features(self, texts), sentence_maximum(texts)])

    return {"combined": lambda: CombinedModel(seed=0), "combined C=10": lambda: CombinedModel(seed=0, C=10.0),
            "combined + sentence max": lambda: CombinedSentenceMaximum(seed=0),
            "tfidf + sentence max": lambda: TfidfSentenceMaximum(seed=0),
            "combined + zeroshot + lexicon": lambda: CombinedCodebookModel(seed=0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subcorpora", type=Path, default=Path("artifacts/subcorpora"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/frame_variants.csv"))
    args = parser.parse_args()
    units = training_set(args.subcorpora)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = []
    for name, make in variants(SentenceMaximum(units["text"].tolist())).items():
        started = time.perf_counter()
        scores, present = cross_validated_scores(make, units["text"].tolist(), units, units["doc_id"].tolist(),
                                                 folds=5, seed=0, progress=False)
        evaluation = evaluate_predictions(units, scores, present)
        table = evaluation["per_frame"].set_index("frame")
        rows.append({"variant": name, "units": len(units), "macro_f1": table.loc["macro", "f1"],
                     **{f"{frame}_f1": table.loc[frame, "f1"] for frame in ("security", "trade", "history")},
                     "history_precision": table.loc["history", "precision"], "history_recall": table.loc["history", "recall"],
                     "primary_accuracy": evaluation["primary_accuracy"], "seconds": time.perf_counter() - started,
                     "commit": commit, "machine": f"{platform.machine()}, {os.cpu_count()} cores"})
        print(pd.DataFrame(rows[-1:]).to_string(index=False, float_format=lambda v: f"{v:.3f}"), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.out, index=False, float_format="%.4f")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
