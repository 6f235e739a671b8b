"""MiniLM vectors depend on the text only: not on the cache's state nor on the other texts of a call."""

from itertools import islice

import numpy as np
import pytest

from analysis.embeddings import EmbeddingCache, embed, text_key


@pytest.fixture(scope="module")
def paragraphs(open_named):
    """Twelve General Debate paragraphs of very different lengths (1993 is held out, so 1994)."""
    speeches = list(islice((d for d in open_named("ungdc") if int(d.meta["year"]) == 1994), 4))
    texts = [p.strip() for d in speeches for p in d.text.split("\n") if len(p.strip()) > 40]
    by_length = sorted(texts, key=len)
    return by_length[:4] + by_length[len(by_length) // 2:][:4] + by_length[-4:]


def test_vector_does_not_depend_on_batch_neighbours_or_cache_state(paragraphs, tmp_path):
    together = embed(paragraphs, cache=EmbeddingCache(tmp_path / "together"), progress=False)
    alone = np.stack([embed([text], cache=EmbeddingCache(tmp_path / f"alone-{i}"), progress=False)[0]
                      for i, text in enumerate(paragraphs[::-1])])[::-1]
    assert together.shape == (len(paragraphs), 384)
    assert np.array_equal(together, alone)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, rtol=1e-5)


def test_cache_reopened_from_disk_returns_the_same_bits(paragraphs, tmp_path):
    first = embed(paragraphs[:3], cache=EmbeddingCache(tmp_path), progress=False)
    reopened = EmbeddingCache(tmp_path)
    assert len(reopened) == 3
    assert np.array_equal(np.stack([reopened.get(text_key(text)) for text in paragraphs[:3]]), first)
