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

import numpy as np
import pandas as pd

from analysis.corpus.heldout import training_entry_point
from analysis.corpus.manifest import MANIFEST_DIR
from analysis.corpus.model import CorpusError
from analysis.framing.codebook import FRAMES, PRIMARY_LABELS, Codebook, seed_term_pattern

ANNOTATION_DIR = MANIFEST_DIR / "annotations"  # in the checkout, or the installed package (corpus.manifest)
REQUIRED_KEYS = ("unit_id", "doc_id", "paragraph", "sha1", "frames", "primary", "coder")
#: The codings of each annotation round: the first coding of every unit, a second independent coding of a part.
CODINGS = {
    "rounds 1-2": {"first": "frames-coder-a.jsonl", "second": "frames-coder-b.jsonl"},
    "round 3": {"first": "frames-round3-coder-a.jsonl", "second": "frames-round3-coder-b.jsonl"},
}
ADJUDICATION = "adjudication.jsonl"
#: An adjudication line names the unit and its resolved labels only (the unit's text was checked when first coded).
ADJUDICATION_KEYS = ("unit_id", "frames", "primary", "coder")
#: Re-codings of earlier units under a later codebook: two independent codings of the units a codebook change
#: touched, and the adjudication of their disagreements. They supersede those units' earlier labels.
RECODINGS = {
    "recode v1.3": {"first": "frames-recode-v1.3-coder-a.jsonl", "second": "frames-recode-v1.3-coder-b.jsonl",
                    "adjudication": "adjudication-recode-v1.3.jsonl"},
}


def seed_term_counts(text: str, codebook: Codebook) -> dict[str, int]:
    """How many of each frame's seed terms occur in the text (whole words, any case)."""
    return {frame.name: sum(1 for term in frame.seed_terms if seed_term_pattern([term]).search(text))
            for frame in codebook.frames}


def keyword_stratum(text: str, codebook: Codebook) -> str:
    """The frame whose seed terms the text uses most (codebook order breaks ties), or ``none``."""
    counts = seed_term_counts(text, codebook)
    best = max(counts.values())
    return "none" if best == 0 else next(name for name, count in counts.items() if count == best)


@training_entry_point
def draw_candidates(units: pd.DataFrame, *, per_stratum: dict[str, int], seed: int, codebook: Codebook,
                    stratify=keyword_stratum) -> pd.DataFrame:
    """Units to annotate, drawn per keyword stratum so that every frame has enough positives.

    The strata only steer the draw; every drawn unit is labelled by reading it
    against the codebook. Returns the drawn rows with a ``stratum`` column, in
    a seeded random order (so coders do not see them grouped by stratum).
    """
    strata = units["text"].map(lambda text: stratify(text, codebook))
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
    columns = ["unit_id", "text", "sha1", "speaker", "year", "heldout", *(["subcorpus"] if "subcorpus" in units else [])]
    joined = annotations.merge(units[columns], on="unit_id",
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


#: Round 3's extra cue: a war or a past time named in a unit whose seed terms are not mostly history's. These are
#: the units the models of rounds 1-2 took for history frames (any past war read as the past argued).
PAST_CUE = re.compile(r"\b(?:wars?|wartime|past|centur(?:y|ies)|decades|years ago|19[0-4]\d)\b", re.I)

def cue_stratum(text: str, codebook: Codebook) -> str:
    """The keyword stratum, with ``past`` for a unit that names a war or the past but is not mostly history's."""
    stratum = keyword_stratum(text, codebook)
    return "past" if stratum != "history" and PAST_CUE.search(text) else stratum


#: The annotation draws, in order. Each draws, per subcorpus and stratum, from the units outside the
#: held-out slice that no earlier round drew. Rounds 1-2 over-sample frame vocabulary so that every frame
#: gets at least 150 positive units. Round 3 goes where those labels left the models weak: the units on which
#: a TF-IDF model trained on rounds 1-2 is least certain (``uncertain``), units that name a war or the past
#: without arguing history (stratum ``past``), history and trade vocabulary, and news text (BBC, Reuters).
ANNOTATION_ROUNDS = (
    {"seed": 20261127,
     "draw": {"ungdc-japan-korea": {"security": 200, "trade": 160, "history": 130, "none": 110},
              "kcna-japan-korea": {"security": 100, "trade": 60, "history": 120, "none": 40}}},
    {"seed": 20261128,  # round 1 gave 132 trade positives, short of 150
     "draw": {"ungdc-japan-korea": {"trade": 90}, "kcna-japan-korea": {"trade": 30}}},
    {"seed": 20261203, "stratify": cue_stratum,
     "uncertain": {"ungdc-japan-korea": 140, "kcna-japan-korea": 60},
     "draw": {"ungdc-japan-korea": {"history": 40, "past": 50, "trade": 40},
              "kcna-japan-korea": {"history": 30, "past": 30, "trade": 20},
              "news-bbc-japan-korea": {"security": 20, "trade": 20, "history": 10, "none": 20},
              "news-reuters-japan-korea": {"security": 30, "trade": 50, "history": 5, "none": 30}}},
)


def round_subcorpora(round_number: int) -> list[str]:
    """The subcorpora that rounds 1..``round_number`` draw from."""
    names = set()
    for spec in ANNOTATION_ROUNDS[:round_number]:
        names |= set(spec["draw"]) | set(spec.get("uncertain", {}))
    return sorted(names)


def least_certain(units: pd.DataFrame, model, n: int) -> pd.DataFrame:
    """The ``n`` units whose frame probabilities lie nearest their thresholds (logit distance, any frame)."""
    from scipy.special import logit

    probabilities = np.clip(model.predict_proba(units["text"].tolist()), 1e-6, 1 - 1e-6)
    margin = np.abs(logit(probabilities) - logit(np.clip(model.threshold_, 1e-6, 1 - 1e-6))).min(axis=1)
    order = np.lexsort((units["unit_id"].to_numpy(), margin))
    return units.iloc[order[:n]].assign(stratum="uncertain")


def annotation_candidates(subcorpora: dict[str, pd.DataFrame], codebook: Codebook, *, round_number: int,
                          gold: pd.DataFrame | None = None) -> pd.DataFrame:
    """The units of one annotation round (1-based), reproducibly: the same subcorpora give the same draw.

    A round with ``uncertain`` quotas scores the pool with a TF-IDF model trained (seed 0) on the earlier
    rounds' units of ``gold`` (labels joined to their text).
    """
    earlier: set[str] = set()
    for number in range(1, round_number):
        earlier |= set(annotation_candidates(subcorpora, codebook, round_number=number, gold=gold)["unit_id"])
    spec = ANNOTATION_ROUNDS[round_number - 1]
    model = None
    if spec.get("uncertain"):
        from analysis.framing.models import make_model

        if gold is None:
            raise ValueError(f"round {round_number} draws by model uncertainty: pass the earlier rounds' labels as gold")
        gold = gold[gold["unit_id"].isin(earlier)]  # later rounds' labels must not change this round's draw
        model = make_model("tfidf", seed=0, codebook=codebook).fit(gold["text"].tolist(), gold, groups=gold["doc_id"].tolist())
    parts = []
    for name in sorted(set(spec["draw"]) | set(spec.get("uncertain", {}))):
        units = subcorpora[name]
        pool = units[~units["heldout"] & ~units["unit_id"].isin(earlier)]
        if name in spec.get("uncertain", {}):
            uncertain = least_certain(pool, model, spec["uncertain"][name])
            parts.append(uncertain.assign(subcorpus=name))
            pool = pool[~pool["unit_id"].isin(uncertain["unit_id"])]
        if name in spec["draw"]:
            parts.append(draw_candidates(pool, per_stratum=spec["draw"][name], seed=spec["seed"], codebook=codebook,
                                         stratify=spec.get("stratify", keyword_stratum)).assign(subcorpus=name))
    return pd.concat(parts).sample(frac=1.0, random_state=spec["seed"]).reset_index(drop=True)


def first_codings(directory: Path = ANNOTATION_DIR) -> pd.DataFrame:
    """The first coding of every annotated unit, all rounds; a unit coded first in two rounds is an error."""
    parts = [load_annotations(directory / files["first"]).assign(round=name) for name, files in CODINGS.items()]
    first = pd.concat(parts, ignore_index=True)
    repeated = first["unit_id"].duplicated()
    if repeated.any():
        raise CorpusError(directory, f"units coded first in two rounds: {first.loc[repeated, 'unit_id'].head(3).tolist()}")
    return first


def gold_annotations(directory: Path = ANNOTATION_DIR) -> pd.DataFrame:
    """The training labels: the first coding, with adjudicated labels where the two coders disagreed, and for
    re-coded units the re-coding's first coding and adjudication in their place.

    ``resolved_by`` says which: ``coder-a``, ``adjudicator``, or the re-coding's name (e.g. ``recode v1.3``)
    with `` adjudicator`` appended where its coders disagreed; ``round`` names the annotation round.
    """
    gold = first_codings(directory).set_index("unit_id")
    gold["resolved_by"] = "coder-a"
    _supersede(gold, directory / ADJUDICATION, "adjudicator", required=ADJUDICATION_KEYS)
    for name, files in RECODINGS.items():
        _supersede(gold, directory / files["first"], name)
        _supersede(gold, directory / files["adjudication"], f"{name} adjudicator", required=ADJUDICATION_KEYS)
    return gold.reset_index()


def _supersede(gold: pd.DataFrame, path: Path, resolved_by: str, *, required: tuple[str, ...] = REQUIRED_KEYS) -> None:
    """Replace the labels of the units coded in ``path`` (which must all be in ``gold``), in place."""
    update = load_annotations(path, required=required).set_index("unit_id")
    unknown = sorted(set(update.index) - set(gold.index))
    if unknown:
        raise CorpusError(path, f"codes units that were never coded in a round: {unknown[:3]}")
    if "sha1" in update:
        changed = update["sha1"] != gold.loc[update.index, "sha1"]
        if changed.any():
            raise CorpusError(path, f"{int(changed.sum())} units have another sha1 than in their round "
                                    f"(e.g. {', '.join(changed[changed].index[:3])})")
    label_columns = ["frames", "primary", *FRAMES]
    gold.loc[update.index, label_columns] = update[label_columns]
    gold.loc[update.index, "resolved_by"] = resolved_by


def reliability(directory: Path = ANNOTATION_DIR, *, rounds: tuple[str, ...] | None = None) -> dict:
    """Agreement of the two independent codings on the units both coded: kappa and alpha per frame and for primary.

    ``rounds`` (keys of :data:`CODINGS` or :data:`RECODINGS`) restricts it to those codings' double-coded units;
    default all rounds of :data:`CODINGS` (a re-coding codes some of their units again, so it is reported apart).
    """
    from analysis.framing.agreement import cohen_kappa, krippendorff_alpha_nominal

    chosen = rounds or tuple(CODINGS)
    files = {**CODINGS, **RECODINGS}
    first = pd.concat([load_annotations(directory / files[name]["first"]) for name in chosen]).set_index("unit_id")
    second = pd.concat([load_annotations(directory / files[name]["second"]) for name in chosen]).set_index("unit_id")
    shared = sorted(set(first.index) & set(second.index))
    a, b = first.loc[shared], second.loc[shared]
    table = {}
    for column in (*FRAMES, "primary"):
        x, y = a[column].tolist(), b[column].tolist()
        table[column] = {"kappa": cohen_kappa(x, y), "alpha": krippendorff_alpha_nominal([x, y]),
                         "agreement": float((a[column] == b[column]).mean())}
    disagreements = int(((a["frames"] != b["frames"]) | (a["primary"] != b["primary"])).sum())
    return {"units": len(shared), "rounds": list(chosen), "per_label": table, "units_with_any_disagreement": disagreements}
