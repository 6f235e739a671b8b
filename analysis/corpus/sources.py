"""Where a command's corpus comes from: a named manifest, or ``--path/--format/--map`` for a user's own files.

Every command that reads a corpus (``corpus info/units/show/subset/dedup``,
``scale run``) takes the same arguments through :func:`add_source_arguments`
and turns them into a :class:`~analysis.corpus.manifest.Manifest` with
:func:`source_manifest`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.corpus.manifest import FORMATS, Manifest, load_manifest
from analysis.errors import AnalysisError


def parse_pairs(pairs: list[str], flag: str) -> dict[str, str]:
    parsed = {}
    for item in (p for chunk in pairs for p in chunk.split(",") if p):
        key, equals, value = item.partition("=")
        if not equals or not key or not value:
            raise SystemExit(f"{flag}: expected FIELD=COLUMN pairs, got {item!r}")
        parsed[key.strip()] = value.strip()
    return parsed


def _infer_format(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir():
        return "text-dir"
    for suffixes, fmt in (((".csv", ".csv.gz", ".tsv", ".tsv.gz"), "csv"), ((".jsonl", ".jsonl.gz", ".ndjson"), "jsonl"),
                          ((".tar", ".tgz", ".tar.gz"), "tar-text"), ((".txt",), "text")):
        if name.endswith(suffixes):
            return fmt
    raise AnalysisError(f"{path}: cannot tell its format from the name; pass --format ({', '.join(FORMATS)})")


def file_manifest(path: Path, *, fmt: str | None = None, fields: dict[str, str], options: dict[str, str],
                  language: str | None = None, name: str | None = None) -> Manifest:
    """The manifest of a user's own file or folder: its format (default: from its name), mapping and reader options.

    A missing file, a format that cannot be told or a mapping without ``text`` is an
    :class:`~analysis.errors.AnalysisError` (``error: ...``, status 2, from the command line).
    """
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise AnalysisError(f"{path}: no such file or folder")
    fmt = fmt or _infer_format(path)
    options = dict(options)
    if fmt == "csv" and path.name.lower().removesuffix(".gz").endswith(".tsv"):
        options.setdefault("delimiter", "\t")
    try:
        return Manifest(name=name or path.name.split(".")[0], file=str(path), format=fmt, fields=dict(fields),
                        reader=options, language=language, title=f"user corpus {path}")
    except ValueError as error:
        raise AnalysisError(str(error)) from None


def source_manifest(args: argparse.Namespace) -> Manifest:
    """The manifest of a named corpus, or one made from ``--path/--format/--map`` for a user's own files."""
    if args.path is None:
        if args.name is None:
            raise SystemExit("name a corpus (see `python -m analysis corpus list`) or give --path to your own files")
        return load_manifest(args.name)
    return file_manifest(Path(args.path), fmt=args.format, fields=parse_pairs(args.map, "--map"),
                         options=parse_pairs(args.option, "--option"), language=args.language, name=args.name)


def add_source_arguments(parser: argparse.ArgumentParser, *, name_help: str) -> None:
    parser.add_argument("name", nargs="?", help=name_help)
    own = parser.add_argument_group("your own corpus (instead of NAME)")
    own.add_argument("--path", help="a CSV/TSV, JSONL (.gz), tar/tgz of text files, a .txt file or a folder of .txt files")
    own.add_argument("--format", choices=FORMATS, help="the file's format (default: from its name)")
    own.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                     help="field mapping, e.g. --map text=body,id=doc_id,date=published,speaker=outlet "
                          "(fields: id, text, date, year, speaker, title, label, language; others kept as extra metadata)")
    own.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                     help="reader option, e.g. --option encoding=latin-1 or --option delimiter=';'")
    own.add_argument("--language", help="language code of every document (default: unknown)")
