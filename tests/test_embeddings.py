"""MiniLM vectors depend on the text only: not on the cache's state, the other texts of a call, nor the export.

Both encoder runtimes (torch and ONNX Runtime) keep these properties, agree with each other to a cosine of
0.9999 on real paragraphs, and never share a cache folder.
"""

import json
from itertools import islice

import numpy as np
import pytest

from analysis.embeddings import (
    RUNTIMES,
    EmbeddingCache,
    EncoderError,
    OnnxEncoder,
    cache_folder,
    embed,
    encoder_runtime,
    onnx_export,
    text_key,
)
from analysis.errors import UnknownNameError


@pytest.fixture(scope="module")
def paragraphs(open_named):
    """Twelve General Debate paragraphs of very different lengths (1993 is held out, so 1994)."""
    speeches = list(islice((d for d in open_named("ungdc") if int(d.meta["year"]) == 1994), 4))
    texts = [p.strip() for d in speeches for p in d.text.split("\n") if len(p.strip()) > 40]
    by_length = sorted(texts, key=len)
    return by_length[:4] + by_length[len(by_length) // 2:][:4] + by_length[-4:]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_vector_does_not_depend_on_batch_neighbours_or_cache_state(runtime, paragraphs, tmp_path):
    together = embed(paragraphs, cache=EmbeddingCache(tmp_path / "together", runtime=runtime), progress=False)
    alone = np.stack([embed([text], cache=EmbeddingCache(tmp_path / f"alone-{i}", runtime=runtime), progress=False)[0]
                      for i, text in enumerate(paragraphs[::-1])])[::-1]
    assert together.shape == (len(paragraphs), 384) and together.dtype == np.float32
    assert np.array_equal(together, alone)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_cache_reopened_from_disk_returns_the_same_bits(runtime, paragraphs, tmp_path):
    first = embed(paragraphs[:3], cache=EmbeddingCache(tmp_path, runtime=runtime), progress=False)
    reopened = EmbeddingCache(tmp_path, runtime=runtime)
    assert len(reopened) == 3
    assert np.array_equal(np.stack([reopened.get(text_key(text)) for text in paragraphs[:3]]), first)


def test_onnx_runtime_agrees_with_torch_on_real_paragraphs(paragraphs, tmp_path):
    # the longest paragraphs run past the 256 tokens both truncate at
    vectors = {runtime: embed(paragraphs, cache=EmbeddingCache(tmp_path / runtime, runtime=runtime), progress=False)
               for runtime in RUNTIMES}
    cosine = (vectors["onnxruntime"] * vectors["torch"]).sum(axis=1)
    assert cosine.min() >= 0.9999
    assert not np.array_equal(vectors["onnxruntime"], vectors["torch"])  # close, not the same bits: kept apart


def test_each_runtime_has_its_own_cache_folder(paragraphs, monkeypatch):
    assert cache_folder("torch") != cache_folder("onnxruntime")
    assert cache_folder("torch").parent == cache_folder("onnxruntime").parent
    for runtime in RUNTIMES:
        monkeypatch.setenv("ANALYSIS_ENCODER", runtime)
        assert encoder_runtime() == runtime and EmbeddingCache().folder == cache_folder(runtime)
    monkeypatch.setenv("ANALYSIS_ENCODER", "tensorflow")
    with pytest.raises(UnknownNameError, match="onnxruntime, torch"):
        encoder_runtime()


@pytest.mark.slow
def test_a_fresh_export_gives_the_same_vectors_and_a_changed_one_is_refused(paragraphs, tmp_path):
    cold = onnx_export(tmp_path / "cold")
    manifest = json.loads((cold.parent / "manifest.json").read_text())
    assert manifest["config"]["runtime"] == "onnxruntime" and manifest["config"]["precision"] == "fp32"
    warm = onnx_export(tmp_path / "cold")  # found and verified, not exported again
    assert warm == cold and manifest == json.loads((cold.parent / "manifest.json").read_text())
    vectors = np.stack([OnnxEncoder(cold).encode_one(text) for text in paragraphs])
    assert np.array_equal(vectors, OnnxEncoder(onnx_export(tmp_path / "other")).encode(paragraphs))
    assert np.array_equal(vectors, embed(paragraphs, cache=EmbeddingCache(tmp_path / "vectors"), progress=False))
    with open(cold, "r+b") as handle:
        handle.seek(-4, 2)
        handle.write(b"\0\0\0\0")
    with pytest.raises(EncoderError, match="delete"):
        onnx_export(tmp_path / "cold")
