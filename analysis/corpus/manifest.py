"""Corpus manifests (``corpora/*.toml``) and the data home they point into.

A manifest names one third-party file by path and sha256, says how to read it
(format, reader options, field mapping) and carries its licence and citation.
The text itself never enters the repository: it is read from the data home,
``$ANALYSIS_DATA_HOME`` or else ``../shared/corpora`` beside the project.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError, UnknownNameError
from analysis.hashing import file_sha256

PROJECT_ROOT_ENV = "ANALYSIS_PROJECT_ROOT"


def _project_data() -> tuple[Path, Path]:
    """The project root and its ``corpora/`` folder (manifests, subcorpus specs, codebook, annotations, references).

    ``$ANALYSIS_PROJECT_ROOT`` if set; else the source checkout this package
    runs from (a folder with ``pyproject.toml`` and ``corpora/``); else the
    copy of ``corpora/`` that ``pip install .`` put inside the package
    (``analysis/_corpora``, see ``setup.py``), with the working folder as root.
    """
    if os.environ.get(PROJECT_ROOT_ENV):
        root = Path(os.environ[PROJECT_ROOT_ENV]).expanduser().resolve()
        return root, root / "corpora"
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "corpora").is_dir():
        return checkout, checkout / "corpora"
    return Path.cwd(), Path(str(resources.files("analysis") / "_corpora"))


PROJECT_ROOT, MANIFEST_DIR = _project_data()
DATA_HOME_ENV = "ANALYSIS_DATA_HOME"

FORMATS = ("tar-text", "jsonl", "csv", "reuters-sgml", "text-dir", "text")


class MissingDataError(AnalysisError, FileNotFoundError):
    """A corpus file is not in the data home; the message says how to get it."""


@dataclass(frozen=True)
class HeldOutRule:
    """Which documents are held out for external evaluation (never trained, tuned or annotated on)."""

    years_ending_in: tuple[int, ...] = ()
    dates_from: str | None = None

    def applies(self, *, year: int | None, date: str | None) -> bool:
        if year is not None and year % 10 in self.years_ending_in:
            return True
        return self.dates_from is not None and date is not None and date >= self.dates_from

    def describe(self) -> str:
        parts = []
        if self.years_ending_in:
            parts.append("years ending in " + " or ".join(map(str, self.years_ending_in)))
        if self.dates_from:
            parts.append(f"dated {self.dates_from} or later")
        return "; ".join(parts) or "none"


@dataclass(frozen=True)
class Manifest:
    """How to find, check, read and cite one corpus file."""

    name: str
    file: str
    format: str
    title: str = ""
    sha256: str | None = None
    licence: str = "unknown"
    citation: str = ""
    source_url: str = ""
    language: str | None = None
    expected_documents: int | None = None
    reader: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    heldout: HeldOutRule = field(default_factory=HeldOutRule)
    defined_in: str | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            where = self.defined_in or self.name
            raise ValueError(f"{where}: unknown format {self.format!r}; expected one of {', '.join(FORMATS)}")
        if "text" not in self.fields and self.format not in ("tar-text", "text-dir", "text", "reuters-sgml"):
            where = self.defined_in or self.name
            raise ValueError(f"{where}: the field mapping must say which column holds the text (text=COLUMN)")

    @classmethod
    def from_toml(cls, path: Path) -> Manifest:
        with open(path, "rb") as handle:
            try:
                raw = tomllib.load(handle)
            except tomllib.TOMLDecodeError as error:
                raise ValueError(f"{path}: not valid TOML: {error}") from None
        heldout = raw.pop("heldout", {})
        unknown = sorted(set(raw) - {f.name for f in fields(cls)} - {"heldout", "defined_in"})
        if unknown:
            raise ValueError(f"{path}: unknown manifest key(s) {', '.join(unknown)}")
        return cls(
            **raw,
            heldout=HeldOutRule(
                years_ending_in=tuple(heldout.get("years_ending_in", ())),
                dates_from=heldout.get("dates_from"),
            ),
            defined_in=str(path),
        )

    def path(self, data_home: Path | None = None) -> Path:
        """Where the file should be: absolute as given, else under the data home."""
        given = Path(self.file).expanduser()
        return given if given.is_absolute() else (data_home or find_data_home()) / given

    def locate(self, data_home: Path | None = None) -> Path:
        """The file's path, or a :class:`MissingDataError` saying how to get it."""
        path = self.path(data_home)
        if not path.exists():
            how = [f"set ${DATA_HOME_ENV} to a folder that holds {self.file}"]
            if self.source_url:
                how.insert(0, f"download it from {self.source_url}")
                how.append(f"or run: python -m analysis corpus fetch {self.name} --url URL")
            raise MissingDataError(
                f"corpus {self.name!r}: {path} not found"
                + (f" (expected sha256 {self.sha256})" if self.sha256 else "")
                + "; "
                + ", ".join(how)
            )
        return path


def find_data_home() -> Path:
    """``$ANALYSIS_DATA_HOME``, else ``../shared/corpora`` beside the working folder or the project."""
    if os.environ.get(DATA_HOME_ENV):
        return Path(os.environ[DATA_HOME_ENV]).expanduser()
    candidates = [Path.cwd().parent / "shared" / "corpora", PROJECT_ROOT.parent / "shared" / "corpora"]
    return next((c for c in candidates if c.is_dir()), candidates[-1])


def list_manifests(directory: Path = MANIFEST_DIR) -> list[Manifest]:
    return [Manifest.from_toml(path) for path in sorted(directory.glob("*.toml"))]


def load_manifest(name: str, directory: Path = MANIFEST_DIR) -> Manifest:
    path = directory / f"{name}.toml"
    if not path.exists():
        known = ", ".join(m.name for m in list_manifests(directory))
        raise UnknownNameError(f"no corpus manifest named {name!r} in {directory} (known: {known})")
    return Manifest.from_toml(path)


#: The sha256 of a corpus file (the one implementation is :func:`analysis.hashing.file_sha256`).
sha256_of = file_sha256
