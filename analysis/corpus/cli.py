"""``python -m analysis corpus ...``: list, inspect, verify, segment, subset, sample, embed and fetch corpora."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from analysis.cli_support import Defaults, peak_rss_mib
from analysis.corpus.manifest import find_data_home, list_manifests, load_manifest, sha256_of
from analysis.corpus.sources import add_source_arguments, source_manifest


def cmd_corpus_list(args: argparse.Namespace) -> int:
    print(f"data home: {find_data_home()}")
    for manifest in list_manifests():
        present = "present" if manifest.path().exists() else "MISSING"
        print(f"  {manifest.name:<16} {manifest.format:<13} {present:<8} {manifest.title}")
    from analysis.corpus.subcorpus import SPEC_DIR

    print("subcorpora (python -m analysis corpus build NAME):")
    for spec in sorted(SPEC_DIR.glob("*.toml")):
        print(f"  {spec.stem}")
    return 0


def cmd_corpus_info(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import SPEC_DIR, load_subcorpus

    if args.path is None and args.name and (SPEC_DIR / f"{args.name}.toml").exists():
        units, manifest = load_subcorpus(args.name, args.artifacts / "subcorpora")
        counts = manifest["counts"]
        print(f"subcorpus {args.name}: {counts['units']:,} paragraph units from {counts['documents_with_units']:,} "
              f"documents ({counts['words']:,} words)")
        print(f"  drawn from {manifest['inputs']['corpus']} (sha256 {manifest['inputs']['sha256']}), "
              f"{counts['units_scanned']:,} units scanned")
        print(f"  query: {manifest['config']['query']}")
        print(f"  speakers: {counts['speakers']}, years: {counts['years'][0]}-{counts['years'][1]}, "
              f"held-out units: {counts['heldout_units']:,} ({manifest['config']['heldout_rule']})")
        print(f"  duplicates: {counts['duplicates']}")
        top = units["speaker"].value_counts().head(10)
        print("  most units: " + ", ".join(f"{speaker} {n}" for speaker, n in top.items()))
        return 0

    from analysis.corpus.readers import open_corpus

    manifest = source_manifest(args)
    corpus = open_corpus(manifest)
    words, years, speakers, languages, heldout = 0, Counter(), Counter(), Counter(), 0
    for document in corpus:
        words += len(document.text.split())
        years[document.meta["year"]] += 1
        speakers[document.meta["speaker"]] += 1
        languages[document.meta["language"]] += 1
        heldout += document.meta["heldout"]
    report = corpus.last_report
    known_years = sorted(y for y in years if y is not None)
    print(f"{manifest.name}: {manifest.title}")
    print(f"  file: {corpus.path}")
    print(f"  records: {report.records:,}, documents: {report.documents:,}, words: {words:,}")
    if manifest.expected_documents is not None:
        verdict = "matches" if report.records == manifest.expected_documents else "DOES NOT MATCH"
        print(f"  expected records (publisher's count): {manifest.expected_documents:,} -> {verdict}")
    if report.skipped or report.repaired:
        print(f"  skipped: {dict(report.skipped)}; repaired: {dict(report.repaired)}")
    print(f"  years: {known_years[0]}-{known_years[-1]} ({len(known_years)} distinct)" if known_years else "  years: none")
    named = [s for s in speakers if s is not None]
    most = ", ".join(f"{s} {n}" for s, n in speakers.most_common(5))
    print(f"  speakers: {len(named)}" + (f" (most documents: {most})" if named else ""))
    print(f"  languages: {dict(languages.most_common())}")
    print(f"  held out: {heldout:,} documents ({manifest.heldout.describe()})")
    print(f"  licence: {manifest.licence}")
    if manifest.citation:
        print(f"  cite: {manifest.citation}")
    if manifest.source_url:
        print(f"  source: {manifest.source_url}")
    return 0 if manifest.expected_documents in (None, report.records) else 1


def cmd_corpus_verify(args: argparse.Namespace) -> int:
    manifests = [load_manifest(name) for name in args.names] if args.names else list_manifests()
    problems = 0
    for manifest in manifests:
        path = manifest.path()
        if not path.exists():
            print(f"MISSING   {manifest.name:<16} {path}")
            problems += 1
            continue
        actual = sha256_of(path)
        ok = actual == manifest.sha256
        problems += not ok
        print(f"{'OK' if ok else 'MISMATCH':<9} {manifest.name:<16} {path}"
              + ("" if ok else f"\n          expected {manifest.sha256}\n          got      {actual}"))
    print(f"{len(manifests) - problems} of {len(manifests)} files verified")
    return 1 if problems else 0


def cmd_corpus_units(args: argparse.Namespace) -> int:

    from analysis.corpus.readers import open_corpus
    from analysis.corpus.units import SegmentOptions, iter_units, write_units
    from analysis.persist import atomic_path
    from analysis.progress import progress

    manifest = source_manifest(args)
    corpus = open_corpus(manifest)
    started = time.perf_counter()
    documents = progress(corpus, total=manifest.expected_documents, unit="doc", desc=manifest.name)
    with atomic_path(Path(args.out)) as temporary:
        count = write_units(iter_units(documents, SegmentOptions(**manifest.units)), temporary)
    seconds = time.perf_counter() - started
    peak_mib = peak_rss_mib()
    print(f"{manifest.name}: {corpus.last_report.documents:,} documents -> {count:,} paragraph units in {seconds:.1f} s "
          f"({count / seconds:,.0f} units/s, {corpus.last_report.documents / seconds:,.0f} documents/s); "
          f"peak RSS {peak_mib:,.0f} MiB; written to {args.out}")
    return 0


def cmd_corpus_show(args: argparse.Namespace) -> int:
    from analysis.corpus.readers import open_corpus
    from analysis.corpus.units import SegmentOptions, document_units

    manifest = source_manifest(args)
    shown = 0
    for document in open_corpus(manifest):
        if args.doc and document.id != args.doc:
            continue
        rows, segments = document_units(document, SegmentOptions(**manifest.units))
        print(f"== {document.id}  ({len(rows)} units; {len(segments.removed)} pieces removed)")
        for row in rows:
            print(f"[{row['paragraph']}] {row['text']}")
        for removed in segments.removed:
            print(f"  - removed ({removed.reason}): {removed.text!r}")
        shown += 1
        if shown >= args.limit:
            break
    if shown == 0:
        print(f"no document {args.doc!r} in {manifest.name}", file=sys.stderr)
        return 1
    return 0


def cmd_corpus_build(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from analysis.corpus.subcorpus import build_subcorpus, load_spec

    spec = load_spec(args.name)
    if args.years:
        spec = replace(spec, years=tuple(args.years))
    folder = build_subcorpus(spec, out_dir=args.out)
    print(f"built {folder}")
    return 0


def cmd_corpus_subset(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import SubcorpusSpec, build_subcorpus

    manifest = source_manifest(args)
    years = None
    if args.years:
        first, _, last = args.years.partition("-")
        try:
            years = (int(first), int(last or first))
        except ValueError:
            raise SystemExit(f"--years: expected a year or an inclusive range FIRST-LAST, such as 1990-2022, "
                             f"not {args.years!r}") from None
    try:
        spec = SubcorpusSpec(name=args.subcorpus, corpus=manifest.name, query=args.query, ignore_case=args.ignore_case,
                             speakers=tuple(s for s in args.speakers.split(",") if s) if args.speakers else (),
                             years=years, language=args.language_filter, drop_duplicates=args.drop_duplicates)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    folder = build_subcorpus(spec, out_dir=args.out, manifest=manifest)
    counts = json.loads((folder / "manifest.json").read_text())["counts"]
    print(f"built {folder}: {counts['units']:,} units from {counts['documents_with_units']:,} documents")
    return 0


def cmd_corpus_dedup(args: argparse.Namespace) -> int:
    from analysis.corpus.dedup import find_duplicates
    from analysis.corpus.readers import open_corpus

    manifest = source_manifest(args)
    corpus = open_corpus(manifest)
    report = find_duplicates(((d.id, d.text) for d in corpus), threshold=args.threshold)
    print(f"{manifest.name}: {json.dumps(report.summary())}")
    for group in report.groups[: args.show]:
        print(f"  {group.kind:<5} {group.similarity:.2f} keep {group.ids[0]}, drop {', '.join(group.ids[1:])}")
    return 0


def cmd_corpus_sample(args: argparse.Namespace) -> int:
    from analysis.corpus.sampling import sample_for_annotation
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.persist import atomic_path

    units, _ = load_subcorpus(args.name, args.artifacts / "subcorpora")
    sample = sample_for_annotation(units, n=args.n, seed=args.seed)
    out = Path(args.out)
    columns = ["unit_id", "doc_id", "paragraph", "sha1", "speaker", "year", "text"]
    with atomic_path(out) as temporary:
        sample[columns].to_json(temporary, orient="records", lines=True, force_ascii=False)
    print(f"{len(sample)} units written to {out}")
    return 0


def cmd_corpus_embed(args: argparse.Namespace) -> int:
    from analysis.corpus.subcorpus import load_subcorpus
    from analysis.embeddings import EmbeddingCache, embed
    from analysis.persist import write_manifest

    units, manifest = load_subcorpus(args.name, args.artifacts / "subcorpora", sample=args.sample, seed=args.seed)
    out = args.artifacts / "embeddings" / args.name
    if args.part:
        part, parts = args.part
        units = units.iloc[part - 1::parts]
        out = out / f"part-{part}-of-{parts}"
    cache = EmbeddingCache()
    before = len(cache)
    started = time.perf_counter()
    embed(units["text"].tolist(), cache=cache)
    seconds = time.perf_counter() - started
    write_manifest(out, stage="embed", inputs={"subcorpus": args.name, "subcorpus_input_sha256": manifest["inputs"]["sha256"]},
                   config={"sample": args.sample, "sample_seed": args.seed, "part": args.part, "cache": str(cache.folder),
                           "encoder": cache.runtime},
                   counts={"units": len(units), "newly_embedded": len(cache) - before})
    print(f"{args.name}: {len(units):,} units, {len(cache) - before:,} newly embedded with {cache.runtime} "
          f"in {seconds:.0f} s -> {cache.folder}")
    return 0


def _part(value: str) -> tuple[int, int]:
    """``I/N`` of ``--part``: the I-th of N interleaved shares of the units (1 <= I <= N)."""
    try:
        part, parts = (int(number) for number in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N, such as 1/2, not {value!r}") from None
    if not 1 <= part <= parts:
        raise argparse.ArgumentTypeError(f"part {part} of {parts} does not exist: I must be between 1 and N")
    return part, parts


def cmd_corpus_fetch(args: argparse.Namespace) -> int:
    from analysis.corpus.fetch import fetch

    manifest = load_manifest(args.name)
    if not manifest.sha256:
        raise SystemExit(f"corpus {manifest.name!r} has no sha256 in its manifest; refusing to fetch an unverifiable file")
    destination = fetch(args.url, manifest.path(), sha256=manifest.sha256)
    print(f"{manifest.name}: {destination} (sha256 verified)")
    return 0


def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:
    """Add ``corpus`` and its commands."""
    corpus = subparsers.add_parser("corpus", help="corpora: list, inspect, verify, segment, subset, fetch")
    commands = corpus.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="the corpora the project knows, and whether their files are present").set_defaults(run=cmd_corpus_list)

    info = commands.add_parser("info", help="documents, words, years, speakers, licence (or a built subcorpus's summary)")
    add_source_arguments(info, name_help="a corpus or subcorpus name")
    info.add_argument("--artifacts", type=Path, default=defaults.artifacts, help="where built subcorpora are (default: %(default)s)")
    info.set_defaults(run=cmd_corpus_info)

    verify = commands.add_parser("verify", help="check every corpus file's sha256 against its manifest")
    verify.add_argument("names", nargs="*", help="corpora to check (default: all)")
    verify.set_defaults(run=cmd_corpus_verify)

    units = commands.add_parser("units", help="segment a whole corpus into paragraph units (parquet), streaming")
    add_source_arguments(units, name_help="a corpus name")
    units.add_argument("--out", required=True, help="parquet file to write")
    units.set_defaults(run=cmd_corpus_units)

    show = commands.add_parser("show", help="print documents' units and the boilerplate removed from them")
    add_source_arguments(show, name_help="a corpus name")
    show.add_argument("--doc", help="only this document id")
    show.add_argument("--limit", type=int, default=1, help="how many documents (default: %(default)s)")
    show.set_defaults(run=cmd_corpus_show)

    build = commands.add_parser("build", help="build a named subcorpus from corpora/subcorpora/NAME.toml")
    build.add_argument("name", help="e.g. ungdc-japan-korea")
    build.add_argument("--out", type=Path, default=defaults.subcorpora, help="output folder (default: %(default)s)")
    build.add_argument("--years", nargs=2, type=int, metavar=("FIRST", "LAST"),
                       help="keep only documents of these years, overriding the spec (the report's smoke variant)")
    build.set_defaults(run=cmd_corpus_build)

    subset = commands.add_parser("subset", help="save the units matching a query, speakers, years and language as a subcorpus")
    add_source_arguments(subset, name_help="a corpus name")
    subset.add_argument("--subcorpus", required=True, help="name of the subcorpus to write")
    subset.add_argument("--query", help="regular expression a unit must match, e.g. '\\b(?:tariffs?|exports?)\\b'")
    subset.add_argument("--ignore-case", action="store_true", help="match the query regardless of case")
    subset.add_argument("--speakers", help="comma-separated speakers, e.g. JPN,KOR,PRK")
    subset.add_argument("--years", help="inclusive range, e.g. 1990-2022")
    subset.add_argument("--language-filter", help="keep documents in this language only, e.g. en")
    subset.add_argument("--drop-duplicates", action="store_true", help="remove exact and near-duplicate units")
    subset.add_argument("--out", type=Path, default=defaults.subcorpora, help="output folder (default: %(default)s)")
    subset.set_defaults(run=cmd_corpus_subset)

    dedup = commands.add_parser("dedup", help="report exact and near-duplicate documents")
    add_source_arguments(dedup, name_help="a corpus name")
    dedup.add_argument("--threshold", type=float, default=0.8, help="Jaccard similarity of word 5-grams (default: %(default)s)")
    dedup.add_argument("--show", type=int, default=10, help="how many groups to list (default: %(default)s)")
    dedup.set_defaults(run=cmd_corpus_dedup)

    sample = commands.add_parser("sample", help="draw units of a built subcorpus to annotate (refuses held-out units)")
    sample.add_argument("name", help="a built subcorpus")
    sample.add_argument("--n", type=int, required=True)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", required=True, help="JSONL file to write (ids, metadata and text; keep it out of git)")
    sample.add_argument("--artifacts", type=Path, default=defaults.artifacts)
    sample.set_defaults(run=cmd_corpus_sample)

    embed = commands.add_parser("embed", help="embed a built subcorpus's units into the content-hash cache, once, "
                                              "before stages that read the vectors run in parallel")
    embed.add_argument("name", help="a built subcorpus")
    embed.add_argument("--sample", type=int, help="only a random sample of this many units (as `frames apply --sample`)")
    embed.add_argument("--seed", type=int, default=0, help="seed of --sample (default: %(default)s)")
    embed.add_argument("--part", type=_part, metavar="I/N",
                       help="embed only every N-th unit from the I-th (the I-th of N parts, run side by side; "
                            "its manifest goes to embeddings/NAME/part-I-of-N/); vectors do not depend on the split")
    embed.add_argument("--artifacts", type=Path, default=defaults.artifacts)
    embed.set_defaults(run=cmd_corpus_embed)

    fetch = commands.add_parser("fetch", help="download a corpus file into the data home, verifying its sha256")
    fetch.add_argument("name", help="a corpus name")
    fetch.add_argument("--url", required=True, help="where to download it from")
    fetch.set_defaults(run=cmd_corpus_fetch)
