"""Scale-out on Dask: the same bytes in-process and on a two-worker cluster, resumable, with clear errors.

The models are trained here, on the first paragraphs of 100 real UN General
Debate speeches (1947-49, held-out sessions excluded), so the tests need the
corpora but no artifacts. Their frame labels come from the codebook's seed
terms: the models only have to be real fitted models, not good ones.
"""

import itertools
import re

import dask
import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.corpus.manifest import load_manifest, sha256_of
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import SegmentOptions, document_units
from analysis.framing.codebook import FRAMES, load_codebook
from analysis.framing.pipeline import train_frame_model
from analysis.preprocess import PreprocessConfig
from analysis.scale import (
    OUTPUT_FILE,
    ScaleError,
    dask_client,
    frame_model,
    load_member_states,
    model_ref,
    part_paths,
    run_scale,
    topic_model,
)
from analysis.topics.pipeline import fit_topic_model
from tests.helpers import assert_rows_sum_to_one

# every test here trains a frame and a topic model, and some start a two-worker Dask cluster
pytestmark = pytest.mark.slow

SLICE = 30  # speeches run through the pipeline: the 1946 session and the start of 1947
PARTITION = 7  # 30 = 4 x 7 + 2: the last partition is short
SMALL = PreprocessConfig(min_df=3, max_df=0.5, phrase_min_count=3)


@pytest.fixture(scope="module")
def ungdc(data_home):
    return load_manifest("ungdc")


@pytest.fixture(scope="module")
def models(ungdc, data_home, tmp_path_factory):
    """A tfidf frame model and NMF and LDA topic models fitted on speeches after the slice (about 400 units)."""
    documents = itertools.islice(open_corpus(ungdc, data_home=data_home), SLICE, SLICE + 100)
    units = pd.DataFrame([row for d in documents for row in document_units(d, SegmentOptions(**ungdc.units))[0]])
    units = units[~units["heldout"]].groupby("doc_id").head(7).reset_index(drop=True)
    for frame in load_codebook().frames:
        pattern = r"\b(?:" + "|".join(map(re.escape, frame.seed_terms)) + ")"
        units[frame.name] = units["text"].str.contains(pattern, case=False, regex=True)
    folder = tmp_path_factory.mktemp("models")
    return {
        "frames": train_frame_model(units, kind="tfidf").save(folder / "tfidf"),
        "nmf": fit_topic_model(units, backend="nmf", n_topics=4, seed=0, preprocess=SMALL).save(folder / "nmf"),
        "lda": fit_topic_model(units, backend="lda", n_topics=4, seed=0, preprocess=SMALL, passes=2,
                               iterations=50).save(folder / "lda"),
    }


@pytest.fixture(scope="module")
def cluster():
    with dask_client(workers=2, memory_limit="1GiB") as client:
        yield client


def run(ungdc, data_home, models, out, *, topics="nmf", client=None, limit=SLICE, partition=PARTITION):
    return run_scale(ungdc, frame_model_dir=models["frames"], topic_model_dir=models[topics], out=out,
                     partition_size=partition, limit_documents=limit, client=client, data_home=data_home,
                     progress=False)


def part_hashes(out, partitions):
    return [sha256_of(part_paths(out, index)[0]) for index in range(partitions)]


@pytest.mark.parametrize("topics", ["nmf", "lda"])
def test_in_process_and_a_two_worker_cluster_write_the_same_bytes(topics, ungdc, data_home, models, cluster, tmp_path):
    local = run(ungdc, data_home, models, tmp_path / "local", topics=topics)
    spread = run(ungdc, data_home, models, tmp_path / "dask", topics=topics, client=cluster)
    # each worker loaded each model at most once, however many partitions it ran (nmf, then lda: two topic models)
    misses = cluster.run(lambda: (frame_model.cache_info().misses, topic_model.cache_info().misses))
    assert len(misses) == 2 and all(frame_loads <= 1 and topic_loads <= 2 for frame_loads, topic_loads in misses.values()), misses
    assert spread["config"]["execution"]["workers"] == 2 and local["config"]["execution"] == {"mode": "in-process"}
    assert local["config"]["config_sha256"] == spread["config"]["config_sha256"]
    assert local["counts"]["partitions"] == spread["counts"]["partitions"] == 5
    assert local["counts"]["units"] == spread["counts"]["units"] > 500
    assert part_hashes(tmp_path / "local", 5) == part_hashes(tmp_path / "dask", 5)
    expected = pd.read_parquet(tmp_path / "local" / OUTPUT_FILE)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / OUTPUT_FILE), expected, check_exact=True)

    # rows are the corpus's units in corpus order, and each carries its own unit's scores
    documents = list(itertools.islice(open_corpus(ungdc, data_home=data_home), SLICE))
    units = [row for d in documents for row in document_units(d, SegmentOptions(**ungdc.units))[0]]
    assert expected["unit_id"].tolist() == [row["unit_id"] for row in units]
    np.testing.assert_allclose(expected[list(FRAMES)].to_numpy(),
                               frame_model(model_ref(models["frames"])).predict_proba([u["text"] for u in units]),
                               rtol=1e-12, atol=1e-15)
    shares = expected.filter(like="topic_").to_numpy()
    assert_rows_sum_to_one(shares)


def test_a_rerun_reuses_valid_parts_and_recomputes_only_the_others(ungdc, data_home, models, tmp_path):
    out = tmp_path / "run"
    first = run(ungdc, data_home, models, out)
    expected = (out / OUTPUT_FILE).read_bytes()
    stamps = [part_paths(out, index)[0].stat().st_mtime_ns for index in range(5)]

    again = run(ungdc, data_home, models, out)
    assert again["counts"]["partitions_reused"] == 5
    assert [part_paths(out, index)[0].stat().st_mtime_ns for index in range(5)] == stamps
    assert (out / OUTPUT_FILE).read_bytes() == expected

    part_paths(out, 1)[0].write_bytes(b"truncated")  # a damaged part
    part_paths(out, 3)[1].unlink()  # a part whose record was never written (interrupted)
    repaired = run(ungdc, data_home, models, out)
    assert repaired["counts"]["partitions_reused"] == 3
    assert (out / OUTPUT_FILE).read_bytes() == expected
    assert repaired["inputs"] == first["inputs"]

    # other documents in a partition (the first 10 speeches: 7 + 3) are not taken for the old ones
    shorter = run(ungdc, data_home, models, out, limit=10)
    assert shorter["counts"]["partitions_reused"] == 1 and shorter["counts"]["documents"] == 10
    # another partition size is another configuration: nothing is reused
    assert run(ungdc, data_home, models, out, partition=10)["counts"]["partitions_reused"] == 0


def test_an_unreachable_scheduler_is_a_clear_error(ungdc, data_home, models, tmp_path, capsys):
    with pytest.raises(ScaleError, match=r"could not connect to the Dask scheduler at 'tcp://127\.0\.0\.1:1'.*--workers N"):
        with dask_client(scheduler="tcp://127.0.0.1:1", timeout=1):
            pass
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["scale", "run", "ungdc", "--frame-model", str(models["frames"]), "--topic-model", str(models["nmf"]),
                     "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2
    assert "error: could not connect to the Dask scheduler at 'tcp://127.0.0.1:1'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_run_and_member_state_shares_from_the_command_line(ungdc, data_home, models, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["scale", "run", "ungdc", "--frame-model", str(models["frames"]), "--topic-model", str(models["nmf"]),
                 "--out", str(out), "--limit-documents", "12", "--partition-size", "5"]) == 0
    assert "12 documents ->" in capsys.readouterr().out
    table_path = tmp_path / "shares.csv"
    assert main(["scale", "shares", str(out), "--out", str(table_path)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(table_path, keep_default_na=False)
    # the 12 speeches of 1946 include Czechoslovakia (CZK), no member state today
    assert "11 of 193 member states found" in printed and "speakers left out (not members): CZK" in printed
    assert len(load_member_states()) == 193
    assert table["iso3"].tolist() == sorted(table["iso3"]) and "CZK" not in set(table["iso3"])
    assert table["speeches"].tolist() == [1] * 11
    assert list(table.columns) == ["iso3", "name", "units", "speeches",
                                   *(f"{f}_mean_probability" for f in FRAMES), *(f"{f}_present_share" for f in FRAMES)]
    assert table.filter(like="_").apply(lambda c: c.between(0, 1)).all().all()


def test_a_worker_on_another_encoder_runtime_refuses_the_partition(monkeypatch, tmp_path):
    from analysis.scale.pipeline import ModelRef, PartitionTask, process_partition

    monkeypatch.setenv("ANALYSIS_ENCODER", "torch")
    task = PartitionTask(index=0, documents=(), documents_sha256="", segment=SegmentOptions(),
                         frame_model=ModelRef(str(tmp_path), ""), topic_model=ModelRef(str(tmp_path), ""),
                         out=str(tmp_path), config_sha256="", encoder="onnxruntime")
    with pytest.raises(ScaleError, match="ANALYSIS_ENCODER=onnxruntime"):
        process_partition(task)
