"""Framing: the codebook, annotations and their reliability, and the frame classifiers."""

#: The frame models, by name (the command line offers these without importing the models).
MODEL_KINDS = ("lexicon", "zeroshot", "supervised", "tfidf", "combined", "combined-codebook")
#: The model ``frames predict`` and ``frames apply`` use when none is named.
DEFAULT_KIND = "combined-codebook"
