"""Scale the unit pipeline out: corpus → paragraph units → frame probabilities → topic shares.

The corpus is cut into partitions of ``partition_size`` documents, in corpus
order. One pure function, :func:`process_partition`, turns a partition into
its paragraph units, scores their frames with a saved frame model and their
topics with a saved topic model, and writes ``parts/part-NNNNN.parquet``
beside a small ``part-NNNNN.json`` record (the part's sha256, the digest of
its documents and of the run's configuration). The parts are then
concatenated in partition order into ``predictions.parquet``, one row per
unit, and a ``manifest.json`` records the inputs, configuration and counts.

Where the partitions run is the only thing that varies:

* in this process (no ``client``);
* on a ``dask.distributed`` cluster: a :class:`~distributed.LocalCluster` of
  worker processes on this machine (``workers=N``), or any running scheduler
  (``scheduler="tcp://HOST:8786"``), see :func:`dask_client`.

The output is identical either way (same rows, same order, same bits):

* partitions depend on the corpus order only, never on which worker ran them;
* topic inference may depend on the batch it is run on (NMF's coordinate
  descent stops on a tolerance summed over the batch, gensim draws LDA's
  variational start for the whole batch), so the batch is always exactly one
  partition -- which is why ``partition_size`` is part of the configuration.
  On 300 UNGDC speeches, 50 or 100 per partition, NMF shares were identical
  and LDA's moved by 0.0001 on average (0.22 at most, for a few units);
* BLAS runs single-threaded inside a partition, as in a one-thread worker.

Models travel as folder paths with a digest of their files, not as pickles:
each process loads a model once and keeps it (:func:`functools.lru_cache`),
and a changed model folder has a new digest and is loaded afresh, even by the
workers of a long-lived cluster. The client streams documents and keeps at
most ``2 x worker threads`` partitions in flight, so memory stays bounded
whatever the corpus size. A part whose record matches its file's sha256, its
documents and the configuration is reused, so an interrupted run resumes.

Frame models that embed every paragraph with MiniLM (``zeroshot``,
``supervised``, ``combined``) and the ``bertopic`` topic backend work too,
but embedding runs at about 38 General Debate paragraphs a second per core with
ONNX Runtime -- some 1.5 hours for the 356,000 paragraphs of the UN General Debate
on two idle workers -- so :func:`run_scale` warns about them; ``tfidf`` with
``nmf`` or ``lda`` needs no embeddings. Bit-identical outputs are tested for
those; ``benchmarks/scale.py`` also found them for ``combined`` (a vector depends
on its text only, one thread per worker), and the run's encoder runtime is part
of its configuration.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import time
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.corpus.manifest import MANIFEST_DIR, Manifest, sha256_of
from analysis.corpus.model import Document
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import SegmentOptions, document_units
from analysis.embeddings import encoder_runtime
from analysis.errors import AnalysisError
from analysis.framing.codebook import FRAMES
from analysis.framing.models import FrameModel, frame_columns, load_model
from analysis.persist import atomic_path, write_manifest
from analysis.topics.models import TopicModel, load_topic_model
from analysis.topics.result import TopicResult, topic_column

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger(__name__)

OUTPUT_FILE = "predictions.parquet"
PARTS_DIR = "parts"
DEFAULT_PARTITION_SIZE = 100
#: Units scored per ``predict_proba`` call: the TF-IDF features are dense, (units x vocabulary) floats.
FRAME_BATCH = 2048
#: Bumped when the columns or their meaning change, so that older parts are not reused.
OUTPUT_VERSION = 1
EMBEDDING_FRAME_KINDS = frozenset({"zeroshot", "supervised", "combined", "combined-codebook"})
EMBEDDING_TOPIC_BACKENDS = frozenset({"bertopic"})
SCALE_PACKAGES = ("dask", "distributed", "scikit-learn", "gensim", "threadpoolctl")
MEMBER_STATES_FILE = MANIFEST_DIR / "reference" / "un_member_states.toml"

_UNIT_COLUMNS = [("unit_id", pa.string()), ("doc_id", pa.string()), ("paragraph", pa.int32()), ("sha1", pa.string()),
                 ("n_words", pa.int32()), ("date", pa.string()), ("year", pa.int32()), ("speaker", pa.string()),
                 ("heldout", pa.bool_())]


class ScaleError(AnalysisError, RuntimeError):
    """A scale-out run that cannot start or finish; the message says why and what to do."""


def output_schema(n_topics: int) -> pa.Schema:
    """Columns of ``predictions.parquet``: the unit, its frame scores, and its topic shares."""
    return pa.schema([
        *_UNIT_COLUMNS,
        *[(frame, pa.float64()) for frame in FRAMES],
        *[(f"{frame}_present", pa.bool_()) for frame in FRAMES],
        ("primary", pa.string()),
        *[(topic_column(t), pa.float64()) for t in range(n_topics)],
        ("dominant_topic", pa.int32()),
    ])


# --------------------------------------------------------------------------- models, loaded once per process


@dataclass(frozen=True)
class ModelRef:
    """A saved model as a task carries it: the folder (as every worker sees it) and a digest of its files."""

    folder: str
    sha256: str


def model_ref(folder: Path) -> ModelRef:
    """Point at a model folder; the digest covers every json, npz and safetensors file in it."""
    folder = Path(folder).expanduser().resolve()
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} holds no saved model (config.json is missing)")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.suffix in {".json", ".npz", ".safetensors"}):
        digest.update(f"{path.name}\0{sha256_of(path)}\n".encode())
    return ModelRef(folder=str(folder), sha256=digest.hexdigest())


def _visible(ref: ModelRef) -> Path:
    folder = Path(ref.folder)
    if not folder.is_dir():
        import socket

        raise FileNotFoundError(f"model folder {folder} is not visible on {socket.gethostname()}: every worker must see "
                                "the models (and --out) at the same path, e.g. on a shared filesystem")
    return folder


@lru_cache(maxsize=2)
def frame_model(ref: ModelRef) -> FrameModel:
    """The frame model at ``ref``, loaded once per process (the digest is part of the cache key)."""
    return load_model(_visible(ref))


@lru_cache(maxsize=2)
def topic_model(ref: ModelRef) -> TopicModel:
    """The topic model at ``ref``, loaded once per process, its progress bars off (workers have no terminal)."""
    model = load_topic_model(_visible(ref))
    model.preprocessor_.progress = False
    return model


# --------------------------------------------------------------------------- one partition


@dataclass(frozen=True)
class PartitionTask:
    """Everything :func:`process_partition` needs: small, plain data (the documents themselves, model paths)."""

    index: int
    documents: tuple[Document, ...]
    documents_sha256: str
    segment: SegmentOptions
    frame_model: ModelRef
    topic_model: ModelRef
    out: str
    config_sha256: str
    encoder: str | None = None  # the encoder runtime of the run, when its models embed


def part_paths(out: Path, index: int) -> tuple[Path, Path]:
    """The part's parquet file and its json record."""
    stem = Path(out) / PARTS_DIR / f"part-{index:05d}"
    return stem.with_suffix(".parquet"), stem.with_suffix(".json")


def documents_sha256(documents: Iterable[Document]) -> str:
    """A digest of documents' ids, text and metadata, in order: a part is reused only for the same documents."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(json.dumps([document.id, document.text, dict(document.meta)], sort_keys=True, default=str,
                                 ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def process_partition(task: PartitionTask) -> dict[str, Any]:
    """Units, frame scores and topic shares of one partition, written as a parquet part; returns its record.

    Pure: the part depends only on the task (never on the process or worker
    that runs it), so reruns, resumes and any cluster give the same bytes.
    """
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    if task.encoder and encoder_runtime() != task.encoder:
        raise ScaleError(f"this worker embeds with {encoder_runtime()} but the run with {task.encoder}: "
                         f"set ANALYSIS_ENCODER={task.encoder} for the workers too")
    frames, topics = frame_model(task.frame_model), topic_model(task.topic_model)
    n_topics = len(topics.topics_)
    rows = [row for document in task.documents for row in document_units(document, task.segment)[0]]
    texts = [row["text"] for row in rows]
    with threadpool_limits(limits=1):
        scores = np.vstack([frames.predict_proba(texts[i:i + FRAME_BATCH]) for i in range(0, len(texts), FRAME_BATCH)]
                           or [np.zeros((0, len(FRAMES)))])
        doc_topic = topics.transform(texts) if texts else np.zeros((0, n_topics))
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name, _ in _UNIT_COLUMNS}
    columns.update(frame_columns(scores, frames.threshold_))  # the schema orders the columns
    for t in range(n_topics):
        columns[topic_column(t)] = doc_topic[:, t]
    columns["dominant_topic"] = TopicResult(topics=topics.topics_, doc_topic=doc_topic).dominant_topic()
    table = pa.Table.from_pydict(columns, schema=output_schema(n_topics))

    part, record_path = part_paths(Path(task.out), task.index)
    part.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(part) as temporary:
        pq.write_table(table, temporary)
    record = {
        "index": task.index,
        "part": part.name,
        "sha256": sha256_of(part),
        "documents": len(task.documents),
        "first_document": task.documents[0].id,
        "last_document": task.documents[-1].id,
        "units": len(rows),
        "documents_sha256": task.documents_sha256,
        "config_sha256": task.config_sha256,
        "seconds": round(time.perf_counter() - started, 3),
    }
    with atomic_path(record_path) as temporary:
        temporary.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return record


def reusable_part(out: Path, index: int, *, documents_sha256: str, config_sha256: str) -> dict[str, Any] | None:
    """The record of an existing part if it is complete and was made from these documents and configuration."""
    part, record_path = part_paths(out, index)
    if not (part.is_file() and record_path.is_file()):
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    if (record.get("documents_sha256"), record.get("config_sha256")) != (documents_sha256, config_sha256):
        return None
    return record if sha256_of(part) == record.get("sha256") else None


# --------------------------------------------------------------------------- where the partitions run


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None, memory_limit: str = "4GiB",
                timeout: str | float | None = None) -> Iterator[Client]:
    """A ``distributed`` client: a new local cluster of ``workers`` processes, or a running ``scheduler``.

    Local workers are processes with one thread each (the partitions are
    CPU-bound Python, which threads would serialise on the GIL) and a memory
    limit each; ``timeout`` bounds the wait for a remote scheduler (default:
    dask's ``distributed.comm.timeouts.connect``).
    """
    if (workers is None) == (scheduler is None):
        raise ValueError("give either workers (a local cluster) or scheduler (an address), not both or neither")
    from distributed import Client, LocalCluster

    if not log.isEnabledFor(logging.INFO):
        # distributed logs every connection at INFO, which would reach the command line's handler
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if workers is not None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, **({} if timeout is None else {"timeout": timeout}))
    except (OSError, ValueError, TypeError) as error:
        raise ScaleError(f"could not connect to the Dask scheduler at {scheduler!r}: {error}. Start one with "
                         f"`dask scheduler` and workers with `dask worker ADDRESS`, or run locally with --workers N") from None
    with client:
        yield client


def _in_flight(client: Client, tasks: Iterator[PartitionTask]) -> Iterator[dict[str, Any]]:
    """Run tasks on the cluster, at most two per worker thread at a time; yield records as they finish."""
    from distributed import as_completed

    window = max(2, 2 * sum(client.nthreads().values()))
    running = as_completed([client.submit(process_partition, task, pure=False) for task in itertools.islice(tasks, window)])
    for future in running:
        record = future.result()
        future.release()
        following = next(tasks, None)
        if following is not None:
            running.add(client.submit(process_partition, following, pure=False))
        yield record


def _partitions(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --------------------------------------------------------------------------- a run


def run_scale(manifest: Manifest, *, frame_model_dir: Path, topic_model_dir: Path, out: Path,
              partition_size: int = DEFAULT_PARTITION_SIZE, limit_documents: int | None = None,
              client: Client | None = None, data_home: Path | None = None, progress: bool = True) -> dict[str, Any]:
    """Run the unit pipeline over a corpus, partitioned by document; write ``out`` and return its manifest.

    Parameters
    ----------
    manifest
        The corpus (a project manifest, or one made for the user's own files).
    frame_model_dir, topic_model_dir
        Saved models; on a cluster, at paths every worker sees.
    out
        Output folder: ``predictions.parquet``, ``parts/`` (kept, so that a
        rerun reuses them) and ``manifest.json``; on a cluster, shared with
        the workers.
    partition_size
        Documents per partition. Part of the configuration: topic inference
        may depend on its batch (LDA does), so another size recomputes every
        part.
    limit_documents
        Only the first N documents of the corpus.
    client
        A ``distributed`` client (see :func:`dask_client`); ``None`` runs every
        partition in this process. The output is the same.
    """
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, not {partition_size}")
    if limit_documents is not None and limit_documents < 1:
        raise ValueError(f"limit_documents must be at least 1, not {limit_documents}")
    from analysis.progress import progress as progress_bar

    started = time.perf_counter()
    out = Path(out).expanduser().resolve()
    frame_ref, topic_ref = model_ref(frame_model_dir), model_ref(topic_model_dir)
    frames, topics = frame_model(frame_ref), topic_model(topic_ref)  # fail early, before any partition runs
    _warn_about_embeddings(frames.kind, topics.backend)
    segment = SegmentOptions(**manifest.units)
    config = {"output_version": OUTPUT_VERSION, "partition_size": partition_size, "frame_batch": FRAME_BATCH,
              "segment": asdict(segment), "frame_model_sha256": frame_ref.sha256, "topic_model_sha256": topic_ref.sha256}
    if frames.kind in EMBEDDING_FRAME_KINDS or topics.backend in EMBEDDING_TOPIC_BACKENDS:
        config["encoder"] = encoder_runtime()  # the runtimes' vectors differ in the last bits
    config_sha256 = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    (out / PARTS_DIR).mkdir(parents=True, exist_ok=True)

    corpus = open_corpus(manifest, data_home=data_home)
    documents = itertools.islice(corpus, limit_documents)
    records: dict[int, dict[str, Any]] = {}
    reused: list[int] = []
    total = limit_documents if limit_documents is not None else manifest.expected_documents
    bar = progress_bar(total=total, unit="doc", desc=f"{manifest.name} units, frames, topics", enabled=progress)

    def tasks() -> Iterator[PartitionTask]:
        for index, batch in enumerate(_partitions(documents, partition_size)):
            digest = documents_sha256(batch)
            record = reusable_part(out, index, documents_sha256=digest, config_sha256=config_sha256)
            if record is not None:
                records[index] = record
                reused.append(index)
                bar.update(record["documents"])
                continue
            yield PartitionTask(index=index, documents=tuple(batch), documents_sha256=digest, segment=segment,
                                frame_model=frame_ref, topic_model=topic_ref, out=str(out), config_sha256=config_sha256,
                                encoder=config.get("encoder"))

    finished = map(process_partition, tasks()) if client is None else _in_flight(client, tasks())
    with bar:
        for record in finished:
            if not part_paths(out, record["index"])[0].is_file():
                raise ScaleError(f"a worker wrote {record['part']} but it is not in {out / PARTS_DIR} here: "
                                 "--out must be a folder every worker shares with this machine")
            records[record["index"]] = record
            bar.update(record["documents"])
    if not records:
        raise ScaleError(f"{manifest.name}: no documents to process")

    schema = output_schema(len(topics.topics_))
    order = [records[index] for index in range(len(records))]
    with atomic_path(out / OUTPUT_FILE) as temporary, pq.ParquetWriter(temporary, schema) as writer:
        for record in order:
            writer.write_table(pq.read_table(part_paths(out, record["index"])[0], schema=schema))
    units = sum(record["units"] for record in order)
    seconds = time.perf_counter() - started
    corpus_sha256 = sha256_of(corpus.path) if corpus.path.is_file() else None  # a folder of .txt files has none
    write_manifest(
        out, stage="scale",
        inputs={"corpus": {"name": manifest.name, "file": str(corpus.path), "sha256": corpus_sha256,
                           "documents_sha256": hashlib.sha256("".join(r["documents_sha256"] for r in order).encode()).hexdigest()},
                "frame_model": {"folder": frame_ref.folder, "sha256": frame_ref.sha256, "kind": frames.kind,
                                "thresholds": dict(zip(FRAMES, map(float, frames.threshold_)))},
                "topic_model": {"folder": topic_ref.folder, "sha256": topic_ref.sha256, "backend": topics.backend,
                                "n_topics": len(topics.topics_)}},
        config={**config, "config_sha256": config_sha256, "limit_documents": limit_documents,
                "execution": _execution(client)},
        counts={"documents": sum(r["documents"] for r in order), "units": units, "partitions": len(order),
                "partitions_reused": len(reused), "seconds": round(seconds, 2),
                "read_report": corpus.last_report.summary() if corpus.last_report else None},
        extra_packages=SCALE_PACKAGES,
    )
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _execution(client: Client | None) -> dict[str, Any]:
    if client is None:
        return {"mode": "in-process"}
    return {"mode": "dask", "scheduler": client.scheduler.address, "workers": len(client.nthreads()),
            "threads": sum(client.nthreads().values())}


def _warn_about_embeddings(kind: str, backend: str) -> None:
    slow = [f"frame model kind {kind!r}"] if kind in EMBEDDING_FRAME_KINDS else []
    slow += [f"topic backend {backend!r}"] if backend in EMBEDDING_TOPIC_BACKENDS else []
    if slow:
        log.warning("%s %s every paragraph with MiniLM (about 75 paragraphs/s on two idle cores, some 1.5 hours for "
                    "the 356,000 paragraphs of the UN General Debate); the tfidf frame model with an nmf or lda topic "
                    "model needs no embeddings", " and ".join(slow), "embeds" if len(slow) == 1 else "embed")


# --------------------------------------------------------------------------- frame shares of UN member states


def load_member_states(path: Path = MEMBER_STATES_FILE) -> dict[str, str]:
    """The UN member states, ISO3 code -> name, from ``corpora/reference/un_member_states.toml``."""
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    members = raw.get("members", {})
    bad = sorted(code for code in members if not (len(code) == 3 and code.isalpha() and code.isupper()))
    if bad or len(members) != raw.get("count"):
        raise ValueError(f"{path}: expected {raw.get('count')} ISO3 codes under [members], found {len(members)}"
                         + (f"; not ISO3: {', '.join(bad)}" if bad else ""))
    return members


def member_state_frame_shares(predictions: pd.DataFrame, members: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Frame shares of each member state over all its units, and the members with no units.

    Per member: the mean probability of each frame over its units, the share
    of its units with the frame present, and its units and speeches, over all
    sessions (held-out ones too: the table describes, nothing learns from it).
    Speakers that are not members (observers, the EU, former states) are left out.
    """
    mine = predictions[predictions["speaker"].isin(members)]
    grouped = mine.groupby("speaker")
    table = pd.concat([
        grouped.size().rename("units"),
        grouped["doc_id"].nunique().rename("speeches"),
        grouped[list(FRAMES)].mean().add_suffix("_mean_probability"),
        grouped[[f"{frame}_present" for frame in FRAMES]].mean().add_suffix("_share"),
    ], axis=1).reset_index().rename(columns={"speaker": "iso3"})
    table.insert(1, "name", table["iso3"].map(members))
    missing = sorted(set(members) - set(table["iso3"]))
    return table.sort_values("iso3").reset_index(drop=True), missing
