"""``python -m analysis report ...`` (run a study, one notebook, assemble) and ``python -m analysis study ...``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.cli_support import Defaults


def _parameter(text: str) -> tuple[str, object]:
    name, separator, value = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE (VALUE as JSON or a plain string), got {text!r}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def cmd_notebook(args: argparse.Namespace) -> int:
    from analysis.report import run_notebook

    parameters = {"artifacts": str(args.artifacts), "reports": str(args.reports), **dict(args.parameter)}
    executed = run_notebook(args.source, args.reports / "notebooks" / f"{args.source.stem}.ipynb", parameters)
    print(f"executed {args.source} -> {executed}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from analysis.report import build_report

    markdown, page = build_report(args.reports, **({"title": args.title} if args.title else {}))
    print(f"report written: {markdown} and {page}")
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    from analysis.report.evidence import build_evidence
    from analysis.report.study import load_study

    manifest = build_evidence(load_study(args.study, smoke=args.smoke), args.artifacts, args.out)
    counts = json.loads(manifest.read_text())["counts"]
    print(f"evidence of {args.study}: " + ", ".join(f"{rows:,} {name}" for name, rows in counts.items()) + f" -> {args.out}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from analysis.report.study import run_study

    page = run_study(args.study, artifacts=args.artifacts, reports=args.reports, smoke=args.smoke, jobs=args.jobs)
    print(f"report of {args.study}: {page}")
    return 0


def cmd_study_check(args: argparse.Namespace) -> int:
    from analysis.report.study import load_study, notebooks_of

    study = load_study(args.study, smoke=args.smoke)
    for source in study.sources.values():
        print(f"{source.role:<10} {source.spec.name} from {source.manifest.file if source.manifest else source.spec.corpus}"
              f" (query {source.spec.query!r}, years {source.spec.years or 'all'})")
    print(f"speakers {study.speakers['compare']} (baseline {study.speakers['baseline']}); effects: "
          f"{'yes' if study.effects else 'none'}; topics {study.topics['backends']} K={study.topics['k']}; "
          f"frame model {study.frame_model}; notebooks {', '.join(notebooks_of(study))}")
    return 0


def cmd_study_makevars(args: argparse.Namespace) -> int:
    from analysis.report.study import load_study, make_variables

    text = make_variables(load_study(args.study, smoke=args.smoke))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return 0


def cmd_study_subcorpus(args: argparse.Namespace) -> int:
    from analysis.report.study import build_study_subcorpus, load_study

    folder = build_study_subcorpus(load_study(args.study, smoke=args.smoke), args.role, args.out)
    print(f"built {folder}")
    return 0


def cmd_study_init(args: argparse.Namespace) -> int:
    from analysis.corpus.sources import source_manifest
    from analysis.report.study import starter_study

    text = starter_study(source_manifest(args), query=args.query, years=args.years, out=args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}; build its report with: make report STUDY={args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    """Add ``report`` and its commands."""
    artifacts = defaults.artifacts
    report = subparsers.add_parser("report", help="the report: execute a notebook, assemble report.md and report.html")
    commands = report.add_subparsers(dest="command", required=True)
    notebook = commands.add_parser("notebook", help="execute a notebooks/*.py (jupytext) with papermill")
    notebook.add_argument("source", type=Path, help="e.g. notebooks/01_corpus_overview.py")
    notebook.add_argument("-p", "--parameter", type=_parameter, action="append", default=[], metavar="NAME=VALUE",
                          help="override a value of the notebook's parameters cell (JSON values: -p 'ks=[5,10]')")
    notebook.add_argument("--reports", type=Path, default=defaults.reports)
    notebook.add_argument("--artifacts", type=Path, default=artifacts)
    notebook.set_defaults(run=cmd_notebook)
    build = commands.add_parser("build", help="assemble report.md and report.html from the sections the notebooks wrote")
    build.add_argument("--reports", type=Path, default=defaults.reports)
    build.add_argument("--title", help="the report's title (default: the project's study's)")
    build.set_defaults(run=cmd_build)
    evidence = commands.add_parser("evidence", help="a study's exemplar paragraphs and the paragraph browser's rows, "
                                   "from its applied frames and topics (make report does)")
    evidence.add_argument("study", type=Path, help="a study file, e.g. studies/japan-korea.toml")
    evidence.add_argument("--smoke", action="store_true", help="with the study's [smoke] values")
    evidence.add_argument("--artifacts", type=Path, required=True, help="the study's artifacts, e.g. artifacts/studies/japan-korea")
    evidence.add_argument("--out", type=Path, required=True, help="the folder to write, e.g. artifacts/studies/japan-korea/evidence")
    evidence.set_defaults(run=cmd_evidence)
    run = commands.add_parser("run", help="build a study's whole report (corpus, topics, frames, effects, notebooks)")
    run.add_argument("study", type=Path, help="a study file, e.g. studies/japan-korea.toml")
    run.add_argument("--artifacts", type=Path, default=artifacts, help="(default: %(default)s; the study's own under studies/NAME)")
    run.add_argument("--reports", type=Path, help="(default: reports/ for studies/japan-korea.toml, else reports/studies/NAME)")
    run.add_argument("--smoke", action="store_true", help="the small build: the study's [smoke] values")
    run.add_argument("--jobs", type=int, default=2, help="steps side by side (default: %(default)s)")
    run.set_defaults(run=cmd_run)

    study = subparsers.add_parser("study", help="study files: start one from your corpus, check one")
    study_commands = study.add_subparsers(dest="command", required=True)
    init = study_commands.add_parser("init", help="write a commented starter study for your own corpus file, from its data")
    from analysis.corpus.sources import add_source_arguments

    add_source_arguments(init, name_help="a corpus name (or give --path to your own file)")
    init.add_argument("--query", help="regular expression a paragraph must match (default: one suggested from the data)")
    init.add_argument("--years", help="inclusive range, e.g. 1990-2020 (default: all years found)")
    init.add_argument("--out", type=Path, required=True, help="the study file to write, e.g. studies/my-study.toml")
    init.set_defaults(run=cmd_study_init)
    for name, function, text in (("check", cmd_study_check, "load and check a study file; print what it builds"),
                                 ("makevars", cmd_study_makevars, "write the study as Makefile variables (make report does)"),
                                 ("subcorpus", cmd_study_subcorpus, "build one of the study's subcorpora (make report does)")):
        command = study_commands.add_parser(name, help=text)
        command.add_argument("study", type=Path)
        command.add_argument("--smoke", action="store_true", help="with the study's [smoke] values")
        if name == "makevars":
            command.add_argument("--out", type=Path, required=True)
        if name == "subcorpus":
            command.add_argument("role", choices=("corpus", "comparison", "showcase"))
            command.add_argument("--out", type=Path, required=True, help="the study's subcorpora folder")
        command.set_defaults(run=function)
