"""Topic backends side by side with the reference configurations, on 20 Newsgroups and BBC News.

    .venv/bin/python benchmarks/topics.py            # K in 10..50, 3 seeds, both corpora (hours on 2 cores)
    .venv/bin/python benchmarks/topics.py --quick    # BBC, K=10, one seed (minutes)

Every configuration fits the same preprocessing (regex tokens of 3+ letters,
English stopwords, document frequency >= 5, no phrases or lemmas: the
condition under which the reference numbers in the issue were measured) and is
scored by the same metrics (NPMI and diversity from ``analysis.topics.metrics``;
NMI of the dominant topic against the label). Every fit is checkpointed under
``artifacts/benchmarks/`` as it finishes (top words, dominant topics, wall and
CPU seconds: the CPU time of a fit does not grow when other jobs share the
machine, its wall time does), so an interrupted run resumes; scoring comes last, against one count of the
reference windows for all runs of a corpus. 20 Newsgroups is read without
headers (the corpus reader parses them into metadata), and quoted replies and
signatures are removed here, as in the BERTopic paper. Results are written to
``reports/benchmarks/topics.csv`` and summarised per configuration (mean over K
and seeds) beside the BERTopic paper's published table.

The anchors (``make setup-anchors``) are turftopic's KeyNMF and Semantic Signal
Separation (S³) and FASTopic at their packages' defaults. They get the
documents' cached MiniLM vectors, the same tokens and vocabulary (so their
topic words are scored like ours), and, where they embed words themselves
(KeyNMF's keywords, S³'s vocabulary), the same packaged encoder through the
same cache (:class:`CachedEncoder`): nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scale import machine

from analysis.corpus.manifest import load_manifest
from analysis.corpus.readers import open_corpus
from analysis.embeddings import embed
from analysis.preprocess import PreprocessConfig, Preprocessor
from analysis.topics.metrics import Reference, evaluate_topics
from analysis.topics.models import Preprocessed, make_topic_model, preprocess_documents
from analysis.topics.result import TopicResult

#: finished fits, one JSON line each, so that an interrupted run resumes where it stopped
CHECKPOINTS = Path("artifacts/benchmarks")

PLAIN = PreprocessConfig(domain_stopwords=False, lemmatize=False, phrases=False, min_df=5, max_df=1.0)

#: our NMF's word ranking before issue 17, and the library's: by weight, with no coverage and shared words allowed
BY_WEIGHT = {"coverage": 0.0, "distinct_words": False}
#: the two factorisations our NMF rows compare: the default's NNDSVDa on plain TF-IDF, and the earlier NNDSVD on
#: sublinear TF-IDF
NNDSVDA = {"init": "nndsvda", "max_iter": 400, "sublinear_tf": False}
SUBLINEAR = {"init": "nndsvd", "max_iter": 400, "sublinear_tf": True}

#: name -> (backend, parameters). "reference" rows are each library's defaults.
CONFIGURATIONS = {
    "lda-reference": ("lda", {"passes": 1, "iterations": 50, "alpha": "symmetric", "eta": None, "exclusivity": 0.0}),
    "nmf-reference": ("nmf", {"init": None, "max_iter": 200, "sublinear_tf": False, "exclusivity": 0.0, **BY_WEIGHT}),
    "bertopic-reference": ("bertopic", {"clustering": "hdbscan", "min_cluster_size": 10, "n_neighbors": 15,
                                        "reduce_outliers": False, "exclusivity": 0.0}),
    # 3 passes, not 10: on 20 Newsgroups each pass costs about a minute on 2 cores, and 10 passes x 15 fits
    # would not fit one benchmark session; at K = 10 on BBC, 10 passes gave NPMI .052 / TD .680
    "lda-ours": ("lda", {"passes": 3, "iterations": 100, "alpha": "auto", "eta": "auto", "exclusivity": 0.5}),
    # the package default since issue 17: NNDSVDa on plain TF-IDF, words ranked by weight x exclusivity^0.5 x
    # coverage^0.5 (the share of the topic's documents that hold the word), each word in one topic only
    "nmf-ours": ("nmf", {**NNDSVDA, "exclusivity": 0.5, "coverage": 0.5, "distinct_words": True}),
    # the same ranking with words shared between topics: what the coverage alone does
    "nmf-ours-shared-words": ("nmf", {**NNDSVDA, "exclusivity": 0.5, "coverage": 0.5, "distinct_words": False}),
    # the default before issue 17: sublinear TF-IDF, NNDSVD, exclusivity 0.5
    "nmf-sublinear": ("nmf", {**SUBLINEAR, "exclusivity": 0.5, **BY_WEIGHT}),
    # raw term frequencies: on 20 Newsgroups (K = 20, seed 0) sublinear TF cost NPMI .197 against .231
    "nmf-nndsvd-raw-tf": ("nmf", {**SUBLINEAR, "sublinear_tf": False, "exclusivity": 0.5, **BY_WEIGHT}),
    # the package default: k-means on the UMAP projection (no outliers), words ranked with exclusivity 0.5
    "bertopic-ours": ("bertopic", {"clustering": "kmeans", "n_neighbors": 15, "exclusivity": 0.5}),
    # the default's clustering with the library's word ranking: which of the two changes moves NPMI
    "bertopic-kmeans-exclusivity-0": ("bertopic", {"clustering": "kmeans", "n_neighbors": 15, "exclusivity": 0.0}),
    # the earlier default: HDBSCAN, its outliers reassigned to the nearest topic
    "bertopic-hdbscan-reduce-outliers": ("bertopic", {"clustering": "hdbscan", "min_cluster_size": 10, "n_neighbors": 15,
                                                      "reduce_outliers": True, "exclusivity": 0.0}),
    # candidates for one NMF default (issue 17): the reference's NNDSVDa start, which won 20 Newsgroups' NPMI,
    # with our exclusive ranking; and stronger exclusivity for the diversity of S³
    "nmf-nndsvda": ("nmf", {**NNDSVDA, "exclusivity": 0.5, **BY_WEIGHT}),
    "nmf-nndsvda-exclusivity-1": ("nmf", {**NNDSVDA, "exclusivity": 1.0, **BY_WEIGHT}),
    "nmf-sublinear-exclusivity-1": ("nmf", {**SUBLINEAR, "exclusivity": 1.0, **BY_WEIGHT}),
    # the newer contextual anchors (``pip install '.[anchors]'``), each with its package's defaults, on the
    # same MiniLM vectors and vocabulary: see fit_anchor
    "keynmf-reference": ("turftopic-keynmf", {}),
    "s3-reference": ("turftopic-s3", {}),
    "fastopic-reference": ("fastopic", {"epochs": 200}),
}
#: FASTopic is left out unless named: its 200 full-batch epochs took 7.6 s of CPU each on BBC (K = 10), about
#: 25 CPU minutes a fit, more than all other configurations of a corpus together
DEFAULT_CONFIGURATIONS = [name for name in CONFIGURATIONS if name != "fastopic-reference"]

#: Grootendorst (2022), BERTopic paper, Table 1 (NPMI, TD), mean over K = 10..50.
PUBLISHED = {
    ("20newsgroups", "bertopic"): (0.159, 0.833), ("20newsgroups", "lda"): (0.058, 0.749), ("20newsgroups", "nmf"): (0.089, 0.663),
    ("bbc", "bertopic"): (0.170, 0.802), ("bbc", "lda"): (0.014, 0.577), ("bbc", "nmf"): (0.012, 0.549),
}

_QUOTE = re.compile(r"(writes in|writes:|wrote:|says:|said:|^In article|^Quoted from|^\||^>)")


def strip_quotes_and_signature(text: str) -> str:
    """Remove quoted lines of earlier posts and the signature block after the last ``--`` line."""
    lines = [line for line in text.split("\n") if not _QUOTE.search(line)]
    body = "\n".join(lines).strip()
    head, separator, _ = body.rpartition("\n--")
    return head if separator else body


def load_benchmark_corpus(name: str) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for document in open_corpus(load_manifest(name)):
        text = strip_quotes_and_signature(document.text) if name == "20newsgroups" else document.text
        if text.strip():
            texts.append(text)
            labels.append(document.meta["label"])
    return texts, labels


def fit_runs(corpus: str, texts: list[str], ks: list[int], seeds: list[int], configurations: list[str],
             checkpoint: Path) -> list[dict]:
    """Fit every configuration, K and seed; each finished fit is appended to ``checkpoint`` (a rerun resumes).

    The preprocessing and the MiniLM vectors are made once per corpus and handed to every fit (their CPU time
    is not in any fit's); the vectors come from the embedding cache (:func:`analysis.embeddings.embed`).
    """
    preprocessed = preprocess_documents(PLAIN, texts)
    embeddings = embed(texts)
    done = {}
    if checkpoint.exists():
        for line in checkpoint.read_text().splitlines():
            run = json.loads(line)
            done[(run["corpus"], run["configuration"], run["k"], run["seed"], json.dumps(run["parameters"], sort_keys=True))] = run
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    runs = []
    for seed in seeds:  # a whole seed before the next: an interrupted run still covers every K
        for k in ks:
            for name in configurations:
                backend, params = CONFIGURATIONS[name]
                key = (corpus, name, k, seed, json.dumps(params, sort_keys=True))
                if key in done:  # fitted before with the same parameters
                    runs.append(done[key])
                    continue
                started, cpu_started = time.perf_counter(), time.process_time()
                if backend in ANCHOR_BACKENDS:
                    topics, dominant = fit_anchor(backend, params, k, seed, preprocessed, embeddings)
                else:
                    result = make_topic_model(backend, n_topics=k, seed=seed, preprocess=PLAIN, **params).fit(
                        texts, embeddings=embeddings, preprocessed=preprocessed).result()
                    topics, dominant = result.top_words(25), result.dominant_topic().tolist()
                seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
                run = {"corpus": corpus, "configuration": name, "backend": backend, "k": k, "seed": seed,
                       "parameters": params, "fit_seconds": round(seconds, 2), "fit_cpu_seconds": round(cpu_seconds, 2),
                       "topics": topics, "dominant_topic": dominant}
                with checkpoint.open("a") as stream:
                    stream.write(json.dumps(run) + "\n")
                print(f"{corpus:<13} {name:<19} K={k:<3} seed={seed} fit {seconds:.0f} s ({cpu_seconds:.0f} s CPU)", flush=True)
                runs.append(run)
    return runs


ANCHOR_BACKENDS = ("turftopic-keynmf", "turftopic-s3", "fastopic")


class CachedEncoder:
    """The packaged MiniLM for the anchors' own ``encode`` calls (KeyNMF and S³ embed the vocabulary words),
    through the same cached encoder as the documents' vectors, so a word is embedded once for all fits."""

    def encode(self, texts, **_: object) -> np.ndarray:
        return embed(list(texts), progress=False)


class FixedVocabulary:
    """FASTopic's ``preprocess`` hook: the benchmark's own tokens and vocabulary instead of topmost's."""

    def __init__(self, preprocessed: Preprocessed):
        self.preprocessed = preprocessed

    def preprocess(self, docs: list[str]) -> dict:
        vocabulary = self.preprocessed.preprocessor.vocabulary_
        return {"train_bow": _counts(self.preprocessed).astype(np.float32), "vocab": list(vocabulary)}


def _counts(preprocessed: Preprocessed):
    from sklearn.feature_extraction.text import CountVectorizer

    vocabulary = {word: i for i, word in enumerate(preprocessed.preprocessor.vocabulary_)}
    return CountVectorizer(analyzer=lambda tokens: tokens, vocabulary=vocabulary).fit_transform(preprocessed.tokens)


def fit_anchor(backend: str, params: dict, k: int, seed: int, preprocessed: Preprocessed,
               embeddings: np.ndarray) -> tuple[list[list[str]], list[int]]:
    """Top 25 words per topic and each document's dominant topic, from one anchor at its package defaults.

    The anchors see the benchmark's vocabulary (the documents' tokens joined by spaces, counted by a
    CountVectorizer fixed to the PLAIN vocabulary) and the cached MiniLM vectors; nothing is downloaded
    (the encoder is the packaged model, ``HF_HUB_OFFLINE=1``).
    """
    try:
        import fastopic  # noqa: F401
        import turftopic  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"error: the anchor configurations need turftopic and fastopic: run `make setup-anchors` ({error})") from error
    vocabulary = list(preprocessed.preprocessor.vocabulary_)
    joined = [" ".join(document) for document in preprocessed.tokens]
    if backend == "fastopic":
        import torch
        from fastopic import FASTopic

        torch.manual_seed(seed)
        np.random.seed(seed)  # FASTopic shuffles its batches with numpy's global generator
        model = FASTopic(k, preprocess=FixedVocabulary(preprocessed), doc_embed_model=CachedEncoder(), num_top_words=25,
                         device="cpu")
        _, doc_topic = model.fit_transform(joined, epochs=params["epochs"], preset_doc_embeddings=embeddings)
        weights = model.get_beta()
    else:
        from sklearn.feature_extraction.text import CountVectorizer
        from turftopic import KeyNMF, SemanticSignalSeparation

        anchor = KeyNMF if backend == "turftopic-keynmf" else SemanticSignalSeparation
        vectorizer = CountVectorizer(token_pattern=r"\S+", lowercase=False, vocabulary=vocabulary)
        model = anchor(n_components=k, encoder=CachedEncoder(), vectorizer=vectorizer, random_state=seed, **params)
        doc_topic = model.fit_transform(joined, embeddings=embeddings)
        # KeyNMF's components_ follow its own keyword index (model.get_vocab()), not the vectorizer's order
        weights, vocabulary = model.components_, list(model.get_vocab())
    topics = [[vocabulary[i] for i in np.argsort(-row, kind="stable")[:25]] for row in np.asarray(weights)]
    return topics, np.asarray(doc_topic).argmax(axis=1).tolist()


def score_runs(runs: list[dict], reference: Reference, labels: list[str]) -> list[dict]:
    """NPMI, diversity and NMI of every run, all against one count of the reference's windows."""
    reference.prepare([topic for run in runs for topic in run["topics"]], measures=("c_npmi",))
    rows = []
    for run in runs:
        result = TopicResult(topics=[[(word, 0.0) for word in topic] for topic in run["topics"]],
                             doc_topic=_one_hot(run["dominant_topic"], len(run["topics"])))
        # BERTopic can find a topic with fewer than 25 words (20NG, bertopic-reference seed 1: 22 words of
        # posts that only say "test"): it counts with the words it has, and short_topics says where
        metrics = evaluate_topics(result, reference, labels=labels, measures=("c_npmi",), allow_short_topics=True)
        rows.append({key: run[key] for key in ("corpus", "configuration", "backend", "k", "seed")}
                    | {"npmi": metrics["npmi"], "diversity": metrics["diversity"],
                       "short_topics": sum(len(topic) < 25 for topic in run["topics"]), "nmi": metrics["nmi"],
                       "outlier_share": metrics["outlier_share"], "fit_seconds": run["fit_seconds"],
                       "fit_cpu_seconds": run.get("fit_cpu_seconds", float("nan"))})
    return rows


def _one_hot(dominant: list[int], n_topics: int) -> np.ndarray:
    """Document-topic rows that reproduce the stored dominant topics (an all-zero row is an outlier)."""
    matrix = np.zeros((len(dominant), n_topics))
    assigned = [(row, topic) for row, topic in enumerate(dominant) if topic >= 0]
    if assigned:
        rows, topics = zip(*assigned)
        matrix[list(rows), list(topics)] = 1.0
    return matrix


def sample_documents(texts: list[str], labels: list[str], size: int | None) -> tuple[list[str], list[str]]:
    """``size`` documents drawn without replacement (seed 0, corpus order kept), or all when ``size`` is None."""
    if size is None or size >= len(texts):
        return texts, labels
    keep = np.sort(np.random.default_rng(0).choice(len(texts), size=size, replace=False))
    return [texts[i] for i in keep], [labels[i] for i in keep]


def run(corpora: list[str], ks: list[int], seeds: list[int], configurations: list[str], out: Path,
        sample: dict[str, int] | None = None) -> pd.DataFrame:
    rows = []
    for corpus in corpora:
        texts, labels = sample_documents(*load_benchmark_corpus(corpus), (sample or {}).get(corpus))
        runs = fit_runs(corpus, texts, ks, seeds, configurations, CHECKPOINTS / f"{out.stem}-{corpus}-{len(texts)}.jsonl")
        reference = Reference(Preprocessor(config=PLAIN).fit(texts).transform(texts))
        rows += score_runs(runs, reference, labels)
        out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(out, index=False, float_format="%.4f")
    return pd.DataFrame(rows)


def markdown_tables(results: pd.DataFrame, summary: pd.DataFrame) -> str:
    """The summary (mean over K and seeds, best NPMI first per corpus) and the per-K means, as Markdown tables."""
    def table(frame: pd.DataFrame) -> list[str]:
        lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
        return lines + ["| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |"
                        for row in frame.itertuples(index=False)]

    columns = ["corpus", "configuration", "npmi", "diversity", "nmi", "outlier_share", "fit_cpu_seconds", "runs"]
    mean = summary.sort_values(["corpus", "npmi"], ascending=[True, False])[columns]
    per_k = results.groupby(["corpus", "configuration", "k"])[["npmi", "diversity", "nmi", "fit_cpu_seconds"]].mean()
    return "\n".join(["## Mean over K and seeds", "", *table(mean), "", "## Per K (mean over seeds)", "",
                      *table(per_k.reset_index()), ""])


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    summary = results.groupby(["corpus", "configuration", "backend"])[
        ["npmi", "diversity", "nmi", "outlier_share", "fit_seconds", "fit_cpu_seconds"]].mean().reset_index()
    summary["runs"] = results.groupby(["corpus", "configuration", "backend"]).size().to_numpy()
    summary["paper_npmi"] = [PUBLISHED.get((c, b), (None, None))[0] for c, b in zip(summary["corpus"], summary["backend"])]
    summary["paper_td"] = [PUBLISHED.get((c, b), (None, None))[1] for c, b in zip(summary["corpus"], summary["backend"])]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="BBC only, K=10, seed 0")
    parser.add_argument("--corpora", nargs="+", default=["20newsgroups", "bbc"])
    parser.add_argument("--ks", nargs="+", type=int, default=[10, 20, 30, 40, 50])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--configurations", nargs="+", choices=sorted(CONFIGURATIONS), default=DEFAULT_CONFIGURATIONS)
    parser.add_argument("--sample", nargs="+", default=[], metavar="CORPUS=N",
                        help="fit on N documents of CORPUS drawn with seed 0 (e.g. 20newsgroups=4000), not all")
    parser.add_argument("--out", type=Path, default=Path("reports/benchmarks/topics.csv"))
    args = parser.parse_args()
    sample = {corpus: int(size) for corpus, size in (item.split("=", 1) for item in args.sample)}
    if args.quick:
        args.corpora, args.ks, args.seeds = ["bbc"], [10], [0]
        args.out = args.out.with_name("topics-quick.csv")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the anchors' encoder is the packaged model: never the hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started, cpu_started = time.perf_counter(), time.process_time()
    results = run(args.corpora, args.ks, args.seeds, args.configurations, args.out, sample)
    summary = summarise(results)
    summary.to_csv(args.out.with_name(args.out.stem + "-summary.csv"), index=False, float_format="%.4f")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    grid = "; ".join(f"{corpus}: {len(rows)} runs, K in {sorted(rows['k'].unique().tolist())}, seeds "
                     f"{sorted(rows['seed'].unique().tolist())}" for corpus, rows in results.groupby("corpus"))
    args.out.with_suffix(".md").write_text(
        f"Command: `python {' '.join(sys.argv)}`; commit {commit}; {machine()}; {time.perf_counter() - started:.0f} s "
        f"wall and {time.process_time() - cpu_started:.0f} CPU s for this invocation (fits resumed from "
        f"{CHECKPOINTS}/ are not refitted), load average {os.getloadavg()[0]:.1f} at the end.\n\nGrid: {grid}.\n\n"
        + markdown_tables(results, summary))
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
