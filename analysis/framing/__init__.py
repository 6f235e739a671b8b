"""Framing: the codebook, annotations and their reliability, and the frame classifiers."""

#: The frame models, by name (the command line offers these without importing the models).
MODEL_KINDS = ("lexicon", "zeroshot", "supervised", "tfidf", "combined", "combined-codebook", "finetuned")
#: The kinds that train for minutes, not seconds: only when named (``make evaluate``), never by default.
SLOW_KINDS = ("finetuned",)
#: The kinds ``frames train`` and ``frames evaluate`` take when none are named.
QUICK_KINDS = tuple(kind for kind in MODEL_KINDS if kind not in SLOW_KINDS)
#: The model ``frames predict`` and ``frames apply`` use when none is named.
DEFAULT_KIND = "combined-codebook"
