"""The command line, as a researcher runs it."""

import functools
import http.server
import json
import threading

import pytest

from analysis.cli import main
from analysis.corpus.manifest import list_manifests, load_manifest, sha256_of


def test_list_names_every_corpus_and_the_default_subcorpus(capsys, data_home):
    assert main(["corpus", "list"]) == 0
    out = capsys.readouterr().out
    for manifest in list_manifests():
        assert manifest.name in out
    assert "ungdc-japan-korea" in out and "MISSING" not in out


def test_info_reports_counts_licence_and_the_published_count(capsys, data_home):
    assert main(["corpus", "info", "bbc"]) == 0
    out = capsys.readouterr().out
    assert "records: 2,225, documents: 2,225" in out
    assert "expected records (publisher's count): 2,225 -> matches" in out
    assert "licence: BBC copyright; research use" in out and "Greene" in out


def test_info_on_a_users_own_jsonl_with_a_field_mapping(tmp_path, capsys):
    path = tmp_path / "press.jsonl"
    records = [{"story": i, "body": f"Statement {i} on the peninsula.", "agency": "own notes", "when": f"201{i}-05-01"} for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    code = main(["corpus", "info", "--path", str(path), "--map", "id=story,text=body", "--map", "speaker=agency,date=when"])
    out = capsys.readouterr().out
    assert code == 0
    assert "records: 3, documents: 3, words: 15" in out and "years: 2010-2012" in out and "own notes 3" in out


def test_missing_column_exits_with_a_message_naming_file_and_line(tmp_path, capsys):
    path = tmp_path / "speeches.csv"
    path.write_text("id,body\n1,text\n")
    assert main(["corpus", "info", "--path", str(path), "--map", "text=speech"]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}:2: mapped column(s) 'speech' not found" in err


def test_show_seed_page_reports_what_cleaning_removed(capsys, data_home):
    assert main(["corpus", "show", "seed"]) == 0
    out = capsys.readouterr().out
    assert "[0] Japan, South Korea Leaders Strengthen Security Ties Ahead of Trump Meeting" in out
    assert "removed (" in out and "Copyright" not in out.split("removed (")[0]


def test_units_streams_a_corpus_to_parquet(tmp_path, capsys, data_home):
    import pandas as pd

    out = tmp_path / "bbc.parquet"
    assert main(["corpus", "units", "bbc", "--out", str(out)]) == 0
    assert "units/s" in capsys.readouterr().out
    units = pd.read_parquet(out)
    assert units["doc_id"].nunique() == 2225 and units["unit_id"].is_unique
    assert units["label"].notna().all()


@pytest.fixture()
def served_shared_folder(data_home):
    """Serve the shared FrAC folder over loopback only."""
    handler = functools.partial(QuietHandler, directory=str(data_home / "frac"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_into_a_new_data_home_verifies_and_places_the_file(tmp_path, monkeypatch, served_shared_folder, capsys):
    monkeypatch.setenv("ANALYSIS_DATA_HOME", str(tmp_path))
    assert main(["corpus", "fetch", "frac-label-map", "--url", f"{served_shared_folder}/label_map.csv"]) == 0
    placed = tmp_path / load_manifest("frac-label-map").file
    assert sha256_of(placed) == load_manifest("frac-label-map").sha256
    assert sorted(p.name for p in placed.parent.iterdir()) == ["label_map.csv"]


def test_fetch_refuses_a_file_whose_checksum_differs(tmp_path, monkeypatch, served_shared_folder, capsys):
    monkeypatch.setenv("ANALYSIS_DATA_HOME", str(tmp_path))
    # the wrong file for this manifest: same server, another real file
    assert main(["corpus", "fetch", "frac-label-map", "--url", f"{served_shared_folder}/frac_gold_sentences.csv.gz"]) == 2
    assert "sha256" in capsys.readouterr().err
    assert not (tmp_path / "frac").exists() or not any((tmp_path / "frac").iterdir())


@pytest.mark.slow
def test_streaming_all_ungdc_speeches_into_units_in_bounded_memory(tmp_path, data_home):
    import re
    import subprocess
    import sys

    out = tmp_path / "ungdc.parquet"
    result = subprocess.run([sys.executable, "-m", "analysis", "corpus", "units", "ungdc", "--out", str(out)],
                            capture_output=True, text=True, check=True)
    summary = re.search(r"10,568 documents -> ([\d,]+) paragraph units .* peak RSS ([\d,]+) MiB", result.stdout)
    assert summary, result.stdout
    units, peak_mib = (int(group.replace(",", "")) for group in summary.groups())
    assert units > 300_000
    assert peak_mib < 1024
    import pyarrow.parquet as pq

    assert pq.ParquetFile(out).metadata.num_rows == units


def test_embed_puts_a_subcorpus_into_the_cache_once(tmp_path, data_home):
    assert main(["corpus", "build", "seed", "--out", str(tmp_path / "subcorpora")]) == 0
    for _run in ("first", "second"):
        assert main(["corpus", "embed", "seed", "--artifacts", str(tmp_path)]) == 0
        counts = json.loads((tmp_path / "embeddings" / "seed" / "manifest.json").read_text())["counts"]
        assert counts["units"] == 9  # the headline and eight article paragraphs of the cleaned page
    assert counts["newly_embedded"] == 0  # the second run found every vector in the cache


def test_embed_in_parts_side_by_side_then_whole_embeds_each_unit_once(tmp_path, data_home, monkeypatch):
    import analysis.embeddings

    monkeypatch.setattr(analysis.embeddings, "DEFAULT_CACHE", tmp_path / "cache")
    assert main(["corpus", "build", "seed", "--out", str(tmp_path / "subcorpora")]) == 0
    folder = tmp_path / "embeddings" / "seed"
    for part in ("1/2", "2/2"):
        assert main(["corpus", "embed", "seed", "--part", part, "--artifacts", str(tmp_path)]) == 0
    halves = [json.loads((folder / f"part-{i}-of-2" / "manifest.json").read_text())["counts"] for i in (1, 2)]
    assert [half["units"] for half in halves] == [5, 4]
    assert [half["newly_embedded"] for half in halves] == [5, 4]
    assert main(["corpus", "embed", "seed", "--artifacts", str(tmp_path)]) == 0
    assert json.loads((folder / "manifest.json").read_text())["counts"] == {"units": 9, "newly_embedded": 0}
    with pytest.raises(SystemExit):
        main(["corpus", "embed", "seed", "--part", "3/2", "--artifacts", str(tmp_path)])
