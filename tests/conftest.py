"""Shared fixtures: the real corpora in the data home."""

import os
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


@pytest.fixture(autouse=True, scope="session")
def _caches_outside_the_repository(tmp_path_factory):
    """Without ``$ANALYSIS_CACHE``, tests embed and project into a temporary folder, never ``artifacts/cache``."""
    if os.environ.get("ANALYSIS_CACHE"):
        yield  # a cache the user chose (content-hash keyed, safe to share)
        return
    import analysis.embeddings
    import analysis.topics.projection

    root = tmp_path_factory.mktemp("cache")
    saved = analysis.embeddings.DEFAULT_CACHE, analysis.topics.projection.DEFAULT_CACHE
    analysis.embeddings.DEFAULT_CACHE = root / "embeddings"
    analysis.topics.projection.DEFAULT_CACHE = root / "umap"
    yield
    analysis.embeddings.DEFAULT_CACHE, analysis.topics.projection.DEFAULT_CACHE = saved



@pytest.fixture(scope="session")
def korea_csv(tmp_path_factory, data_home):
    """A researcher's own CSV: General Debate paragraphs of 2004-2012 on Korea, under columns of their choosing."""
    from analysis import load_units

    units = load_units("ungdc", query=r"(?i)\bkorea", years=(2004, 2012), speakers=["JPN", "KOR", "PRK", "CHN", "USA"])
    path = tmp_path_factory.mktemp("own") / "korea.csv"
    units.rename(columns={"unit_id": "pid", "text": "body", "speaker": "country", "year": "session"})[
        ["pid", "body", "country", "session"]].to_csv(path, index=False)
    return path, units
