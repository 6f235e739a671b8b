"""Subcorpora: a query over real units, saved with its provenance."""

import json
import re
from itertools import islice

import pandas as pd
import pytest

from analysis.corpus.manifest import load_manifest
from analysis.corpus.subcorpus import SubcorpusSpec, build_subcorpus, load_spec, load_subcorpus


@pytest.fixture(scope="module")
def korea_1990s(tmp_path_factory, data_home):
    """The default study query on a slice of real UNGDC sessions (1990-1994)."""
    spec = load_spec("ungdc-japan-korea")
    sliced = SubcorpusSpec(name="jk-1990-1994", corpus=spec.corpus, query=spec.query, years=(1990, 1994), language="en")
    out = tmp_path_factory.mktemp("subcorpora")
    folder = build_subcorpus(sliced, out_dir=out, data_home=data_home, progress=False)
    units, manifest = load_subcorpus("jk-1990-1994", out)
    return spec, units, manifest, folder


def test_every_unit_matches_the_query_and_filters(korea_1990s):
    spec, units, _, _ = korea_1990s
    pattern = re.compile(spec.query)
    assert len(units) > 300
    assert units["text"].map(lambda t: bool(pattern.search(t))).all()
    assert units["year"].between(1990, 1994).all()
    assert {"JPN", "KOR", "PRK", "USA", "CHN"} <= set(units["speaker"])


def test_units_carry_ids_hashes_and_the_heldout_flag(korea_1990s):
    _, units, _, _ = korea_1990s
    assert units["unit_id"].is_unique
    assert (units["unit_id"] == units["doc_id"] + "#" + units["paragraph"].astype(str)).all()
    assert units["sha1"].str.fullmatch(r"[0-9a-f]{40}").all()
    assert (units["heldout"] == units["year"].isin([1993])).all()


def test_manifest_records_query_input_checksum_and_counts(korea_1990s):
    spec, units, manifest, folder = korea_1990s
    assert manifest["config"]["query"] == spec.query
    assert manifest["inputs"]["sha256"] == load_manifest("ungdc").sha256
    counts = manifest["counts"]
    assert counts["units"] == len(units)
    assert counts["units_scanned"] > counts["units"]
    assert counts["documents_after_filters"] >= counts["documents_with_units"] == units["doc_id"].nunique()
    assert counts["heldout_units"] == int(units["heldout"].sum()) > 0
    assert json.loads((folder / "manifest.json").read_text()) == manifest


def test_a_user_csv_subcorpus_with_keywords_speakers_and_duplicates(tmp_path):
    rows = [
        ("a", "JPN", "2015-09-29", "Japan and Korea share a history.\n\nThe weather was fine."),
        ("b", "KOR", "2016-09-20", "Korea welcomes trade.\n\nKorea welcomes trade."),
        ("c", "USA", "2016-09-20", "Nothing about the region here."),
        ("d", "KOR", "2001-09-20", "Korea in another decade."),
    ]
    path = tmp_path / "speeches.csv"
    pd.DataFrame(rows, columns=["doc", "country", "delivered", "body"]).to_csv(path, index=False)
    from analysis.cli import main

    code = main(["corpus", "subset", "--path", str(path), "--map", "id=doc,speaker=country,date=delivered,text=body",
                 "--subcorpus", "mine", "--query", r"\bKorea", "--speakers", "JPN,KOR", "--years", "2010-2020",
                 "--drop-duplicates", "--out", str(tmp_path / "out")])
    assert code == 0
    units, manifest = load_subcorpus("mine", tmp_path / "out")
    assert units["unit_id"].tolist() == ["a#0", "b#0"]
    assert manifest["counts"]["duplicates"]["exact_groups"] == 1
    assert manifest["counts"]["units_scanned"] == 4


def test_invalid_query_and_year_range_are_refused():
    with pytest.raises(ValueError, match="not a valid regular expression"):
        SubcorpusSpec(name="x", corpus="ungdc", query="(unclosed")
    with pytest.raises(ValueError, match="after last year"):
        SubcorpusSpec(name="x", corpus="ungdc", years=(2000, 1990))


@pytest.mark.parametrize("name", ["ungdc-japan-korea", "kcna-japan-korea"])
def test_the_speed_up_look_ahead_of_a_study_query_changes_no_match(name, open_named):
    """The queries start with a look-ahead over the letters a match can start with; without it they must agree."""
    query = load_spec(name).query
    look_ahead = re.match(r"\(\?=\[[^\]]+\]\)", query)
    assert look_ahead, f"{name}: the query lost its leading look-ahead"
    fast, plain = re.compile(query), re.compile(query[look_ahead.end():])
    corpus = open_named(load_spec(name).corpus)
    paragraphs = [p for d in islice(corpus, 400) for p in d.text.split("\n") if p.strip()]
    tricky = ["the \u212aorea question", "\u017feoul", "ROK and rok", "Japan-Korea", "nonjapanese", "D.P.R.K.",
              "Dokdo/Takeshima", "comfort  women", "S. Korea", "puppets"]
    assert sum(bool(plain.search(p)) for p in paragraphs) > 20
    for text in paragraphs + tricky:
        assert bool(fast.search(text)) == bool(plain.search(text)), text
