"""BERTopic's UMAP projection, cached by the hash of its input and parameters.

A seeded UMAP is deterministic, and on two cores it is the slowest step of a
BERTopic fit after embedding (about a minute for 20 Newsgroups). The number of
topics does not enter it, so a sweep over K (``topics select``, the benchmark,
the report) projects each corpus once per seed and reads the projection back
for every other K.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from analysis.persist import atomic_path, exclusive_lock

log = logging.getLogger(__name__)

DEFAULT_CACHE = Path(os.environ.get("ANALYSIS_CACHE", "artifacts/cache")) / "umap"


class CachedUMAP:
    """A seeded ``umap.UMAP`` whose ``fit_transform`` result is stored as ``.npz`` under its input hash.

    Only ``fit_transform`` is offered: it is all BERTopic calls when fitting,
    and our BERTopic backend places new documents by embedding similarity,
    never through the projection.
    """

    def __init__(self, *, n_neighbors: int = 15, n_components: int = 5, min_dist: float = 0.0,
                 metric: str = "cosine", random_state: int = 0, cache: Path | None = None):
        self.params = {"n_neighbors": n_neighbors, "n_components": n_components, "min_dist": min_dist,
                       "metric": metric, "random_state": random_state}
        self.cache = Path(cache) if cache is not None else DEFAULT_CACHE

    def key(self, embeddings: np.ndarray) -> str:
        digest = hashlib.sha1(np.ascontiguousarray(embeddings, dtype=np.float32).tobytes())
        digest.update(json.dumps(self.params, sort_keys=True).encode())
        return digest.hexdigest()

    def fit_transform(self, embeddings: np.ndarray, y=None) -> np.ndarray:
        if y is not None:
            raise ValueError("CachedUMAP projects without labels (supervised UMAP is not cached)")
        path = self.cache / f"{self.key(embeddings)}.npz"
        if not path.exists():
            # `topics fit` and `topics select` side by side project the same seed: one projects, the other waits
            with exclusive_lock(path.with_suffix(".lock")):
                if not path.exists():
                    self._project(embeddings, path)
        with np.load(path, allow_pickle=False) as stored:
            return stored["projection"]

    def _project(self, embeddings: np.ndarray, path: Path) -> None:
        from umap import UMAP

        log.info("projecting %d embeddings with UMAP %s", len(embeddings), self.params)
        projection = UMAP(**self.params).fit_transform(embeddings)
        with atomic_path(path) as temporary:
            np.savez(temporary, projection=projection)
