"""Near-duplicate questions: MinHash signatures of word n-grams, banded LSH, exact Jaccard check.

Deterministic (fixed hash seeds); roughly linear in the number of texts.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from itertools import combinations

_WORD = re.compile(r"\w+")
_MERSENNE = (1 << 61) - 1


def shingles(text: str, n: int = 3) -> set[str]:
    """Lower-cased word n-grams (the whole text if it is shorter than n words)."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _coefficients(num_perm: int) -> list[tuple[int, int]]:
    out = []
    for i in range(num_perm):
        digest = hashlib.sha256(f"minhash-{i}".encode()).digest()
        a = int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1
        b = int.from_bytes(digest[8:16], "big") % _MERSENNE
        out.append((a, b))
    return out


def signature(grams: set[str], coefficients: list[tuple[int, int]]) -> tuple[int, ...]:
    hashes = [
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams
    ] or [0]
    return tuple(min((a * h + b) % _MERSENNE for h in hashes) for a, b in coefficients)


def near_duplicates(
    texts: list[str], threshold: float = 0.8, ngram: int = 3, num_perm: int = 64, bands: int = 16
) -> list[int]:
    """Indices of texts to drop: each is a near-duplicate (Jaccard >= threshold) of an earlier kept text."""
    coefficients = _coefficients(num_perm)
    rows = num_perm // bands
    grams = [shingles(t, ngram) for t in texts]
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        sig = signature(g, coefficients)
        for band in range(bands):
            buckets[(band, sig[band * rows : (band + 1) * rows])].append(i)
    candidates: set[tuple[int, int]] = set()
    for members in buckets.values():
        candidates.update(combinations(members, 2))
    dropped: set[int] = set()
    for i, j in sorted(candidates):
        if i in dropped or j in dropped:
            continue
        if jaccard(grams[i], grams[j]) >= threshold:
            dropped.add(j)
    return sorted(dropped)
