"""Exemplars: the most typical paragraphs behind a measure, highest score first, from as many documents as possible.

A reader validates a frame or a topic by reading the paragraphs that carry it most (stm's ``findThoughts``,
BERTopic's representative documents). Frames (:func:`analysis.framing.pipeline.frame_exemplars`), topics
(:func:`analysis.topics.pipeline.topic_exemplars`) and the report's speaker x period cells all pick them here,
one stage below both, so that the rule is written once: the ``n`` units with the highest score, at most
``per_document`` of them from one document (not five paragraphs of one speech), ties broken by unit id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.errors import AnalysisError

#: The columns of every exemplar table, after its grouping columns: a citation (document id and paragraph
#: number), who said it and when, the score and the text, read from the subcorpus at build time.
EXEMPLAR_COLUMNS = ["rank", "unit_id", "doc_id", "paragraph", "speaker", "year", "probability", "text"]


class ExemplarError(AnalysisError, ValueError):
    """Nothing to choose exemplars from, or a request that names what does not exist (``error: ...``, status 2)."""


def most_typical(table: pd.DataFrame, score: str, *, n: int = 5, by: Sequence[str] = (),
                 per_document: int = 1) -> pd.DataFrame:
    """The ``n`` rows of ``table`` with the highest ``score`` in each group of ``by``, ranked from 1.

    ``table`` needs the columns of :data:`EXEMPLAR_COLUMNS` but ``rank`` and ``probability`` (``score`` gives
    the probability), and those of ``by``.
    """
    if n < 1 or per_document < 1:
        raise ExemplarError(f"n and per_document must be at least 1, got {n} and {per_document}")
    by = list(by)
    ranked = table.assign(probability=table[score].astype(float)).sort_values(
        ["probability", "unit_id"], ascending=[False, True], kind="mergesort")
    ranked = ranked[ranked.groupby([*by, "doc_id"], dropna=False, sort=False).cumcount() < per_document]
    top = ranked.groupby(by, dropna=False, sort=False).head(n) if by else ranked.head(n)
    top = top.sort_values([*by, "probability", "unit_id"], ascending=[True] * len(by) + [False, True], kind="mergesort")
    top["rank"] = (top.groupby(by, dropna=False, sort=False).cumcount() if by else pd.Series(range(len(top)), top.index)) + 1
    return top[[*by, *[column for column in EXEMPLAR_COLUMNS if column not in by]]].reset_index(drop=True)


def exemplars_of(scores: pd.DataFrame, units: pd.DataFrame, columns: Mapping[object, str], *, name: str, n: int = 5,
                 by: Sequence[str] = (), per_document: int = 1) -> pd.DataFrame:
    """The exemplars of each measure in ``columns`` (its label -> its score column of ``scores``), as one long table.

    ``scores`` holds one row per unit (``unit_id``, ``doc_id``, ``speaker``, ``year``, the score columns and those
    of ``by``); ``units`` are the subcorpus's units, which give each exemplar its paragraph number and text.
    The table's first column, ``name``, holds the measure's label.
    """
    missing = scores["unit_id"][~scores["unit_id"].isin(units["unit_id"])]
    if len(missing):
        raise ExemplarError(f"{len(missing):,} scored units are not among the subcorpus's units (first: {missing.iloc[0]!r}): "
                         "the scores were computed on another corpus")
    joined = scores.merge(units[["unit_id", "paragraph", "text"]], on="unit_id", how="left", validate="one_to_one")
    parts = [most_typical(joined, column, n=n, by=by, per_document=per_document).assign(**{name: label})
             for label, column in columns.items()]
    table = pd.concat(parts, ignore_index=True)
    return table[[name, *[column for column in table.columns if column != name]]]


def restrict(scores: pd.DataFrame, *, speakers: Sequence[str] | None = None,
             years: tuple[int, int] | None = None) -> pd.DataFrame:
    """The rows of ``scores`` of ``speakers`` and of the inclusive range ``years`` (either or both may be None)."""
    keep = pd.Series(True, index=scores.index)
    if speakers:
        keep &= scores["speaker"].isin(speakers)
    if years:
        keep &= scores["year"].between(*years)
    if not keep.any():
        raise ExemplarError(f"no paragraph of speakers {list(speakers or [])} in years {years}: nothing to choose from")
    return scores[keep]


def exemplar_lines(table: pd.DataFrame, name: str, *, labels: Mapping[object, str] | None = None,
                   width: int = 100) -> list[str]:
    """The exemplars as printed by ``frames exemplars`` and ``topics exemplars``: a heading per measure, then per
    paragraph its citation (document id, paragraph number), speaker, year, probability and first ``width``
    characters."""
    lines = []
    for label, rows in table.groupby(name, sort=False):
        lines.append(f"## {name} {label}" + (f": {labels[label]}" if labels and label in labels else ""))
        for row in rows.itertuples(index=False):
            lines.append(f"{row.rank:>3}. {row.doc_id} para {row.paragraph}  {row.speaker} {row.year}  "
                         f"p={row.probability:.3f}  {excerpt(row.text, width)}")
    return lines


def excerpt(text: str, width: int) -> str:
    """The text on one line, cut after ``width`` characters (marked by "...")."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width].rstrip() + "..."
