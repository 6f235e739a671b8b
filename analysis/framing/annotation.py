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
from analysis.corpus.manifest import MANIFEST_DIR
from analysis.corpus.model import CorpusError
from analysis.framing.codebook import FRAMES, PRIMARY_LABELS, Codebook

ANNOTATION_DIR = MANIFEST_DIR / "annotations"  # in the checkout, or the installed package (corpus.manifest)
REQUIRED_KEYS = ("unit_id", "doc_id", "paragraph", "sha1", "frames", "primary", "coder")
FIRST_CODING = "frames-coder-a.jsonl"
SECOND_CODING = "frames-coder-b.jsonl"
ADJUDICATION = "adjudication.jsonl"


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


def load_annotations(path: Path, *, required: tuple[str, ...] = REQUIRED_KEYS) -> pd.DataFrame:
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
            missing = [key for key in required if key not in row]
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


#: The annotation draws, in order. Each draws, per subcorpus and keyword stratum, from the
#: units outside the held-out slice that no earlier round drew. The strata over-sample frame
#: vocabulary so that every frame gets at least 150 positive units.
ANNOTATION_ROUNDS = (
    {"seed": 20261127,
     "draw": {"ungdc-japan-korea": {"security": 200, "trade": 160, "history": 130, "none": 110},
              "kcna-japan-korea": {"security": 100, "trade": 60, "history": 120, "none": 40}}},
    {"seed": 20261128,  # round 1 gave 132 trade positives, short of 150
     "draw": {"ungdc-japan-korea": {"trade": 90}, "kcna-japan-korea": {"trade": 30}}},
)


def annotation_candidates(subcorpora: dict[str, pd.DataFrame], codebook: Codebook, *, round_number: int) -> pd.DataFrame:
    """The units of one annotation round (1-based), reproducibly: the same subcorpora give the same draw."""
    earlier: set[str] = set()
    for number in range(1, round_number):
        earlier |= set(annotation_candidates(subcorpora, codebook, round_number=number)["unit_id"])
    spec = ANNOTATION_ROUNDS[round_number - 1]
    parts = []
    for name, quotas in spec["draw"].items():
        units = subcorpora[name]
        pool = units[~units["heldout"] & ~units["unit_id"].isin(earlier)]
        parts.append(draw_candidates(pool, per_stratum=quotas, seed=spec["seed"], codebook=codebook).assign(subcorpus=name))
    return pd.concat(parts).sample(frac=1.0, random_state=spec["seed"]).reset_index(drop=True)


def gold_annotations(directory: Path = ANNOTATION_DIR) -> pd.DataFrame:
    """The training labels: the first coding, with adjudicated labels where the two coders disagreed.

    A ``resolved_by`` column says which: ``coder-a`` or ``adjudicator``.
    """
    first = load_annotations(directory / FIRST_CODING)
    adjudicated = load_annotations(directory / ADJUDICATION, required=("unit_id", "frames", "primary", "coder"))
    unknown = set(adjudicated["unit_id"]) - set(first["unit_id"])
    if unknown:
        raise CorpusError(directory / ADJUDICATION, f"adjudicates units that were never coded: {sorted(unknown)[:3]}")
    label_columns = ["frames", "primary", *FRAMES]
    gold = first.set_index("unit_id")
    gold["resolved_by"] = "coder-a"
    update = adjudicated.set_index("unit_id")[label_columns]
    gold.loc[update.index, label_columns] = update
    gold.loc[update.index, "resolved_by"] = "adjudicator"
    return gold.reset_index()


def reliability(directory: Path = ANNOTATION_DIR) -> dict:
    """Agreement of the two independent codings on the units both coded: kappa and alpha per frame and for primary."""
    from analysis.framing.agreement import cohen_kappa, krippendorff_alpha_nominal

    first = load_annotations(directory / FIRST_CODING).set_index("unit_id")
    second = load_annotations(directory / SECOND_CODING).set_index("unit_id")
    shared = sorted(set(first.index) & set(second.index))
    a, b = first.loc[shared], second.loc[shared]
    table = {}
    for column in (*FRAMES, "primary"):
        x, y = a[column].tolist(), b[column].tolist()
        table[column] = {"kappa": cohen_kappa(x, y), "alpha": krippendorff_alpha_nominal([x, y]),
                         "agreement": float((a[column] == b[column]).mean())}
    disagreements = int(((a["frames"] != b["frames"]) | (a["primary"] != b["primary"])).sum())
    return {"units": len(shared), "per_label": table, "units_with_any_disagreement": disagreements}
