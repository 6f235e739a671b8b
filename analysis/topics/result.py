"""What every topic model produces, and all that the metrics consume (as in OCTIS)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def topic_column(topic: int) -> str:
    """The column of topic ``topic``'s share in every table of document-topic shares: ``topic_0``, ``topic_1``, ..."""
    return f"topic_{topic}"


@dataclass(frozen=True)
class TopicResult:
    """A fitted topic model's output.

    Attributes
    ----------
    topics
        Per topic, its top words with weights, best first: ``[[("north_korea", 0.031), ...], ...]``.
    doc_topic
        (n_documents, n_topics) document-topic matrix; rows sum to 1 (an
        outlier document of BERTopic has an all-zero row).
    """

    topics: list[list[tuple[str, float]]]
    doc_topic: np.ndarray

    def top_words(self, n: int = 10) -> list[list[str]]:
        return [[word for word, _ in topic[:n]] for topic in self.topics]

    def dominant_topic(self) -> np.ndarray:
        """Each document's most probable topic, or -1 for a document with no topic mass (an outlier)."""
        dominant = self.doc_topic.argmax(axis=1)
        return np.where(self.doc_topic.sum(axis=1) > 0, dominant, -1)
