"""``python -m analysis frames ...``: the codebook, annotation and reliability commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from analysis.framing.codebook import load_codebook


def cmd_codebook(args: argparse.Namespace) -> int:
    print(load_codebook().to_markdown(), end="")
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.framing.annotation import ANNOTATION_ROUNDS, annotation_candidates

    names = {name for spec in ANNOTATION_ROUNDS for name in spec["draw"]}
    subcorpora = {name: load_subcorpus(name, args.artifacts / "subcorpora")[0] for name in sorted(names)}
    candidates = annotation_candidates(subcorpora, load_codebook(), round_number=args.round)
    args.out = args.out / f"round-{args.round}"
    args.out.mkdir(parents=True, exist_ok=True)
    columns = ["unit_id", "doc_id", "paragraph", "sha1", "subcorpus", "speaker", "year", "text"]
    candidates[columns].to_json(args.out / "candidates.jsonl", orient="records", lines=True, force_ascii=False)
    for number, rows in enumerate(np.array_split(np.arange(len(candidates)), args.batches), start=1):
        candidates.iloc[rows][columns].to_json(args.out / f"batch-{number}.jsonl", orient="records", lines=True, force_ascii=False)
    counts = candidates.groupby(["subcorpus", "stratum"]).size().to_dict()
    print(f"{len(candidates)} candidates in {args.batches} batches under {args.out}: "
          + json.dumps({f"{a}/{b}": int(n) for (a, b), n in counts.items()}))
    return 0


def add_commands(stages: argparse._SubParsersAction, artifacts: Path) -> None:
    frames = stages.add_parser("frames", help="framing: codebook, annotation, reliability")
    commands = frames.add_subparsers(dest="command", required=True)
    commands.add_parser("codebook", help="print the frame codebook as coders read it").set_defaults(run=cmd_codebook)
    candidates = commands.add_parser("candidates", help="draw the units to annotate (never held-out units)")
    candidates.add_argument("--out", type=Path, default=artifacts / "annotation", help="folder (default: %(default)s)")
    candidates.add_argument("--batches", type=int, default=4, help="split into this many batches for coders")
    candidates.add_argument("--round", type=int, default=1, choices=range(1, 3), help="which annotation round to draw")
    candidates.add_argument("--artifacts", type=Path, default=artifacts)
    candidates.set_defaults(run=cmd_candidates)
