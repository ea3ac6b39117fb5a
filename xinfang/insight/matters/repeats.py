"""Repeat and duplicate petitions (重信重访): an incremental index (pure: no Django).

When a petition arrives, the clerk sees the earlier petitions that look like the same matter, each
with a score and the distinctive words they share ("why").

Design — an inverted index over *rare* character 3-grams:

* A text (title + body, punctuation and spaces removed, lower-cased) is reduced to its set of
  character 3-grams, each packed into one int64 (3 × 21 bits), so a gram can be shown again
  without storing any text.
* Document frequencies are counted in a hashed table (``2**df_bits`` buckets).
* Each indexed petition is represented by its ``m`` rarest grams (its *signature*: names of
  estates, companies, roads, amounts …); only those are posted in the inverted index.
* A query takes its ``q`` rarest grams that occur in the index, reads their postings (lists
  longer than ``max_postings`` are skipped: not distinctive), keeps the ``candidates`` petitions
  hit most often, and scores each exactly: the IDF-weighted share of the candidate's signature
  found among the query's grams (1.0 for a repost; 0 for nothing shared).  ``why`` lists the
  shared grams merged into words.
* Postings live in two parts: a large sorted numpy array (keys, slots) and a small dict of recent
  additions, merged into the array when it grows past ``merge_at`` postings (amortised).
  ``remove`` marks the slot dead; :meth:`rebuild` compacts, or re-reads everything from a source.

The index holds ids and numbers only: no texts, no writers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from xinfang.insight.matters.grams import (
    _batch_grams,
    _mix,
    _norm,
    _shared_phrases,
    _term,
    _title_flags,
)


@dataclass(frozen=True)
class RepeatMatch:
    id: str
    score: float  # 0..1
    why: tuple[str, ...]  # distinctive words both petitions contain


class RepeatIndex:
    """Incremental index of petitions for finding repeats; see the module docstring."""

    def __init__(
        self,
        *,
        m: int = 16,
        q: int = 32,
        candidates: int = 200,
        max_postings: int = 20000,
        df_bits: int = 23,
        merge_at: int = 200_000,
    ) -> None:
        self.m, self.q, self.candidates, self.max_postings = m, q, candidates, max_postings
        self.merge_at = merge_at
        self._shift = np.uint64(64 - df_bits)
        self._df = np.zeros(1 << df_bits, dtype=np.int32)
        self._n_df = 0  # documents counted in _df
        self._reset_store()

    # -- storage ------------------------------------------------------------------------------

    def _reset_store(self) -> None:
        self._sig = np.full((1024, self.m), -1, dtype=np.int64)
        self._alive = np.zeros(1024, dtype=bool)
        self._ids: list[str] = []
        self._slot: dict[str, int] = {}
        self._main_keys = np.zeros(0, dtype=np.int64)
        self._main_slots = np.zeros(0, dtype=np.int32)
        self._delta: dict[int, list[int]] = {}
        self._delta_n = 0

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, pid: object) -> bool:
        return pid in self._slot

    def _bucket(self, keys: np.ndarray) -> np.ndarray:
        return (_mix(keys) >> self._shift).astype(np.int64)

    def _grow(self, need: int) -> None:
        cap = len(self._alive)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        sig = np.full((new, self.m), -1, dtype=np.int64)
        sig[:cap] = self._sig
        alive = np.zeros(new, dtype=bool)
        alive[:cap] = self._alive
        self._sig, self._alive = sig, alive

    def nbytes(self) -> int:
        """Bytes held in numpy arrays (Python id strings and dicts come on top)."""
        arrays = (self._sig, self._alive, self._df, self._main_keys, self._main_slots)
        return int(sum(a.nbytes for a in arrays))

    # -- writing ------------------------------------------------------------------------------

    def add(self, pid: str, title: str, body: str) -> None:
        """Index one petition (replacing an earlier one with the same id)."""
        self.add_many([(pid, title, body)])

    def add_many(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Index many petitions at once (vectorised, in batches of 10,000)."""
        self._add_all(items, count_df=True, post=True)

    def _add_all(
        self, items: Iterable[tuple[str, str, str]], *, count_df: bool, post: bool
    ) -> None:
        batch: list[tuple[str, str, str]] = []
        for item in items:
            batch.append(item)
            if len(batch) >= 10000:
                self._add_batch(batch, count_df, post)
                batch = []
        if batch:
            self._add_batch(batch, count_df, post)

    def _count_df(self, docs: np.ndarray, keys: np.ndarray, n_docs: int) -> None:
        buckets = self._bucket(keys)
        if len(buckets) * 8 < len(self._df):  # a few petitions: touch only their buckets
            np.add.at(self._df, buckets, 1)
        else:
            self._df += np.bincount(buckets, minlength=len(self._df)).astype(np.int32)
        self._n_df += n_docs

    def _add_batch(self, batch: list[tuple[str, str, str]], count_df: bool, post: bool) -> None:
        for pid, _, _ in batch:
            if str(pid) in self._slot:
                self.remove(str(pid))
        docs, keys = _batch_grams([_norm(t, b) for _, t, b in batch])
        if count_df:
            self._count_df(docs, keys, len(batch))
        in_title = _title_flags([_norm(t, "") for _, t, _ in batch], docs, keys)
        sig = self._signatures(docs, keys, in_title, len(batch))
        start = len(self._ids)
        self._grow(start + len(batch))
        self._sig[start : start + len(batch)] = sig
        self._alive[start : start + len(batch)] = True
        for j, (pid, _, _) in enumerate(batch):
            old = self._slot.get(str(pid))
            if old is not None:  # the same id twice in one batch: the last one wins
                self._alive[old] = False
            self._ids.append(str(pid))
            self._slot[str(pid)] = start + j
        if not post:  # bulk load: postings are built from the signatures at the end
            return
        rows, cols = np.nonzero(sig >= 0)
        for k, s in zip(sig[rows, cols].tolist(), (rows + start).tolist(), strict=True):
            self._delta.setdefault(k, []).append(s)
        self._delta_n += len(rows)
        if self._delta_n >= self.merge_at:
            self._merge()

    def _signatures(
        self, docs: np.ndarray, keys: np.ndarray, in_title: np.ndarray, n_docs: int, m: int = 0
    ) -> np.ndarray:
        """Per document, its ``m`` most distinctive grams, padded with -1: grams of the title
        first (the title names the place and the matter), rarest first, ties broken by a hash."""
        m = m or self.m
        out = np.full((n_docs, m), -1, dtype=np.int64)
        if not len(keys):
            return out
        df = np.minimum(self._df[self._bucket(keys)], (1 << 20) - 1).astype(np.uint64)
        # one sort on a composite key: document, title first, rarest first, hash tie-break
        comp = (
            (docs.astype(np.uint64) << np.uint64(50))
            | ((~in_title).astype(np.uint64) << np.uint64(49))
            | (df << np.uint64(29))
            | (_mix(keys) >> np.uint64(35))
        )
        order = np.argsort(comp)
        docs, keys = docs[order], keys[order]
        starts = np.searchsorted(docs, np.arange(n_docs))
        rank = np.arange(len(docs)) - starts[docs]
        sel = rank < m
        out[docs[sel], rank[sel]] = keys[sel]
        return out

    def _merge(self) -> None:
        if not self._delta:
            return
        lens = [len(v) for v in self._delta.values()]
        dk = np.repeat(np.fromiter(self._delta.keys(), dtype=np.int64, count=len(lens)), lens)
        ds = np.fromiter(
            (s for v in self._delta.values() for s in v), dtype=np.int32, count=sum(lens)
        )
        keys = np.concatenate([self._main_keys, dk])
        slots = np.concatenate([self._main_slots, ds])
        order = np.argsort(keys, kind="stable")
        self._main_keys, self._main_slots = keys[order], slots[order]
        self._delta, self._delta_n = {}, 0

    def remove(self, pid: str) -> bool:
        """Forget a petition; False if it was not indexed.  Its postings go at the next rebuild."""
        slot = self._slot.pop(str(pid), None)
        if slot is None:
            return False
        self._alive[slot] = False
        return True

    def rebuild(
        self,
        source: Callable[[], Iterable[tuple[str, str, str]]] | None = None,
    ) -> None:
        """Compact (drop removed petitions, merge recent postings, renumber); or, given
        ``source`` (a callable returning all ``(id, title, body)``, called twice), re-index
        everything from scratch with exact document frequencies."""
        if source is not None:
            self._df[:] = 0
            self._n_df = 0
            self._reset_store()
            batch: list[str] = []
            for _, title, body in source():
                batch.append(_norm(title, body))
                if len(batch) >= 10000:
                    self._count_df(*_batch_grams(batch), len(batch))
                    batch = []
            if batch:
                self._count_df(*_batch_grams(batch), len(batch))
            self._add_all(source(), count_df=False, post=False)
            n = len(self._ids)
            sig = self._sig[:n]
            rows, cols = np.nonzero(sig >= 0)
            keys = sig[rows, cols]
            order = np.argsort(keys, kind="stable")
            self._main_keys = keys[order]
            self._main_slots = rows[order].astype(np.int32)
            return
        self._merge()
        live = np.flatnonzero(self._alive[: len(self._ids)])
        renum = np.full(len(self._ids) + 1, -1, dtype=np.int64)
        renum[live] = np.arange(len(live))
        keep = self._alive[self._main_slots]
        self._main_keys = self._main_keys[keep]
        self._main_slots = renum[self._main_slots[keep]].astype(np.int32)
        sig = self._sig[live]
        ids = [self._ids[s] for s in live.tolist()]
        self._sig = np.full((max(len(live), 1024), self.m), -1, dtype=np.int64)
        self._sig[: len(live)] = sig
        self._alive = np.zeros(len(self._sig), dtype=bool)
        self._alive[: len(live)] = True
        self._ids = ids
        self._slot = {pid: i for i, pid in enumerate(ids)}

    # -- reading ------------------------------------------------------------------------------

    def _idf(self, keys: np.ndarray) -> np.ndarray:
        df = self._df[self._bucket(keys)].astype(np.float64)
        return np.log((self._n_df + 1.0) / (df + 1.0)) + 1.0

    def query(
        self,
        title: str,
        body: str,
        k: int = 10,
        *,
        min_score: float = 0.2,
        exclude: str | None = None,
    ) -> list[tuple[str, float, tuple[str, ...]]]:
        """Up to ``k`` indexed petitions most like this text: ``(id, score, why)``, best first."""
        text = _norm(title, body)
        qdocs, qkeys = _batch_grams([text])
        if not len(qkeys) or not self._slot:
            return []
        present = self._df[self._bucket(qkeys)] > 0  # grams the index has never seen find nothing
        qdocs, qkeys = qdocs[present], qkeys[present]
        in_title = _title_flags([_norm(title, "")], qdocs, qkeys)
        probe = self._signatures(qdocs, qkeys, in_title, 1, max(self.q, self.m))[0]
        probe = probe[probe >= 0]
        qsig = probe[: self.m]
        found: list[np.ndarray] = []
        for key in probe.tolist():
            lo = int(np.searchsorted(self._main_keys, key, "left"))
            hi = int(np.searchsorted(self._main_keys, key, "right"))
            extra = self._delta.get(key, ())
            if (hi - lo) + len(extra) > self.max_postings:
                continue
            if hi > lo:
                found.append(self._main_slots[lo:hi])
            if extra:
                found.append(np.asarray(extra, dtype=np.int32))
        if not found:
            return []
        slots = np.concatenate(found)
        slots = slots[self._alive[slots]]
        if not len(slots):
            return []
        cand, hits = np.unique(slots, return_counts=True)
        if len(cand) > self.candidates:
            cand = cand[np.argpartition(-hits, self.candidates)[: self.candidates]]
        sig = self._sig[cand]  # (C, m)
        valid = sig >= 0
        w = np.where(valid, self._idf(np.where(valid, sig, 0)), 0.0)
        shared = valid & np.isin(sig, qkeys)
        total = w.sum(axis=1)
        total[total == 0] = 1.0
        # share of the candidate's signature in the query, and of the query's in the candidate's
        s1 = (w * shared).sum(axis=1) / total
        qw = self._idf(qsig)
        s2 = (np.isin(sig, qsig) * w).sum(axis=1) / max(float(qw.sum()), 1e-9)
        score = np.minimum(1.0, 0.5 * (s1 + s2))
        best = np.argsort(-score, kind="stable")
        out: list[tuple[str, float, tuple[str, ...]]] = []
        for j in best.tolist():
            if score[j] < min_score or len(out) >= k:
                break
            pid = self._ids[int(cand[j])]
            if pid == exclude:
                continue
            grams = zip(sig[j][shared[j]].tolist(), w[j][shared[j]].tolist(), strict=True)
            why = _shared_phrases(text, [(_term(int(g)), float(wt)) for g, wt in grams])
            out.append((pid, round(float(score[j]), 4), why))
        return out

    def query_matches(self, title: str, body: str, k: int = 10) -> list[RepeatMatch]:
        """:meth:`query` as :class:`RepeatMatch` objects."""
        return [RepeatMatch(i, s, w) for i, s, w in self.query(title, body, k)]
