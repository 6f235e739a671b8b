"""The packaged MiniLM fine-tuned on frame labels: the encoder of the ``finetuned`` frame model.

The network is the packaged all-MiniLM-L6-v2 with a linear head of one logit per frame on its mean-pooled
token vectors, trained with binary cross-entropy (positives weighted by their rarity) for a few epochs at a
small learning rate. The head only shapes the encoder and is then dropped: the frame model's own calibrated
one-vs-rest heads and F1 thresholds read the fine-tuned vectors (see ``FineTunedModel``), as SetFit does after
its contrastive phase. Training uses a fixed number of torch threads (the float summation order, and so the
weights' last bits, depend on it) and a seeded shuffle, so one seed gives the same weights on every run;
encoding afterwards is one text per call on one thread, like :mod:`analysis.embeddings`, so a text's vector
depends on the text only. The weights are saved as safetensors; vectors are cached under the sha256 of those
weights, never beside the frozen model's.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.embeddings import DEFAULT_CACHE, EmbeddingCache, embed, model_path
from analysis.hashing import file_sha256
from analysis.persist import atomic_path
from analysis.progress import progress as progress_bar

log = logging.getLogger(__name__)

#: torch threads while training: fixed, because the weights' last bits depend on the thread count
TRAIN_THREADS = 2
WEIGHTS_NAME = "encoder.safetensors"
#: batches are drawn from length-sorted pools of this many batches, so that a batch pads little
POOL_BATCHES = 8


def _tokenizer(max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _packaged_network():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its weight-loading bar: one more redrawn line in a log
    return AutoModel.from_pretrained(str(model_path()))


class FineTunedEncoder:
    """MiniLM fine-tuned on (text, frame) labels; :meth:`encode` gives unit-length vectors (n, 384)."""

    def __init__(self, network, *, max_length: int, weights_sha256: str | None = None):
        self.network = network
        self.max_length = max_length
        self.tokenizer = _tokenizer(max_length)
        self.weights_sha256 = weights_sha256

    # -- training ------------------------------------------------------------------------------
    @classmethod
    def train(cls, texts: Sequence[str], targets: np.ndarray, *, epochs: int, learning_rate: float, batch_size: int,
              max_length: int, seed: int) -> FineTunedEncoder:
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(TRAIN_THREADS)
        torch.manual_seed(seed)
        try:
            encoder = cls(_packaged_network(), max_length=max_length)
            encoder._train(list(texts), np.asarray(targets, dtype=np.float32), epochs=epochs,
                           learning_rate=learning_rate, batch_size=batch_size, seed=seed)
        finally:
            torch.set_num_threads(threads)
        return encoder

    def _pooled(self, encodings):
        import torch

        width = max(len(e.ids) for e in encodings)
        ids = torch.zeros((len(encodings), width), dtype=torch.long)
        mask = torch.zeros((len(encodings), width), dtype=torch.long)
        for i, encoding in enumerate(encodings):
            ids[i, :len(encoding.ids)] = torch.tensor(encoding.ids)
            mask[i, :len(encoding.ids)] = 1
        tokens = self.network(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(tokens.dtype)
        return (tokens * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    def _batches(self, lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
        order = rng.permutation(len(lengths))
        batches = []
        for start in range(0, len(order), POOL_BATCHES * batch_size):
            pool = order[start:start + POOL_BATCHES * batch_size]
            pool = pool[np.argsort(lengths[pool], kind="stable")]
            batches += [pool[i:i + batch_size] for i in range(0, len(pool), batch_size)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def _train(self, texts, targets, *, epochs, learning_rate, batch_size, seed) -> None:
        import torch

        encodings = self.tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encodings])
        labels = torch.from_numpy(targets)
        positive = labels.mean(0).clamp(1e-3, 1 - 1e-3)
        loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=(1 - positive) / positive)
        head = torch.nn.Linear(self.network.config.hidden_size, targets.shape[1])
        optimiser = torch.optim.AdamW([{"params": self.network.parameters(), "lr": learning_rate},
                                       {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)
        steps = epochs * int(np.ceil(len(texts) / batch_size))
        warmup = max(1, steps // 10)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: min(1.0, (step + 1) / warmup) * (steps - step) / steps)
        rng = np.random.default_rng(seed)
        self.network.train()
        started = time.perf_counter()
        with progress_bar(total=steps, desc="fine-tuning MiniLM", unit="batch") as bar:
            for epoch in range(epochs):
                total = 0.0
                for batch in self._batches(lengths, batch_size, rng):
                    pooled = torch.nn.functional.dropout(self._pooled([encodings[i] for i in batch]), 0.1, training=True)
                    loss = loss_of(head(pooled), labels[batch])
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    schedule.step()
                    total += loss.item() * len(batch)
                    bar.update(1)
                log.info("fine-tuning epoch %d/%d: loss %.4f (%.0f s)", epoch + 1, epochs, total / len(texts),
                         time.perf_counter() - started)
        self.network.eval()

    # -- encoding ------------------------------------------------------------------------------
    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one text per call on one thread (the interface :func:`embed` feeds)."""
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.no_grad():
                vectors = np.stack([self._pooled([self.tokenizer.encode(text)])[0].numpy() for text in texts])
        finally:
            torch.set_num_threads(threads)
        return (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    def vectors(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts`` through a cache of this encoder's own (once saved: named by its weights' sha256)."""
        if self.weights_sha256 is None:  # not saved yet: a cache in memory only
            if not hasattr(self, "_memory"):
                self._memory = _MemoryCache()
            return embed(texts, cache=self._memory, encoder=self, progress=progress)
        if not hasattr(self, "_cache"):
            self._cache = self._disk_cache()
        return embed(texts, cache=self._cache, encoder=self, progress=progress)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        from safetensors.torch import save

        state = {name: tensor.detach().contiguous() for name, tensor in self.network.state_dict().items()}
        with atomic_path(Path(folder) / WEIGHTS_NAME) as temporary:
            temporary.write_bytes(save(state))  # into the file atomic_path made: its permissions, not 0600
        self.weights_sha256 = file_sha256(Path(folder) / WEIGHTS_NAME)
        memory = getattr(self, "_memory", None)
        if memory is not None and len(memory):  # the vectors made while fitting, kept for later runs
            keys = sorted(memory._vectors)
            self._disk_cache().add(keys, np.stack([memory.get(key) for key in keys]))

    def _disk_cache(self) -> EmbeddingCache:
        folder = DEFAULT_CACHE.parent / f"finetuned-{self.weights_sha256[:16]}"
        folder.mkdir(parents=True, exist_ok=True)
        return EmbeddingCache(folder, runtime="torch")

    @classmethod
    def load(cls, folder: Path, *, max_length: int) -> FineTunedEncoder:
        """The encoder saved in ``folder`` (its sha256 already checked by the model's manifest)."""
        from safetensors.torch import load_file

        network = _packaged_network()
        network.load_state_dict(load_file(str(Path(folder) / WEIGHTS_NAME)), strict=True)
        network.eval()
        return cls(network, max_length=max_length, weights_sha256=file_sha256(Path(folder) / WEIGHTS_NAME))


class _MemoryCache(EmbeddingCache):
    """An :class:`EmbeddingCache` that writes no shards: for an encoder whose weights are not saved."""

    def __init__(self):
        self.runtime = "torch"
        self.folder = None
        self._vectors = {}
        self.unreadable_shards = []

    def add(self, keys, vectors):
        self._vectors.update(zip(keys, vectors))
