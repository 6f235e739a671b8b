"""Readers: turn a manifest's file into a streaming :class:`~analysis.corpus.model.Corpus`.

Each format reader yields raw *records* (plain dicts of the source's own fields,
with the line or archive member they came from); one :class:`FieldMapper` turns
records into documents with normalised metadata. A user's own CSV, JSONL or
folder of text files goes through the same path with a field mapping given on
the command line.

Bad input is never dropped silently: recoverable problems (a malformed JSONL
line, an empty document, undecodable bytes) are counted in the corpus's
:class:`~analysis.corpus.model.ReadReport` and logged with file and line;
problems that make the whole source unusable (an empty file, a missing mapped
column, duplicate ids) raise :class:`~analysis.corpus.model.CorpusError`.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import sys
import tarfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from analysis.corpus.manifest import Manifest
from analysis.corpus.model import Corpus, CorpusError, Document, ReadReport

Record = dict[str, Any]
#: Where a record came from: a line number, or an archive member's name.
Location = int | str

_TEMPLATE = re.compile(r"\{[^{}]+\}")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%Y")

csv.field_size_limit(sys.maxsize)  # one 20 MB document in a CSV cell is legitimate input


def open_corpus(manifest: Manifest, *, data_home: Path | None = None) -> Corpus:
    """A re-iterable corpus over the manifest's file (located in the data home)."""
    path = manifest.locate(data_home)
    read_records = _READERS[manifest.format]
    mapper = FieldMapper(manifest, path)

    def open_documents(report: ReadReport) -> Iterator[Document]:
        return mapper.documents(_readable(read_records(path, manifest.reader, report), path, manifest.format), report)

    return Corpus(name=manifest.name, open_documents=open_documents, path=path)


def _readable(records: Iterator[tuple[Location, Record]], path: Path, fmt: str) -> Iterator[tuple[Location, Record]]:
    """The records, with a file that breaks off (a damaged gzip or tar, an unknown encoding) as a :class:`CorpusError`."""
    location: Location | None = None
    try:
        for location, record in records:
            yield location, record
    except (OSError, EOFError, zlib.error, tarfile.TarError, LookupError) as error:
        where = f" after {location}" if location is not None else ""
        raise CorpusError(path, f"not readable as {fmt}{where}: {error}") from None


class FieldMapper:
    """Maps a source's records to documents, as the manifest's ``fields`` say.

    A mapping value is a column name (``text = "body"``) or a template over
    columns (``id = "{speaker}_{session}_{year}"``). Unmapped normalised fields
    fall back to the manifest's constants (``speaker = "KCNA"``) and defaults.
    Mapped fields beyond the normalised ones are kept as extra metadata.
    """

    def __init__(self, manifest: Manifest, path: Path):
        self.manifest = manifest
        self.path = path
        self.fields = {"text": "text", **manifest.fields}
        self._checked_columns = False

    def documents(self, records: Iterator[tuple[Location, Record]], report: ReadReport) -> Iterator[Document]:
        first_seen: dict[str, Location] = {}
        for location, record in records:
            report.records += 1
            if not self._checked_columns:
                self._check_columns(record, location)
            document = self._document(record, location, report)
            if document is None:
                continue
            if not document.text.strip():
                report.skip("empty-text", line=location, detail=f"document {document.id!r} has no text")
                continue
            if document.id in first_seen:
                raise CorpusError(
                    self.path,
                    f"duplicate document id {document.id!r} (first seen at {first_seen[document.id]}); "
                    "ids must be unique: map `id` to a unique column or leave it unmapped to number the records",
                    line=location,
                )
            first_seen[document.id] = location
            yield document

    def _check_columns(self, record: Record, location: Location) -> None:
        wanted = {column for source in self.fields.values() for column in _columns_of(source)}
        missing = sorted(c for c in wanted if c not in record)
        if missing:
            raise CorpusError(
                self.path,
                f"mapped column(s) {', '.join(map(repr, missing))} not found; "
                f"the source has: {', '.join(sorted(k for k in record if not k.startswith('_')))}",
                line=location,
            )
        self._checked_columns = True

    def _value(self, source: str, record: Record, location: Location) -> Any:
        if _TEMPLATE.search(source):
            try:
                return source.format_map(record)
            except KeyError:
                raise  # a record without a field the template names: counted by the caller
            except (ValueError, IndexError, AttributeError, TypeError) as error:
                raise CorpusError(self.path, f"field mapping {source!r} cannot be applied: {error}", line=location) from None
        return record.get(source)

    def _document(self, record: Record, location: Location, report: ReadReport) -> Document | None:
        """The record as a document, or ``None`` (a counted, logged skip) when a mapped field is unusable."""
        manifest = self.manifest
        try:
            values = {name: self._value(source, record, location) for name, source in self.fields.items()}
        except KeyError as error:
            report.skip("missing-field", line=location, detail=f"no field {error} for the mapping")
            return None
        for name, mapping in manifest.reader.get("values", {}).items():
            if name in values and isinstance(values[name], str | int | float | bool):
                values[name] = mapping.get(str(values[name]), values[name])
        for name in ("text", "id", "date", "speaker", "title", "label", "language"):
            value = values.get(name)
            if isinstance(value, list | dict) or (name == "text" and value is not None and not isinstance(value, str)):
                report.skip("wrong-type", line=location, detail=f"{name} is a JSON {type(value).__name__}, not a "
                            + ("string" if name == "text" else "value"))
                return None
        text = values.pop("text") or ""
        doc_id = str(values.pop("id", None) or f"{manifest.name}-{location}")
        date = _normalise_date(values.pop("date", None) or manifest.constants.get("date"))
        year = values.pop("year", None) or manifest.constants.get("year") or (int(date[:4]) if date else None)
        try:
            year = int(year) if year not in (None, "") else None
        except (ValueError, TypeError, OverflowError):
            report.skip("bad-year", line=location, detail=f"year {year!r} is not a year")
            return None
        meta = {
            "source": manifest.name,
            "date": date,
            "year": year,
            "speaker": values.pop("speaker", None) or manifest.constants.get("speaker"),
            "title": values.pop("title", None) or manifest.constants.get("title"),
            "label": values.pop("label", None) or manifest.constants.get("label"),
            "language": values.pop("language", None) or manifest.language,
            "heldout": manifest.heldout.applies(year=year, date=date),
            **values,
        }
        return Document(id=doc_id, text=text, meta=meta)


def _columns_of(source: str) -> list[str]:
    """The columns a mapping value reads: itself, or the fields named in its template."""
    named = [re.split(r"[:!]", match[1:-1])[0] for match in _TEMPLATE.findall(source)]
    return named or [source]


def _normalise_date(value: Any) -> str | None:
    """An ISO ``YYYY-MM-DD`` date from the formats our sources use, or ``None``."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- decoding


def _decode(raw: bytes, encoding: str, report: ReadReport, location: Location) -> str:
    """Decode with the source's encoding; undecodable bytes become a counted, logged repair."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        report.repair(
            "undecodable-bytes",
            line=location,
            detail=f"not {encoding} at byte {error.start} ({raw[error.start:error.start + 4]!r}); decoded as cp1252",
        )
        return raw.decode("cp1252", errors="replace")


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _redecode(value: Any) -> Any:
    """Undo surrogateescape on a CSV cell and decode its bytes as cp1252."""
    if not isinstance(value, str):
        return value
    return value.encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace")


def _open_binary(path: Path) -> IO[bytes]:
    if path.stat().st_size == 0:
        raise CorpusError(path, "file is empty")
    handle = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
    return handle


# --------------------------------------------------------------------------- formats


def read_jsonl(path: Path, options: dict, report: ReadReport) -> Iterator[tuple[Location, Record]]:
    """JSON Lines, optionally gzipped: one object a line; blank lines are ignored."""
    encoding = options.get("encoding", "utf-8")
    with _open_binary(path) as handle:
        for line_number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            text = _decode(raw, encoding, report, line_number)
            try:
                record = json.loads(text)
            except json.JSONDecodeError as error:
                report.skip("malformed-json", line=line_number, detail=error.msg)
                continue
            except RecursionError:
                report.skip("malformed-json", line=line_number, detail="nested too deeply")
                continue
            if not isinstance(record, dict):
                report.skip("not-an-object", line=line_number, detail=f"a JSON {type(record).__name__}")
                continue
            yield line_number, {**record, "_line": line_number}


def read_csv(path: Path, options: dict, report: ReadReport) -> Iterator[tuple[Location, Record]]:
    """CSV with a header row, optionally gzipped."""
    encoding = options.get("encoding", "utf-8")
    delimiter = options.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise CorpusError(path, f"the delimiter must be one character, not {delimiter!r}")
    with _open_binary(path) as binary:
        # surrogateescape keeps undecodable bytes recoverable, so they can be re-decoded and reported per line
        text_stream = io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.DictReader(text_stream, delimiter=delimiter)
        try:
            if reader.fieldnames is None:
                raise CorpusError(path, "no header row", line=1)
            for record in reader:
                line_number = reader.line_num
                if None in record:
                    report.skip("extra-cells", line=line_number, detail=f"{len(record[None])} cells beyond the header")
                    continue
                if any(isinstance(v, str) and _ESCAPED_BYTE.search(v) for v in record.values()):
                    report.repair("undecodable-bytes", line=line_number, detail=f"not {encoding}; decoded as cp1252")
                    record = {k: _redecode(v) for k, v in record.items()}
                yield line_number, {**record, "_line": line_number}
        except csv.Error as error:
            raise CorpusError(path, f"not readable as CSV: {error}", line=reader.line_num) from None


def read_tar_text(path: Path, options: dict, report: ReadReport) -> Iterator[tuple[Location, Record]]:
    """A tar/tgz of text files, one document each; the member path's regex groups become fields.

    Options: ``member`` (regex with named groups; members that do not match are
    counted as skipped), ``encoding``, ``title_from_first_line`` (BBC),
    ``headers = "rfc822"`` (20 Newsgroups: leading ``Key: value`` lines become
    lower-cased fields and are cut from the text).
    """
    pattern = re.compile(options.get("member", r"(?P<name>.+)\.txt$"))
    encoding = options.get("encoding", "utf-8")
    with tarfile.open(path, mode="r|*") as archive:  # stream: constant memory
        for member in archive:
            if not member.isfile():
                continue
            match = pattern.search(member.name)
            if match is None:
                report.skip("not-a-document", line=member.name, detail="archive member does not match the manifest's pattern")
                continue
            raw = archive.extractfile(member).read()
            text = _decode(raw, encoding, report, member.name)
            record: Record = {**match.groupdict(), "member": member.name}
            if options.get("headers") == "rfc822":
                headers, text = _split_headers(text)
                record.update(headers)
            if options.get("title_from_first_line"):
                title, _, text = text.lstrip("\ufeff").partition("\n")
                record["title"] = title.strip()
            record["text"] = text
            yield member.name, record


def _split_headers(text: str) -> tuple[dict[str, str], str]:
    head, _, body = text.partition("\n\n")
    headers: dict[str, str] = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if colon and key and " " not in key.strip():
            headers[key.strip().lower()] = value.strip()
    return headers, body


_REUTERS = re.compile(r"<REUTERS(?P<attributes>[^>]*)>(?P<body>.*?)</REUTERS>", re.S)
_REUTERS_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_REUTERS_LISTS = ("topics", "places", "people", "orgs", "exchanges")


def read_reuters_sgml(path: Path, options: dict, report: ReadReport) -> Iterator[tuple[Location, Record]]:
    """Reuters-21578 SGML (latin-1) inside its tarball: one record per ``<REUTERS>`` element.

    The text is the title and body; the location is ``member:line`` of the element.
    """
    pattern = re.compile(options.get("member", r"reut2-\d{3}\.sgm$"))
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if not member.isfile() or not pattern.search(member.name):
                continue
            content = archive.extractfile(member).read().decode(options.get("encoding", "latin-1"))
            line, counted_to = 1, 0
            for element in _REUTERS.finditer(content):
                line += content.count("\n", counted_to, element.start())
                counted_to = element.start()
                location = f"{member.name.lstrip('./')}:{line}"
                attributes = dict(_REUTERS_ATTRIBUTE.findall(element["attributes"]))
                body = element["body"]
                record: Record = {
                    "newid": attributes.get("NEWID"),
                    "lewissplit": attributes.get("LEWISSPLIT"),
                    "date": _sgml_text(body, "DATE"),
                    "title": _sgml_text(body, "TITLE"),
                    "dateline": _sgml_text(body, "DATELINE"),
                }
                for tag in _REUTERS_LISTS:
                    block = re.search(rf"<{tag.upper()}>(.*?)</{tag.upper()}>", body, re.S)
                    record[tag] = ";".join(re.findall(r"<D>(.*?)</D>", block[1])) if block else ""
                main_text = _sgml_text(body, "BODY") or _sgml_text(body, "TEXT") or ""
                record["text"] = "\n\n".join(part for part in (record["title"], main_text) if part)
                yield location, record


def _sgml_text(body: str, tag: str) -> str | None:
    found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", body, re.S)
    if found is None:
        return None
    text = re.sub(r"<[^>]+>", "", found[1])
    return html.unescape(text).replace("\x02", "").replace("\x03", "").strip()


def read_text_dir(path: Path, options: dict, report: ReadReport) -> Iterator[tuple[Location, Record]]:
    """A folder of text files (``glob``, default ``**/*.txt``), one document each, in sorted order."""
    if not path.is_dir():
        raise CorpusError(path, "not a folder")
    encoding = options.get("encoding", "utf-8")
    files = sorted(p for p in path.glob(options.get("glob", "**/*.txt")) if p.is_file())
    if not files:
        raise CorpusError(path, f"no files match {options.get('glob', '**/*.txt')!r}")
    for file in files:
        relative = file.relative_to(path).as_posix()
        text = _decode(file.read_bytes(), encoding, report, relative)
        yield relative, {"name": file.stem, "member": relative, "folder": file.parent.name, "text": text}


def read_text(path: Path, options: dict, report: ReadReport) -> Iterator[tuple[Location, Record]]:
    """One plain-text file as one document."""
    with _open_binary(path) as handle:
        text = _decode(handle.read(), options.get("encoding", "utf-8"), report, path.name)
    yield path.name, {"name": path.stem.removesuffix(".txt"), "member": path.name, "text": text}


_READERS = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "tar-text": read_tar_text,
    "reuters-sgml": read_reuters_sgml,
    "text-dir": read_text_dir,
    "text": read_text,
}
