"""``python -m analysis scale ...``: the unit pipeline over a whole corpus, in-process or on Dask.

Only argparse is imported here; the pipeline, pandas and dask load when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.cli_support import Defaults, positive_int

DEFAULT_MEMORY_LIMIT = "4GiB"


def cmd_run(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from analysis.cli_support import peak_rss_mib
    from analysis.corpus.sources import source_manifest
    from analysis.scale import ScaleError, dask_client, run_scale

    manifest = source_manifest(args)
    distributed = args.workers is not None or args.scheduler is not None
    try:
        with dask_client(workers=args.workers, scheduler=args.scheduler, memory_limit=args.memory_limit) \
                if distributed else nullcontext() as client:
            result = run_scale(manifest, frame_model_dir=args.frame_model, topic_model_dir=args.topic_model,
                               out=args.out, partition_size=args.partition_size,
                               limit_documents=args.limit_documents, client=client)
    except ScaleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    counts, execution = result["counts"], result["config"]["execution"]
    where = "in this process" if execution["mode"] == "in-process" else \
        f"on {execution['workers']} Dask workers ({execution['scheduler']})"
    print(f"{manifest.name}: {counts['documents']:,} documents -> {counts['units']:,} units in {counts['partitions']:,} "
          f"partitions ({counts['partitions_reused']:,} reused) {where} in {counts['seconds']:.1f} s "
          f"({counts['units'] / max(counts['seconds'], 0.01):,.0f} units/s); this process's peak RSS {peak_rss_mib():,.0f} MiB; "
          f"written to {Path(args.out) / 'predictions.parquet'}")
    return 0


def cmd_shares(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.framing.codebook import FRAMES
    from analysis.persist import verify_folder, write_csv
    from analysis.scale import OUTPUT_FILE, load_member_states, member_state_frame_shares

    verify_folder(args.folder)  # a finished run, not a folder of stray parts, and its files as written
    columns = ["doc_id", "speaker", *FRAMES, *(f"{frame}_present" for frame in FRAMES)]
    predictions = pd.read_parquet(args.folder / OUTPUT_FILE, columns=columns)
    members = load_member_states(args.members)
    table, missing = member_state_frame_shares(predictions, members)
    write_csv(args.out, table, index=False, float_format="%.4f")
    others = sorted(set(predictions["speaker"].dropna()) - set(members))
    print(f"{len(table)} of {len(members)} member states found, {int(table['units'].sum()):,} units -> {args.out}")
    print("members with no speech: " + (", ".join(f"{code} ({members[code]})" for code in missing) or "none"))
    print("speakers left out (not members): " + (", ".join(others) or "none"))
    return 0


def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    """Add ``scale`` and its commands."""
    from analysis.corpus.manifest import MANIFEST_DIR
    from analysis.corpus.sources import add_source_arguments

    scale = subparsers.add_parser("scale", help="the unit pipeline (units, frames, topics) over a whole corpus, on Dask")
    commands = scale.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="segment a corpus, score frames and topics of every unit, partitioned by document",
        description="Partitions of documents run in this process, on a local Dask cluster (--workers N) or on a "
                    "running scheduler (--scheduler ADDRESS); the output is the same. A rerun reuses the parts "
                    "already written. Frame model kinds that embed paragraphs (combined, zeroshot, supervised) work "
                    "but are slow (about 14 paragraphs/s per core): prefer tfidf for whole corpora.")
    add_source_arguments(run, name_help="a corpus name, e.g. ungdc")
    run.add_argument("--frame-model", type=Path, required=True, help="a saved frame model, e.g. artifacts/models/frames/tfidf")
    run.add_argument("--topic-model", type=Path, required=True,
                     help="a saved topic model, e.g. artifacts/topics/ungdc-japan-korea/nmf-k10")
    run.add_argument("--out", type=Path, required=True, help="output folder (shared with the workers on a cluster)")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, help="start a local Dask cluster of N worker processes (1 thread each)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://HOST:8786")
    run.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT,
                     help="memory limit of each local worker (default: %(default)s)")
    run.add_argument("--partition-size", type=positive_int, default=100, help="documents per partition (default: %(default)s)")
    run.add_argument("--limit-documents", type=positive_int, help="only the first N documents of the corpus")
    run.set_defaults(run=cmd_run)

    shares = commands.add_parser("shares", help="frame shares of each UN member state from a finished run")
    shares.add_argument("folder", type=Path, metavar="RUN", help="the --out folder of `scale run` on ungdc")
    shares.add_argument("--members", type=Path, default=MANIFEST_DIR / "reference" / "un_member_states.toml",
                        help="TOML of member states, ISO3 code = name (default: corpora/reference/un_member_states.toml)")
    shares.add_argument("--out", type=Path, default=defaults.reports / "tables" / "frame_shares_member_states.csv",
                        help="CSV to write (default: %(default)s)")
    shares.set_defaults(run=cmd_shares)
