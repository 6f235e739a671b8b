"""Three topic-model backends behind one contract.

Every backend has a keyword-only constructor, ``fit(docs)`` returning
``self``, ``transform(new_docs)`` giving a document-topic matrix,
``topics_`` (top words with weights), ``topic_info()``, ``result()`` (a
:class:`~analysis.topics.result.TopicResult`, all the metrics read), and
``save(folder)`` / ``TopicModel.load(folder)`` in formats that need no pickle
(json, npz, safetensors). They are :class:`analysis.base.Estimator` s: the
parameters come from the constructor (``get_params``, ``clone``), an unfitted
model raises ``NotFittedError``, and the saved folder's ``manifest.json``
records the sha256 of every file, checked on load. ``fit`` and ``transform``
take precomputed ``embeddings=`` (used by ``bertopic``, ignored by the others),
and ``fit`` a precomputed ``preprocessed=`` (:func:`preprocess_documents`) when
several models are fitted on the same texts.

``lda``
    gensim ``LdaModel`` on the preprocessed tokens; deterministic for a seed
    (inference re-seeds before every ``transform``).
``nmf``
    scikit-learn ``NMF`` on TF-IDF of the preprocessed tokens.
``bertopic``
    BERTopic on the packaged MiniLM embeddings (cached by content hash),
    seeded UMAP (its projection cached, see :mod:`analysis.topics.projection`) and HDBSCAN, topic words from the same preprocessing; new
    documents are assigned by cosine similarity to the topic embeddings, which
    is what survives a safetensors save.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd

from analysis.base import Estimator
from analysis.persist import atomic_path, write_json, write_text
from analysis.preprocess import PreprocessConfig, Preprocessor
from analysis.topics.result import TopicResult

log = logging.getLogger(__name__)

TOP_WORDS = 25
#: Packages whose versions a topic model's manifest and model card record.
TOPIC_PACKAGES = ("gensim", "scikit-learn", "bertopic", "umap-learn", "hdbscan", "sentence-transformers")

class Preprocessed(NamedTuple):
    """A Preprocessor fitted on some documents, and those documents' tokens."""

    preprocessor: Preprocessor
    tokens: list[list[str]]


def preprocess_documents(config: PreprocessConfig, docs: Sequence[str]) -> Preprocessed:
    """Fit the preprocessing on ``docs`` and tokenise them: what ``fit`` does first.

    ``topics select`` fits a backend for every K and seed on the same texts: it
    learns the phrases and the vocabulary once, not eight times (about 5 s a
    fit), and hands them to every ``fit(docs, preprocessed=...)``. The
    preprocessing is deterministic, so the tokens are the very same. The
    fitting pass yields the documents' tokens (those of ``transform(docs)``),
    so they are tokenised once.
    """
    preprocessor = Preprocessor(config=config)
    return Preprocessed(preprocessor, preprocessor.fit_transform(list(docs)))


class TopicModel(Estimator):
    """The shared contract; subclasses implement ``_fit``/``_doc_topic`` and ``_save_backend``/``_load_backend``."""

    backend: ClassVar[str]
    stage = "topics"
    packages = TOPIC_PACKAGES

    def __init__(self, *, n_topics: int = 20, seed: int = 0, preprocess: PreprocessConfig = PreprocessConfig()):
        self.n_topics = n_topics
        self.seed = seed
        self.preprocess = preprocess

    def fit(self, docs: Sequence[str], *, embeddings: np.ndarray | None = None,
            preprocessed: Preprocessed | None = None) -> TopicModel:
        """Fit on ``docs``; ``embeddings`` (n, d) and ``preprocessed`` (of these docs) are used instead of computed."""
        docs = list(docs)
        if preprocessed is None:
            preprocessed = preprocess_documents(self.preprocess, docs)
        elif preprocessed.preprocessor.config != self.preprocess or len(preprocessed.tokens) != len(docs):
            raise ValueError("preprocessed= must come from preprocess_documents(self.preprocess, docs)")
        _check_embeddings(embeddings, docs)
        self.preprocessor_, tokens = preprocessed
        self._fit(docs, tokens, embeddings)
        self.doc_topic_ = self._doc_topic(docs, tokens, fitting=True, embeddings=embeddings)
        return self

    def transform(self, docs: Sequence[str], *, embeddings: np.ndarray | None = None) -> np.ndarray:
        """Document-topic matrix (n, n_topics) of new documents; rows sum to 1, or 0 where nothing is known."""
        self._check_fitted()
        docs = list(docs)
        _check_embeddings(embeddings, docs)
        return self._doc_topic(docs, self.preprocessor_.transform(docs), fitting=False, embeddings=embeddings)

    def backend_params(self) -> dict[str, Any]:
        """The backend's own parameters: all of ``get_params()`` but those every backend shares."""
        shared = set(TopicModel().get_params(deep=False)) if type(self) is not TopicModel else set()
        return {name: value for name, value in self.get_params(deep=False).items() if name not in shared}

    def result(self) -> TopicResult:
        self._check_fitted()
        return TopicResult(topics=self.topics_, doc_topic=self.doc_topic_)

    def topic_info(self) -> pd.DataFrame:
        """One row per topic: its id, how many fitted documents it dominates, and its top ten words."""
        dominant = self.result().dominant_topic()
        return pd.DataFrame({
            "topic": range(len(self.topics_)),
            "documents": [int((dominant == t).sum()) for t in range(len(self.topics_))],
            "words": [" ".join(word for word, _ in topic[:10]) for topic in self.topics_],
        })

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "topics_")

    def _save_state(self, folder: Path) -> None:
        self.preprocessor_.save(folder)
        config = {"backend": self.backend, "n_topics": self.n_topics, "seed": self.seed,
                  "preprocess": self.preprocess.to_dict(), **self.backend_params()}
        write_json(folder / "config.json", config)
        write_text(folder / "topics.json", json.dumps(self.topics_, indent=1) + "\n")
        with atomic_path(folder / "doc_topic.npz") as temporary:
            np.savez(temporary, doc_topic=self.doc_topic_)
        self._save_backend(folder)

    @classmethod
    def _load_state(cls, folder: Path, manifest: dict[str, Any]) -> TopicModel:
        config_path = folder / "config.json"
        if not config_path.exists():
            raise FileNotFoundError(f"{folder} holds no topic model (config.json is missing)")
        config = json.loads(config_path.read_text())
        backend = config.pop("backend")
        if backend not in BACKENDS or not issubclass(BACKENDS[backend], cls):
            raise ValueError(f"{folder} holds a {backend!r} topic model, not a {cls.__name__}")
        model = BACKENDS[backend](preprocess=PreprocessConfig.from_dict(config.pop("preprocess")), **config)
        model.preprocessor_ = Preprocessor.load(folder)
        model.topics_ = [[(word, weight) for word, weight in topic] for topic in json.loads((folder / "topics.json").read_text())]
        with np.load(folder / "doc_topic.npz", allow_pickle=False) as data:
            model.doc_topic_ = data["doc_topic"]
        model._load_backend(folder)
        return model

    # backend hooks
    def _fit(self, docs: list[str], tokens: list[list[str]], embeddings: np.ndarray | None) -> None:
        raise NotImplementedError

    def _doc_topic(self, docs: list[str], tokens: list[list[str]], *, fitting: bool,
                   embeddings: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _save_backend(self, folder: Path) -> None:
        raise NotImplementedError

    def _load_backend(self, folder: Path) -> None:
        raise NotImplementedError


def _check_embeddings(embeddings: np.ndarray | None, docs: list[str]) -> None:
    if embeddings is not None and len(embeddings) != len(docs):
        raise ValueError(f"embeddings has {len(embeddings)} rows for {len(docs)} documents")


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix, dtype=float), where=totals > 0)


def rank_top_words(weights: np.ndarray, vocabulary: Sequence[str], *, exclusivity: float = 0.0,
                   coverage: np.ndarray | None = None, coverage_power: float = 0.0, distinct: bool = False,
                   n: int = TOP_WORDS) -> list[list[tuple[str, float]]]:
    """Each topic's n best words with their share of the topic's weight.

    Words are ranked by share × exclusivity ** ``exclusivity`` × coverage ** ``coverage_power``:

    - a word's exclusivity to a topic is its share there over the sum of its
      shares in all topics (the idea of LDAvis's relevance and stm's FREX); at
      0.5 words common to many topics sink, which on BBC News (K = 10…50, NMF)
      raised NPMI from .210 to .234 and diversity from .81 to .95;
    - ``coverage`` (topics × words, see :func:`document_coverage`) is the
      share of a topic's documents that contain the word: it sinks words that
      weigh much in a topic because of one or two long documents, which do not
      co-occur with the topic's other words.

    With ``distinct`` the topics take their words in turns, best first, and a
    word taken by one topic is passed over by the others: no word is in two
    topics' lists (diversity 1), and a word shared by several topics stays
    with the one that ranks it highest at the earliest turn (see
    :func:`_distinct_words` for a vocabulary too small for that).
    """
    shares = weights / np.clip(weights.sum(axis=1, keepdims=True), 1e-300, None)
    ranking = shares * (shares / np.clip(shares.sum(axis=0, keepdims=True), 1e-300, None)) ** exclusivity
    if coverage_power:
        if coverage is None or coverage.shape != weights.shape:
            raise ValueError(f"coverage must be a topics x words matrix of shape {weights.shape}")
        ranking = ranking * coverage ** coverage_power
    order = np.argsort(-ranking, axis=1, kind="stable")
    chosen = _distinct_words(order, n) if distinct else order[:, :n]
    return [[(vocabulary[i], round(float(share[i]), 6)) for i in words] for share, words in zip(shares, chosen)]


def _distinct_words(order: np.ndarray, n: int) -> np.ndarray:
    """Topics take words in turns from their ranked ``order``, passing over words another topic took.

    A vocabulary of fewer than n × topics words cannot give every topic n words of its own: the
    distinct turns stop when the words run out, and the lists are completed with each topic's own
    best remaining words (logged).
    """
    n_topics, n_words = order.shape
    n = min(n, n_words)
    turns = min(n, n_words // n_topics)
    if turns < n:
        log.warning("distinct topic words: %d words for %d topics give each %d words of its own; the other %d of "
                    "its %d words may be in other topics' lists too", n_words, n_topics, turns, n - turns, n)
    taken = np.zeros(n_words, dtype=bool)
    position = np.zeros(n_topics, dtype=int)
    chosen = np.empty((n_topics, n), dtype=int)
    for turn in range(turns):
        for topic in range(n_topics):
            while taken[order[topic, position[topic]]]:
                position[topic] += 1
            chosen[topic, turn] = word = order[topic, position[topic]]
            taken[word] = True
    if turns < n:
        for topic in range(n_topics):
            own = set(chosen[topic, :turns].tolist())
            chosen[topic, turns:] = [word for word in order[topic] if word not in own][:n - turns]
    return chosen


def document_coverage(doc_topic: np.ndarray, doc_term: Any) -> np.ndarray:
    """Topics × words: the share of each topic's documents, weighted by their weight in the topic, that contain the word.

    ``doc_topic`` is (documents, topics), ``doc_term`` a (documents, words)
    matrix, dense or sparse, whose nonzero cells mark the words a document has.
    """
    totals = np.clip(doc_topic.sum(axis=0, keepdims=True), 1e-300, None)
    presence = (doc_term != 0).astype(float)
    return np.asarray((presence.T @ (doc_topic / totals)).T)


class LdaTopicModel(TopicModel):
    """gensim ``LdaModel``; ``passes``, ``iterations``, ``alpha`` and ``eta`` as gensim names them.

    ``exclusivity`` ranks each topic's words as described in :func:`rank_top_words`; 0 is gensim's ranking.
    """

    backend = "lda"

    def __init__(self, *, n_topics: int = 20, seed: int = 0, preprocess: PreprocessConfig = PreprocessConfig(),
                 passes: int = 10, iterations: int = 100, alpha: str = "auto", eta: str | None = "auto",
                 exclusivity: float = 0.5):
        super().__init__(n_topics=n_topics, seed=seed, preprocess=preprocess)
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.exclusivity = exclusivity

    def _dictionary(self):
        from gensim.corpora import Dictionary

        dictionary = Dictionary()
        dictionary.token2id = {word: i for i, word in enumerate(self.preprocessor_.vocabulary_)}
        dictionary.id2token = dict(enumerate(self.preprocessor_.vocabulary_))
        return dictionary

    def _bows(self, tokens: list[list[str]]):
        index = {word: i for i, word in enumerate(self.preprocessor_.vocabulary_)}
        bows = []
        for document in tokens:
            counts: dict[int, int] = {}
            for word in document:
                counts[index[word]] = counts.get(index[word], 0) + 1
            bows.append(sorted(counts.items()))
        return bows

    def _fit(self, docs, tokens, embeddings):
        from gensim.models import LdaModel
        from gensim.models.callbacks import Metric

        from analysis.progress import progress

        class PassProgress(Metric):
            """Advances a progress bar at the end of every pass (gensim calls metrics once per pass)."""

            logger, title = None, "pass"

            def get_value(self, **kwargs):
                bar.update(1)
                return bar.n

        with progress(total=self.passes, desc=f"LDA K={self.n_topics} passes", unit="pass") as bar:
            self.model_ = LdaModel(corpus=self._bows(tokens), id2word=self._dictionary(), num_topics=self.n_topics,
                                   passes=self.passes, iterations=self.iterations, alpha=self.alpha, eta=self.eta,
                                   random_state=self.seed, callbacks=[PassProgress()], eval_every=None)
        self.topics_ = rank_top_words(self.model_.get_topics(), self.preprocessor_.vocabulary_, exclusivity=self.exclusivity)

    def _doc_topic(self, docs, tokens, *, fitting, embeddings):
        # gensim draws the variational start from the model's RandomState: re-seed so that
        # the same documents always get the same topics, before and after save/load.
        self.model_.random_state = np.random.RandomState(self.seed)
        bows = self._bows(tokens)
        gamma, _ = self.model_.inference(bows)
        gamma[[not bow for bow in bows]] = 0.0
        return _normalise_rows(gamma)

    def _save_backend(self, folder):
        # inference reads only alpha and exp(E[log beta]); saving the latter exactly keeps transform bit-identical
        with atomic_path(folder / "lda.npz") as temporary:
            np.savez(temporary, topic_word_lambda=self.model_.state.get_lambda(), exp_elog_beta=self.model_.expElogbeta,
                     alpha=self.model_.alpha, eta=self.model_.eta)

    def _load_backend(self, folder):
        from gensim.models import LdaModel

        with np.load(folder / "lda.npz", allow_pickle=False) as state:
            lam, alpha, eta = state["topic_word_lambda"], state["alpha"], state["eta"]
            exp_elog_beta = state["exp_elog_beta"]
        self.model_ = LdaModel(id2word=self._dictionary(), num_topics=self.n_topics, alpha=alpha, eta=eta,
                               iterations=self.iterations, random_state=self.seed, dtype=exp_elog_beta.dtype)
        self.model_.state.sstats = lam - eta
        self.model_.expElogbeta = exp_elog_beta


class NmfTopicModel(TopicModel):
    """scikit-learn ``NMF`` (NNDSVDa start) on TF-IDF of the preprocessed tokens.

    Each topic's words are ranked as described in :func:`rank_top_words`:
    ``exclusivity`` 0.5, ``coverage`` 0.5 (the power of the word's document
    coverage in the topic) and ``distinct_words`` (no word in two topics). On
    20 Newsgroups and BBC News (K = 10…50, ``benchmarks/results/topics.md``)
    this is the setting that beats scikit-learn's NMF and the turftopic
    anchors on both NPMI and diversity; ``exclusivity=0, coverage=0,
    distinct_words=False`` is the ranking by weight.
    """

    backend = "nmf"

    def __init__(self, *, n_topics: int = 20, seed: int = 0, preprocess: PreprocessConfig = PreprocessConfig(),
                 init: str | None = "nndsvda", max_iter: int = 400, sublinear_tf: bool = False,
                 exclusivity: float = 0.5, coverage: float = 0.5, distinct_words: bool = True):
        super().__init__(n_topics=n_topics, seed=seed, preprocess=preprocess)
        self.init = init
        self.max_iter = max_iter
        self.sublinear_tf = sublinear_tf
        self.exclusivity = exclusivity
        self.coverage = coverage
        self.distinct_words = distinct_words

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        vocabulary = {word: i for i, word in enumerate(self.preprocessor_.vocabulary_)}
        return TfidfVectorizer(analyzer=lambda tokens: tokens, vocabulary=vocabulary, sublinear_tf=self.sublinear_tf)

    def _fit(self, docs, tokens, embeddings):
        from sklearn.decomposition import NMF

        self.vectorizer_ = self._vectorizer().fit(tokens)
        doc_term = self.vectorizer_.transform(tokens)
        self.model_ = NMF(n_components=self.n_topics, init=self.init, max_iter=self.max_iter, random_state=self.seed)
        self._fit_weights = self.model_.fit_transform(doc_term)
        self.components_ = self.model_.components_
        self.topics_ = rank_top_words(self.components_, self.preprocessor_.vocabulary_, exclusivity=self.exclusivity,
                                      coverage=document_coverage(self._fit_weights, doc_term) if self.coverage else None,
                                      coverage_power=self.coverage, distinct=self.distinct_words)

    def _doc_topic(self, docs, tokens, *, fitting, embeddings):
        from sklearn.decomposition import non_negative_factorization

        if fitting:
            weights = self._fit_weights
            del self._fit_weights
        else:
            weights, _, _ = non_negative_factorization(self.vectorizer_.transform(tokens), H=self.components_,
                                                       n_components=self.n_topics, init="custom", update_H=False,
                                                       max_iter=self.max_iter, random_state=self.seed)
        return _normalise_rows(weights)

    def _save_backend(self, folder):
        with atomic_path(folder / "nmf.npz") as temporary:
            np.savez(temporary, components=self.components_, idf=self.vectorizer_.idf_)

    def _load_backend(self, folder):
        with np.load(folder / "nmf.npz", allow_pickle=False) as state:
            self.components_ = state["components"]
            idf = state["idf"]
        self.vectorizer_ = self._vectorizer().fit([[]])
        self.vectorizer_.idf_ = idf


class BertopicTopicModel(TopicModel):
    """BERTopic with MiniLM embeddings and a seeded UMAP projection, clustered into ``n_topics`` topics.

    The default, ``clustering="kmeans"``, clusters the projection with scikit-learn's seeded ``KMeans`` into
    ``n_topics`` clusters: every document gets a topic and no merging of many small clusters builds a
    catch-all. ``clustering="hdbscan"`` is BERTopic's own HDBSCAN (``min_cluster_size``), its clusters
    merged down to ``n_topics``; on the study corpus (K = 10) it left 41 % of the paragraphs as outliers,
    and reducing them (``reduce_outliers``) put 62 % into one topic (``benchmarks/study_topics.py``).
    ``exclusivity`` ranks each topic's words from its c-TF-IDF row as :func:`rank_top_words` does (0.5,
    as NMF and LDA); 0 is BERTopic's own ranking.
    """

    backend = "bertopic"

    def __init__(self, *, n_topics: int = 20, seed: int = 0, preprocess: PreprocessConfig = PreprocessConfig(),
                 min_cluster_size: int = 10, n_neighbors: int = 15, reduce_outliers: bool = False,
                 clustering: str = "kmeans", exclusivity: float = 0.5):
        super().__init__(n_topics=n_topics, seed=seed, preprocess=preprocess)
        self.min_cluster_size = min_cluster_size
        self.n_neighbors = n_neighbors
        self.reduce_outliers = reduce_outliers
        self.clustering = clustering
        self.exclusivity = exclusivity

    def _fit(self, docs, tokens, embeddings):
        from bertopic import BERTopic
        from sklearn.feature_extraction.text import CountVectorizer

        from analysis.embeddings import embed
        from analysis.topics.projection import CachedUMAP

        if embeddings is None:
            embeddings = embed(docs)
        # BERTopic strips every character but [A-Za-z0-9 ] before counting words, which would turn the
        # phrase token "north_korea" into "northkorea": hand it vocabulary indices ("w17") and map back.
        vocabulary = self.preprocessor_.vocabulary_
        index = {word: i for i, word in enumerate(vocabulary)}
        joined = [" ".join(f"w{index[word]}" for word in document) for document in tokens]
        # topic words come from the same preprocessing as the other backends (tokens joined by spaces)
        vectorizer = CountVectorizer(token_pattern=r"\S+", lowercase=False)
        model = BERTopic(
            embedding_model=None,
            umap_model=CachedUMAP(n_neighbors=self.n_neighbors, n_components=5, min_dist=0.0, metric="cosine",
                                  random_state=self.seed),
            hdbscan_model=self._cluster_model(),
            vectorizer_model=vectorizer, top_n_words=TOP_WORDS, calculate_probabilities=False,
        )
        model.fit(joined, embeddings)
        # BERTopic counts its outlier topic (-1) among nr_topics: reduce to n_topics real topics
        outliers = 1 if -1 in set(model.topics_) else 0
        if len(set(model.topics_)) - outliers > self.n_topics:
            model.reduce_topics(joined, nr_topics=self.n_topics + outliers)
        assignments = model.topics_
        if self.reduce_outliers and -1 in assignments:
            assignments = model.reduce_outliers(joined, assignments, strategy="embeddings", embeddings=embeddings)
            model.update_topics(joined, topics=assignments, vectorizer_model=vectorizer, top_n_words=TOP_WORDS)
        topic_ids = sorted(t for t in set(model.topics_) if t != -1)
        offset = 1 if -1 in set(model.topics_) else 0
        self.topic_embeddings_ = np.asarray(model.topic_embeddings_)[[t + offset for t in topic_ids]]
        if self.exclusivity:
            # the topics' c-TF-IDF rows, ranked like NMF's and LDA's words (see rank_top_words)
            columns = [int(code[1:]) for code in model.vectorizer_model.get_feature_names_out()]
            weights = np.zeros((len(topic_ids), len(vocabulary)))
            weights[:, columns] = model.c_tf_idf_[[t + offset for t in topic_ids]].toarray()
            self.topics_ = rank_top_words(weights, vocabulary, exclusivity=self.exclusivity)
        else:
            self.topics_ = [[(vocabulary[int(code[1:])], round(float(weight), 6))
                             for code, weight in model.get_topic(t) if code][:TOP_WORDS] for t in topic_ids]
        index = {t: i for i, t in enumerate(topic_ids)}
        self._fit_assignments = np.array([index.get(t, -1) for t in assignments])

    def _cluster_model(self):
        if self.clustering == "kmeans":
            from sklearn.cluster import KMeans

            return KMeans(n_clusters=self.n_topics, random_state=self.seed, n_init=10)
        if self.clustering != "hdbscan":
            raise ValueError(f"clustering must be 'hdbscan' or 'kmeans', not {self.clustering!r}")
        from hdbscan import HDBSCAN

        return HDBSCAN(min_cluster_size=self.min_cluster_size, metric="euclidean", cluster_selection_method="eom",
                       prediction_data=True, core_dist_n_jobs=1)

    def _doc_topic(self, docs, tokens, *, fitting, embeddings):
        if fitting:
            one_hot = np.zeros((len(docs), len(self.topics_)))
            assigned = self._fit_assignments >= 0
            one_hot[np.flatnonzero(assigned), self._fit_assignments[assigned]] = 1.0
            del self._fit_assignments
            return one_hot
        from analysis.embeddings import embed

        vectors = embed(docs) if embeddings is None else np.asarray(embeddings)
        topics = self.topic_embeddings_ / np.linalg.norm(self.topic_embeddings_, axis=1, keepdims=True)
        similarity = np.clip(vectors @ topics.T, 0.0, None)
        return _normalise_rows(similarity)

    def _save_backend(self, folder):
        from safetensors.numpy import save_file

        with atomic_path(folder / "topic_embeddings.safetensors") as temporary:
            save_file({"topic_embeddings": self.topic_embeddings_.astype(np.float32)}, str(temporary))

    def _load_backend(self, folder):
        from safetensors.numpy import load_file

        self.topic_embeddings_ = load_file(str(folder / "topic_embeddings.safetensors"))["topic_embeddings"]


BACKENDS: dict[str, type[TopicModel]] = {cls.backend: cls for cls in (LdaTopicModel, NmfTopicModel, BertopicTopicModel)}


def make_topic_model(backend: str, **params) -> TopicModel:
    if backend not in BACKENDS:
        raise ValueError(f"unknown topic backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[backend](**params)


def load_topic_model(folder: Path) -> TopicModel:
    """Load a saved topic model of any backend (json, npz and safetensors only): :meth:`TopicModel.load`."""
    return TopicModel.load(folder)
