"""MiniLM with its top transformer layers fine-tuned on the frame annotations.

Fine-tuning the whole encoder on ~1.3k paragraphs costs tens of minutes of a
CPU core per fit, most of it spent pushing every paragraph through the four
lower layers again in every epoch. Here those layers stay as packaged: each
paragraph goes through them once, and only the top ``layers`` (two of six by
default) and a linear multi-label head are trained, with the frames'
class-balanced binary cross-entropy. A fit on 1,290 paragraphs takes about
2.5 min of one core.

As in :mod:`analysis.embeddings`, every paragraph goes through the network on
its own (no padding, so a paragraph's vector depends on its text only), on one
torch thread, and the mini-batch order comes from a generator seeded with
``seed``: a fit is bit-identical on rerun. The pooled output is the mean of
the token vectors, then unit length, as in the packaged pipeline.

The trained layers are stored as safetensors (:meth:`tensors`), never pickled.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from analysis.progress import progress as progress_bar

#: the prefix of the fine-tuned layers' tensors in a model folder's safetensors file
TENSOR_PREFIX = "encoder."


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


def _packaged_bert():
    from analysis.embeddings import load_model

    model = load_model()
    return model, model[0].auto_model


class TopLayerEncoder:
    """The packaged MiniLM whose top ``layers`` are fine-tuned for ``epochs`` on multi-label frame targets."""

    def __init__(self, *, layers: int = 2, epochs: int = 3, learning_rate: float = 5e-5, head_learning_rate: float = 1e-3,
                 batch_size: int = 16, seed: int = 0):
        self.layers = layers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.batch_size = batch_size
        self.seed = seed

    def _lower_states(self, texts: Sequence[str], *, progress: bool) -> list:
        """Each text's token vectors after the frozen lower layers, one text per pass."""
        torch = _torch()
        sentence_model, bert = _packaged_bert()
        states = []
        with torch.no_grad():
            for text in progress_bar(texts, desc="fine-tuned encoder", unit="text", enabled=progress):
                tokens = sentence_model.preprocess([text])
                hidden = bert.embeddings(input_ids=tokens["input_ids"], token_type_ids=tokens.get("token_type_ids"))
                for layer in bert.encoder.layer[:-self.layers]:
                    hidden = _layer_output(layer(hidden))
                states.append(hidden)
        return states

    def _pooled(self, hidden):
        torch = _torch()
        for layer in self.top_:
            hidden = _layer_output(layer(hidden))
        return torch.nn.functional.normalize(hidden.mean(dim=1), dim=1)

    def fit(self, texts: Sequence[str], targets: np.ndarray, *, progress: bool = True) -> TopLayerEncoder:
        torch = _torch()
        with torch.random.fork_rng():
            torch.manual_seed(self.seed)
            states = self._lower_states(list(texts), progress=progress)
            _, bert = _packaged_bert()
            self.top_ = copy.deepcopy(bert.encoder.layer[-self.layers:])
            self.head_ = torch.nn.Linear(bert.config.hidden_size, targets.shape[1])
            truth = torch.tensor(np.asarray(targets, dtype=np.float32))
            positives = truth.sum(dim=0).clamp(min=1)
            loss_function = torch.nn.BCEWithLogitsLoss(pos_weight=(len(truth) - positives) / positives)
            optimiser = torch.optim.AdamW([{"params": self.top_.parameters(), "lr": self.learning_rate},
                                           {"params": self.head_.parameters(), "lr": self.head_learning_rate}],
                                          weight_decay=0.01)
            order = torch.Generator().manual_seed(self.seed)
            self.top_.train()
            self.loss_ = []
            for _ in progress_bar(range(self.epochs), desc="fine-tuning", unit="epoch", enabled=progress):
                total = 0.0
                permutation = torch.randperm(len(states), generator=order).tolist()
                for start in range(0, len(permutation), self.batch_size):
                    batch = permutation[start:start + self.batch_size]
                    optimiser.zero_grad()
                    loss = sum(loss_function(self.head_(self._pooled(states[i]))[0], truth[i]) for i in batch) / len(batch)
                    loss.backward()
                    optimiser.step()
                    total += loss.item() * len(batch)
                self.loss_.append(total / len(states))
            self.top_.eval()
        return self

    def transform(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """(n, 384) unit-length vectors of the fine-tuned encoder."""
        torch = _torch()
        states = self._lower_states(list(texts), progress=progress)
        with torch.no_grad():
            return np.vstack([self._pooled(hidden).numpy() for hidden in states]).astype(np.float32)

    def tensors(self) -> dict[str, np.ndarray]:
        """The fine-tuned layers and the head, by name, for a safetensors file."""
        state = {f"top.{name}": value for name, value in self.top_.state_dict().items()}
        state.update({f"head.{name}": value for name, value in self.head_.state_dict().items()})
        return {TENSOR_PREFIX + name: value.detach().numpy().copy() for name, value in state.items()}

    def load_tensors(self, tensors: dict[str, np.ndarray]) -> TopLayerEncoder:
        """Rebuild the fitted encoder from :meth:`tensors` (checked: every tensor present, no other)."""
        torch = _torch()
        _, bert = _packaged_bert()
        self.top_ = copy.deepcopy(bert.encoder.layer[-self.layers:]).eval()
        self.head_ = torch.nn.Linear(bert.config.hidden_size, len(tensors[TENSOR_PREFIX + "head.bias"]))
        for prefix, module in (("top.", self.top_), ("head.", self.head_)):
            state = {name[len(TENSOR_PREFIX + prefix):]: torch.from_numpy(value) for name, value in tensors.items()
                     if name.startswith(TENSOR_PREFIX + prefix)}
            module.load_state_dict(state, strict=True)
        return self


def _layer_output(output):
    """A BERT layer's hidden states (some transformers versions return them in a tuple)."""
    return output[0] if isinstance(output, tuple) else output
