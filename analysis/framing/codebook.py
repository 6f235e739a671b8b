"""The frame codebook (``corpora/codebook/frames.toml``): one source for coders and models.

Coders read its rendering (``python -m analysis frames codebook``), the
zero-shot model embeds the frame descriptions, and the lexicon model uses the
seed terms. Its sha256 goes into every model card, so a model says which
codebook it was trained against.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from analysis.corpus.manifest import MANIFEST_DIR

CODEBOOK_PATH = MANIFEST_DIR / "codebook" / "frames.toml"
FRAMES = ("security", "trade", "history")
PRIMARY_LABELS = (*FRAMES, "other")


def seed_term_pattern(terms) -> re.Pattern:
    """How seed terms match: any of them at the start of a word, in any case (``'colonial'`` matches ``colonialism``)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(term) for term in terms) + r")", re.I)


@dataclass(frozen=True)
class FrameDefinition:
    name: str
    description: str
    present_when: tuple[str, ...]
    seed_terms: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    version: str
    unit: str
    instructions: str
    frames: tuple[FrameDefinition, ...]
    other: str
    rules: tuple[str, ...]
    changes: tuple[dict, ...]
    sha256: str

    def to_markdown(self) -> str:
        """The codebook as coders read it."""
        lines = [f"# Frame codebook v{self.version}", "", f"Unit: {self.unit}.", "", self.instructions.strip(), ""]
        for frame in self.frames:
            lines += [f"## {frame.name}", frame.description, "", "Present when the unit is about:"]
            lines += [f"- {item}" for item in frame.present_when] + [""]
        lines += ["## other", self.other, "", "## Rules for hard cases"]
        lines += [f"{number}. {rule}" for number, rule in enumerate(self.rules, start=1)] + ["", "## Changes"]
        lines += [f"- v{c['version']}: {c['change']} Why: {c['why']}" for c in self.changes]
        return "\n".join(lines) + "\n"


def load_codebook(path: Path = CODEBOOK_PATH) -> Codebook:
    raw_bytes = path.read_bytes()
    raw = tomllib.loads(raw_bytes.decode("utf-8"))
    frames = tuple(
        FrameDefinition(name=f["name"], description=f["description"], present_when=tuple(f["present_when"]),
                        seed_terms=tuple(f["seed_terms"]))
        for f in raw["frames"]
    )
    if tuple(f.name for f in frames) != FRAMES:
        raise ValueError(f"{path}: frames must be {', '.join(FRAMES)} in that order, got {', '.join(f.name for f in frames)}")
    return Codebook(
        version=raw["version"], unit=raw["unit"], instructions=raw["instructions"], frames=frames,
        other=raw["other"]["description"], rules=tuple(r["text"] for r in raw["rules"]),
        changes=tuple(raw.get("changes", ())), sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )
