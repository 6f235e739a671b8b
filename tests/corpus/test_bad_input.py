"""Bad input, one case at a time: a clear error naming file and line, or a counted, logged skip."""

import csv
import gzip
import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus.manifest import Manifest
from analysis.corpus.model import CorpusError
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import SegmentOptions, iter_units


def user_corpus(path, fmt, **fields):
    return open_corpus(Manifest(name="mine", file=str(path), format=fmt, fields={"text": "text", **fields}))


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("filename,fmt", [("empty.csv", "csv"), ("empty.jsonl", "jsonl"), ("empty.txt", "text")])
def test_empty_file_is_an_error_naming_it(tmp_path, filename, fmt):
    path = tmp_path / filename
    path.write_bytes(b"")
    with pytest.raises(CorpusError, match=f"{path}: file is empty"):
        list(user_corpus(path, fmt))


def test_non_utf8_bytes_are_a_counted_logged_repair(tmp_path, caplog):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"id": "a", "text": "plain"}\n{"id": "b", "text": "caf\xe9 cr\xe8me"}\n')
    corpus = user_corpus(path, "jsonl", id="id")
    with caplog.at_level(logging.WARNING):
        documents = list(corpus)
    assert [d.text for d in documents] == ["plain", "café crème"]
    assert corpus.last_report.repaired == {"undecodable-bytes": 1}
    assert f"{path}:2: repaired (undecodable-bytes)" in caplog.text


def test_malformed_jsonl_line_is_a_counted_logged_skip(tmp_path, caplog):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "text": "one"}\n{"id": "b", "text": "tw\n[1, 2]\n{"id": "c", "text": "three"}\n')
    corpus = user_corpus(path, "jsonl", id="id")
    with caplog.at_level(logging.WARNING):
        assert [d.id for d in corpus] == ["a", "c"]
    assert corpus.last_report.skipped == {"malformed-json": 1, "not-an-object": 1}
    assert f"{path}:2: skipped (malformed-json)" in caplog.text
    assert f"{path}:3: skipped (not-an-object)" in caplog.text


def test_missing_mapped_column_is_an_error_naming_file_line_and_columns(tmp_path):
    path = tmp_path / "speeches.csv"
    path.write_text("speech_id,body\n1,Some words.\n")
    with pytest.raises(CorpusError) as caught:
        list(user_corpus(path, "csv", id="speech_id", speaker="country"))
    message = str(caught.value)
    assert message.startswith(f"{path}:2: ")
    assert "'country'" in message and "'text'" in message and "body, speech_id" in message


def test_duplicate_ids_are_an_error_naming_both_lines(tmp_path):
    path = write_jsonl(tmp_path / "dupes.jsonl", [{"id": "x", "text": "a"}, {"id": "y", "text": "b"}, {"id": "x", "text": "c"}])
    with pytest.raises(CorpusError, match=rf"{path}:3: duplicate document id 'x' \(first seen at 1\)"):
        list(user_corpus(path, "jsonl", id="id"))


def test_zero_length_documents_are_counted_logged_skips(tmp_path, caplog):
    path = tmp_path / "gaps.csv"
    path.write_text('id,text\n1,first\n2,""\n3,"   "\n4,last\n')
    corpus = user_corpus(path, "csv", id="id")
    with caplog.at_level(logging.WARNING):
        assert [d.id for d in corpus] == ["1", "4"]
    assert corpus.last_report.skipped == {"empty-text": 2}
    assert f"{path}:3: skipped (empty-text)" in caplog.text and f"{path}:4: skipped (empty-text)" in caplog.text


def test_a_20_mb_document_is_read_and_segmented(tmp_path):
    paragraph = "The delegation of Japan spoke about security and trade in the region. " * 20
    text = "\n\n".join([paragraph.strip()] * 15_000)
    assert len(text) > 20_000_000
    path = tmp_path / "huge.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["id", "text"], ["big", text]])
    (document,) = list(user_corpus(path, "csv", id="id"))
    assert len(document.text) == len(text)
    units = list(iter_units([document], SegmentOptions()))
    assert len(units) == 15_000
    assert units[-1]["unit_id"] == "big#14999"


def test_folder_without_matching_files_is_an_error(tmp_path):
    (tmp_path / "notes.md").write_text("not a text file")
    with pytest.raises(CorpusError, match="no files match"):
        list(user_corpus(tmp_path, "text-dir"))


texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=8))
def test_csv_and_jsonl_round_trip_every_text_exactly(tmp_path_factory, written):
    folder = tmp_path_factory.mktemp("roundtrip")
    jsonl = write_jsonl(folder / "docs.jsonl", [{"text": t} for t in written])
    table = folder / "docs.csv"
    with open(table, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["text"], *([t] for t in written)])
    for corpus in (user_corpus(jsonl, "jsonl"), user_corpus(table, "csv")):
        assert [d.text for d in corpus] == written
        assert corpus.last_report.skipped == {} and corpus.last_report.repaired == {}
