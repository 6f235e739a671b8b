"""Paragraph units: the unit of analysis (and of annotation) for every later stage.

A unit is one paragraph of one document. Its id is ``"{doc_id}#{index}"``;
its ``sha1`` (of the unit text) lets annotations refer to units without
storing their text, and detects when a unit's text has changed under them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.corpus.model import Document
from analysis.corpus.segment import Segments, segment
from analysis.hashing import text_sha1

UNIT_SCHEMA = pa.schema(
    [
        ("unit_id", pa.string()),
        ("doc_id", pa.string()),
        ("paragraph", pa.int32()),
        ("text", pa.string()),
        ("sha1", pa.string()),
        ("n_words", pa.int32()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("year", pa.int32()),
        ("speaker", pa.string()),
        ("title", pa.string()),
        ("label", pa.string()),
        ("language", pa.string()),
        ("heldout", pa.bool_()),
    ]
)


@dataclass(frozen=True, slots=True)
class SegmentOptions:
    """How documents of one corpus are cut into units (from the manifest's ``[units]`` table)."""

    repair_kcna: bool = False
    strip_boilerplate: bool = False


#: A unit's ``sha1`` (of its text), as annotations refer to it; the one implementation is in :mod:`analysis.hashing`.
unit_sha1 = text_sha1


def document_units(document: Document, options: SegmentOptions = SegmentOptions()) -> tuple[list[dict], Segments]:
    """The document's paragraphs as unit rows (see ``UNIT_SCHEMA``), and the segmentation itself."""
    segments = segment(document.text, repair_kcna=options.repair_kcna, strip_boilerplate=options.strip_boilerplate)
    meta = document.meta
    rows = [
        {
            "unit_id": f"{document.id}#{index}",
            "doc_id": document.id,
            "paragraph": index,
            "text": text,
            "sha1": unit_sha1(text),
            "n_words": len(text.split()),
            "source": meta.get("source"),
            "date": meta.get("date"),
            "year": meta.get("year"),
            "speaker": meta.get("speaker"),
            "title": meta.get("title"),
            "label": None if meta.get("label") is None else str(meta.get("label")),
            "language": meta.get("language"),
            "heldout": bool(meta.get("heldout", False)),
        }
        for index, text in enumerate(segments.paragraphs)
    ]
    return rows, segments


def iter_units(documents: Iterable[Document], options: SegmentOptions = SegmentOptions()) -> Iterator[dict]:
    """Unit rows of every document, streamed."""
    for document in documents:
        yield from document_units(document, options)[0]


def write_units(rows: Iterable[dict], path: Path, *, batch_size: int = 20_000) -> int:
    """Stream unit rows into a parquet file in batches (constant memory); return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    batch: list[dict] = []
    with pq.ParquetWriter(path, UNIT_SCHEMA) as writer:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=UNIT_SCHEMA))
                count += len(batch)
                batch.clear()
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=UNIT_SCHEMA))
            count += len(batch)
    return count

