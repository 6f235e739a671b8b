"""Topic-model evaluation: coherence, diversity and agreement with gold labels.

The metrics consume only a :class:`~analysis.topics.result.TopicResult` (or its
top words and dominant topics), never a model, so every model is scored the same
way (the design of OCTIS). Coherence is gensim's ``CoherenceModel``, the
implementation behind the published NPMI and C_V numbers (OCTIS, the BERTopic
paper), so scores are comparable with the literature.

Coherence is computed against a :class:`Reference`: the tokenised reference
texts together with their gensim ``Dictionary``. Build it once and pass it to
every call: building the Dictionary of 20 Newsgroups takes ~3.6 s. Most of a
call's time is gensim's sliding-window count over the reference, which is
redone in every call because it depends on the topics' words (~20 s for NPMI
and for C_V with 20 topics on 20 Newsgroups, see :func:`coherence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from analysis.topics.result import TopicResult

MEASURES = ("c_npmi", "c_v")
_SCORE_NAMES = {"c_npmi": "npmi", "c_v": "c_v"}


class Reference:
    """Tokenised reference texts for coherence, with their gensim Dictionary built once.

    Parameters
    ----------
    texts
        One token list per reference document, tokenised as the topics' words
        were (a topic word absent from the reference cannot be scored).
    """

    def __init__(self, texts: Iterable[Sequence[str]]):
        self.texts = [list(text) for text in texts]
        self.dictionary = Dictionary(self.texts)
        self._counted: dict[str, CoherenceModel] = {}

    def prepare(self, topics: Sequence[Sequence[str]], *, measures: Sequence[str] = MEASURES, top_n: int = 10) -> None:
        """Count the sliding windows of every word in the top_n of ``topics`` once, for reuse by later calls.

        Pass the topics of all the models to be scored: a later
        :func:`coherence` call whose words are all covered reuses these counts
        (scores are identical to counting afresh); any other call counts anew.
        """
        words = sorted({str(word) for topic in topics for word in topic[:top_n]} & set(self.dictionary.token2id))
        for measure in measures:
            model = CoherenceModel(topics=[words], texts=self.texts, dictionary=self.dictionary, coherence=measure,
                                   topn=len(words))
            model.estimate_probabilities()
            self._counted[measure] = model

    def _coherence_model(self, measure: str, topics: list[list[str]], top_n: int) -> CoherenceModel:
        counted = self._counted.get(measure)
        if counted is not None:
            needed = {self.dictionary.token2id[word] for topic in topics for word in topic}
            if needed <= counted._accumulator.relevant_ids:
                counted.topn = top_n
                counted.topics = topics
                return counted
        return CoherenceModel(topics=topics, texts=self.texts, dictionary=self.dictionary, coherence=measure,
                              topn=top_n)


@dataclass(frozen=True)
class CoherenceScore:
    """Coherence of a set of topics.

    Attributes
    ----------
    measure
        ``"c_npmi"`` (in [-1, 1]) or ``"c_v"`` (in [0, 1] in practice).
    mean
        Mean over the scored topics (NaN when none could be scored).
    per_topic
        One score per topic, in the order given; NaN for an unscored topic.
    unknown_words
        Topic words absent from the reference, dropped before scoring.
    unscored_topics
        Topics left with fewer than 2 known words.
    """

    measure: str
    mean: float
    per_topic: tuple[float, ...]
    unknown_words: int
    unscored_topics: int


def topic_diversity(topics: Sequence[Sequence[str]], *, top_n: int = 25, allow_short: bool = False) -> float:
    """Share of unique words among the top_n words of all topics (Dieng et al. 2020, as in the BERTopic paper).

    1.0 when no word is shared between topics, 1/K when all K topics are identical.
    With ``allow_short``, a topic with fewer than ``top_n`` words counts with the
    words it has (BERTopic can find a cluster with fewer words of non-zero c-TF-IDF).

    Raises
    ------
    ValueError
        If there is no topic or, unless ``allow_short``, a topic has fewer than
        ``top_n`` words: the score falls as ``top_n`` grows, so diversity at fewer
        words would not be comparable with other models' diversity at ``top_n``.
    """
    if not topics:
        raise ValueError("no topics to score")
    short = [i for i, topic in enumerate(topics) if len(topic) < top_n]
    if short and not allow_short:
        raise ValueError(
            f"topic(s) {short} have fewer than top_n={top_n} words: ask the model for more words or lower top_n"
        )
    words = [word for topic in topics for word in topic[:top_n]]
    return len(set(words)) / len(words)


def coherence(
    topics: Sequence[Sequence[str]],
    reference: Reference | Sequence[Sequence[str]],
    *,
    measure: str = "c_npmi",
    top_n: int = 10,
) -> CoherenceScore:
    """Coherence of each topic's top_n words against reference texts (gensim ``CoherenceModel``).

    Each topic is cut to its first ``top_n`` words, then words absent from the
    reference are dropped (and counted); a topic left with fewer than 2 known
    words has no word pair to score and gets NaN. A topic's score depends on
    its own words only, not on the other topics.

    Parameters
    ----------
    topics
        Each topic's words, best first.
    reference
        A :class:`Reference`, or token lists from which one is built for this
        call only; pass a :class:`Reference` when scoring repeatedly.
    measure
        ``"c_npmi"`` (gensim's 10-token sliding window) or ``"c_v"`` (110 tokens).

    Notes
    -----
    Measured on 20 Newsgroups (18,812 documents, 2.4 M tokens of ``[a-z]{3,}``
    minus sklearn stopwords), topics of 10 words: ~23 s for NPMI and ~20 s
    for C_V with 20 topics, ~35 s for each with 50 topics, nearly all in
    gensim's per-window Python loop (2 processes were no faster). Calls
    covered by :meth:`Reference.prepare` skip the count.

    Raises
    ------
    ValueError
        For an unknown measure, no topics, or a topic listing a word twice (the
        word would be paired with itself and inflate the score).
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown coherence measure {measure!r}; expected one of {MEASURES}")
    if not topics:
        raise ValueError("no topics to score")
    if not isinstance(reference, Reference):
        reference = Reference(reference)
    known = reference.dictionary.token2id
    kept: list[list[str]] = []
    unknown_words = 0
    for i, topic in enumerate(topics):
        words = [str(word) for word in topic[:top_n]]
        if len(set(words)) < len(words):
            raise ValueError(f"topic {i} lists a word twice: {words}")
        kept.append([word for word in words if word in known])
        unknown_words += len(words) - len(kept[-1])

    scored = [i for i, words in enumerate(kept) if len(words) >= 2]
    per_topic = [float("nan")] * len(topics)
    if scored:
        model = reference._coherence_model(measure, [kept[i] for i in scored], top_n)
        for i, score in zip(scored, model.get_coherence_per_topic(), strict=True):
            per_topic[i] = float(score)
    return CoherenceScore(
        measure=measure,
        mean=float(np.mean([per_topic[i] for i in scored])) if scored else float("nan"),
        per_topic=tuple(per_topic),
        unknown_words=unknown_words,
        unscored_topics=len(topics) - len(scored),
    )


def label_agreement(dominant_topic: Sequence[int], labels: Sequence, *, include_outliers: bool = True) -> dict:
    """NMI and ARI (sklearn) of each document's dominant topic against its gold label.

    Parameters
    ----------
    dominant_topic
        Each document's topic, -1 for an outlier (see :meth:`TopicResult.dominant_topic`).
    labels
        Each document's gold class.
    include_outliers
        Treat the outliers as one more cluster (penalising a model that leaves
        documents unassigned), or drop them and score the rest.

    Returns
    -------
    dict
        ``nmi`` (arithmetic normalisation, sklearn's default), ``ari``,
        ``n_scored`` (documents scored) and ``n_outliers``; the scores are NaN
        when no document is left to score.
    """
    topics = np.asarray(dominant_topic)
    gold = np.asarray(labels)
    if len(topics) != len(gold):
        raise ValueError(f"{len(topics)} dominant topics but {len(gold)} labels")
    outlier = topics == -1
    if not include_outliers:
        topics, gold = topics[~outlier], gold[~outlier]
    scores = (
        (normalized_mutual_info_score(gold, topics), adjusted_rand_score(gold, topics))
        if len(topics)
        else (float("nan"), float("nan"))
    )
    return {
        "nmi": float(scores[0]),
        "ari": float(scores[1]),
        "n_scored": len(topics),
        "n_outliers": int(outlier.sum()),
    }


def evaluate_topics(
    result: TopicResult,
    reference: Reference | Sequence[Sequence[str]],
    *,
    labels: Sequence | None = None,
    top_n_coherence: int = 10,
    top_n_diversity: int = 25,
    measures: Sequence[str] = MEASURES,
    allow_short_topics: bool = False,
) -> dict:
    """The standard evaluation of one fitted model.

    Parameters
    ----------
    measures
        The coherence measures to compute; C_V counts 110-token windows and
        costs several times NPMI's 10-token count on a large reference.
    allow_short_topics
        Passed to :func:`topic_diversity` as ``allow_short``.

    Returns
    -------
    dict
        ``npmi`` and ``c_v`` when measured (mean coherence of the top ``top_n_coherence``
        words), ``unknown_words`` and ``unscored_topics`` (of the coherence
        scoring, the same for both measures), ``diversity`` (of the top
        ``top_n_diversity`` words), ``n_topics``, ``outlier_share`` (documents
        with no topic), ``largest_topic_share`` (documents whose dominant topic is
        the most common one: near 1 means a catch-all topic), and, when ``labels`` are given, ``nmi``, ``ari`` and
        ``n_outliers`` from :func:`label_agreement` with outliers as their own cluster.
    """
    if not isinstance(reference, Reference):
        reference = Reference(reference)
    top_words = result.top_words(max(top_n_coherence, top_n_diversity))
    if not measures or set(measures) - set(MEASURES):
        raise ValueError(f"measures must be a non-empty subset of {MEASURES}, not {measures!r}")
    coherences = {measure: coherence(top_words, reference, measure=measure, top_n=top_n_coherence) for measure in measures}
    first = next(iter(coherences.values()))
    dominant = result.dominant_topic()
    scores = {
        **{_SCORE_NAMES[measure]: score.mean for measure, score in coherences.items()},
        "unknown_words": first.unknown_words,
        "unscored_topics": first.unscored_topics,
        "diversity": topic_diversity(top_words, top_n=top_n_diversity, allow_short=allow_short_topics),
        "n_topics": len(result.topics),
        "outlier_share": float(np.mean(dominant == -1)),
        "largest_topic_share": float(np.bincount(dominant[dominant >= 0], minlength=1).max() / len(dominant)),
    }
    if labels is not None:
        agreement = label_agreement(dominant, labels)
        scores.update(nmi=agreement["nmi"], ari=agreement["ari"], n_outliers=agreement["n_outliers"])
    return scores
