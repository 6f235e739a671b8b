"""``python -m analysis topics ...``: fit a topic model on a subcorpus, apply a fitted one to another."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cli_support import Defaults, add_exemplar_arguments


def cmd_fit(args: argparse.Namespace) -> int:
    from analysis.corpus.heldout import training_units
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.persist import write_csv
    from analysis.topics.metrics import evaluate_topics
    from analysis.topics.models import make_topic_model, preprocess_documents
    from analysis.topics.pipeline import fit_topic_model, prevalence, write_model_card

    units, manifest = load_subcorpus(args.corpus, args.artifacts / "subcorpora")
    training = training_units(units)
    # tokenised once: the fit's tokens are also the coherence reference
    preprocessed = preprocess_documents(make_topic_model(args.backend).preprocess, training["text"].tolist())
    model = fit_topic_model(training, backend=args.backend, n_topics=args.k, seed=args.seed, preprocessed=preprocessed)
    metrics = evaluate_topics(model.result(), preprocessed.tokens)
    folder = args.out  # the card and tables first: the manifest that save writes last covers them
    write_model_card(model, folder, subcorpus=args.corpus, subcorpus_manifest=manifest, metrics=metrics)
    for by in ("year", "speaker"):
        write_csv(folder / f"prevalence_by_{by}.csv", prevalence(training, model.doc_topic_, by=by), index=False,
                  float_format="%.5f")
    write_csv(folder / "topic_info.csv", model.topic_info(), index=False)
    model.save(folder, inputs={"subcorpus": args.corpus, "subcorpus_input_sha256": manifest["inputs"]["sha256"]},
               counts={"units": len(training), "heldout_units_excluded": int(units["heldout"].sum())})
    print(f"{args.backend} K={args.k} seed={args.seed} on {len(training):,} units of {args.corpus} "
          f"(held-out units excluded: {int(units['heldout'].sum()):,}): NPMI {metrics['npmi']:.3f}, "
          f"C_V {metrics['c_v']:.3f}, diversity {metrics['diversity']:.3f} -> {folder}")
    print(model.topic_info().to_string(index=False))
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.persist import write_csv, write_manifest, write_parquet
    from analysis.topics.models import load_topic_model
    from analysis.topics.pipeline import apply_topic_model, prevalence

    model = load_topic_model(args.model)
    units, subcorpus_manifest = load_subcorpus(args.corpus, args.artifacts / "subcorpora", sample=args.sample, seed=args.seed)
    table = apply_topic_model(model, units)
    doc_topic = table.filter(regex=r"^topic_\d+$").to_numpy()
    write_parquet(args.out / "doc_topic.parquet", table)
    for by in ("year", "speaker"):
        write_csv(args.out / f"prevalence_by_{by}.csv", prevalence(units, doc_topic, by=by), index=False, float_format="%.5f")
    write_manifest(args.out, stage="topics-apply",
                   inputs={"model": str(args.model), "subcorpus": args.corpus,
                           "subcorpus_input_sha256": subcorpus_manifest["inputs"]["sha256"]},
                   config={"backend": model.backend, "sample": args.sample, "sample_seed": args.seed},
                   counts={"units": len(units)}, seed=model.seed)
    print(f"{model.backend} model {args.model} applied to {len(units):,} units of {args.corpus} -> {args.out}")
    return 0


def cmd_exemplars(args: argparse.Namespace) -> int:
    import json

    import pandas as pd

    from analysis.corpus.exemplars import exemplar_lines, restrict
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.persist import verify_folder, write_csv
    from analysis.topics.pipeline import topic_exemplars

    manifest = verify_folder(args.applied)
    doc_topic = restrict(pd.read_parquet(args.applied / "doc_topic.parquet"), speakers=args.speaker, years=args.years)
    units, _ = load_subcorpus(manifest["inputs"]["subcorpus"], args.artifacts / "subcorpora")
    table = topic_exemplars(doc_topic, units, topics=args.topic, n=args.n, per_document=args.per_document)
    # the fitted model's words name each topic, when at hand (the applied manifest records the path it was given)
    words = (args.model or Path(manifest["inputs"]["model"])) / "topics.json"
    labels = ({topic: " ".join(word for word, _ in topic_words[:5]) for topic, topic_words in
               enumerate(json.loads(words.read_text()))} if words.is_file() else None)
    print("\n".join(exemplar_lines(table, "topic", labels=labels, width=args.width)))
    if args.csv:
        write_csv(args.csv, table, index=False, float_format="%.4f")
    return 0


def cmd_select(args: argparse.Namespace) -> int:
    from analysis.corpus.heldout import training_units
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.persist import write_csv, write_manifest
    from analysis.topics.pipeline import select_k

    units, manifest = load_subcorpus(args.corpus, args.artifacts / "subcorpora")
    training = training_units(units)
    runs, summary = select_k(training, backend=args.backend, ks=args.ks, seeds=args.seeds)
    write_csv(args.out / "runs.csv", runs, index=False, float_format="%.5f")
    write_csv(args.out / "summary.csv", summary, index=False, float_format="%.5f")
    plot_selection(summary, args.out / "select_k.png", title=f"{args.backend} on {args.corpus}")
    write_manifest(args.out, stage="topics-select",
                   inputs={"subcorpus": args.corpus, "subcorpus_input_sha256": manifest["inputs"]["sha256"]},
                   config={"backend": args.backend, "ks": args.ks, "seeds": args.seeds}, counts={"units": len(training)})
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"written to {args.out}")
    return 0


def plot_selection(summary, path: Path, *, title: str) -> None:
    """Mean and standard deviation of each metric against K."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(11, 3.2), constrained_layout=True)
    for axis, metric, label in zip(axes, ("npmi", "c_v", "diversity"), ("NPMI", "C_V", "topic diversity")):
        axis.errorbar(summary["k"], summary[f"{metric}_mean"], yerr=summary[f"{metric}_sd"], marker="o", capsize=3)
        axis.set_xlabel("K (topics)")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    from analysis.persist import atomic_path

    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=120, metadata={"Software": None})
    plt.close(figure)


def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    """Add ``topics`` and its commands."""
    artifacts = defaults.artifacts
    from analysis.topics import BACKEND_NAMES

    topics = subparsers.add_parser("topics", help="topic models: fit on a subcorpus, apply to another")
    commands = topics.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("fit", help="fit a topic model on a built subcorpus (held-out units excluded)")
    fit.add_argument("--corpus", required=True, help="a built subcorpus, e.g. ungdc-japan-korea")
    fit.add_argument("--backend", required=True, choices=BACKEND_NAMES, help="the topic backend to fit")
    fit.add_argument("--k", type=int, default=20, help="number of topics")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--out", type=Path, required=True)
    fit.add_argument("--artifacts", type=Path, default=artifacts)
    fit.set_defaults(run=cmd_fit)
    select = commands.add_parser("select", help="sweep K over seeds: NPMI, C_V and diversity, mean and sd per K, with a plot")
    select.add_argument("--corpus", required=True)
    select.add_argument("--backend", required=True, choices=BACKEND_NAMES, help="the topic backend to sweep")
    select.add_argument("--ks", nargs="+", type=int, default=[5, 10, 15, 20, 30])
    select.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    select.add_argument("--out", type=Path, required=True)
    select.add_argument("--artifacts", type=Path, default=artifacts)
    select.set_defaults(run=cmd_select)

    apply = commands.add_parser("apply", help="topic shares of another subcorpus under a fitted model")
    apply.add_argument("--model", type=Path, required=True, help="a folder written by `topics fit`")
    apply.add_argument("--corpus", required=True, help="a built subcorpus, e.g. kcna-japan-korea")
    apply.add_argument("--out", type=Path, required=True)
    apply.add_argument("--sample", type=int, help="a random sample of this many units (the same as `frames apply --sample`)")
    apply.add_argument("--seed", type=int, default=0, help="seed of --sample (default: %(default)s)")
    apply.add_argument("--artifacts", type=Path, default=artifacts)
    apply.set_defaults(run=cmd_apply)

    exemplars = commands.add_parser("exemplars", help="each topic's most typical paragraphs of an applied corpus, "
                                    "with document id, paragraph number, speaker, year and share")
    exemplars.add_argument("--applied", type=Path, required=True,
                           help="a folder `topics apply` wrote, e.g. artifacts/studies/japan-korea/topics/applied/"
                                "ungdc-japan-korea/nmf")
    exemplars.add_argument("--artifacts", type=Path, default=artifacts,
                           help="holds the applied corpus's subcorpora/ (default: %(default)s; a study's: artifacts/studies/NAME)")
    exemplars.add_argument("--topic", type=int, nargs="+", help="only these topic numbers (default: all)")
    exemplars.add_argument("--model", type=Path, help="the fitted model, whose words label the topics (default: the "
                                                      "folder `topics apply --model` named, if it is there)")
    add_exemplar_arguments(exemplars)
    exemplars.set_defaults(run=cmd_exemplars)
