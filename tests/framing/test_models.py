"""The frame models: one contract for every kind, persistence without pickle, and the predict interface."""

import inspect
import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GroupShuffleSplit

from analysis.base import Estimator
from analysis.cli import main
from analysis.framing.codebook import FRAMES
from analysis.framing.evaluate import frame_metrics
from analysis.framing.models import MODEL_KINDS, load_model, make_model
from analysis.framing.pipeline import frame_shares
from tests.helpers import reseal


def test_every_annotated_unit_still_has_the_text_it_was_coded_on(annotated_units):
    # attach_text raises if any sha1 differs; here: all 1,613 (rounds 1-3) are found, none held out
    assert len(annotated_units) == 1613
    assert annotated_units.groupby("round").size().to_dict() == {"round 3": 573, "rounds 1-2": 1040}
    assert not annotated_units["heldout"].any()
    assert {frame: int(annotated_units[frame].sum()) >= 150 for frame in FRAMES} == dict.fromkeys(FRAMES, True)


@pytest.fixture(scope="module")
def split(annotated_units):
    """A grouped 80/20 split of the real annotations: no document on both sides."""
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
                       .split(annotated_units, groups=annotated_units["doc_id"]))
    return annotated_units.iloc[train], annotated_units.iloc[test]


#: the fine-tuned kind in one short epoch on 400 of the training units: the contract, not the quality of three
QUICK_PARAMS = {"finetuned": {"epochs": 1, "max_length": 64}}
QUICK_TRAIN = {"finetuned": 400}


#: Every kind but the lexicon embeds or vectorises the training paragraphs: seconds to minutes each.
@pytest.mark.parametrize("kind", [kind if kind == "lexicon" else pytest.param(kind, marks=pytest.mark.slow) for kind in MODEL_KINDS])
def test_model_contract(kind, split, tmp_path):
    train, test = split
    train = train.iloc[:QUICK_TRAIN.get(kind, len(train))]
    model = make_model(kind, **QUICK_PARAMS.get(kind, {}))
    assert all(p.kind == p.KEYWORD_ONLY for p in inspect.signature(type(model).__init__).parameters.values() if p.name != "self")
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict_proba(["text"])
    assert model.fit(train["text"].tolist(), train, groups=train["doc_id"].tolist()) is model
    assert model.coef_.shape[0] == model.threshold_.shape[0] == len(FRAMES)
    scores = model.predict_proba(test["text"].tolist())
    assert scores.shape == (len(test), 3) and ((scores >= 0) & (scores <= 1)).all()
    predictions = model.predict(test["text"].tolist())
    for prediction, row in zip(predictions, scores):
        assert prediction.frames == [f for f, s, t in zip(FRAMES, row, model.threshold_) if s >= t]
        assert prediction.primary == (max(prediction.frames, key=lambda f: prediction.scores[f]) if prediction.frames else "other")
    # the model learnt something real: better than chance on documents it never saw
    truth = test[list(FRAMES)].to_numpy()
    metrics = frame_metrics(truth, scores >= model.threshold_)
    prevalence = truth.mean(axis=0)
    assert (metrics["f1"].iloc[:3].to_numpy() > 2 * prevalence / (1 + prevalence)).all()
    # save -> load is the identity, with json, npz and safetensors only
    model.save(tmp_path / kind)
    assert {p.suffix for p in (tmp_path / kind).iterdir()} <= {".json", ".npz", ".safetensors"}
    assert isinstance(model, Estimator) and clone(model).get_params() == model.get_params()
    np.testing.assert_array_equal(load_model(tmp_path / kind).predict_proba(test["text"].tolist()), scores)


@pytest.mark.slow
def test_supervised_and_tfidf_beat_the_lexicon_on_unseen_documents(split):
    train, test = split
    truth = test[list(FRAMES)].to_numpy()

    def macro_f1(kind):
        model = make_model(kind).fit(train["text"].tolist(), train, groups=train["doc_id"].tolist())
        return frame_metrics(truth, model.predict_proba(test["text"].tolist()) >= model.threshold_)["f1"].iloc[-1]

    lexicon = macro_f1("lexicon")
    assert macro_f1("combined") > lexicon and macro_f1("tfidf") > lexicon


def test_a_model_trained_on_another_codebook_is_refused(split, tmp_path):
    train, _ = split
    folder = make_model("lexicon").fit(train["text"].tolist(), train).save(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "codebook_sha256": "0" * 64}))
    reseal(folder)  # a folder whose files are as saved, by a model of another codebook
    with pytest.raises(ValueError, match="retrain"):
        load_model(folder)


@pytest.mark.slow
def test_predict_command_keeps_order_and_the_interface(split, tmp_path, capsys):
    train, test = split
    folder = make_model("tfidf").fit(train["text"].tolist(), train).save(tmp_path / "tfidf")
    rows = [{"id": unit_id, "text": text} for unit_id, text in zip(test["unit_id"][:25], test["text"][:25])]
    rows.append({"id": 7, "text": "Japan and the Republic of Korea should expand trade and investment and conclude a free trade "
                                  "agreement to foster economic growth."})
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    assert main(["frames", "predict", "--input", str(source), "--output", str(out), "--model", str(folder)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [r["id"] for r in rows]
    for line in lines:
        assert set(line) == {"id", "frames", "primary", "scores"} and set(line["scores"]) == set(FRAMES)
        assert line["primary"] in (*FRAMES, "other") and set(line["frames"]) <= set(FRAMES)
    assert "trade" in lines[-1]["frames"]


def test_predict_names_the_bad_line(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "fine"}\n{"id": 2}\n')
    assert main(["frames", "predict", "--input", str(source), "--output", str(tmp_path / "o.jsonl"),
                 "--model", str(tmp_path)]) == 2
    assert f"{source}:2: each line needs" in capsys.readouterr().err


def test_frame_shares_average_units_within_documents_then_documents():
    import pandas as pd

    units = pd.DataFrame({"doc_id": ["a", "a", "b"], "speaker": ["JPN"] * 3, "year": [2015] * 3,
                          "security": [1.0, 0.0, 1.0], "trade": [0.0, 0.0, 0.5], "history": [0.0, 1.0, 0.0]})
    shares = frame_shares(units)
    assert shares.loc[0, "share_security"] == pytest.approx(0.75)  # (0.5 + 1.0) / 2
    assert shares.loc[0, "share_history"] == pytest.approx(0.25)
    assert shares.loc[0, "documents"] == 2 and shares.loc[0, "units"] == 3


@pytest.mark.slow
def test_evaluation_reuses_the_cross_validation_saved_with_a_model_only_for_the_same_labels(annotated_units, tmp_path):
    import pandas as pd

    from analysis.corpus.manifest import load_manifest
    from analysis.corpus.readers import open_corpus
    from analysis.framing.pipeline import evaluate_all, train_and_card

    frac = open_corpus(load_manifest("frac")).to_frame().head(50)
    annotated_units = annotated_units.iloc[:400]
    train_and_card(annotated_units, kind="lexicon", out=tmp_path / "models")
    fresh = evaluate_all(annotated_units, frac, out=tmp_path / "fresh", kinds=["lexicon"])
    reused = evaluate_all(annotated_units, frac, out=tmp_path / "reused", kinds=["lexicon"], model_dir=tmp_path / "models")
    pd.testing.assert_frame_equal(reused, fresh)
    # the stored scores are what the evaluation reads: planted zeros give F1 0 ...
    np.savez(tmp_path / "models" / "lexicon" / "cv_scores.npz", scores=np.zeros((len(annotated_units), 3)),
             present=np.zeros((len(annotated_units), 3), dtype=bool), unit_id=annotated_units["unit_id"].to_numpy(dtype=str))
    reseal(tmp_path / "models" / "lexicon")
    assert (evaluate_all(annotated_units, frac, out=tmp_path / "planted", kinds=["lexicon"],
                         model_dir=tmp_path / "models")["f1"] == 0).all()
    # ... but only for the labels they were computed on
    subset = annotated_units.iloc[:300]
    pd.testing.assert_frame_equal(
        evaluate_all(subset, frac, out=tmp_path / "subset", kinds=["lexicon"], model_dir=tmp_path / "models"),
        evaluate_all(subset, frac, out=tmp_path / "subset-fresh", kinds=["lexicon"]))


@pytest.mark.slow
def test_the_fine_tuned_kind_is_deterministic_and_moves_the_encoder(split):
    train, test = split
    train, texts = train.iloc[:160], test["text"].tolist()[:40]

    def fitted():
        return make_model("finetuned", epochs=1, max_length=32, seed=3).fit(train["text"].tolist(), train)

    first, second = fitted(), fitted()
    np.testing.assert_array_equal(first.predict_proba(texts), second.predict_proba(texts))
    # fine-tuning changed every vector, yet they stay near the frozen MiniLM's (which read 256 tokens, not 32)
    from analysis.embeddings import embed

    cosine = np.sum(first.encoder_.vectors(texts) * embed(texts, progress=False), axis=1)
    assert cosine.max() < 0.9999 and cosine.mean() > 0.5
