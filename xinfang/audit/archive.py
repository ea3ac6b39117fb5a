"""Archived ranges of the audit trail: what ``audit verify`` accepts as missing, and why.

An old year of the time-partitioned tables can be detached and archived (ADR 0019,
``xinfang manage partitions detach``). The detach writes one ``partition.detach`` record into
the chain (so it is HMAC-protected like every other record) holding the *manifest* of what left:

* ``runs``: for each chain, the runs of consecutive records that went with the partition, as
  ``[first_seq, last_seq, prev_hash of the first, hash of the last]``. Verify steps over a gap
  only where a run starts exactly at the missing sequence number with exactly the hash the chain
  reached there, and continues from the run's last hash, so the records on both sides of the
  archive still link: a record removed next to the archived range is still reported.
* ``unchecked``: per sealed object type, the id ranges of objects with history in the archived
  partitions (their digest needs the archived rows): reported in a note, checked again once the
  year is re-attached.

A later ``partition.attach`` record of the same partition ends the archive. Which partitions are
archived is read from the trail itself, never from a table an intruder could edit without the key.
"""

from __future__ import annotations

import bisect
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from xinfang.audit.chain import chain_genesis, record_hash, stored_hash
from xinfang.audit.models import AuditRecord

DETACH = "partition.detach"
ATTACH = "partition.attach"
OBJECT_TYPE = "partition"


@dataclass(frozen=True)
class Run:
    chain: int
    first: int
    last: int
    prev_hash: str
    last_hash: str
    label: str  # the partition, e.g. audit_auditrecord_p2024 (2024-01-01 – 2025-01-01)


@dataclass
class Archive:
    """The partitions detached now, from the trail's own records."""

    labels: list[str] = field(default_factory=list)
    runs: dict[tuple[int, int], Run] = field(default_factory=dict)  # (chain, first_seq) -> run
    unchecked: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # label -> records stepped over
    rows: dict[str, int] = field(default_factory=dict)  # label -> rows the partition holds
    _built: Any = field(default=None, repr=False, compare=False)
    _runs_ix: dict[int, tuple[list[int], list[int]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _unchecked_ix: dict[str, tuple[list[int], list[int]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __bool__(self) -> bool:
        return bool(self.labels)

    def step(self, chain: int, seq: int, prev_hash: str) -> tuple[int, str]:
        """From the expected ``seq`` and the hash the chain reached, step over archived runs
        that begin exactly there; return where the chain continues (unchanged if none)."""
        while (run := self.runs.get((chain, seq))) is not None and hmac.compare_digest(
            run.prev_hash, prev_hash
        ):
            self.skipped[run.label] = self.skipped.get(run.label, 0) + run.last - run.first + 1
            seq, prev_hash = run.last + 1, run.last_hash
        return seq, prev_hash

    def holds(self, chain: int, seq: int) -> bool:
        """Is record ``#chain.seq`` in an archived run? (A binary search: verify asks this for
        every missing sequence number, and a year of a busy chain is thousands of runs.)"""
        return _within(self._index()[0].get(chain, ([], [])), seq)

    def excuses(self, object_type: str, object_id: str) -> bool:
        """Is this object's digest unverifiable while the archive is detached? (A binary search
        over the merged id ranges: verify asks this for every sealed object.)"""
        try:
            pk = int(object_id)
        except ValueError:
            return False
        return _within(self._index()[1].get(object_type, ([], [])), pk)

    def _index(
        self,
    ) -> tuple[dict[int, tuple[list[int], list[int]]], dict[str, tuple[list[int], list[int]]]]:
        """Sorted, merged ``(starts, ends)`` per chain and per object type, built once (and
        again if the runs or ranges were changed since)."""
        key = (len(self.runs), tuple((t, len(r)) for t, r in sorted(self.unchecked.items())))
        if self._built != key:
            by_chain: dict[int, list[tuple[int, int]]] = {}
            for r in self.runs.values():
                by_chain.setdefault(r.chain, []).append((r.first, r.last))
            self._runs_ix = {c: _merged(v) for c, v in by_chain.items()}
            self._unchecked_ix = {t: _merged(v) for t, v in self.unchecked.items()}
            self._built = key
        return self._runs_ix, self._unchecked_ix


def _merged(ranges: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Closed ranges sorted and merged where they overlap or touch: ``(starts, ends)``."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(ranges):
        if ends and a <= ends[-1] + 1:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _within(ix: tuple[list[int], list[int]], n: int) -> bool:
    starts, ends = ix
    i = bisect.bisect_right(starts, n) - 1
    return i >= 0 and n <= ends[i]


def archive_read() -> Archive:
    """The partitions detached and not re-attached since, from their (verified) records."""
    # ordered here, not in SQL: an ORDER BY chain, seq lets the planner walk the whole trail
    # by its (chain, seq) index instead of reading the few records of the partial index
    # ``audit_partition`` (test_web_security runs this very query through EXPLAIN)
    records = sorted(
        AuditRecord.objects.filter(object_type=OBJECT_TYPE, kind__in=(DETACH, ATTACH)).order_by(),
        key=lambda r: (r.chain, r.seq),
    )
    before = _predecessors(records)
    current: dict[str, AuditRecord] = {}
    ends: dict[tuple[int, int], str] = {}  # (chain, last seq) -> last hash, of the runs read so far
    for r in records:
        prev = _prev_hash(r, ends, before)
        raw = stored_hash(r.hash)
        if prev is None or raw is None or not hmac.compare_digest(record_hash(r, prev), raw):
            continue  # a forged or edited record: the chain walk reports it, it excuses nothing
        if r.kind == DETACH:
            current[r.object_id] = r
            for chain_s, runs in ((r.data or {}).get("runs") or {}).items():
                for _first, last, _prev, last_hash in runs:
                    ends[(int(chain_s), int(last))] = str(last_hash)
        else:
            current.pop(r.object_id, None)
    out = Archive()
    for name, r in sorted(current.items()):
        data: Mapping[str, Any] = r.data or {}
        label = f"{name}（{data.get('from', '?')} – {data.get('to', '?')}）"
        out.labels.append(label)
        out.rows[label] = int(data.get("rows") or 0)
        for chain_s, runs in (data.get("runs") or {}).items():
            for first, last, prev_hash, last_hash in runs:
                c = int(chain_s)
                out.runs[(c, int(first))] = Run(
                    c, int(first), int(last), str(prev_hash), str(last_hash), label
                )
        for object_type, ranges in (data.get("unchecked") or {}).items():
            out.unchecked.setdefault(object_type, []).extend((int(a), int(b)) for a, b in ranges)
    return out


#: Predecessors read per query (an OR of (chain, seq) pairs; a trail has a few archive records
#: a year archived, so one query in practice).
PREDECESSORS_PER_QUERY = 200


def _predecessors(records: Iterable[AuditRecord]) -> dict[tuple[int, int], Any]:
    """The stored hash of the record just before each of ``records`` in its chain, ``(chain,
    seq) -> hash`` for those still in the table, read together: ``archive_read`` runs at every
    verify and the archive panel, and asked once per archive record before (item 3 of the
    review round after ADR 0024)."""
    wanted = sorted({(r.chain, r.seq - 1) for r in records if r.seq > 1})
    out: dict[tuple[int, int], Any] = {}
    for i in range(0, len(wanted), PREDECESSORS_PER_QUERY):
        q = Q()
        for chain, seq in wanted[i : i + PREDECESSORS_PER_QUERY]:
            q |= Q(chain=chain, seq=seq)
        for chain, seq, h in AuditRecord.objects.filter(q).values_list("chain", "seq", "hash"):
            out[(chain, seq)] = h
    return out


def _prev_hash(
    r: AuditRecord,
    ends: Mapping[tuple[int, int], str],
    before: Mapping[tuple[int, int], Any],
) -> str | None:
    """The hash of the record before ``r`` in its chain (hex), which ``r``'s HMAC covers: the
    chain's genesis, the record itself (``before``: read by :func:`_predecessors`), or the end
    of an archived run (of an earlier manifest, or of ``r``'s own); ``None`` if it is nowhere
    (then ``r`` cannot be checked here, and excuses nothing)."""
    if r.seq == 1:
        return chain_genesis(r.chain)
    h = before.get((r.chain, r.seq - 1))
    if h is not None:  # a malformed predecessor (text): r cannot be checked, verify names it
        raw = stored_hash(h)
        return None if raw is None else raw.hex()
    if (r.chain, r.seq - 1) in ends:
        return ends[(r.chain, r.seq - 1)]
    # a detach record written right after records of the partition it archives: its manifest
    # names its own predecessor (safe to take from the record: the HMAC covers both together)
    if r.kind == DETACH:
        for first, last, _p, last_hash in ((r.data or {}).get("runs") or {}).get(str(r.chain), []):
            if int(last) == r.seq - 1 and int(first) <= int(last):
                return str(last_hash)
    return None


def archive_prev_hashes(wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """For archived runs about to be written into a manifest, each run's ``prev_hash``: the
    hash (hex) of the record just before its first, ``(chain, first)`` -> hash. The record is
    the chain's genesis, or still attached, or the last of a run archived earlier; one found
    nowhere is left out (the manifest then has an empty ``prev_hash`` and verify reports the
    missing record before the run, as it should)."""
    out: dict[tuple[int, int], str] = {}
    ends = {(run.chain, run.last): run.last_hash for run in archive_read().runs.values()}
    by_chain: dict[int, list[int]] = {}
    for chain, first in wanted:
        if first == 1:
            out[(chain, first)] = chain_genesis(chain)
        else:
            by_chain.setdefault(chain, []).append(first - 1)
    for chain, seqs in sorted(by_chain.items()):
        found: dict[int, str] = {}
        for i in range(0, len(seqs), 1000):
            for seq, h in AuditRecord.objects.filter(
                chain=chain, seq__in=seqs[i : i + 1000]
            ).values_list("seq", "hash"):
                raw = stored_hash(h)
                if raw is not None:  # a malformed one is left out: verify reports it
                    found[seq] = raw.hex()
        for seq in seqs:
            h = found.get(seq) or ends.get((chain, seq))
            if h is not None:
                out[(chain, seq + 1)] = h
    return out


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as ``[[first, last], …]`` runs of consecutive ids (compact in production,
    where one year's petitions are one range of ids)."""
    out: list[list[int]] = []
    for i in sorted(set(ids)):
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out
