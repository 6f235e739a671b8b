"""One contract test runs every topic backend on real BBC News articles."""

import inspect

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from analysis.preprocess import PreprocessConfig
from analysis.topics.models import BACKENDS, load_topic_model, make_topic_model
from tests.helpers import assert_rows_sum_to_one

K = 5
SMALL = PreprocessConfig(min_df=3, max_df=0.5, phrase_min_count=3)


@pytest.fixture(scope="module")
def bbc(open_named):
    """400 real articles to fit on and 60 others to transform, across the five classes."""
    documents = list(open_named("bbc"))
    rng = np.random.default_rng(0)
    picked = rng.choice(len(documents), size=460, replace=False)
    texts = [documents[i].text for i in picked]
    labels = [documents[i].meta["label"] for i in picked]
    return texts[:400], texts[400:], labels[:400]


@pytest.fixture(scope="module", params=[pytest.param(b, marks=pytest.mark.slow) if b == "bertopic" else b
                                        for b in sorted(BACKENDS)])
def fitted(request, bbc):
    train, _, _ = bbc
    model = make_topic_model(request.param, n_topics=K, seed=3, preprocess=SMALL)
    assert model.fit(train) is model
    return model


def test_constructor_is_keyword_only_and_unfitted_models_refuse_transform():
    for backend, cls in BACKENDS.items():
        parameters = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        assert all(p.kind == p.KEYWORD_ONLY for p in parameters), backend
        with pytest.raises(NotFittedError, match="not fitted"):
            make_topic_model(backend).transform(["text"])


def test_topics_doc_topic_and_topic_info(fitted, bbc):
    train, _, _ = bbc
    k = len(fitted.topics_)
    assert 2 <= k <= K
    assert all(len(topic) >= 10 and all(isinstance(w, str) for w, _ in topic) for topic in fitted.topics_)
    doc_topic = fitted.result().doc_topic
    assert doc_topic.shape == (len(train), k) and (doc_topic >= 0).all()
    assert_rows_sum_to_one(doc_topic)
    info = fitted.topic_info()
    assert list(info.columns) == ["topic", "documents", "words"] and len(info) == k


def test_transform_new_documents_and_save_load_is_the_identity(fitted, bbc, tmp_path):
    _, new, _ = bbc
    matrix = fitted.transform(new)
    assert matrix.shape == (len(new), len(fitted.topics_))
    assert_rows_sum_to_one(matrix)
    np.testing.assert_array_equal(fitted.transform(new), matrix)  # transform is deterministic
    folder = fitted.save(tmp_path / fitted.backend)
    assert not [p for p in folder.iterdir() if p.suffix not in {".json", ".npz", ".safetensors"}]
    loaded = load_topic_model(folder)
    assert loaded.topics_ == fitted.topics_
    np.testing.assert_allclose(loaded.transform(new), matrix, rtol=0, atol=1e-6)


def test_same_seed_gives_the_same_topics(fitted, bbc, tmp_path, monkeypatch):
    import analysis.topics.projection

    monkeypatch.setattr(analysis.topics.projection, "DEFAULT_CACHE", tmp_path)  # project afresh, not from the cache
    train, _, _ = bbc
    again = make_topic_model(fitted.backend, n_topics=K, seed=3, preprocess=SMALL).fit(train)
    assert again.topics_ == fitted.topics_
    np.testing.assert_array_equal(again.result().doc_topic, fitted.result().doc_topic)


def test_topics_recover_the_news_classes(fitted, bbc):
    from sklearn.metrics import normalized_mutual_info_score

    _, _, labels = bbc
    dominant = fitted.result().dominant_topic()
    assert normalized_mutual_info_score(labels, dominant) > 0.3


def test_bertopic_outlier_reduction_assigns_every_document_and_keeps_the_topic_words(bbc):
    train, _, _ = bbc
    # small neighbourhoods and clusters leave some articles unclustered (17 of 400 with this seed)
    settings = {"n_topics": K, "seed": 3, "preprocess": SMALL, "clustering": "hdbscan", "min_cluster_size": 5, "n_neighbors": 5}
    plain = make_topic_model("bertopic", **settings).fit(train)
    reduced = make_topic_model("bertopic", **settings, reduce_outliers=True).fit(train)
    assert (plain.result().dominant_topic() == -1).any(), "the plain fit has no outliers to reduce"
    assert (reduced.result().dominant_topic() >= 0).all()
    assert all(len(topic) == 25 for topic in reduced.topics_)


@pytest.mark.slow
def test_bertopic_default_kmeans_clustering_gives_every_document_one_of_exactly_k_topics(bbc, tmp_path):
    train, new, labels = bbc
    model = make_topic_model("bertopic", n_topics=K, seed=3, preprocess=SMALL).fit(train)
    dominant = model.result().dominant_topic()
    assert len(model.topics_) == K and (dominant >= 0).all()
    assert np.bincount(dominant).max() < 0.5 * len(train)  # no catch-all topic
    loaded = load_topic_model(model.save(tmp_path / "kmeans"))
    assert loaded.clustering == "kmeans"
    np.testing.assert_allclose(loaded.transform(new), model.transform(new), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="clustering must be"):
        make_topic_model("bertopic", n_topics=K, preprocess=SMALL, clustering="leaf").fit(train)


@pytest.mark.slow
def test_bertopic_exclusive_ranking_keeps_the_clusters_and_spreads_the_words(bbc):
    from analysis.topics.metrics import topic_diversity

    train, _, _ = bbc
    settings = {"n_topics": K, "seed": 3, "preprocess": SMALL, "clustering": "kmeans"}
    plain = make_topic_model("bertopic", **settings, exclusivity=0.0).fit(train)
    exclusive = make_topic_model("bertopic", **settings).fit(train)  # the default ranking, exclusivity 0.5
    np.testing.assert_array_equal(exclusive.result().doc_topic, plain.result().doc_topic)
    assert all(len(topic) == 25 for topic in exclusive.topics_)
    assert topic_diversity(exclusive.result().top_words(25)) > topic_diversity(plain.result().top_words(25))


def test_exclusive_ranking_keeps_the_weights_and_spreads_the_words(bbc):
    from analysis.topics.metrics import topic_diversity

    train, _, _ = bbc
    by_weight = {"exclusivity": 0.0, "coverage": 0.0, "distinct_words": False}
    plain = make_topic_model("nmf", n_topics=10, seed=0, preprocess=SMALL, **by_weight).fit(train)
    exclusive = make_topic_model("nmf", n_topics=10, seed=0, preprocess=SMALL,
                                 **by_weight | {"exclusivity": 0.5}).fit(train)
    default = make_topic_model("nmf", n_topics=10, seed=0, preprocess=SMALL).fit(train)
    for model in (exclusive, default):  # only the ranking differs
        np.testing.assert_array_equal(plain.components_, model.components_)
    assert all([w for w, _ in topic] == sorted([w for w, _ in topic], key=lambda w, t=dict(topic): -t[w])
               for topic in plain.topics_)  # exclusivity 0: best weight first
    def words(model):
        return [[w for w, _ in topic] for topic in model.topics_]

    assert topic_diversity(words(exclusive)) > topic_diversity(words(plain))
    assert topic_diversity(words(default)) == 1.0  # distinct words: none in two topics


def test_coverage_ranks_up_words_found_across_the_topics_documents(bbc):
    from analysis.topics.models import document_coverage

    train, _, _ = bbc
    settings = {"n_topics": 10, "seed": 0, "preprocess": SMALL, "exclusivity": 0.5, "distinct_words": False}
    without = make_topic_model("nmf", **settings, coverage=0.0).fit(train)
    covered = make_topic_model("nmf", **settings, coverage=1.0).fit(train)
    tokens = covered.preprocessor_.transform(train)
    coverage = document_coverage(covered.doc_topic_, covered.vectorizer_.transform(tokens))
    index = {word: i for i, word in enumerate(covered.preprocessor_.vocabulary_)}

    def mean_coverage(model):
        return np.mean([coverage[t, index[w]] for t, topic in enumerate(model.topics_) for w, _ in topic[:10]])

    assert mean_coverage(covered) > 1.1 * mean_coverage(without)  # BBC slice: .353 against .309


def test_distinct_words_go_to_the_topic_that_ranks_them_first_as_far_as_the_vocabulary_allows(caplog):
    from analysis.topics.models import rank_top_words

    weights = np.array([[5.0, 4.0, 1.0, 0.5], [4.5, 0.1, 3.0, 2.0]])  # "a" is the best word of both topics
    shared = rank_top_words(weights, list("abcd"), n=2)
    distinct = rank_top_words(weights, list("abcd"), n=2, distinct=True)
    assert [[w for w, _ in topic] for topic in shared] == [["a", "b"], ["a", "c"]]
    assert [[w for w, _ in topic] for topic in distinct] == [["a", "b"], ["c", "d"]]
    assert distinct[1][0] == ("c", round(3.0 / 9.6, 6))  # the weight shown is the word's share of the topic
    three = rank_top_words(weights, list("abcd"), n=3, distinct=True)  # 4 words cannot give 2 topics 3 of their own
    assert [[w for w, _ in topic] for topic in three] == [["a", "b", "c"], ["c", "d", "a"]]
    assert "give each 2 words of its own" in caplog.text


def test_select_k_reports_mean_and_sd_per_k_and_refuses_heldout_units(bbc):
    import pandas as pd

    from analysis.corpus.heldout import HeldOutError
    from analysis.topics.pipeline import select_k

    train, _, _ = bbc
    units = pd.DataFrame({"unit_id": [f"bbc#{i}" for i in range(len(train))], "text": train, "heldout": False})
    runs, summary = select_k(units, backend="nmf", ks=[3, 6], seeds=[0, 1], preprocess=SMALL, exclusivity=0.0,
                          coverage=0.0, distinct_words=False)  # by weight, where diversity can fall
    assert len(runs) == 4 and summary["k"].tolist() == [3, 6]
    assert summary.filter(like="_sd").ge(0).all().all()
    assert summary.loc[0, "diversity_mean"] > summary.loc[1, "diversity_mean"]  # more topics share more words
    with pytest.raises(HeldOutError):
        select_k(units.assign(heldout=True), backend="nmf", ks=[3], seeds=[0])


def test_the_command_line_offers_exactly_the_backends():
    from analysis.topics import BACKEND_NAMES

    assert set(BACKEND_NAMES) == set(BACKENDS)
