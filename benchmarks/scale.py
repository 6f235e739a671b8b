"""Scale-out on Dask against one process, end to end on a whole corpus, side by side.

    nice .venv/bin/python benchmarks/scale.py --limit-documents 100    # both runs on a slice: identical output?
    nice .venv/bin/python benchmarks/scale.py --cluster-only           # UNGDC: 10,568 speeches, ~356k units

Each frame model (``--frame-model``, default ``tfidf`` and the package's
default kind, which embeds every paragraph) gets two runs of the whole
pipeline of ``python -m analysis scale run`` (read, segment into paragraph
units, frame probabilities, NMF topic shares, parquet) into a fresh output
folder and a fresh vector cache (holding only the exported encoder), so
nothing is reused: first in one process (the baseline), then on a local
cluster of ``--workers`` processes with one thread each. ``--cluster-only``
skips the baseline (on the whole corpus it would take longer than the cluster
by the speedup measured on a slice). Each run happens in a fresh child
process, so that peak RSS (Linux ``VmHWM``) is the run's own: the child's for
the baseline, and for the cluster the client's and every worker's (read in the
worker by ``client.run``); CPU seconds are the children's and the workers'
user + system time, which, unlike wall time, do not grow when other jobs share
the machine. Seconds are wall-clock from before the cluster starts to the
written manifest. The two outputs are compared byte for byte. Rows go to
``benchmarks/results/scale.csv`` with the command, commit and machine,
replacing earlier rows of the same frame model, run and size; a run on the
first ``--limit-documents`` also gives the whole corpus's time at its rate
(``full_corpus_hours_at_this_rate``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis.framing import DEFAULT_KIND

#: a row of the results table is one frame model, run and corpus size; a new measurement replaces the old
ROW_KEY = ["frame_model", "run", "documents"]

CHILD = r"""
import json, sys, time
from contextlib import nullcontext
from pathlib import Path
from analysis.cli_support import peak_rss_mib
from analysis.corpus.manifest import load_manifest, sha256_of
from analysis.scale import OUTPUT_FILE, dask_client, run_scale
corpus, frames, topics, out, workers, partition, limit = sys.argv[1:8]
workers, limit = int(workers), (int(limit) if limit else None)
started = time.perf_counter()
with (dask_client(workers=workers) if workers else nullcontext()) as client:
    result = run_scale(load_manifest(corpus), frame_model_dir=Path(frames), topic_model_dir=Path(topics), out=Path(out),
                       partition_size=int(partition), limit_documents=limit, client=client, progress=False)
    worker_peaks = sorted(client.run(peak_rss_mib).values()) if client else []
    worker_cpu = sum(client.run(time.process_time).values()) if client else 0.0
seconds = time.perf_counter() - started
print(json.dumps({"documents": result["counts"]["documents"], "units": result["counts"]["units"],
                  "cpu_seconds": time.process_time() + worker_cpu, "partitions": result["counts"]["partitions"], "seconds": seconds,
                  "run_seconds": result["counts"]["seconds"], "client_peak_rss_mib": peak_rss_mib(),
                  "worker_peak_rss_mib": worker_peaks, "sha256": sha256_of(Path(out) / OUTPUT_FILE)}))
"""


def run(args: argparse.Namespace, frame_model: Path, workers: int) -> dict:
    out = args.out_root / f"{args.corpus}-{frame_model.name}-{'in-process' if workers == 0 else f'workers-{workers}'}"
    shutil.rmtree(out, ignore_errors=True)  # measure the whole computation, never a resume
    command = [sys.executable, "-c", CHILD, args.corpus, str(frame_model), str(args.topic_model), str(out),
               str(workers), str(args.partition_size), str(args.limit_documents or "")]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "ANALYSIS_CACHE": str(fresh_cache(out))})
    if result.returncode != 0:
        raise SystemExit(f"run with {workers} workers failed:\n{result.stderr}")
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "out": str(out)}


def fresh_cache(out: Path) -> Path:
    """An empty vector cache for one run, holding only the exported encoder (the export is not what is measured)."""
    from analysis import embeddings

    cache = out.parent / f"{out.name}-cache"
    shutil.rmtree(cache, ignore_errors=True)
    if embeddings.encoder_runtime() == "onnxruntime":
        export = embeddings.onnx_export(embeddings.cache_folder()).parent
        shutil.copytree(export, cache / export.relative_to(embeddings.DEFAULT_CACHE.parents[1]))
    return cache


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    return f"{os.cpu_count()} CPUs ({model}), {memory_kib / 1024 ** 2:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="ungdc")
    parser.add_argument("--frame-model", type=Path, nargs="+",
                        default=[Path("artifacts/models/frames/tfidf"), Path(f"artifacts/models/frames/{DEFAULT_KIND}")],
                        help="one or more frame model folders, each run in-process and on the cluster")
    parser.add_argument("--cluster-only", action="store_true",
                        help="skip the in-process baseline (compare the two on a slice with --limit-documents)")
    parser.add_argument("--topic-model", type=Path, default=Path("artifacts/studies/japan-korea/topics/ungdc-japan-korea/nmf-k10"))
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers of the cluster run")
    parser.add_argument("--partition-size", type=int, default=100)
    parser.add_argument("--limit-documents", type=int, help="only the first N documents (a quick look)")
    parser.add_argument("--out-root", type=Path, default=Path("artifacts/benchmarks/scale"),
                        help="where the runs' outputs are kept (default: %(default)s)")
    parser.add_argument("--csv", type=Path, default=Path("benchmarks/results/scale.csv"))
    args = parser.parse_args()

    from analysis.corpus.manifest import load_manifest
    from analysis.embeddings import encoder_runtime
    from analysis.framing.models import load_model
    from analysis.scale.pipeline import EMBEDDING_FRAME_KINDS

    corpus_documents = load_manifest(args.corpus).expected_documents
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = []
    for frame_model in args.frame_model:
        kind = load_model(frame_model).kind
        load = os.getloadavg()[0]
        baseline = None if args.cluster_only else run(args, frame_model, 0)
        cluster = run(args, frame_model, args.workers)
        runs = [(f"dask {args.workers} workers", args.workers, cluster)]
        if baseline:
            runs.insert(0, ("in-process", 1, baseline))
        for name, workers, result in runs:
            # the baseline's one process is its only "worker"
            peaks = result["worker_peak_rss_mib"] or [result["client_peak_rss_mib"]]
            rows.append({
                "frame_model": kind, "encoder": encoder_runtime() if kind in EMBEDDING_FRAME_KINDS else "",
                "run": name, "workers": workers, "documents": result["documents"], "units": result["units"],
                "partitions": result["partitions"], "seconds": round(result["seconds"], 1),
                "cpu_seconds": round(result["cpu_seconds"], 1),
                "units_per_s": round(result["units"] / result["seconds"], 1),
                "speedup": round(baseline["seconds"] / result["seconds"], 2) if baseline else None,
                "full_corpus_hours_at_this_rate": round(result["seconds"] * corpus_documents / result["documents"] / 3600, 2),
                "client_peak_rss_mib": round(result["client_peak_rss_mib"]),
                "peak_rss_mib_per_worker": ";".join(f"{peak:.0f}" for peak in peaks),
                "worker_rss_ratio": round(max(peaks) / baseline["client_peak_rss_mib"], 2) if baseline else None,
                "identical_output": result["sha256"] == baseline["sha256"] if baseline else None,
                "output_sha256": result["sha256"],
                "output": result["out"], "machine": machine(), "load_average_at_start": round(load, 2),
                "commit": commit, "command": " ".join(["python", *sys.argv]),
            })
    table = pd.DataFrame(rows)
    if args.csv.exists():
        earlier = pd.read_csv(args.csv)
        replaced = earlier.set_index(ROW_KEY).index.isin(table.set_index(ROW_KEY).index)
        table = pd.concat([earlier[~replaced], table], ignore_index=True)
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.csv, index=False)
    print(f"corpus {args.corpus} ({corpus_documents:,} documents), partitions of {args.partition_size}; {machine()}")
    print(table.drop(columns=["output", "machine", "commit", "command"]).to_string(index=False))
    print(f"written to {args.csv}")


if __name__ == "__main__":
    main()
