"""Command line: ``python -m analysis STAGE COMMAND``; logging is configured here and only here.

Each stage registers its commands through its own ``cli.py`` with one
signature, ``register(subparsers, defaults)`` (see :mod:`analysis.cli_support`);
this module only lists the stages, in pipeline order, and runs the command.
"""

from __future__ import annotations

import argparse
import logging
import sys

from analysis.cli_support import Defaults, Register, run_command
from analysis.corpus import cli as corpus_cli
from analysis.effects import cli as effects_cli
from analysis.framing import cli as framing_cli
from analysis.report import cli as report_cli
from analysis.scale import cli as scale_cli
from analysis.topics import cli as topics_cli

log = logging.getLogger("analysis")

#: Each stage's ``register``, in pipeline order (``scale`` orchestrates the others).
STAGES: tuple[Register, ...] = (corpus_cli.register, framing_cli.register, topics_cli.register, effects_cli.register,
                                report_cli.register, scale_cli.register)


def build_parser(defaults: Defaults = Defaults()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="stage", required=True)
    for register in STAGES:
        register(subparsers, defaults)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    return run_command(args)
