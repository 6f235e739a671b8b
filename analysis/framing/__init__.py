"""Framing: the codebook, annotations and their reliability, and the frame classifiers."""

#: The frame models, by name (the command line offers these without importing the models).
MODEL_KINDS = ("lexicon", "zeroshot", "supervised", "tfidf", "combined", "combined-codebook", "finetuned")
#: The kinds ``frames train`` and ``frames evaluate`` run when none are named: all but ``finetuned``, whose
#: training takes minutes (and its cross-validation five times as long).
STANDARD_KINDS = MODEL_KINDS[:-1]
#: The model ``frames predict`` and ``frames apply`` use when none is named.
DEFAULT_KIND = "combined-codebook"
