"""Does tomotopy earn a place among the topic backends? Its LDA beside gensim's and our NMF, side by side.

    .venv/bin/pip install '.[tomotopy]'
    .venv/bin/python benchmarks/tomotopy_check.py            # BBC News, K = 10, 30, 50, seed 0

The same plain preprocessing and the same metrics as ``benchmarks/topics.py``
(NPMI of the top 10 words against one count of the reference windows,
diversity of the top 25, NMI of the dominant topic); tomotopy runs with
``workers=1``, the only setting in which it is deterministic for a seed, and
its topic words are ranked by weight (its default) and by the same
exclusivity ranking as our NMF. Results go to ``reports/benchmarks/tomotopy.csv``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from topics import CONFIGURATIONS, PLAIN, load_benchmark_corpus

from analysis.preprocess import Preprocessor
from analysis.topics.metrics import Reference, evaluate_topics
from analysis.topics.models import make_topic_model, rank_top_words
from analysis.topics.result import TopicResult


def tomotopy_lda(tokens: list[list[str]], vocabulary: list[str], *, k: int, seed: int, iterations: int,
                 exclusivity: float) -> tuple[TopicResult, float]:
    import tomotopy

    started = time.process_time()
    model = tomotopy.LDAModel(k=k, seed=seed)
    kept = [i for i, document in enumerate(tokens) if document]
    for i in kept:
        model.add_doc(tokens[i])
    model.train(iterations, workers=1)
    seconds = time.process_time() - started
    index = {word: i for i, word in enumerate(model.used_vocabs)}
    weights = np.zeros((k, len(vocabulary)))
    for topic in range(k):
        distribution = model.get_topic_word_dist(topic)
        for j, word in enumerate(vocabulary):
            weights[topic, j] = distribution[index[word]] if word in index else 0.0
    doc_topic = np.zeros((len(tokens), k))
    doc_topic[kept] = np.array([document.get_topic_dist() for document in model.docs])
    return TopicResult(topics=rank_top_words(weights, vocabulary, exclusivity=exclusivity), doc_topic=doc_topic), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="bbc")
    parser.add_argument("--ks", nargs="+", type=int, default=[10, 30, 50])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=1000, help="Gibbs sweeps (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("reports/benchmarks/tomotopy.csv"))
    args = parser.parse_args()

    texts, labels = load_benchmark_corpus(args.corpus)
    preprocessor = Preprocessor(config=PLAIN).fit(texts)
    tokens = preprocessor.transform(texts)
    results = {}
    for k in args.ks:
        for exclusivity in (0.0, 0.5):
            results[(f"tomotopy-lda (exclusivity {exclusivity})", k)] = tomotopy_lda(
                tokens, preprocessor.vocabulary_, k=k, seed=args.seed, iterations=args.iterations, exclusivity=exclusivity)
        for name in ("lda-reference", "lda-ours", "nmf-ours"):
            backend, params = CONFIGURATIONS[name]
            started = time.process_time()
            model = make_topic_model(backend, n_topics=k, seed=args.seed, preprocess=PLAIN, **params).fit(texts)
            results[(name, k)] = (model.result(), time.process_time() - started)
    reference = Reference(tokens)
    reference.prepare([topic for result, _ in results.values() for topic in result.top_words(10)], measures=("c_npmi",))
    rows = []
    for (name, k), (result, seconds) in results.items():
        metrics = evaluate_topics(result, reference, labels=labels, measures=("c_npmi",))
        rows.append({"corpus": args.corpus, "configuration": name, "k": k, "npmi": metrics["npmi"],
                     "diversity": metrics["diversity"], "nmi": metrics["nmi"], "fit_cpu_seconds": seconds})
    table = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4f")
    summary = table.groupby("configuration")[["npmi", "diversity", "nmi", "fit_cpu_seconds"]].mean()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
