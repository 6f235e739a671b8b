"""``python -m analysis report ...``: run one notebook with papermill, assemble the report."""

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

    markdown, page = build_report(args.reports)
    print(f"report written: {markdown} and {page}")
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
    build.set_defaults(run=cmd_build)
