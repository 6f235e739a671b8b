"""Leave-one-source-out transfer: the test source never reaches training, and the scores are the test side's."""

import logging

import numpy as np
import pandas as pd

from analysis.framing.codebook import FRAMES
from analysis.framing.evaluate import transfer_metrics


class KeywordOracle:
    """Marks a frame present when the text names it; records what it was trained on."""

    trained_on: list[list[str]] = []

    def fit(self, texts, labels, *, groups):
        KeywordOracle.trained_on.append(list(texts))
        self.threshold_ = np.full(len(FRAMES), 0.5)
        return self

    def predict_proba(self, texts):
        return np.array([[float(frame in text) for frame in FRAMES] for text in texts])


def units(subcorpora):
    rows = []
    for subcorpus in subcorpora:
        for i, frame in enumerate(FRAMES * 2):
            rows.append({"unit_id": f"{subcorpus}-{i}#0", "doc_id": f"{subcorpus}-{i}", "heldout": False,
                         "subcorpus": subcorpus, "text": f"{subcorpus} says {frame}",
                         **{name: name == frame for name in FRAMES}})
    return pd.DataFrame(rows)


def test_the_test_source_is_never_trained_on_and_a_split_without_units_is_skipped_and_logged(caplog):
    KeywordOracle.trained_on = []
    labelled = units(["ungdc-japan-korea", "kcna-japan-korea"])
    with caplog.at_level(logging.WARNING):
        table = transfer_metrics(labelled, KeywordOracle)
    assert list(zip(table["train"], table["test"])) == [("UNGDC", "KCNA"), ("KCNA", "UNGDC")]
    assert not any(text.startswith("kcna") for text in KeywordOracle.trained_on[0])
    assert all(text.startswith("kcna") for text in KeywordOracle.trained_on[1])
    assert (table["test_units"] == 6).all() and (table["macro_f1"] == 1.0).all()
    assert "4 of 6 splits skipped" in caplog.text and "UNGDC -> news" in caplog.text
