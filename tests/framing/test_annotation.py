"""Annotation files: validated line by line, tied to unit text by sha1, drawn outside the held-out slice."""

import json

import pandas as pd
import pytest

from analysis.corpus.model import CorpusError
from analysis.corpus.units import unit_sha1
from analysis.framing.annotation import attach_text, draw_candidates, keyword_stratum, load_annotations
from analysis.framing.codebook import FRAMES, load_codebook


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def row(unit_id="D#0", frames=("security",), primary="security", text="Missiles were tested."):
    return {"unit_id": unit_id, "doc_id": unit_id.split("#")[0], "paragraph": 0, "sha1": unit_sha1(text),
            "frames": list(frames), "primary": primary, "coder": "coder-a"}


def test_codebook_has_the_three_frames_and_a_stable_hash():
    codebook = load_codebook()
    assert tuple(f.name for f in codebook.frames) == FRAMES
    assert len(codebook.sha256) == 64 and codebook.sha256 == load_codebook().sha256
    assert "## Rules for hard cases" in codebook.to_markdown()


@pytest.mark.parametrize("bad,message", [
    ({"frames": ["economy"]}, "unknown frame"),
    ({"primary": "culture"}, "primary must be one of"),
    ({"frames": ["trade"], "primary": "history"}, "not among the frames present"),
])
def test_invalid_labels_are_errors_naming_file_and_line(tmp_path, bad, message):
    path = write(tmp_path / "labels.jsonl", [row("A#0"), {**row("B#0"), **bad}])
    with pytest.raises(CorpusError, match=rf"{path}:2: .*{message}"):
        load_annotations(path)


def test_a_unit_annotated_twice_is_an_error(tmp_path):
    path = write(tmp_path / "labels.jsonl", [row("A#0"), row("A#0")])
    with pytest.raises(CorpusError, match=r":2: unit A#0 is annotated twice \(first at line 1\)"):
        load_annotations(path)


def test_labels_attach_only_to_unchanged_text(tmp_path):
    annotations = load_annotations(write(tmp_path / "labels.jsonl", [row("A#0", text="Missiles were tested.")]))
    assert annotations.loc[0, "security"] and not annotations.loc[0, "trade"]
    units = pd.DataFrame({"unit_id": ["A#0"], "text": ["Missiles were tested."], "sha1": [unit_sha1("Missiles were tested.")],
                          "speaker": ["JPN"], "year": [2017], "heldout": [False]})
    assert attach_text(annotations, units, source="t").loc[0, "text"] == "Missiles were tested."
    edited = units.assign(text="Missiles were tested again.", sha1=unit_sha1("Missiles were tested again."))
    with pytest.raises(CorpusError, match="changed text since they were coded"):
        attach_text(annotations, edited, source="t")


def test_keyword_strata_steer_the_draw_but_never_reach_heldout_units():
    codebook = load_codebook()
    assert keyword_stratum("The missile tests threaten the security of the region.", codebook) == "security"
    assert keyword_stratum("Tariffs and exports fell as the economy slowed.", codebook) == "trade"
    assert keyword_stratum("The colonial past and the apology for it.", codebook) == "history"
    assert keyword_stratum("The delegation thanks the President.", codebook) == "none"
    units = pd.DataFrame({"unit_id": [f"U#{i}" for i in range(4)], "heldout": [False] * 4,
                          "text": ["missile security", "tariff exports", "colonial apology", "greetings"]})
    drawn = draw_candidates(units, per_stratum={"security": 1, "trade": 1, "history": 1, "none": 1}, seed=0, codebook=codebook)
    assert sorted(drawn["stratum"]) == ["history", "none", "security", "trade"]


def test_reliability_is_reported_per_round_and_round_three_is_double_coded_at_a_quarter():
    from analysis.framing.annotation import CODINGS, first_codings, reliability

    per_round = {name: reliability(rounds=(name,)) for name in CODINGS}
    assert per_round["rounds 1-2"]["units"] == 240 and per_round["round 3"]["units"] == 160
    first = first_codings()
    assert per_round["round 3"]["units"] >= 0.25 * (first["round"] == "round 3").sum()
    assert reliability()["units"] == 400
    for table in per_round.values():
        assert all(0.8 < label["alpha"] <= 1 for label in table["per_label"].values())


def test_error_analysis_counts_every_error_once_and_names_shared_cues():
    import numpy as np

    from analysis.framing.evaluate import error_analysis

    texts = ["the colonial past and the war"] * 4 + ["missile tests and the war"] * 4 + ["tariffs on rice"] * 4
    units = pd.DataFrame({"text": texts, "frames": [["history"]] * 2 + [[]] * 2 + [["security"]] * 4 + [["trade"]] * 4,
                          "subcorpus": ["ungdc-japan-korea"] * 6 + ["kcna-japan-korea"] * 6,
                          "year": [1955] * 6 + [2011] * 6})
    truth = np.array([[f in frames for f in FRAMES] for frames in units["frames"]])
    present = truth.copy()
    present[2:4, 2] = True          # two history false positives: the colonial past named, not argued
    present[4, 0] = False           # one security false negative
    errors, cues = error_analysis(units, truth.astype(float), present)
    everything = errors[errors["decade"] == "all"].set_index(["frame", "source"])
    assert everything.loc[("history", "UNGDC"), "false_positives"] == 2
    assert everything.loc[("security", "UNGDC"), "false_negatives"] == 1
    assert errors.loc[errors["decade"] == "all", "false_positives"].sum() == 2
    assert errors.loc[errors["decade"] != "all", "false_positives"].sum() == 2
    assert set(errors["decade"]) == {"1950s", "2010s", "all"}
    assert cues.empty  # no word is in three or more of so few errors

def test_a_recoding_supersedes_the_earlier_labels_of_its_units_and_its_adjudication_supersedes_it(tmp_path):
    import shutil

    from analysis.framing.annotation import ANNOTATION_DIR, RECODINGS, gold_annotations, reliability

    files = RECODINGS["recode v1.3"]
    gold = gold_annotations().set_index("unit_id")
    recoded = load_annotations(ANNOTATION_DIR / files["first"]).set_index("unit_id")
    adjudicated = load_annotations(ANNOTATION_DIR / files["adjudication"], required=("unit_id", "frames", "primary")).set_index("unit_id")
    plain = recoded.index.difference(adjudicated.index)
    assert (gold.loc[plain, "frames"] == recoded.loc[plain, "frames"]).all()
    assert (gold.loc[adjudicated.index, "frames"] == adjudicated["frames"]).all()
    assert (gold.loc[recoded.index, "resolved_by"].str.startswith("recode v1.3")).all()
    assert reliability(rounds=("recode v1.3",))["units"] == len(recoded) == 166

    copy = shutil.copytree(ANNOTATION_DIR, tmp_path / "annotations")
    lines = (copy / files["first"]).read_text().splitlines()
    (copy / files["first"]).write_text("\n".join([lines[0].replace('"sha1": "', '"sha1": "0'), *lines[1:]]) + "\n")
    with pytest.raises(CorpusError, match="another sha1"):
        gold_annotations(copy)
