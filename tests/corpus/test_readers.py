"""The readers on the real corpora: counts match the publishers', metadata is normalised."""

from collections import Counter

import pytest

from analysis.corpus.model import NORMALISED_FIELDS

# Counts from ../shared/corpora/README.md (records, before any skip).
PUBLISHED_COUNTS = {
    "ungdc": 10_568,
    "kcna-stories": 24_776,
    "kcna-headlines": 114_641,
    "20newsgroups": 18_846,
    "bbc": 2_225,
    "reuters21578": 21_578,
    "frac": 523,
    "seed": 1,
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_COUNTS))
def test_record_counts_match_the_published_counts(open_named, name):
    corpus = open_named(name)
    ids = [document.id for document in corpus]
    report = corpus.last_report
    assert report.records == PUBLISHED_COUNTS[name]
    assert len(ids) == len(set(ids)) == report.documents
    # whatever was not kept is accounted for, reason by reason
    assert report.documents + sum(n for reason, n in report.skipped.items() if reason != "not-a-document") == report.records


def test_ungdc_speakers_years_and_heldout_rule(open_named):
    documents = list(open_named("ungdc"))
    speakers = Counter(d.meta["speaker"] for d in documents)
    assert len(speakers) == 201
    assert speakers["JPN"] == 66 and speakers["KOR"] == 32 and speakers["PRK"] == 32
    years = {d.meta["year"] for d in documents}
    assert min(years) == 1946 and max(years) == 2022
    for document in documents:
        assert document.meta["heldout"] == (document.meta["year"] % 10 in (3, 8))
        assert set(NORMALISED_FIELDS) <= set(document.meta)
    japan = [d for d in documents if d.id == "JPN_77_2022"]
    assert japan and japan[0].meta["session"] == "77" and not japan[0].text.startswith("\ufeff")


def test_kcna_stories_heldout_from_july_2012_and_languages(open_named):
    corpus = open_named("kcna-stories")
    languages = Counter()
    for document in corpus:
        languages[document.meta["language"]] += 1
        assert document.meta["heldout"] == (document.meta["date"] >= "2012-07-01")
        assert document.meta["speaker"] == "KCNA"
    # 2,439 stories have no text at all: they are counted as skipped, never silently dropped
    assert corpus.last_report.skipped == {"empty-text": 2439}
    assert languages["en"] + languages["es"] == corpus.last_report.documents


def test_benchmark_labels_are_read(open_named):
    assert len({d.meta["label"] for d in open_named("20newsgroups")}) == 20
    bbc = list(open_named("bbc"))
    assert Counter(d.meta["label"] for d in bbc) == {"sport": 511, "business": 510, "politics": 417, "tech": 401, "entertainment": 386}
    assert all(d.meta["title"] and d.meta["title"] not in d.text[:len(d.meta["title"])] for d in bbc[:50])


def test_reuters_sgml_fields(open_named):
    first = next(iter(open_named("reuters21578")))
    assert first.id == "reuters-1"
    assert first.meta["date"] == "1987-02-26"
    assert first.meta["label"] == "cocoa"
    assert first.meta["places"] == "el-salvador;usa;uruguay"
    assert first.text.startswith("BAHIA COCOA REVIEW\n\nShowers continued")


def test_frac_labels_are_frame_names(open_named):
    labels = Counter(d.meta["label"] for d in open_named("frac"))
    assert {"Economic", "Security and defense", "Cultural identity"} <= set(labels)
    assert not any(label.isdigit() for label in labels)


def test_corpus_is_reiterable_and_converts_to_a_frame(open_named):
    corpus = open_named("bbc")
    assert [d.id for d in corpus] == [d.id for d in corpus]
    frame = corpus.to_frame()
    assert len(frame) == 2225
    assert list(frame.columns[:2 + len(NORMALISED_FIELDS)]) == ["id", "text", *NORMALISED_FIELDS]
