"""The frame models' cross-validation does not depend on the encoder runtime that made their vectors."""

import numpy as np
import pandas as pd
import pytest

from analysis.framing.pipeline import cross_validate_kind


@pytest.mark.slow
def test_cross_validation_is_the_same_to_three_decimals_with_either_runtime(annotated_units, monkeypatch):
    # a slice of whole documents, so that grouped folds stay grouped: about 300 units
    documents = annotated_units["doc_id"].drop_duplicates().sample(frac=1, random_state=0)
    sizes = annotated_units.groupby("doc_id").size().loc[documents].cumsum()
    units = annotated_units[annotated_units["doc_id"].isin(sizes[sizes <= 300].index)].reset_index(drop=True)
    results = {}
    for runtime in ("torch", "onnxruntime"):
        monkeypatch.setenv("ANALYSIS_ENCODER", runtime)
        results[runtime] = cross_validate_kind(units, kind="supervised", seed=0)
    torch, onnx = results["torch"], results["onnxruntime"]
    assert len(units) > 250 and np.abs(torch["scores"] - onnx["scores"]).max() < 1e-4
    pd.testing.assert_frame_equal(torch["per_frame"].round(3), onnx["per_frame"].round(3))
    assert round(torch["primary_accuracy"], 3) == round(onnx["primary_accuracy"], 3)
