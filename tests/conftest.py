"""Shared fixtures: the real corpora in the data home."""

from pathlib import Path

import pytest

from analysis.corpus.manifest import find_data_home, load_manifest
from analysis.corpus.readers import open_corpus


@pytest.fixture(scope="session")
def data_home() -> Path:
    home = find_data_home()
    if not home.is_dir():
        pytest.skip(f"no data home at {home}: set ANALYSIS_DATA_HOME or put the shared corpora beside the project")
    return home


@pytest.fixture(scope="session")
def open_named(data_home):
    """Open a corpus of the project by its manifest name."""

    def opener(name: str):
        return open_corpus(load_manifest(name), data_home=data_home)

    return opener
