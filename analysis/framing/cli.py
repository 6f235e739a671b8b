"""``python -m analysis frames ...``: the codebook, annotation and reliability commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from analysis.cli_support import Defaults, add_exemplar_arguments
from analysis.framing.codebook import FRAMES, load_codebook


def cmd_codebook(args: argparse.Namespace) -> int:
    print(load_codebook().to_markdown(), end="")
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.framing.annotation import annotation_candidates, round_subcorpora
    from analysis.framing.pipeline import training_set
    from analysis.persist import atomic_path

    subcorpora = {name: load_subcorpus(name, args.artifacts / "subcorpora")[0] for name in round_subcorpora(args.round)}
    gold = training_set(args.artifacts / "subcorpora") if args.round >= 3 else None
    candidates = annotation_candidates(subcorpora, load_codebook(), round_number=args.round, gold=gold)
    args.out = args.out / f"round-{args.round}"
    args.out.mkdir(parents=True, exist_ok=True)
    columns = ["unit_id", "doc_id", "paragraph", "sha1", "subcorpus", "speaker", "year", "text"]
    batches = {"candidates.jsonl": candidates} | {
        f"batch-{number}.jsonl": candidates.iloc[rows]
        for number, rows in enumerate(np.array_split(np.arange(len(candidates)), args.batches), start=1)}
    for name, table in batches.items():
        with atomic_path(args.out / name) as temporary:
            table[columns].to_json(temporary, orient="records", lines=True, force_ascii=False)
    counts = candidates.groupby(["subcorpus", "stratum"]).size().to_dict()
    print(f"{len(candidates)} candidates in {args.batches} batches under {args.out}: "
          + json.dumps({f"{a}/{b}": int(n) for (a, b), n in counts.items()}))
    return 0


def _training_units(args: argparse.Namespace):
    from analysis.framing.pipeline import training_set

    return training_set(args.artifacts / "subcorpora")


def cmd_train(args: argparse.Namespace) -> int:
    from analysis.framing.pipeline import train_and_card

    units = _training_units(args)
    for kind in args.kinds:
        folder = train_and_card(units, kind=kind, out=args.out, seed=args.seed)
        card = json.loads((folder / "model_card.json").read_text())
        macro = card["cross_validation"]["per_frame"][-1]["f1"]
        print(f"{kind:<11} trained on {len(units)} units -> {folder} (grouped 5-fold CV macro-F1 {macro:.3f})")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.corpus.manifest import load_manifest
    from analysis.corpus.readers import open_corpus
    from analysis.framing.pipeline import evaluate_all

    units = _training_units(args)
    frac = open_corpus(load_manifest("frac")).to_frame()
    table = evaluate_all(units, frac, out=args.out, kinds=args.kinds, seed=args.seed, model_dir=args.models,
                         transfer_kinds=args.transfer_kinds)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if set(args.transfer_kinds) & set(args.kinds):
        print("leave one source out:")
        print(pd.read_csv(args.out / "transfer_metrics.csv").to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"written to {args.out}")
    return 0


def _read_prediction_input(path: Path) -> tuple[list, list[str]]:
    """The ids and texts of a JSONL file; a line that is not UTF-8, not JSON or not ``{"id", "text"}`` is an error."""
    from analysis.corpus.model import CorpusError

    ids, texts = [], []
    with open(path, "rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise CorpusError(path, f"not UTF-8 at byte {error.start} of the line ({raw[error.start:error.start + 4]!r})",
                                  line=line_number) from None
            if not line.strip():
                raise CorpusError(path, "blank line: every line must be {\"id\": ..., \"text\": ...}", line=line_number)
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(path, f"not JSON: {error.msg}", line=line_number) from None
            except RecursionError:
                raise CorpusError(path, "not JSON: nested too deeply", line=line_number) from None
            if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
                raise CorpusError(path, 'each line needs "id" and a string "text"', line=line_number)
            ids.append(record["id"])
            texts.append(record["text"])
    if not ids:
        raise CorpusError(path, 'file is empty: it needs one {"id": ..., "text": ...} a line')
    return ids, texts


def cmd_predict(args: argparse.Namespace) -> int:
    import sys
    import time

    from analysis.framing.models import load_model
    from analysis.persist import atomic_path

    ids, texts = _read_prediction_input(args.input)
    model = load_model(args.model)
    started = time.perf_counter()
    predictions = model.predict(texts)
    seconds = time.perf_counter() - started
    with atomic_path(args.output) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        for unit_id, prediction in zip(ids, predictions):
            handle.write(json.dumps({"id": unit_id, "frames": prediction.frames, "primary": prediction.primary,
                                     "scores": prediction.scores}, ensure_ascii=False) + "\n")
    print(f"{len(texts)} units in {seconds:.1f} s ({len(texts) / max(seconds, 1e-9):,.0f} units/s) -> {args.output}",
          file=sys.stderr)
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.framing.models import load_model
    from analysis.framing.pipeline import apply_model, frame_shares
    from analysis.persist import write_csv, write_manifest, write_parquet

    units, subcorpus_manifest = load_subcorpus(args.corpus, args.artifacts / "subcorpora", sample=args.sample, seed=args.seed)
    model = load_model(args.model)
    predictions = apply_model(model, units)
    out = args.out / args.corpus
    write_parquet(out / "unit_frames.parquet", predictions)
    shares = frame_shares(predictions)
    write_csv(out / "frame_shares_by_speaker_year.csv", shares, index=False, float_format="%.4f")
    card = json.loads((Path(args.model) / "model_card.json").read_text())
    write_manifest(out, stage="frames-apply",
                   inputs={"subcorpus": args.corpus, "subcorpus_input_sha256": subcorpus_manifest["inputs"]["sha256"],
                           "model": str(args.model), "model_labels_sha256": card["training"]["labels_sha256"]},
                   config={"model": card["model"], "thresholds": card["thresholds"], "sample": args.sample,
                           "sample_seed": args.seed},
                   counts={"units": len(predictions), "documents": int(predictions["doc_id"].nunique())})
    overall = predictions[list(FRAMES)].mean().round(3).to_dict()
    print(f"{args.corpus}: {len(predictions):,} units, mean frame probability {overall} -> {out}")
    return 0


def cmd_exemplars(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.corpus.exemplars import exemplar_lines, restrict
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.framing.pipeline import frame_exemplars
    from analysis.persist import verify_folder, write_csv

    folder = (args.frames or args.artifacts / "frames") / args.corpus
    verify_folder(folder)
    predictions = restrict(pd.read_parquet(folder / "unit_frames.parquet"), speakers=args.speaker, years=args.years)
    units, _ = load_subcorpus(args.corpus, args.artifacts / "subcorpora")
    table = frame_exemplars(predictions, units, frames=args.frame or FRAMES, n=args.n, per_document=args.per_document)
    print("\n".join(exemplar_lines(table, "frame", width=args.width)))
    if args.csv:
        write_csv(args.csv, table, index=False, float_format="%.4f")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from analysis.framing.models import load_model
    from analysis.framing.pipeline import explain

    units = _training_units(args)
    explanation = explain(load_model(args.model), units, terms=args.terms, exemplars=args.exemplars)
    for frame, part in explanation.items():
        print(f"## {frame} ({part['units_marked']} of {len(units)} annotated units marked)")
        print("   terms: " + ", ".join(t["term"] for t in part["terms"]))
        for exemplar in part["exemplars"]:
            print(f"   [{exemplar['probability']:.2f}] {exemplar['unit_id']}: {exemplar['text'][:200]}")
    if args.json:
        from analysis.persist import write_text

        write_text(args.json, json.dumps(explanation, indent=2, ensure_ascii=False) + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    """Add ``frames`` and its commands."""
    from analysis.framing.annotation import ANNOTATION_ROUNDS

    artifacts = defaults.artifacts
    frames = subparsers.add_parser("frames", help="framing: codebook, annotation, reliability")
    commands = frames.add_subparsers(dest="command", required=True)
    commands.add_parser("codebook", help="print the frame codebook as coders read it").set_defaults(run=cmd_codebook)
    candidates = commands.add_parser("candidates", help="draw the units to annotate (never held-out units)")
    candidates.add_argument("--out", type=Path, default=artifacts / "annotation", help="folder (default: %(default)s)")
    candidates.add_argument("--batches", type=int, default=4, help="split into this many batches for coders")
    candidates.add_argument("--round", type=int, default=1, choices=range(1, len(ANNOTATION_ROUNDS) + 1),
                            help="which annotation round to draw")
    candidates.add_argument("--artifacts", type=Path, default=artifacts)
    candidates.set_defaults(run=cmd_candidates)

    from analysis.framing import DEFAULT_KIND, MODEL_KINDS, STANDARD_KINDS

    models = artifacts / "models" / "frames"
    default_model = models / DEFAULT_KIND

    train = commands.add_parser("train", help="train frame models on the annotations, with model cards")
    train.add_argument("--kinds", nargs="+", choices=MODEL_KINDS, default=list(STANDARD_KINDS))
    train.add_argument("--out", type=Path, default=models, help="(default: %(default)s)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--artifacts", type=Path, default=artifacts)
    train.set_defaults(run=cmd_train)

    evaluate = commands.add_parser("evaluate", help="grouped 5-fold CV of every model, reliability curves, FrAC check")
    evaluate.add_argument("--kinds", nargs="+", choices=MODEL_KINDS, default=list(STANDARD_KINDS))
    evaluate.add_argument("--out", type=Path, default=artifacts / "evaluation" / "frames", help="(default: %(default)s)")
    evaluate.add_argument("--models", type=Path, default=models, help="trained models for the FrAC check (default: %(default)s)")
    evaluate.add_argument("--transfer-kinds", nargs="*", choices=MODEL_KINDS, default=[DEFAULT_KIND],
                          help="kinds also scored leave-one-source-out (six fits each; default: %(default)s)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--artifacts", type=Path, default=artifacts)
    evaluate.set_defaults(run=cmd_evaluate)

    predict = commands.add_parser("predict", help='frames of each {"id", "text"} line of a JSONL file')
    predict.add_argument("--input", type=Path, required=True, help='JSONL, one {"id": ..., "text": ...} a line')
    predict.add_argument("--output", type=Path, required=True, help="JSONL, one prediction a line, same order")
    predict.add_argument("--model", type=Path, default=default_model, help="a model folder (default: %(default)s, built by `make models`)")
    predict.set_defaults(run=cmd_predict)

    apply = commands.add_parser("apply", help="frame shares of a built subcorpus by speaker and year")
    apply.add_argument("--corpus", required=True, help="a built subcorpus, e.g. ungdc-japan-korea")
    apply.add_argument("--model", type=Path, default=default_model, help="(default: %(default)s)")
    apply.add_argument("--out", type=Path, default=artifacts / "frames", help="(default: %(default)s)")
    apply.add_argument("--sample", type=int, help="a random sample of this many units (e.g. of a large corpus)")
    apply.add_argument("--seed", type=int, default=0, help="seed of --sample (default: %(default)s)")
    apply.add_argument("--artifacts", type=Path, default=artifacts)
    apply.set_defaults(run=cmd_apply)

    exemplars = commands.add_parser("exemplars", help="each frame's most typical paragraphs of an applied corpus, "
                                    "with document id, paragraph number, speaker, year and probability")
    exemplars.add_argument("--corpus", required=True, help="a corpus `frames apply` ran on, e.g. ungdc-japan-korea")
    exemplars.add_argument("--artifacts", type=Path, default=artifacts,
                           help="holds subcorpora/CORPUS (default: %(default)s; a study's: artifacts/studies/NAME)")
    exemplars.add_argument("--frames", type=Path, help="the folder `frames apply --out` wrote (default: ARTIFACTS/frames)")
    exemplars.add_argument("--frame", nargs="+", choices=FRAMES, help="only these frames (default: all)")
    add_exemplar_arguments(exemplars)
    exemplars.set_defaults(run=cmd_exemplars)

    explain = commands.add_parser("explain", help="each frame's most telling terms and exemplar units")
    explain.add_argument("--model", type=Path, default=default_model, help="(default: %(default)s)")
    explain.add_argument("--terms", type=int, default=15)
    explain.add_argument("--exemplars", type=int, default=3)
    explain.add_argument("--json", type=Path, help="also write the explanation as JSON here")
    explain.add_argument("--artifacts", type=Path, default=artifacts)
    explain.set_defaults(run=cmd_explain)
