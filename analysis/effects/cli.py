"""``python -m analysis effects``: frame or topic prevalence on year and speaker, with measurement uncertainty."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cli_support import Defaults, year_range

log = logging.getLogger(__name__)


def _frame_inputs(args: argparse.Namespace):
    """Covariates, frame outcomes and the input's record, from ``unit_frames.parquet`` (``frames apply``)."""
    from analysis.corpus.manifest import sha256_of
    from analysis.effects import frame_outcomes
    from analysis.framing.codebook import FRAMES
    from analysis.persist import MANIFEST_NAME, verify_folder

    if not args.frames.exists():
        raise FileNotFoundError(f"{args.frames}: no such file (write it with `python -m analysis frames apply`)")
    if (args.frames.parent / MANIFEST_NAME).exists():  # written by `frames apply`: its digests are checked
        verify_folder(args.frames.parent)
    table = pd.read_parquet(args.frames)
    names = args.outcomes or list(FRAMES)
    missing = [column for column in ("year", "speaker", *names) if column not in table.columns]
    if missing:
        raise SystemExit(f"{args.frames} has no column(s) {', '.join(missing)} (frame columns: "
                         f"{', '.join(c for c in table.columns if c in FRAMES)})")
    table = _select(table, args)
    outcomes = frame_outcomes(table[names], measurement=not args.point)
    return table, outcomes, {"frames": {"path": str(args.frames), "sha256": sha256_of(args.frames)}}


def _topic_inputs(args: argparse.Namespace):
    """Covariates, topic outcomes and the inputs' record, from a ``topics fit`` folder and its subcorpus's units.

    ``topics fit`` keeps the document-topic matrix of the units it was fitted
    on: the subcorpus's units without the held-out ones, in order.
    """
    from analysis.corpus.heldout import training_units
    from analysis.corpus.manifest import sha256_of
    from analysis.corpus.subcorpus import UNITS_FILE, load_subcorpus
    from analysis.effects import topic_outcomes
    from analysis.persist import verify_folder

    card_path, matrix_path = args.topics / "model_card.json", args.topics / "doc_topic.npz"
    for path in (card_path, matrix_path):
        if not path.exists():
            raise FileNotFoundError(f"{args.topics} is not a fitted topic model folder ({path.name} is missing)")
    verify_folder(args.topics)
    card = json.loads(card_path.read_text())
    with np.load(matrix_path, allow_pickle=False) as data:
        doc_topic = data["doc_topic"]
    subcorpus = card["corpus"]["subcorpus"]
    units, manifest = load_subcorpus(subcorpus, args.artifacts / "subcorpora")
    if manifest["inputs"]["sha256"] != card["corpus"]["input_sha256"]:
        raise SystemExit(f"{args.topics} was fitted on {subcorpus} built from input sha256 {card['corpus']['input_sha256']}, "
                         f"but the subcorpus now is built from {manifest['inputs']['sha256']}: refit the topic model")
    training = training_units(units)
    if len(doc_topic) == len(training):
        units = training
    elif len(doc_topic) != len(units):
        raise SystemExit(f"{matrix_path} has {len(doc_topic):,} rows, but {subcorpus} has {len(units):,} units "
                         f"({len(training):,} not held out): they cannot be aligned")
    topics = None
    if args.outcomes:
        try:
            topics = [int(name.removeprefix("topic_")) for name in args.outcomes]
        except ValueError:
            raise SystemExit(f"topic outcomes are topic numbers or topic_N names, got {' '.join(args.outcomes)}") from None
    keep = _select(units.assign(_row=np.arange(len(units))), args)
    outcomes = topic_outcomes(doc_topic[keep["_row"].to_numpy()], keep["n_words"].to_numpy(), prior=args.prior,
                              topics=topics, measurement=not args.point)
    units_path = args.artifacts / "subcorpora" / subcorpus / UNITS_FILE
    inputs = {"doc_topic": {"path": str(matrix_path), "sha256": sha256_of(matrix_path)},
              "units": {"path": str(units_path), "sha256": sha256_of(units_path)},
              "token_counts": "units' n_words (raw words: more than the tokens the model kept after stopwords and pruning)"}
    return keep.drop(columns="_row"), outcomes, inputs


def _select(table: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """The rows of the chosen speakers and years; a named speaker with no units there is an error."""
    if args.years:
        table = table[table["year"].between(*args.years)]
    if args.speakers:
        if args.skip_sparse:
            args.skipped_speakers = _sparse_speakers(table, args.speakers, args.min_units)
            if args.baseline in args.skipped_speakers:
                raise SystemExit(f"the baseline speaker {args.baseline} has only {args.skipped_speakers[args.baseline]} "
                                 f"units (fewer than --min-units {args.min_units}): choose another baseline")
            args.speakers = [s for s in args.speakers if s not in args.skipped_speakers]
        absent = sorted(set(args.speakers) - set(table["speaker"]))
        if absent:
            raise SystemExit(f"speaker(s) {', '.join(absent)} have no units"
                             + (f" in {args.years[0]}-{args.years[1]}" if args.years else ""))
        table = table[table["speaker"].isin(args.speakers)]
    if table.empty:
        raise SystemExit("no units left after selecting speakers and years")
    return table.reset_index(drop=True)


def _sparse_speakers(table: pd.DataFrame, speakers: list[str], min_units: int) -> dict[str, int]:
    """The named speakers with fewer than ``min_units`` units in ``table``, with their counts (logged)."""
    counts = table["speaker"].value_counts()
    sparse = {speaker: int(counts.get(speaker, 0)) for speaker in speakers if counts.get(speaker, 0) < min_units}
    for speaker, units in sparse.items():
        log.warning("speaker %s skipped: %d units, fewer than --min-units %d", speaker, units, min_units)
    return sparse


def cmd_effects(args: argparse.Namespace) -> int:
    from analysis.effects import EffectsError, PrevalenceRegression
    from analysis.persist import write_csv, write_parquet

    try:
        covariates, outcomes, inputs = _frame_inputs(args) if args.frames else _topic_inputs(args)
        model = PrevalenceRegression(year=args.year, knots=args.knots, baseline=args.baseline,
                                     interaction=not args.no_interaction, draws=args.draws, min_units=args.min_units,
                                     seed=args.seed).fit(covariates, outcomes)
        contrasts = model.contrast(later=args.later, earlier=args.earlier)
    except EffectsError as error:
        raise SystemExit(str(error)) from None
    folder = Path(args.out)
    write_csv(folder / "coefficients.csv", model.coefficients(), index=False, float_format="%.6f")
    write_parquet(folder / "expected.parquet", model.expected())
    write_csv(folder / "contrasts.csv", contrasts, index=False, float_format="%.6f")
    config = {"baseline": model.design_.baseline, "outcomes": list(model.outcomes_),
              "measurement": model.measurement_, "speakers": args.speakers, "years": args.years,
              "earlier": list(args.earlier), "later": list(args.later), "design_columns": model.design_.columns,
              "spline_knots": list(model.design_.knots), "prior": args.prior if args.topics else None}
    counts = {"units": model.n_units_, "units_by_speaker": model.units_by_speaker_,
              "heldout_units": int(covariates["heldout"].sum()) if "heldout" in covariates else None,
              "year_range": list(model.design_.year_range), "skipped_speakers": args.skipped_speakers}
    # the tables first, so that the manifest's sha256 cover them as well as the model's state
    model.save(folder, inputs=inputs, config=config, counts=counts)
    print(f"{len(model.outcomes_)} outcome(s) ({model.measurement_} draws) on {len(model.design_.columns)} design columns, "
          f"{model.n_units_:,} units ({', '.join(f'{s} {n}' for s, n in model.units_by_speaker_.items())}), "
          f"baseline {model.design_.baseline}, {model.draws} draws, seed {model.seed}")
    shown = contrasts[["outcome", "speaker", "earlier_estimate", "later_estimate", "estimate", "std_error", "ci_low", "ci_high"]]
    print(f"expected prevalence {args.later[0]}-{args.later[1]} minus {args.earlier[0]}-{args.earlier[1]}, 95% intervals:")
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"written to {folder}")
    return 0


def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    """Add ``effects``: prevalence regression with uncertainty (stm's ``estimateEffect``)."""
    artifacts = defaults.artifacts
    from analysis.effects import DEFAULT_DRAWS, DEFAULT_MIN_UNITS, YEAR_CODINGS

    effects = subparsers.add_parser("effects", help="frame or topic prevalence on year and speaker, with uncertainty "
                                                    "(method of composition, as stm's estimateEffect)")
    source = effects.add_mutually_exclusive_group(required=True)
    source.add_argument("--frames", type=Path, help="unit_frames.parquet written by `frames apply`")
    source.add_argument("--topics", type=Path, help="a folder written by `topics fit` (doc_topic.npz, model_card.json)")
    effects.add_argument("--outcomes", nargs="+", help="frames (default: all) or topic numbers (default: all topics)")
    effects.add_argument("--speakers", nargs="+", help="keep these speakers' units only (default: all)")
    effects.add_argument("--years", type=year_range, help="keep units of these years only, e.g. 1991-2022")
    effects.add_argument("--baseline", help="reference speaker (default: the first in sorted order)")
    effects.add_argument("--year", choices=YEAR_CODINGS, default="spline", help="year as a cubic B-spline or decade dummies")
    effects.add_argument("--knots", type=int, default=5, help="spline knots, ends included (default: %(default)s)")
    effects.add_argument("--no-interaction", action="store_true", help="one year curve shifted per speaker")
    effects.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="method-of-composition draws (default: %(default)s)")
    effects.add_argument("--point", action="store_true", help="ignore measurement uncertainty: point values in every draw")
    effects.add_argument("--prior", type=float, help="topics: Dirichlet prior per topic (default: 1/K)")
    effects.add_argument("--min-units", type=int, default=DEFAULT_MIN_UNITS,
                         help="fewest units a speaker may have (default: %(default)s)")
    effects.add_argument("--skip-sparse", action="store_true",
                         help="leave out (and record) the named speakers with fewer than --min-units units, "
                              "instead of stopping")
    effects.add_argument("--earlier", type=year_range, default=(2000, 2010), help="contrast's earlier period (default: 2000-2010)")
    effects.add_argument("--later", type=year_range, default=(2011, 2022), help="contrast's later period (default: 2011-2022)")
    effects.add_argument("--seed", type=int, default=0)
    effects.add_argument("--out", type=Path, required=True)
    effects.add_argument("--artifacts", type=Path, default=artifacts, help="where built subcorpora are (default: %(default)s)")
    effects.set_defaults(run=cmd_effects, skipped_speakers={})
