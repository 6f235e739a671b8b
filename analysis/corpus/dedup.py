"""Find exact and near-duplicate documents.

News agencies and speech archives repeat themselves: KCNA re-issues the same
story under different dates, and reprints differ only in a dateline or a
sentence.  Duplicates inflate topic sizes and leak between training and
evaluation splits, so they are reported (not dropped) here and the caller
decides what to remove.

* Exact duplicates are texts that are identical after lowercasing and
  collapsing whitespace and punctuation; they are found by hashing.
* Near duplicates are found with MinHash signatures over word shingles and
  banded locality-sensitive hashing (LSH); every candidate pair is verified
  by its MinHash estimate of Jaccard similarity before it is linked, and
  linked documents are grouped with union-find.

Items are processed as a stream: memory grows with the number of items
times ``num_perm`` (the signatures and LSH buckets), never with the text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["DuplicateGroup", "DuplicateReport", "find_duplicates"]

_TOKEN = re.compile(r"\w+")
# Signatures are 32-bit minima of the multiply-shift hash family
# h(x) = ((a * x + b) mod 2**64) >> 32 over 32-bit shingle hashes, which is
# (nearly) universal for odd `a` and cheap to vectorise with uint64 wrap-around.
_SHIFT = np.uint64(32)
_POLY_BASE = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_POLY_BASE_INVERSE = np.uint64(pow(int(_POLY_BASE), -1, 2**64))
# Shingles are hashed in chunks so a very long document never needs more
# than _CHUNK x num_perm temporary integers.
_CHUNK = 4096
_INITIAL_CAPACITY = 1024


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Items that duplicate each other.

    Attributes
    ----------
    kind : str
        ``"exact"`` or ``"near"``.
    ids : tuple of str
        Item ids in input order; the first is the one to keep.
    similarity : float
        1.0 for exact groups; for near groups the smallest estimated Jaccard
        similarity between the kept item and another member.  Members are
        linked transitively, so this can fall below the threshold.
    """

    kind: str
    ids: tuple[str, ...]
    similarity: float


@dataclass(frozen=True)
class DuplicateReport:
    """Duplicate groups found by :func:`find_duplicates`.

    Attributes
    ----------
    groups : tuple of DuplicateGroup
        Groups ordered by the position of their kept item (exact before near
        for the same item).
    n_items : int
        Number of items examined, including empty ones.
    """

    groups: tuple[DuplicateGroup, ...]
    n_items: int

    @property
    def duplicate_ids(self) -> frozenset[str]:
        """Ids that can be removed: every member except each group's first."""
        return frozenset(item_id for group in self.groups for item_id in group.ids[1:])

    def summary(self) -> dict:
        """Counts: items, exact and near groups, and removable items."""
        return {
            "items": self.n_items,
            "exact_groups": sum(group.kind == "exact" for group in self.groups),
            "near_groups": sum(group.kind == "near" for group in self.groups),
            "removable": len(self.duplicate_ids),
        }


def find_duplicates(
    items: Iterable[tuple[str, str]],
    *,
    threshold: float = 0.8,
    shingle_size: int = 5,
    num_perm: int = 128,
    seed: int = 0,
) -> DuplicateReport:
    """Group exact and near-duplicate texts.

    Parameters
    ----------
    items : iterable of (str, str)
        ``(id, text)`` pairs; ids must be unique.  Consumed once, in order.
    threshold : float, default 0.8
        Minimum estimated Jaccard similarity of two texts' shingle sets for
        them to be linked as near duplicates.
    shingle_size : int, default 5
        Number of consecutive lowercase word tokens per shingle.  A text with
        fewer tokens is a single shingle.
    num_perm : int, default 128
        Number of MinHash permutations; the standard error of a similarity
        estimate is about ``sqrt(J * (1 - J) / num_perm)`` (0.035 at 0.8).
    seed : int, default 0
        Seed of the hash permutations; results are deterministic for a seed.

    Returns
    -------
    DuplicateReport
        Exact groups (identical normalised text) and near groups (linked
        through verified pairs among the texts that are not exact
        duplicates).  Texts without any word token are never grouped.

    Raises
    ------
    ValueError
        If a parameter is out of range or an id repeats.

    Notes
    -----
    LSH splits each signature into ``bands`` bands of ``rows`` rows; two
    texts become candidates if any band is identical.  ``bands`` and
    ``rows`` are chosen to minimise the summed false-positive and
    false-negative probability mass around `threshold` (as in the
    ``datasketch`` library), and candidates are then checked against
    `threshold` with the full signature, so LSH only limits recall.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if shingle_size < 1:
        raise ValueError(f"shingle_size must be >= 1, got {shingle_size}")
    if num_perm < 2:
        raise ValueError(f"num_perm must be >= 2, got {num_perm}")
    bands, rows = _lsh_shape(threshold, num_perm)
    hasher = _MinHasher(num_perm, seed)
    buckets: list[dict[bytes, list[int]]] = [{} for _ in range(bands)]
    signatures = np.empty((_INITIAL_CAPACITY, num_perm), dtype=np.uint32)
    representative_ids: list[str] = []  # ids with a signature, in order
    representative_position: list[int] = []  # their input positions
    parent: list[int] = []  # union-find over representatives
    exact_first: dict[bytes, int] = {}  # text key -> input position of first
    exact_members: dict[int, list[int]] = {}
    seen_ids: set[str] = set()
    ids: list[str] = []

    for position, (item_id, text) in enumerate(items):
        if item_id in seen_ids:
            raise ValueError(f"duplicate item id: {item_id!r}")
        seen_ids.add(item_id)
        ids.append(item_id)
        tokens = _TOKEN.findall(text.lower())
        if not tokens:
            continue
        key = hashlib.blake2b(" ".join(tokens).encode("utf-8"), digest_size=16).digest()
        first = exact_first.setdefault(key, position)
        if first != position:
            exact_members.setdefault(first, [first]).append(position)
            continue

        signature = hasher.signature(_shingle_hashes(tokens, shingle_size))
        index = len(representative_ids)
        if index == len(signatures):
            signatures = np.concatenate([signatures, np.empty_like(signatures)])
        signatures[index] = signature
        representative_ids.append(item_id)
        representative_position.append(position)
        parent.append(index)

        band_keys = [signature[band * rows : (band + 1) * rows].tobytes() for band in range(bands)]
        candidates = {c for band, band_key in enumerate(band_keys) for c in buckets[band].get(band_key, ())}
        if candidates:
            candidate_array = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
            similarity = (signatures[candidate_array] == signature).mean(axis=1)
            for candidate in candidate_array[similarity >= threshold]:
                _union(parent, index, int(candidate))
        for band, band_key in enumerate(band_keys):
            buckets[band].setdefault(band_key, []).append(index)

    groups = [
        (first, 0, DuplicateGroup("exact", tuple(ids[member] for member in members), 1.0))
        for first, members in exact_members.items()
    ]
    for members in _components(parent):
        kept = signatures[members[0]]
        similarity = float((signatures[members[1:]] == kept).mean(axis=1).min())
        group = DuplicateGroup("near", tuple(representative_ids[m] for m in members), similarity)
        groups.append((representative_position[members[0]], 1, group))
    groups.sort(key=lambda entry: entry[:2])
    return DuplicateReport(groups=tuple(group for _, _, group in groups), n_items=len(ids))


def _components(parent: list[int]) -> list[list[int]]:
    """Union-find sets with more than one member, each in ascending order."""
    components: dict[int, list[int]] = {}
    for index in range(len(parent)):
        components.setdefault(_find(parent, index), []).append(index)
    return [members for members in components.values() if len(members) > 1]


def _find(parent: list[int], index: int) -> int:
    root = index
    while parent[root] != root:
        root = parent[root]
    while parent[index] != root:  # path compression
        parent[index], index = root, parent[index]
    return root


def _union(parent: list[int], a: int, b: int) -> None:
    """Merge the sets of `a` and `b`; the earliest item becomes the root."""
    root_a, root_b = _find(parent, a), _find(parent, b)
    if root_a != root_b:
        parent[max(root_a, root_b)] = min(root_a, root_b)


def _shingle_hashes(tokens: list[str], shingle_size: int) -> np.ndarray:
    """32-bit hashes of the text's word `shingle_size`-grams (with repeats)."""
    token_hashes = _mix64(_token_hashes(tokens))
    width = min(shingle_size, len(tokens))
    count = len(tokens) - width + 1
    # Order-sensitive polynomial combination of the token hashes, mixed again
    # so that the 32 bits kept are uniform.
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        combined = combined * _POLY_BASE + token_hashes[offset : offset + count]
    return _mix64(combined) >> _SHIFT


def _token_hashes(tokens: list[str]) -> np.ndarray:
    """Polynomial hashes of `tokens` computed without a Python-level loop.

    The tokens are joined with spaces and turned into one array of code
    points ``c``.  With prefix sums ``S[i] = sum(c[j] * B**j for j < i)``
    (mod 2**64), the hash of the token spanning ``[start, end)`` is
    ``(S[end] - S[start]) * B**-start``, since the odd base ``B`` has an
    inverse modulo 2**64.
    """
    codes = np.frombuffer(" ".join(tokens).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = len(codes)
    powers = _powers(_POLY_BASE, size)
    inverse_powers = _powers(_POLY_BASE_INVERSE, size)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(codes * powers, out=prefix[1:])
    spaces = np.flatnonzero(codes == ord(" "))
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [size]))
    return (prefix[ends] - prefix[starts]) * inverse_powers[starts]


def _powers(base: np.uint64, count: int) -> np.ndarray:
    """``base**0 .. base**(count - 1)`` modulo 2**64."""
    powers = np.empty(count, dtype=np.uint64)
    powers[:1] = 1
    np.cumprod(np.full(count - 1, base, dtype=np.uint64), out=powers[1:])
    return powers


def _mix64(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorised (uint64 arithmetic wraps)."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


class _MinHasher:
    """MinHash signatures with `num_perm` seeded multiply-shift hashes."""

    def __init__(self, num_perm: int, seed: int) -> None:
        generator = np.random.Generator(np.random.PCG64(seed))
        high = np.iinfo(np.uint64).max
        self._a = generator.integers(1, high, size=num_perm, dtype=np.uint64, endpoint=True) | np.uint64(1)
        self._b = generator.integers(0, high, size=num_perm, dtype=np.uint64, endpoint=True)

    def signature(self, shingle_hashes: np.ndarray) -> np.ndarray:
        signature = np.full(len(self._a), np.iinfo(np.uint32).max, dtype=np.uint32)
        for start in range(0, len(shingle_hashes), _CHUNK):
            chunk = shingle_hashes[start : start + _CHUNK, None]
            hashed = ((chunk * self._a + self._b) >> _SHIFT).astype(np.uint32)
            np.minimum(signature, hashed.min(axis=0), out=signature)
        return signature


def _lsh_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows minimising false-positive plus false-negative mass.

    The probability that a pair with Jaccard similarity ``s`` shares at least
    one band is ``1 - (1 - s**rows)**bands``; false positives are integrated
    below `threshold`, false negatives above it.
    """
    step = 0.001
    below = np.arange(0.0, threshold, step)
    above = np.arange(threshold, 1.0 + step / 2, step)
    best = (np.inf, 1, 1)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = (1 - (1 - below**rows) ** bands).sum() * step
            false_negative = ((1 - above**rows) ** bands).sum() * step
            if false_positive + false_negative < best[0]:
                best = (false_positive + false_negative, bands, rows)
    return best[1], best[2]
