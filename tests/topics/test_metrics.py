"""Topic metrics on hand cases and on real BBC News text."""

import math
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.topics.metrics import Reference, coherence, evaluate_topics, label_agreement, topic_diversity
from analysis.topics.result import TopicResult

TOKEN = re.compile(r"[a-z]{3,}")

# Football words: each occurs in more BBC sport articles than in all other articles together (checked below).
SPORT = ["match", "club", "cup", "season", "coach", "injury", "league", "champions"]
UNKNOWN = ["qqxnotaword", "zzynotaword"]


def tokenise(text: str) -> list[str]:
    return [word for word in TOKEN.findall(text.lower()) if word not in ENGLISH_STOP_WORDS]


@pytest.fixture(scope="module")
def bbc(open_named):
    """BBC News as (token lists, labels)."""
    documents = list(open_named("bbc"))
    return [tokenise(d.text) for d in documents], [d.meta["label"] for d in documents]


@pytest.fixture(scope="module")
def reference(bbc):
    return Reference(bbc[0])


@pytest.fixture(scope="module")
def random_topic(reference):
    """Eight words drawn with a fixed seed from the words in at least 20 BBC articles."""
    dictionary = reference.dictionary
    common = sorted(word for word, i in dictionary.token2id.items() if dictionary.dfs[i] >= 20)
    return [str(word) for word in np.random.default_rng(0).choice(common, size=8, replace=False)]


@pytest.fixture(scope="module")
def topics(random_topic):
    """Sport; an unscorable topic (one known word); random words; sport with two unknown words inside."""
    return [SPORT, ["match", UNKNOWN[0]], random_topic, SPORT[:4] + UNKNOWN + SPORT[4:]]


@pytest.fixture(scope="module")
def npmi(topics, reference):
    return coherence(topics, reference, measure="c_npmi")


# --- topic diversity ----------------------------------------------------------------------------


def test_diversity_of_distinct_topics_is_one():
    assert topic_diversity([["a", "b"], ["c", "d"], ["e", "f"]], top_n=2) == 1.0


def test_diversity_of_identical_topics_is_one_over_k():
    assert topic_diversity([["a", "b", "c"]] * 4, top_n=3) == 0.25


def test_diversity_mixed_case_counts_only_the_top_n_words():
    topics = [["a", "b", "c", "x"], ["a", "d", "e", "y"], ["f", "b", "g", "z"]]
    assert topic_diversity(topics, top_n=3) == pytest.approx(7 / 9)  # a and b are shared; x, y, z are cut
    assert topic_diversity(topics, top_n=4) == pytest.approx(10 / 12)


def test_diversity_refuses_topics_shorter_than_top_n():
    with pytest.raises(ValueError, match="fewer than top_n=25"):
        topic_diversity([["a"] * 25, ["b"] * 10])


@given(
    st.integers(1, 6).flatmap(
        lambda n: st.lists(st.lists(st.sampled_from("abcdefghij"), min_size=n, max_size=n, unique=True), min_size=1)
    )
)
def test_diversity_lies_between_one_over_k_and_one(topics):
    diversity = topic_diversity(topics, top_n=len(topics[0]))
    assert 1 / len(topics) - 1e-12 <= diversity <= 1.0


# --- coherence on BBC News ----------------------------------------------------------------------


def test_sport_words_are_sport_words(bbc):
    """The premise of the coherence tests: the SPORT words really concentrate in BBC sport articles."""
    tokens, labels = bbc
    in_sport, elsewhere = Counter(), Counter()
    for words, label in zip(tokens, labels):
        (in_sport if label == "sport" else elsewhere).update(set(words) & set(SPORT))
    assert all(in_sport[word] > elsewhere[word] for word in SPORT), (in_sport, elsewhere)


def test_npmi_of_sport_topic_far_above_random_words(npmi):
    sport, random = npmi.per_topic[0], npmi.per_topic[2]
    assert sport > 0.05
    assert sport - random > 0.3


def test_npmi_scores_lie_in_minus_one_to_one(npmi):
    scored = [score for score in npmi.per_topic if not math.isnan(score)]
    assert len(scored) == 3
    assert all(-1.0 <= score <= 1.0 for score in scored)


def test_unknown_words_are_dropped_and_counted(npmi):
    assert npmi.unknown_words == 3
    assert npmi.per_topic[3] == pytest.approx(npmi.per_topic[0], abs=1e-12)  # sport with unknowns == sport


def test_topic_with_one_known_word_is_unscored(npmi):
    assert math.isnan(npmi.per_topic[1])
    assert npmi.unscored_topics == 1
    assert npmi.mean == pytest.approx(np.nanmean(npmi.per_topic))


def test_a_topic_scores_the_same_alone_as_among_others(npmi, random_topic, reference):
    """A topic's score depends on its words only; also checks scores stay aligned past an unscored topic."""
    alone = coherence([random_topic], reference, measure="c_npmi")
    assert alone.per_topic[0] == pytest.approx(npmi.per_topic[2], abs=1e-12)


@pytest.mark.parametrize("measure", ["c_npmi", "c_v"])
def test_prepared_counts_give_the_same_scores_as_counting_afresh(topics, bbc, measure):
    fresh = coherence(topics, Reference(bbc[0]), measure=measure)
    prepared = Reference(bbc[0])
    prepared.prepare(topics + [["government", "minister", "election"]], measures=[measure])
    prepared.texts = []  # counting afresh now would see no windows: the scores must come from the prepared counts
    reused = coherence(topics, prepared, measure=measure)
    np.testing.assert_allclose(reused.per_topic, fresh.per_topic, rtol=0, atol=1e-12)
    assert (reused.unknown_words, reused.unscored_topics) == (fresh.unknown_words, fresh.unscored_topics)


def test_npmi_is_deterministic(npmi, topics, reference):
    again = coherence(topics, reference, measure="c_npmi")
    np.testing.assert_array_equal(again.per_topic, npmi.per_topic)
    assert (again.mean, again.unknown_words, again.unscored_topics) == (
        npmi.mean,
        npmi.unknown_words,
        npmi.unscored_topics,
    )


def test_c_v_lies_in_zero_to_one_and_ranks_sport_above_random(topics, reference):
    c_v = coherence(topics, reference, measure="c_v")
    assert c_v.measure == "c_v"
    scored = [score for score in c_v.per_topic if not math.isnan(score)]
    assert len(scored) == 3
    assert all(0.0 <= score <= 1.0 for score in scored)
    assert c_v.per_topic[0] - c_v.per_topic[2] > 0.2


def test_coherence_rejects_bad_input():
    reference = [["match", "club", "cup"]]
    with pytest.raises(ValueError, match="unknown coherence measure"):
        coherence([["match", "club"]], reference, measure="u_mass")
    with pytest.raises(ValueError, match="no topics"):
        coherence([], reference)
    with pytest.raises(ValueError, match="lists a word twice"):
        coherence([["match", "club", "match"]], reference)


def test_topics_without_known_word_pairs_give_nan_mean():
    score = coherence([["match", "nothing"], ["club"]], [["match", "club", "cup"]])
    assert math.isnan(score.mean)
    assert score.unscored_topics == 2
    assert score.unknown_words == 1


# --- agreement with gold labels -----------------------------------------------------------------


def test_perfect_clustering_scores_one(bbc):
    labels = bbc[1]
    classes = sorted(set(labels))
    agreement = label_agreement([classes.index(label) for label in labels], labels)
    assert agreement["nmi"] == pytest.approx(1.0)
    assert agreement["ari"] == pytest.approx(1.0)
    assert (agreement["n_scored"], agreement["n_outliers"]) == (len(labels), 0)


def test_topic_numbering_does_not_matter(bbc):
    labels = bbc[1]
    renumbered = dict(zip(sorted(set(labels)), [3, 0, 4, 1, 2], strict=True))
    agreement = label_agreement([renumbered[label] for label in labels], labels)
    assert agreement["nmi"] == pytest.approx(1.0)
    assert agreement["ari"] == pytest.approx(1.0)


def test_random_assignment_scores_near_zero(bbc):
    labels = bbc[1]
    random_topics = np.random.default_rng(0).integers(0, 5, size=len(labels))
    agreement = label_agreement(random_topics, labels)
    assert abs(agreement["nmi"]) < 0.01
    assert abs(agreement["ari"]) < 0.01


def test_outliers_form_their_own_cluster_when_included():
    dominant = [0, 0, 1, 1, -1, -1]
    exactly_class_c = label_agreement(dominant, ["a", "a", "b", "b", "c", "c"])
    assert exactly_class_c["nmi"] == pytest.approx(1.0)
    mixed = label_agreement(dominant, ["a", "a", "b", "b", "a", "b"])
    assert mixed["nmi"] < 0.9
    assert (mixed["n_scored"], mixed["n_outliers"]) == (6, 2)


def test_outliers_dropped_when_excluded():
    agreement = label_agreement([0, 0, 1, 1, -1, -1], ["a", "a", "b", "b", "a", "b"], include_outliers=False)
    assert agreement["nmi"] == pytest.approx(1.0)
    assert agreement["ari"] == pytest.approx(1.0)
    assert (agreement["n_scored"], agreement["n_outliers"]) == (4, 2)


def test_all_outliers_dropped_gives_nan():
    agreement = label_agreement([-1, -1], ["a", "b"], include_outliers=False)
    assert math.isnan(agreement["nmi"]) and math.isnan(agreement["ari"])
    assert agreement["n_scored"] == 0


def test_label_agreement_rejects_length_mismatch():
    with pytest.raises(ValueError, match="3 dominant topics but 2 labels"):
        label_agreement([0, 1, 1], ["a", "b"])


# --- the whole evaluation -----------------------------------------------------------------------


def test_evaluate_class_model_on_bbc(bbc, reference):
    """A "model" whose topics are the BBC classes: each topic's words are its class's most frequent words."""
    tokens, labels = bbc
    classes = sorted(set(labels))
    topics = []
    for name in classes:
        counts = Counter(word for words, label in zip(tokens, labels) if label == name for word in words)
        total = sum(counts.values())
        topics.append([(word, n / total) for word, n in counts.most_common(25)])
    doc_topic = np.eye(len(classes))[[classes.index(label) for label in labels]]

    scores = evaluate_topics(TopicResult(topics=topics, doc_topic=doc_topic), reference, labels=labels)

    assert scores["nmi"] == pytest.approx(1.0)
    assert scores["ari"] == pytest.approx(1.0)
    assert scores["npmi"] > 0
    assert 0 < scores["c_v"] <= 1
    assert 0.2 < scores["diversity"] < 1  # "said", "year", "new" top every class
    assert (scores["n_topics"], scores["outlier_share"], scores["n_outliers"]) == (5, 0.0, 0)
    assert (scores["unknown_words"], scores["unscored_topics"]) == (0, 0)
    assert scores["largest_topic_share"] == pytest.approx(max(Counter(labels).values()) / len(labels))


def test_evaluate_reports_outliers_and_omits_agreement_without_labels():
    result = TopicResult(
        topics=[[("cat", 0.5), ("dog", 0.3), ("pet", 0.2)], [("pet", 0.6), ("car", 0.3), ("road", 0.1)]],
        doc_topic=np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
    )
    reference = [["cat", "dog", "pet"], ["car", "road", "pet"], ["dog", "cat"]]
    scores = evaluate_topics(result, reference, top_n_coherence=3, top_n_diversity=3)
    assert scores["outlier_share"] == pytest.approx(1 / 3)
    assert scores["largest_topic_share"] == pytest.approx(1 / 3)  # of all documents, the outlier among them
    assert scores["diversity"] == pytest.approx(5 / 6)
    assert scores["n_topics"] == 2
    assert not {"nmi", "ari"} & scores.keys()


def test_diversity_of_short_topics_counts_the_words_they_have_when_allowed():
    topics = [["a", "b", "c"], ["a", "d"]]
    assert topic_diversity(topics, top_n=3, allow_short=True) == pytest.approx(4 / 5)
