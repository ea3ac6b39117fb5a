"""Hashed character n-grams of petition texts, for the repeat index (pure: no Django)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from xinfang.insight.text import _clean

_BITS = 21


_MASK = (1 << _BITS) - 1


_NONWORD = re.compile(r"[\W_]+")


_GOLD = np.uint64(0x9E3779B97F4A7C15)


_SALT = np.uint64(0xD6E8FEB86659FD93)


def _norm(title: str, body: str) -> str:
    return _NONWORD.sub("", _clean(title) + "。" + _clean(body)).lower()


def _batch_grams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Unique (document index, packed 3-gram) pairs of normalised texts, sorted by document."""
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = np.frombuffer("\0".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)[: len(codes)]
    m = len(codes) - 2
    if m <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b, c = codes[:m], codes[1 : m + 1], codes[2 : m + 2]
    ok = (a != 0) & (b != 0) & (c != 0)
    keys = ((a << (2 * _BITS)) | (b << _BITS) | c)[ok]
    docs = doc_of[:m][ok]
    # unique (doc, gram) pairs via one sort of a 64-bit hash of the pair (no collisions in
    # practice: a batch holds a few million pairs)
    h = _mix(keys) ^ (docs.astype(np.uint64) * _SALT)
    order = np.argsort(h)
    hs = h[order]
    keep = np.ones(len(hs), dtype=bool)
    keep[1:] = hs[1:] != hs[:-1]
    order = np.sort(order[keep])  # back in text order: sorted by document
    return docs[order], keys[order]


def _title_flags(titles: Sequence[str], docs: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Per (doc, gram) pair: does the gram occur in that document's title?"""
    tdocs, tkeys = _batch_grams(titles)
    pair = _mix(keys) ^ (docs.astype(np.uint64) * _SALT)
    tpair = _mix(tkeys) ^ (tdocs.astype(np.uint64) * _SALT)
    return np.isin(pair, tpair)


def _shared_phrases(text: str, grams: list[tuple[str, float]], k: int = 5) -> tuple[str, ...]:
    """The shared grams joined into the phrases of ``text`` they cover, weightiest first."""
    weight = [0.0] * (len(text) + 1)
    covered = [False] * (len(text) + 1)
    for gram, wt in grams:
        pos = text.find(gram)
        if pos < 0:
            continue
        weight[pos] += wt
        for i in range(pos, pos + len(gram)):
            covered[i] = True
    runs: list[tuple[float, int, str]] = []
    i = 0
    while i < len(text):
        if not covered[i]:
            i += 1
            continue
        j = i
        while j < len(text) and covered[j]:
            j += 1
        phrase = text[i:j]
        runs.append((-sum(weight[i:j]), i, phrase if len(phrase) <= 12 else phrase[:11] + "…"))
        i = j
    return tuple(p for _, _, p in sorted(runs)[:k])


def _mix(keys: np.ndarray) -> np.ndarray:
    """A 64-bit hash of packed grams (bucket index and deterministic tie-break)."""
    return keys.astype(np.uint64) * _GOLD


def _term(key: int) -> str:
    chars = [(key >> (_BITS * j)) & _MASK for j in (2, 1, 0)]
    return "".join(chr(ch) for ch in chars if ch)
