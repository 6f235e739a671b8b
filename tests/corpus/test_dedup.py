"""Tests for analysis.corpus.dedup: hand-written documents and real KCNA stories."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest

from analysis.corpus.dedup import DuplicateGroup, DuplicateReport, find_duplicates

THRESHOLD = 0.8
# Three standard errors of a MinHash estimate at J = 0.8 with 128 permutations.
ESTIMATE_TOLERANCE = 3 * (0.8 * 0.2 / 128) ** 0.5

BASE = (
    "The delegation of the Democratic People's Republic of Korea arrived in Beijing on Monday "
    "to attend the regional forum on economic cooperation, where the head of the delegation "
    "met officials of the host country and discussed the development of bilateral trade, the "
    "expansion of rail links across the border and a joint programme for training young "
    "engineers, before visiting a factory and a farm outside the capital."
)


def _shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    width = min(size, len(tokens))
    return {tuple(tokens[i : i + width]) for i in range(len(tokens) - width + 1)}


def _jaccard(a: str, b: str) -> float:
    first, second = _shingles(a), _shingles(b)
    return len(first & second) / len(first | second)


@pytest.fixture(scope="session")
def data_home() -> Path:
    return Path(
        os.environ.get("ANALYSIS_DATA_HOME", Path(__file__).resolve().parents[2].parent / "shared" / "corpora")
    )


@pytest.fixture(scope="session")
def kcna_items(data_home: Path) -> list[tuple[str, str]]:
    """English KCNA stories outside the held-out period, as (id, text)."""
    path = data_home / "kcna" / "kcna_stories_2011-2012.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"real-data file not found: {path} (set ANALYSIS_DATA_HOME to the corpora folder)")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    # Stories dated 2012-07-01 or later are held out for evaluation.
    return [
        (f"kcna-{line_number}", record["text"] or "")
        for line_number, record in enumerate(records)
        if record["language"] == "en" and record["date"] < "2012-07-01"
    ]


@pytest.fixture(scope="session")
def kcna_report(kcna_items: list[tuple[str, str]]) -> DuplicateReport:
    return find_duplicates(kcna_items, threshold=THRESHOLD)


# --------------------------------------------------------------------------
# hand-written documents
# --------------------------------------------------------------------------


def test_exact_near_and_distinct_documents() -> None:
    near = BASE.replace("on Monday", "on Tuesday")
    assert 0.85 < _jaccard(BASE, near) < 1.0
    distinct = (
        "Heavy rain flooded several villages in the south of the country on Sunday, and rescue "
        "teams evacuated hundreds of residents to schools and public buildings on higher ground."
    )
    items = [
        ("a", BASE),
        ("b", distinct),
        ("c", "  " + BASE.upper().replace(",", " ;").replace(" ", "\n")),  # same words, other case
        ("d", near),
        ("e", BASE),
    ]
    report = find_duplicates(items)
    assert report.groups == (
        DuplicateGroup("exact", ("a", "c", "e"), 1.0),
        DuplicateGroup("near", ("a", "d"), report.groups[1].similarity),
    )
    assert report.groups[1].similarity >= THRESHOLD
    assert abs(report.groups[1].similarity - _jaccard(BASE, near)) < ESTIMATE_TOLERANCE
    assert report.duplicate_ids == frozenset({"c", "d", "e"})
    assert report.summary() == {"items": 5, "exact_groups": 1, "near_groups": 1, "removable": 3}


def test_kept_item_is_the_first_seen() -> None:
    near = BASE.replace("young engineers", "young doctors")
    report = find_duplicates([("late", near), ("early", BASE)])
    assert [group.ids for group in report.groups] == [("late", "early")]


def test_threshold_separates_near_from_distinct() -> None:
    edited = BASE.replace("bilateral trade", "the weather").replace("a factory", "a museum")
    similarity = _jaccard(BASE, edited)
    assert 0.6 < similarity < 0.8
    assert find_duplicates([("a", BASE), ("b", edited)], threshold=0.9).groups == ()
    assert len(find_duplicates([("a", BASE), ("b", edited)], threshold=0.5).groups) == 1


def test_short_texts_are_one_shingle() -> None:
    items = [("a", "Kim Jong Il"), ("b", "Kim Jong Un"), ("c", "Jong Il Kim"), ("d", "Il")]
    assert find_duplicates(items).groups == ()
    # With one-word shingles, word order no longer matters.
    report = find_duplicates(items, shingle_size=1)
    assert report.groups == (DuplicateGroup("near", ("a", "c"), 1.0),)


def test_empty_texts_are_never_grouped() -> None:
    report = find_duplicates([("a", ""), ("b", "  "), ("c", "..."), ("d", BASE)])
    assert report.groups == ()
    assert report.n_items == 4


def test_invalid_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate item id"):
        find_duplicates([("a", "x"), ("a", "y")])
    with pytest.raises(ValueError, match="threshold"):
        find_duplicates([], threshold=0.0)
    with pytest.raises(ValueError, match="shingle_size"):
        find_duplicates([], shingle_size=0)


def test_items_are_consumed_as_a_stream() -> None:
    generated = ((str(i), BASE if i % 2 else f"story number {i} " * 3) for i in range(6))
    report = find_duplicates(generated)
    assert report.groups == (DuplicateGroup("exact", ("1", "3", "5"), 1.0),)


# --------------------------------------------------------------------------
# real KCNA stories
# --------------------------------------------------------------------------


def test_kcna_has_exact_and_near_duplicates(kcna_items: list[tuple[str, str]], kcna_report: DuplicateReport) -> None:
    summary = kcna_report.summary()
    assert summary["items"] == len(kcna_items)
    assert summary["exact_groups"] >= 20
    assert summary["near_groups"] >= 1
    texts = dict(kcna_items)
    normalised = {item_id: " ".join(re.findall(r"\w+", text.lower())) for item_id, text in kcna_items}
    for group in kcna_report.groups:
        assert len(group.ids) >= 2
        if group.kind == "exact":
            assert len({normalised[item_id] for item_id in group.ids}) == 1
        else:
            assert group.kind == "near" and group.similarity >= THRESHOLD - ESTIMATE_TOLERANCE
            # Every member really shares the threshold with a linked member,
            # up to the estimation error.
            for member in group.ids[1:]:
                best = max(_jaccard(texts[member], texts[other]) for other in group.ids if other != member)
                assert best >= THRESHOLD - ESTIMATE_TOLERANCE, (group, best)
                assert normalised[member] != normalised[group.ids[0]]


def test_kcna_exact_groups_are_complete(kcna_items: list[tuple[str, str]], kcna_report: DuplicateReport) -> None:
    by_text: dict[str, list[str]] = {}
    for item_id, text in kcna_items:
        key = " ".join(re.findall(r"\w+", text.lower()))
        if key:
            by_text.setdefault(key, []).append(item_id)
    expected = sorted(tuple(ids) for ids in by_text.values() if len(ids) > 1)
    assert sorted(group.ids for group in kcna_report.groups if group.kind == "exact") == expected


def test_kcna_is_deterministic(kcna_items: list[tuple[str, str]], kcna_report: DuplicateReport) -> None:
    assert find_duplicates(kcna_items, threshold=THRESHOLD) == kcna_report
