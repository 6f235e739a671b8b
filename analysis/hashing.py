"""The two digests the project uses, written once: sha1 of a text, sha256 of a file."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK_SIZE = 1 << 20


def text_sha1(text: str) -> str:
    """Hex sha1 of ``text`` in UTF-8: the key of a unit (``units.parquet``'s ``sha1``) and of its cached vector."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def file_sha256(path: str | Path, *, chunk_size: int = CHUNK_SIZE) -> str:
    """Hex sha256 of a file's bytes, read in chunks (corpus files run to gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
