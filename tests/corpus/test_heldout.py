"""No function that learns from units accepts held-out units."""

import importlib
import pkgutil

import pandas as pd
import pytest

import analysis
from analysis.corpus.heldout import TRAINING_ENTRY_POINTS, HeldOutError


def _import_every_module():
    for module in pkgutil.walk_packages(analysis.__path__, prefix="analysis."):
        if module.name != "analysis.__main__":
            importlib.import_module(module.name)


def _units(heldout):
    return pd.DataFrame({
        "unit_id": [f"DOC_{i}#0" for i in range(len(heldout))],
        "text": [f"Paragraph number {i} about Japan and Korea." for i in range(len(heldout))],
        "speaker": ["JPN"] * len(heldout),
        "heldout": heldout,
    })


def test_every_training_entry_point_refuses_heldout_units():
    _import_every_module()
    assert TRAINING_ENTRY_POINTS, "no training entry point is registered"
    for entry_point in TRAINING_ENTRY_POINTS.values():
        with pytest.raises(HeldOutError, match="1 of 3 units are held out"):
            entry_point(_units([False, True, False]))
        without_flag = _units([False, False]).drop(columns="heldout")
        with pytest.raises(HeldOutError, match="no 'heldout' column"):
            entry_point(without_flag)


def test_training_entry_points_accept_units_outside_the_heldout_slice():
    from analysis.corpus.sampling import sample_for_annotation

    sample = sample_for_annotation(_units([False] * 10), n=4, seed=7)
    assert len(sample) == 4 and sample["unit_id"].is_unique
    assert sample["unit_id"].tolist() == sample_for_annotation(_units([False] * 10), n=4, seed=7)["unit_id"].tolist()


def test_cli_sample_refuses_a_subcorpus_with_heldout_units(tmp_path, data_home, capsys):
    """The annotation sampler, run from the command line on a real subcorpus that includes 1993."""
    from analysis.cli import main
    from analysis.corpus.subcorpus import SubcorpusSpec, build_subcorpus

    build_subcorpus(SubcorpusSpec(name="korea-1992-1993", corpus="ungdc", query=r"\bKorea", years=(1992, 1993)),
                    out_dir=tmp_path / "subcorpora", data_home=data_home, progress=False)
    out = tmp_path / "sample.jsonl"
    code = main(["corpus", "sample", "korea-1992-1993", "--n", "5", "--out", str(out), "--artifacts", str(tmp_path)])
    assert code == 2 and not out.exists()
    # the refusal, not any other error: the message names the held-out units
    assert "held" in capsys.readouterr().err.lower()
