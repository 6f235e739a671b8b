"""The preprocess stage: text -> tokens for the topic models (:mod:`analysis.preprocess.preprocessor`)."""

from analysis.preprocess.preprocessor import (
    DOMAIN_STOPWORDS,
    JOINED_PREFIXES,
    PREPROCESSOR_FILE,
    SPACY_MODEL,
    PreprocessConfig,
    Preprocessor,
    join_phrases,
)

__all__ = ["DOMAIN_STOPWORDS", "JOINED_PREFIXES", "PREPROCESSOR_FILE", "SPACY_MODEL",
           "PreprocessConfig", "Preprocessor", "join_phrases"]
