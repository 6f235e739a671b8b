"""The estimator contract every family on :class:`analysis.base.Estimator` keeps: frame classifiers, topic backends,
prevalence regression (tests/test_integrity.py tampers with a saved model of every kind).

scikit-learn's ``parametrize_with_checks`` feeds numeric arrays to ``fit``; these
models take texts (topics) or covariates with drawn outcomes (effects), so the
parts of its contract that apply are checked here instead: parameters from the
constructor only, ``clone``, ``NotFittedError``, and one save/load protocol
whose manifest records and verifies the sha256 of every file.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from analysis.base import Estimator
from analysis.effects import PrevalenceRegression, load_effects, topic_outcomes
from analysis.framing.models import MODEL_CLASSES
from analysis.persist import IntegrityError
from analysis.preprocess import PreprocessConfig
from analysis.topics.models import BACKENDS, TopicModel, load_topic_model, make_topic_model
from tests.test_effects import simulated_units

SMALL = PreprocessConfig(min_df=2, max_df=0.9, phrase_min_count=2)
DOCS = [f"{a} {b} {c} treaty" for a in ("missile", "tariff", "apology") for b in ("korea", "japan", "export", "history")
        for c in ("summit", "trade", "security", "colonial", "talks")] * 2


def _topic_model(backend: str) -> TopicModel:
    return make_topic_model(backend, n_topics=3, seed=1, preprocess=SMALL)


def _fitted_regression() -> PrevalenceRegression:
    rng = np.random.default_rng(3)
    units = simulated_units(200, rng)
    outcomes = topic_outcomes(rng.dirichlet([2, 3, 4], size=200), rng.integers(20, 90, 200))
    return PrevalenceRegression(year="decade", draws=20, seed=2).fit(units, outcomes)


FAMILIES = {
    **{f"topics-{backend}": (lambda backend=backend: _topic_model(backend).fit(DOCS), load_topic_model)
       for backend in ("lda", "nmf")},  # BERTopic's save/load is covered in tests/topics (it embeds)
    "effects": (_fitted_regression, load_effects),
}


ESTIMATORS = [*MODEL_CLASSES.values(), *BACKENDS.values(), PrevalenceRegression]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_parameters_come_from_the_constructor_alone(cls):
    model = cls()
    assert isinstance(model, Estimator)
    params = model.get_params()
    assert params and params == clone(model).get_params()
    changed = {name: value for name, value in params.items() if isinstance(value, int) and not isinstance(value, bool)}
    name = next(iter(changed))
    assert model.set_params(**{name: changed[name] + 1}).get_params()[name] == changed[name] + 1
    assert cls.__name__ in repr(model)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_an_unfitted_model_raises_not_fitted(cls, tmp_path):
    with pytest.raises(NotFittedError, match="not fitted"):
        cls().save(tmp_path / "model")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_save_writes_a_manifest_and_load_verifies_every_file(family, tmp_path):
    make, load = FAMILIES[family]
    model = make()
    folder = model.save(tmp_path / "model", inputs={"what": "a test"})
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
    assert sorted(manifest["files"]) == on_disk and all(len(digest) == 64 for digest in manifest["files"].values())
    assert manifest["config"]["params"] == json.loads(json.dumps(model.get_params(deep=False), default=_plain))
    assert manifest["seed"] == model.seed and manifest["inputs"] == {"what": "a test"} and "numpy" in manifest["versions"]

    loaded = load(folder)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    fitted = clone(model)
    with pytest.raises(NotFittedError):
        fitted.save(tmp_path / "clone")  # clone keeps the parameters, not the fitted state

    victim = sorted(manifest["files"])[0]
    (folder / victim).write_bytes((folder / victim).read_bytes() + b"\0")
    with pytest.raises(IntegrityError) as error:
        load(folder)
    message = str(error.value)
    assert victim in message and manifest["files"][victim] in message and "found" in message
    (folder / victim).unlink()
    with pytest.raises(IntegrityError, match="missing"):
        load(folder)


def test_fit_takes_precomputed_preprocessing_and_embeddings_of_the_same_documents():
    from analysis.topics.models import preprocess_documents

    preprocessed = preprocess_documents(SMALL, DOCS)
    direct = _topic_model("nmf").fit(DOCS)
    shared = _topic_model("nmf").fit(DOCS, preprocessed=preprocessed)
    assert shared.topics_ == direct.topics_
    with pytest.raises(ValueError, match="preprocessed="):
        _topic_model("nmf").fit(DOCS[:10], preprocessed=preprocessed)
    with pytest.raises(ValueError, match="embeddings has 2 rows"):
        _topic_model("nmf").fit(DOCS, embeddings=np.zeros((2, 384)))


def _plain(value):
    import dataclasses

    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else str(value)
