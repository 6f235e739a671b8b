"""The annotated units, rebuilt from the real corpora (only the annotated documents are segmented)."""

import pandas as pd
import pytest

from analysis.corpus.manifest import load_manifest
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import SegmentOptions, document_units
from analysis.framing.annotation import attach_text, gold_annotations

#: The corpus behind each annotated subcorpus.
SUBCORPUS_OF = {"ungdc": "ungdc-japan-korea", "kcna-stories": "kcna-japan-korea", "bbc": "news-bbc-japan-korea",
                "reuters21578": "news-reuters-japan-korea"}


@pytest.fixture(scope="session")
def annotated_units(data_home) -> pd.DataFrame:
    gold = gold_annotations()
    wanted = set(gold["doc_id"])
    rows = []
    for name, subcorpus in SUBCORPUS_OF.items():
        manifest = load_manifest(name)
        for document in open_corpus(manifest, data_home=data_home):
            if document.id in wanted:
                rows.extend({**unit, "subcorpus": subcorpus} for unit in document_units(document, SegmentOptions(**manifest.units))[0])
    return attach_text(gold, pd.DataFrame(rows), source="annotations")
