"""Named subcorpora: a query over a corpus's paragraph units, saved with its provenance.

A :class:`SubcorpusSpec` (keywords or a regex, speakers, years, language) is
applied to a corpus; the matching paragraph units are written to
``OUT/NAME/units.parquet`` beside a ``manifest.json`` that records the query,
the input file's sha256 and the counts. The project's named specs live in
``corpora/subcorpora/*.toml``; the default study corpus is
``ungdc-japan-korea``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.corpus.dedup import find_duplicates
from analysis.corpus.manifest import MANIFEST_DIR, Manifest, load_manifest, sha256_of
from analysis.corpus.model import CorpusError, Document
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import UNIT_SCHEMA, SegmentOptions, iter_units, write_units
from analysis.errors import UnknownNameError
from analysis.persist import atomic_path, verify_folder, write_manifest
from analysis.progress import progress as progress_bar

log = logging.getLogger(__name__)

SPEC_DIR = MANIFEST_DIR / "subcorpora"
UNITS_FILE = "units.parquet"


@dataclass(frozen=True)
class SubcorpusSpec:
    """Which units of which corpus make up a subcorpus.

    Parameters
    ----------
    name
        The subcorpus's name (its folder under the output directory).
    corpus
        The manifest name of the corpus it is drawn from.
    query
        A regular expression a unit's text must match (``re.search``); ``None``
        keeps every unit. Keywords are a query too: ``\\b(?:tariff|export)s?\\b``.
    ignore_case
        Match the query without regard to case.
    speakers, years, language
        Document filters: speaker codes, an inclusive ``(first, last)`` year
        range, a language code.
    drop_duplicates
        Remove exact and near-duplicate units (the duplicates are counted in the
        manifest either way).
    """

    name: str
    corpus: str
    query: str | None = None
    ignore_case: bool = False
    speakers: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    language: str | None = None
    drop_duplicates: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[\w][\w.-]*", self.name):
            raise ValueError(f"subcorpus name {self.name!r}: use letters, digits, '-', '_' and '.' (it names a folder)")
        if self.query is not None:
            try:
                re.compile(self.query)
            except re.error as error:
                raise ValueError(f"subcorpus {self.name!r}: the query is not a valid regular expression: {error}") from None
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"subcorpus {self.name!r}: first year {self.years[0]} is after last year {self.years[1]}")

    @classmethod
    def from_toml(cls, path: Path) -> SubcorpusSpec:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
        years = raw.pop("years", None)
        return cls(**raw, speakers=tuple(raw.pop("speakers", ())), years=tuple(years) if years else None)

    def accepts(self, document: Document) -> bool:
        meta = document.meta
        if self.speakers and meta.get("speaker") not in self.speakers:
            return False
        if self.years is not None and (meta.get("year") is None or not self.years[0] <= meta["year"] <= self.years[1]):
            return False
        return self.language is None or meta.get("language") == self.language


def load_spec(name: str, directory: Path = SPEC_DIR) -> SubcorpusSpec:
    path = directory / f"{name}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.toml")))
        raise UnknownNameError(f"no subcorpus spec named {name!r} in {directory} (known: {known})")
    return SubcorpusSpec.from_toml(path)


def build_subcorpus(spec: SubcorpusSpec, *, out_dir: Path, manifest: Manifest | None = None,
                    data_home: Path | None = None, progress: bool = True) -> Path:
    """Write ``out_dir/spec.name/units.parquet`` and its ``manifest.json``; return the folder.

    The input file's sha256 is checked against the corpus manifest first: a
    subcorpus is never built from a file that is not the one the manifest names.
    """
    manifest = manifest or load_manifest(spec.corpus)
    corpus = open_corpus(manifest, data_home=data_home)
    input_sha256 = sha256_of(corpus.path) if corpus.path.is_file() else None
    if manifest.sha256 and input_sha256 != manifest.sha256:
        raise CorpusError(corpus.path, f"sha256 is {input_sha256}, but the manifest {manifest.defined_in} expects {manifest.sha256}")

    pattern = re.compile(spec.query, re.IGNORECASE if spec.ignore_case else 0) if spec.query else None
    scanned = {"documents": 0, "documents_kept": 0, "units": 0}

    def documents() -> Iterator[Document]:
        bar = progress_bar(corpus, total=manifest.expected_documents, unit="doc", desc=spec.name, enabled=progress)
        for document in bar:
            scanned["documents"] += 1
            if spec.accepts(document):
                scanned["documents_kept"] += 1
                yield document

    def selected_units() -> Iterator[dict]:
        for row in iter_units(documents(), SegmentOptions(**manifest.units)):
            scanned["units"] += 1
            if pattern is None or pattern.search(row["text"]):
                yield row

    folder = out_dir / spec.name
    units_path = folder / UNITS_FILE
    with atomic_path(units_path) as temporary:
        write_units(selected_units(), temporary)
        units = pd.read_parquet(temporary)
        duplicates = find_duplicates(zip(units["unit_id"], units["text"]))
        if spec.drop_duplicates and duplicates.duplicate_ids:
            units = units[~units["unit_id"].isin(duplicates.duplicate_ids)]
            pq.write_table(pa.Table.from_pandas(units, schema=UNIT_SCHEMA, preserve_index=False), temporary)

    counts = {
        "documents_read": scanned["documents"],
        "documents_after_filters": scanned["documents_kept"],
        "units_scanned": scanned["units"],
        "units": len(units),
        "documents_with_units": int(units["doc_id"].nunique()),
        "speakers": int(units["speaker"].nunique()),
        "years": [int(units["year"].min()), int(units["year"].max())] if len(units) and units["year"].notna().any() else None,
        "heldout_units": int(units["heldout"].sum()),
        "words": int(units["n_words"].sum()),
        "duplicates": duplicates.summary(),
        "duplicates_dropped": spec.drop_duplicates,
        "read_report": corpus.last_report.summary() if corpus.last_report else None,
    }
    write_manifest(
        folder,
        stage="subcorpus",
        inputs={"corpus": manifest.name, "file": str(corpus.path), "sha256": input_sha256,
                "corpus_manifest": manifest.defined_in},
        config={**asdict(spec), "segmentation": manifest.units, "heldout_rule": manifest.heldout.describe()},
        counts=counts,
    )
    log.info("subcorpus %s: %d units from %d documents", spec.name, counts["units"], counts["documents_with_units"])
    return folder


def load_subcorpus(name: str, artifacts: Path, *, sample: int | None = None, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """The units and the manifest of a built subcorpus.

    Parameters
    ----------
    sample
        Keep a random sample of this many units (all when there are fewer), in
        subcorpus order; the same ``sample`` and ``seed`` always keep the same
        units, so stages that sample alike (frames and topics applied to a new
        corpus) describe the same paragraphs.
    """
    folder = artifacts / name
    path = folder / UNITS_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"subcorpus {name!r} is not built ({path} is missing); run: python -m analysis corpus build {name} --out {artifacts}"
        )
    manifest = verify_folder(folder)
    units = pd.read_parquet(path)
    if sample is not None:
        if sample <= 0:
            raise ValueError(f"sample must be a positive number of units, got {sample}")
        if sample < len(units):
            units = units.sample(n=sample, random_state=seed).sort_index().reset_index(drop=True)
    return units, manifest
