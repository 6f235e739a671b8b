"""Framing: the codebook, annotations and their reliability, and the frame classifiers."""
