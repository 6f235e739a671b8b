"""Every topic backend and anchor on the study corpus (``ungdc-japan-korea``, training units, K = 10), one table.

    .venv/bin/python benchmarks/study_topics.py        # needs the built subcorpus and `make setup-anchors`

The backends fit the study's own preprocessing (the package default: domain
stopwords, phrases such as ``north_korea``); the anchors (turftopic KeyNMF and
S³, see ``benchmarks/topics.py``) the same tokens and the same cached MiniLM
vectors. BERTopic is fitted at the package default (``bertopic``: k-means
on the UMAP projection, exclusive word ranking), at its library settings
(``bertopic-hdbscan``) and at larger minimum cluster sizes, with and without
outlier reduction: the search for settings under which no topic is a
catch-all for ~6.5k short paragraphs. Every model is scored
against the same reference (the units' tokens): NPMI and C_V of the top 10
words, diversity of the top 25, the share of units left as outliers and the
share of units whose dominant topic is the largest topic. Written to
``reports/benchmarks/study_topics.csv`` with the corpus and commit; the report's
topics section shows the anchors' rows of the committed copy,
``benchmarks/results/study_topics.csv``, when its corpus and K are the study's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
from topics import fit_anchor

from analysis.corpus.heldout import training_units
from analysis.corpus.subcorpus import load_subcorpus
from analysis.embeddings import embed
from analysis.topics.metrics import Reference, evaluate_topics
from analysis.topics.models import make_topic_model, preprocess_documents
from analysis.topics.pipeline import fit_topic_model
from analysis.topics.result import TopicResult

#: BERTopic's own clustering and word ranking (the package default is k-means with exclusivity 0.5)
HDBSCAN = {"clustering": "hdbscan", "exclusivity": 0.0}

#: name -> (backend, parameters); the backends' defaults unless named
CONFIGURATIONS = {
    "lda": ("lda", {}),
    "nmf": ("nmf", {}),
    "nmf-shared-words": ("nmf", {"distinct_words": False}),
    # the default before issue 17 (sublinear TF-IDF, NNDSVD, words ranked by weight x exclusivity^0.5)
    "nmf-sublinear": ("nmf", {"init": "nndsvd", "sublinear_tf": True, "coverage": 0.0, "distinct_words": False}),
    "bertopic-hdbscan": ("bertopic", HDBSCAN),
    "bertopic-reduce-outliers": ("bertopic", {**HDBSCAN, "reduce_outliers": True}),
    "bertopic-mcs-50": ("bertopic", {**HDBSCAN, "min_cluster_size": 50}),
    "bertopic-mcs-50-reduce-outliers": ("bertopic", {**HDBSCAN, "min_cluster_size": 50, "reduce_outliers": True}),
    "bertopic-mcs-100-reduce-outliers": ("bertopic", {**HDBSCAN, "min_cluster_size": 100, "reduce_outliers": True}),
    "bertopic-kmeans": ("bertopic", {"clustering": "kmeans", "exclusivity": 0.0}),
    "bertopic": ("bertopic", {}),
    "bertopic-mcs-50-exclusive": ("bertopic", {**HDBSCAN, "min_cluster_size": 50, "exclusivity": 0.5}),
    "keynmf-reference": ("turftopic-keynmf", {}),
    "s3-reference": ("turftopic-s3", {}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="ungdc-japan-korea")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configurations", nargs="+", choices=sorted(CONFIGURATIONS), default=list(CONFIGURATIONS))
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    parser.add_argument("--out", type=Path, default=Path("reports/benchmarks/study_topics.csv"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    units, _ = load_subcorpus(args.corpus, args.artifacts / "subcorpora")
    training = training_units(units)
    texts = training["text"].tolist()
    preprocessed = preprocess_documents(make_topic_model("nmf").preprocess, texts)
    embeddings = embed(texts)
    reference = Reference(preprocessed.tokens)
    rows = []
    for name in args.configurations:
        backend, params = CONFIGURATIONS[name]
        cpu_started = time.process_time()
        if backend.startswith("turftopic"):
            topics, dominant = fit_anchor(backend, params, args.k, args.seed, preprocessed, embeddings)
            doc_topic = np.zeros((len(texts), len(topics)))
            doc_topic[np.arange(len(texts)), dominant] = 1.0
            result = TopicResult(topics=[[(word, 0.0) for word in topic] for topic in topics], doc_topic=doc_topic)
        else:
            result = fit_topic_model(training, backend=backend, n_topics=args.k, seed=args.seed, embeddings=embeddings,
                                     preprocessed=preprocessed, **params).result()
        cpu_seconds = time.process_time() - cpu_started
        metrics = evaluate_topics(result, reference)
        rows.append({"corpus": args.corpus, "configuration": name, "backend": backend, "k": args.k, "seed": args.seed,
                     "topics": metrics["n_topics"],
                     "npmi": metrics["npmi"], "c_v": metrics["c_v"], "diversity": metrics["diversity"],
                     "outlier_share": metrics["outlier_share"], "largest_topic_share": metrics["largest_topic_share"],
                     "fit_cpu_seconds": round(cpu_seconds, 1)})
        print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1, float_format=lambda v: f"{v:.3f}"), flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    table = pd.DataFrame(rows).assign(commit=commit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4f")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
