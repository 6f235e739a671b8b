"""Command line: ``python -m analysis STAGE COMMAND``; logging is configured here and only here.

Each stage registers its commands through its own ``cli.py`` with one
signature, ``register(subparsers, defaults)`` (see :mod:`analysis.cli_support`);
this module only lists the stages, in pipeline order, and runs the command.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from analysis.cli_support import Defaults, Register, run_command
from analysis.corpus import cli as corpus_cli
from analysis.effects import cli as effects_cli
from analysis.framing import cli as framing_cli
from analysis.report import cli as report_cli
from analysis.scale import cli as scale_cli
from analysis.topics import cli as topics_cli

log = logging.getLogger("analysis")



def cmd_verify(args: argparse.Namespace) -> int:
    """Check the sha256 of every file of every artifact folder under DIR; status 2 if any differs or is missing."""
    from analysis.persist import IntegrityError, artifact_folders, unlisted_files, verify_folder

    if not args.folder.is_dir():
        raise FileNotFoundError(f"{args.folder}: no such folder")
    folders = artifact_folders(args.folder)
    if not folders:
        raise IntegrityError(f"{args.folder}: no manifest.json in it or below it: not an artifact folder")
    failed = 0
    for folder in folders:
        try:
            manifest = verify_folder(folder)
        except IntegrityError as error:
            failed += 1
            print(f"FAILED  {error}")
            continue
        extra = unlisted_files(folder, manifest)
        print(f"OK      {folder} ({len(manifest['files'])} files, stage {manifest.get('stage')})"
              + (f"; not in the manifest, not checked: {', '.join(extra)}" if extra else ""))
    print(f"{len(folders) - failed} of {len(folders)} artifact folders verified")
    return 2 if failed else 0


def register_verify(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    verify = subparsers.add_parser("verify", help="check the sha256 of every file of an artifact folder (and those below it)")
    verify.add_argument("folder", type=Path, nargs="?", default=defaults.artifacts, help="(default: %(default)s)")
    verify.set_defaults(run=cmd_verify)


#: Each stage's ``register``, in pipeline order (``scale`` orchestrates the others), then ``verify``.
STAGES: tuple[Register, ...] = (corpus_cli.register, framing_cli.register, topics_cli.register, effects_cli.register,
                                report_cli.register, scale_cli.register, register_verify)


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
    logging.getLogger("analysis.progress").setLevel(logging.INFO)  # progress lines off a terminal (analysis.progress)
    return run_command(args)
