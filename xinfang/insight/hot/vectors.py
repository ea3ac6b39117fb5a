"""The text work of hot issues that does not depend on which petitions are grouped together
(pure: no Django): a body's hashed 2–3-gram counts are the same in every scope that groups it, so
the worker's refresh (``insight.hot.snapshots``) cuts each body once and every scope reuses it
(issue 14: the 149 scopes of a province share most of their petitions).

The IDF weighting and everything after it stay per scope (``issues._vectorise``): a scope's
issues are exactly what ``hot_issues`` computes from its rows alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

__all__ = ["HashedBodies", "body_hasher"]

#: Columns of the hashed body n-grams (see ``issues._vectorise``).
BODY_FEATURES = 2**20


def body_hasher() -> Any:
    """The one hashing of bodies: character 2–3-grams into 2^20 columns, raw counts."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char",
        ngram_range=(2, 3),
        lowercase=False,
        n_features=BODY_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


class HashedBodies:
    """Hashed body counts by petition, kept while they fit in ``max_nnz`` stored values
    (≈ 8 bytes each; then forgotten at once and cut again when asked). One per refresh run."""

    def __init__(self, max_nnz: int = 30_000_000) -> None:
        self.max_nnz = max_nnz
        self._where: dict[Hashable, tuple[int, int]] = {}  # key -> (chunk, row)
        self._chunks: list[Any] = []
        self._nnz = 0
        self.cut = 0  # bodies cut (for the benchmark: the rest were reused)
        self.reused = 0

    def matrix(self, keys: Sequence[Hashable], bodies: Sequence[str]) -> Any:
        """The CSR matrix of the bodies' hashed counts, one row per key, in the given order;
        a body is cut only if its key was not seen before."""
        from scipy.sparse import vstack

        if self._nnz > self.max_nnz:
            self._where.clear()
            self._chunks.clear()
            self._nnz = 0
        missing: dict[Hashable, str] = {}
        for k, b in zip(keys, bodies, strict=True):
            if k not in self._where and k not in missing:
                missing[k] = b
        if missing:
            X = body_hasher().transform([b or "。" for b in missing.values()]).tocsr()
            c = len(self._chunks)
            self._chunks.append(X)
            self._nnz += X.nnz
            for r, k in enumerate(missing):
                self._where[k] = (c, r)
        self.cut += len(missing)
        self.reused += len(keys) - len(missing)
        n = len(keys)
        if n == 0:
            return body_hasher().transform([])
        where = np.array([self._where[k] for k in keys], dtype=np.int64)
        parts, order = [], []
        for c in np.unique(where[:, 0]):
            pos = np.flatnonzero(where[:, 0] == c)
            parts.append(self._chunks[int(c)][where[pos, 1]])
            order.append(pos)
        stacked = vstack(parts, format="csr") if len(parts) > 1 else parts[0]
        inverse = np.empty(n, dtype=np.int64)
        inverse[np.concatenate(order)] = np.arange(n)
        return stacked[inverse]
