"""The corpus model: documents, a re-iterable streaming corpus, and read reports.

A :class:`Corpus` is anything that yields :class:`Document` objects each time it
is iterated (gensim's streaming contract), so a 31-million-word corpus never has
to sit in memory; ``to_frame`` materialises it when that is what you want.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import AnalysisError

log = logging.getLogger(__name__)

#: Metadata every document carries (``None`` where the source has no value).
NORMALISED_FIELDS = ("source", "date", "year", "speaker", "title", "label", "language", "heldout")


class CorpusError(AnalysisError, ValueError):
    """Bad input that cannot be skipped; the message names the file and line."""

    def __init__(self, path: str | Path, message: str, *, line: int | None = None):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


@dataclass(frozen=True, slots=True)
class Document:
    """One text with its identifier and normalised metadata (see ``NORMALISED_FIELDS``)."""

    id: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ReadReport:
    """What a pass over a source kept, repaired and skipped, with the reasons.

    Every skip or repair is logged with its file and line; the first few of each
    reason are kept as examples so a summary can point at them.
    """

    path: str
    records: int = 0
    documents: int = 0
    skipped: Counter = field(default_factory=Counter)
    repaired: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    _LOGGED_PER_REASON = 5

    def skip(self, reason: str, *, line: int | str | None, detail: str = "") -> None:
        """Count a skipped record and log where it was."""
        self._note(self.skipped, reason, line, detail, "skipped")

    def repair(self, reason: str, *, line: int | str | None, detail: str = "") -> None:
        """Count a record that was kept after a repair (for example a fallback decoding)."""
        self._note(self.repaired, reason, line, detail, "repaired")

    def _note(self, counter: Counter, reason: str, line, detail: str, verb: str) -> None:
        counter[reason] += 1
        where = f"{self.path}:{line}" if line is not None else self.path
        message = f"{where}: {verb} ({reason}){': ' + detail if detail else ''}"
        examples = self.examples.setdefault(reason, [])
        if len(examples) < self._LOGGED_PER_REASON:
            examples.append(message)
            log.warning(message)
        elif counter[reason] == self._LOGGED_PER_REASON + 1:
            log.warning("%s: further '%s' records are counted but not logged one by one", self.path, reason)

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "records": self.records,
            "documents": self.documents,
            "skipped": dict(sorted(self.skipped.items())),
            "repaired": dict(sorted(self.repaired.items())),
        }


class Corpus:
    """A named, re-iterable stream of documents.

    Parameters
    ----------
    name
        Short name, used in unit ids' provenance and in artifacts.
    open_documents
        Called afresh on every iteration; takes a :class:`ReadReport` to fill in
        and returns an iterator of documents. This is what makes the corpus
        iterable many times in constant memory.
    path
        The file or folder the documents come from, for reports.
    """

    def __init__(self, *, name: str, open_documents: Callable[[ReadReport], Iterator[Document]], path: str | Path):
        self.name = name
        self.path = Path(path)
        self._open_documents = open_documents
        self.last_report: ReadReport | None = None

    def __iter__(self) -> Iterator[Document]:
        report = ReadReport(path=str(self.path))
        self.last_report = report
        for document in self._open_documents(report):
            report.documents += 1
            yield document

    def __repr__(self) -> str:
        return f"Corpus(name={self.name!r}, path={str(self.path)!r})"

    def to_frame(self) -> pd.DataFrame:
        """All documents as a DataFrame: ``id``, ``text`` and one column per metadata field."""
        rows = [{"id": doc.id, "text": doc.text, **doc.meta} for doc in self]
        columns = ["id", "text", *NORMALISED_FIELDS]
        frame = pd.DataFrame(rows)
        extra = [c for c in frame.columns if c not in columns]
        return frame.reindex(columns=columns + extra)
