"""Annotations: frame labels for paragraph units, stored as ids and labels only.

An annotation file (``corpora/annotations/*.jsonl``) has one JSON object a
line: ``unit_id``, ``doc_id``, ``paragraph``, ``sha1`` (of the unit text, so a
label can never silently attach to changed text), ``frames`` (the frames
present), ``primary`` and ``coder``. The text itself stays in the corpora.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from analysis.corpus.heldout import training_entry_point
from analysis.corpus.model import CorpusError
from analysis.framing.codebook import FRAMES, PRIMARY_LABELS, Codebook

ANNOTATION_DIR = Path(__file__).resolve().parents[2] / "corpora" / "annotations"
REQUIRED_KEYS = ("unit_id", "doc_id", "paragraph", "sha1", "frames", "primary", "coder")


def seed_term_counts(text: str, codebook: Codebook) -> dict[str, int]:
    """How many of each frame's seed terms occur in the text (whole words, any case)."""
    lowered = text.lower()
    return {
        frame.name: sum(1 for term in frame.seed_terms if re.search(rf"\b{re.escape(term)}", lowered))
        for frame in codebook.frames
    }


def keyword_stratum(text: str, codebook: Codebook) -> str:
    """The frame whose seed terms the text uses most (codebook order breaks ties), or ``none``."""
    counts = seed_term_counts(text, codebook)
    best = max(counts.values())
    return "none" if best == 0 else next(name for name, count in counts.items() if count == best)


@training_entry_point
def draw_candidates(units: pd.DataFrame, *, per_stratum: dict[str, int], seed: int, codebook: Codebook) -> pd.DataFrame:
    """Units to annotate, drawn per keyword stratum so that every frame has enough positives.

    The strata only steer the draw; every drawn unit is labelled by reading it
    against the codebook. Returns the drawn rows with a ``stratum`` column, in
    a seeded random order (so coders do not see them grouped by stratum).
    """
    strata = units["text"].map(lambda text: keyword_stratum(text, codebook))
    parts = []
    for stratum, quota in sorted(per_stratum.items()):
        pool = units[strata == stratum]
        parts.append(pool.sample(n=min(quota, len(pool)), random_state=seed).assign(stratum=stratum))
    return pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def load_annotations(path: Path) -> pd.DataFrame:
    """Read and validate one annotation file; errors name the file and line."""
    rows = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(path, f"not JSON: {error.msg}", line=line_number) from None
            missing = [key for key in REQUIRED_KEYS if key not in row]
            if missing:
                raise CorpusError(path, f"missing {', '.join(missing)}", line=line_number)
            unknown = set(row["frames"]) - set(FRAMES)
            if unknown:
                raise CorpusError(path, f"unknown frame(s) {sorted(unknown)}; frames are {', '.join(FRAMES)}", line=line_number)
            if row["primary"] not in PRIMARY_LABELS:
                raise CorpusError(path, f"primary must be one of {', '.join(PRIMARY_LABELS)}, got {row['primary']!r}", line=line_number)
            if row["primary"] != "other" and row["primary"] not in row["frames"]:
                raise CorpusError(path, f"primary frame {row['primary']!r} is not among the frames present {row['frames']}", line=line_number)
            if row["unit_id"] in seen:
                raise CorpusError(path, f"unit {row['unit_id']} is annotated twice (first at line {seen[row['unit_id']]})", line=line_number)
            seen[row["unit_id"]] = line_number
            rows.append({**row, "frames": sorted(row["frames"], key=FRAMES.index)})
    if not rows:
        raise CorpusError(path, "no annotations")
    frame = pd.DataFrame(rows)
    for name in FRAMES:
        frame[name] = frame["frames"].map(lambda present, name=name: name in present)
    return frame


def attach_text(annotations: pd.DataFrame, units: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Join annotations to their units' text, refusing any whose unit text has changed (sha1)."""
    joined = annotations.merge(units[["unit_id", "text", "sha1", "speaker", "year", "heldout"]], on="unit_id",
                               how="left", suffixes=("", "_unit"), validate="one_to_one")
    missing = joined["text"].isna()
    if missing.any():
        raise CorpusError(source, f"{int(missing.sum())} annotated units are not in the units given "
                                  f"(e.g. {', '.join(joined.loc[missing, 'unit_id'].head(3))})")
    changed = joined["sha1"] != joined["sha1_unit"]
    if changed.any():
        raise CorpusError(source, f"{int(changed.sum())} annotated units have changed text since they were coded "
                                  f"(sha1 differs, e.g. {', '.join(joined.loc[changed, 'unit_id'].head(3))})")
    return joined.drop(columns="sha1_unit")


#: How many candidates each keyword stratum of each subcorpus contributes to the annotation draw.
#: The strata over-sample frame vocabulary so that every frame gets at least 150 positive units.
ANNOTATION_DRAW = {
    "ungdc-japan-korea": {"security": 200, "trade": 160, "history": 130, "none": 110},
    "kcna-japan-korea": {"security": 100, "trade": 60, "history": 120, "none": 40},
}
ANNOTATION_SEED = 20261127


def annotation_candidates(subcorpora: dict[str, pd.DataFrame], codebook: Codebook, *,
                          draw: dict[str, dict[str, int]] = ANNOTATION_DRAW, seed: int = ANNOTATION_SEED) -> pd.DataFrame:
    """The units to annotate: per subcorpus, a stratified draw from its units outside the held-out slice."""
    parts = []
    for name, quotas in draw.items():
        units = subcorpora[name]
        parts.append(draw_candidates(units[~units["heldout"]], per_stratum=quotas, seed=seed, codebook=codebook)
                     .assign(subcorpus=name))
    return pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)
