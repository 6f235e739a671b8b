"""Every kind of saved model refuses a folder whose files changed: a flipped byte, a changed value.

Nine kinds: the five frame classifiers, the three topic backends and the
prevalence regression, each fitted small (self-written texts, a simulated
regression) and saved once per module; each test tampers with a copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from analysis.effects import load_effects
from analysis.framing.codebook import FRAMES
from analysis.framing.models import MODEL_KINDS, load_model, make_model
from analysis.hashing import file_sha256
from analysis.persist import IntegrityError
from analysis.topics.models import load_topic_model, make_topic_model
from tests.test_base import DOCS, SMALL, _fitted_regression

#: Words of each frame for the self-written training texts (every combination of frames present, eight times).
WORDS = {"security": ["missile launches", "nuclear deterrence", "military drills"],
         "trade": ["export controls", "tariffs on steel", "investment and trade"],
         "history": ["colonial rule", "an apology for the past", "wartime forced labour"]}


def _frame_texts() -> tuple[list[str], list[list[str]]]:
    texts, labels = [], []
    for combination in range(8):
        present = [frame for bit, frame in enumerate(FRAMES) if combination >> bit & 1]
        for variant in range(8):
            words = [WORDS[frame][variant % 3] for frame in present] or ["the weather in spring"]
            texts.append(f"Item {variant}: the delegates spoke of {' and '.join(words)} in session {combination}.")
            labels.append(present)
    return texts, labels


def _fit(kind: str):
    """A fitted model of ``kind``, its loader, the file whose byte is flipped and the JSON file whose value changes."""
    if kind in MODEL_KINDS:
        texts, labels = _frame_texts()
        state = "encoder.safetensors" if kind == "finetuned" else "weights.npz"  # its largest file: the encoder
        return make_model(kind).fit(texts, labels), load_model, state, ("config.json", "C")
    if kind == "effects":
        return _fitted_regression(), load_effects, "coef_draws.npz", ("effects.json", "n_units")
    state = {"lda": "lda.npz", "nmf": "nmf.npz", "bertopic": "topic_embeddings.safetensors"}[kind]
    params = {"n_neighbors": 5} if kind == "bertopic" else {}
    model = make_topic_model(kind, n_topics=3, seed=1, preprocess=SMALL, **params).fit(DOCS)
    return model, load_topic_model, state, ("config.json", "n_topics")


#: BERTopic's fit (UMAP, then clustering) takes half a minute: slow, as in tests/topics.
KINDS = [*MODEL_KINDS, "lda", "nmf", pytest.param("bertopic", marks=pytest.mark.slow), "effects"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """kind -> (folder, loader, byte file, (json file, key)); each kind fitted and saved once."""
    root = tmp_path_factory.mktemp("saved")
    cache = {}

    def get(kind):
        if kind not in cache:
            model, loader, state, value = _fit(kind)
            cache[kind] = model.save(root / kind), loader, state, value
        return cache[kind]

    return get


def _copy(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / folder.name))


@pytest.mark.parametrize("kind", KINDS)
def test_a_flipped_byte_is_refused_naming_the_file_and_both_digests(kind, saved, tmp_path):
    original, load, state, _ = saved(kind)
    load(original)  # the untouched folder loads
    folder = _copy(original, tmp_path)
    expected = file_sha256(folder / state)
    data = bytearray((folder / state).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / state).write_bytes(bytes(data))
    with pytest.raises(IntegrityError) as error:
        load(folder)
    message = str(error.value)
    assert str(folder / state) in message and expected in message and file_sha256(folder / state) in message
    assert "\n" not in message


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_value_in_a_well_formed_file_is_refused(kind, saved, tmp_path):
    original, load, _, (name, key) = saved(kind)
    folder = _copy(original, tmp_path)
    path = folder / name
    content = json.loads(path.read_text())
    state = content["params"] if key not in content and "params" in content else content
    state[key] = state[key] + 1  # still valid JSON, still a loadable model: only the digest tells
    path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n")
    with pytest.raises(IntegrityError, match=f"{name}: sha256 [0-9a-f]{{64}} found, [0-9a-f]{{64}} expected"):
        load(folder)


def test_the_command_line_refuses_a_tampered_model_in_one_line_and_verify_names_it(saved, tmp_path, capsys):
    original, _, state, _ = saved("tfidf")
    folder = _copy(original, tmp_path)
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"id": 1, "text": "tariffs on steel"}) + "\n")
    argv = ["frames", "predict", "--input", str(source), "--output", str(out), "--model", str(folder)]
    assert main(argv) == 0 and out.exists()
    assert main(["verify", str(tmp_path)]) == 0
    assert f"OK      {folder} (" in capsys.readouterr().out

    out.unlink()
    with np.load(folder / state) as weights:
        arrays = {key: weights[key] for key in weights.files}
    arrays["threshold"][0] += 0.01  # a changed threshold: a valid npz that would load silently without the digests
    np.savez(folder / state, **arrays)
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"error: {folder / state}: sha256 ") and "Traceback" not in error
    assert not out.exists()
    assert main(["verify", str(tmp_path)]) == 2
    report = capsys.readouterr().out
    assert f"FAILED  {folder / state}: sha256" in report and "0 of 1 artifact folders verified" in report


def test_a_damaged_manifest_is_refused_with_its_line(saved, tmp_path):
    original, load, _, _ = saved("lexicon")
    folder = _copy(original, tmp_path)
    (folder / "manifest.json").write_text((folder / "manifest.json").read_text()[:-40])
    with pytest.raises(IntegrityError, match=r"manifest.json:\d+: not JSON"):
        load(folder)
