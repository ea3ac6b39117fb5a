"""Bulk writing for ``bench_seed``: rows straight into the tables (COPY on PostgreSQL, one
``executemany`` per table and batch on SQLite), ids handed out here, and audit records appended
to their chains with the same sequence numbers and hashes ``audit.services.audit_append`` gives,
so ``xinfang audit verify`` passes on the seeded database.

Only for an installation nobody else writes to while it runs (a benchmark database): the ids
and the chain heads are read once at the start and written back at the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import Max, Model

from xinfang.audit.chain import CHAINS, chain_genesis, chain_of, record_hash
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.services import seal_split
from xinfang.core.crypto import EncryptedTextField


class Ids:
    """The next free id of each table (read once; the sequences are reset at the end)."""

    def __init__(self) -> None:
        self._next: dict[type[Model], int] = {}

    def take(self, model: type[Model], n: int = 1) -> int:
        """The first of ``n`` new consecutive ids of ``model``."""
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] = first + n
        return first

    def reset_sequences(self) -> None:
        """Make the database's own id sequences continue after the ids given here."""
        sequences_reset(list(self._next))


ID_BLOCK = 50_000  # ids a job takes at a time from the counters the jobs share


class SharedIds(Ids):
    """The ids of one of several jobs (processes): blocks of consecutive ids taken from
    counters shared by the jobs (``multiprocessing.Value``, one per model label), so no two
    jobs give the same id. A job's last block may be left partly unused (a gap in the ids)."""

    def __init__(self, shared: dict[str, Any]) -> None:
        super().__init__()
        self._shared = shared
        self._block: dict[type[Model], tuple[int, int]] = {}

    def take(self, model: type[Model], n: int = 1) -> int:
        nxt, end = self._block.get(model, (0, 0))
        if nxt + n > end:
            counter = self._shared[model._meta.label]
            size = max(n, ID_BLOCK)
            with counter.get_lock():
                nxt = counter.value
                counter.value = nxt + size
            end = nxt + size
        self._block[model] = (nxt + n, end)
        return nxt


def sequences_reset(models_: Sequence[type[Model]]) -> None:
    """Make the database's id sequences of ``models_`` continue after the largest id stored."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id inserted
    sql = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cur:
        for stmt in sql:
            cur.execute(stmt)


def no_style():  # type: ignore[no-untyped-def]
    from django.core.management.color import no_style as ns

    return ns()


def write_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    raw: frozenset[str] = frozenset(),
) -> int:
    """Insert ``rows`` (values in the order of ``fields``, attribute names such as
    ``petition_id``) into ``model``'s table, each value prepared by its model field (JSON,
    datetimes; an encrypted field encrypts) exactly as the ORM would store it; the ``raw``
    fields are stored as given (values already in their stored form)."""
    opts = model._meta
    fs = [opts.get_field(f) for f in fields]  # a foreign key is found by its attname too
    prep = [_as_is if f.attname in raw else _prep(f) for f in fs]
    todo = [(i, p) for i, p in enumerate(prep) if p is not _as_is]  # the values to prepare

    def ready(row: Sequence[Any]) -> Sequence[Any]:
        if not todo:
            return row
        out = list(row)
        for i, p in todo:
            out[i] = p(out[i], connection)
        return out

    cols = ", ".join(connection.ops.quote_name(f.column) for f in fs)
    table = connection.ops.quote_name(opts.db_table)
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(ready(row))
                    n += 1
        else:
            data = [ready(row) for row in rows]
            marks = ", ".join(["%s"] * len(fs))
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", data)
            n = len(data)
    return n


def _as_is(value: Any, connection: Any) -> Any:
    return value


_PLAIN = (
    models.IntegerField, models.CharField, models.TextField, models.BooleanField,
    models.ForeignKey, models.BinaryField,
)  # fmt: skip


def _prep(f: models.Field):  # type: ignore[no-untyped-def,type-arg]
    """The field's own preparation, skipped where the driver takes the Python value as it is
    (a third of the seeding's time went there): numbers, text, bytes and booleans; dates and times
    too on PostgreSQL (psycopg sends them exactly)."""
    if isinstance(f, EncryptedTextField) or not isinstance(f, _PLAIN + (models.DateField,)):
        return f.get_db_prep_save
    if isinstance(f, models.DateField) and connection.vendor != "postgresql":
        return f.get_db_prep_save
    if isinstance(f, models.ForeignKey) and not isinstance(f.target_field, models.AutoField):
        return f.get_db_prep_save
    return _as_is


class _Rec:
    """What ``audit.chain.record_hash`` reads of a record, without a model instance."""

    __slots__ = (
        "seq", "at", "kind", "actor_id", "actor_name", "organ_id", "ip", "object_type",
        "object_id", "data", "chain", "seal",
    )  # fmt: skip

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


AUDIT_FIELDS = (
    "id", "chain", "seq", "at", "kind", "actor_id", "actor_name", "organ_id", "ip", "object_type",
    "object_id", "data", "hash", "seal",
)  # fmt: skip


class Chains:
    """Audit records appended to the trail's chains in memory, written by :meth:`flush`.
    ``owned``: the chains this writer may append to (all by default): several jobs writing at
    once each own some, so each chain has a single writer and its heads one updater."""

    def __init__(self, ids: Ids, owned: frozenset[int] | None = None) -> None:
        self.ids = ids
        self.owned = frozenset(range(CHAINS)) if owned is None else owned
        heads = {h.chain: (h.seq, h.hash) for h in AuditHead.objects.all()}
        self.heads = {c: heads.get(c, (0, chain_genesis(c))) for c in range(CHAINS)}
        self.pending: list[tuple[Any, ...]] = []
        self.count = 0
        self._hasher: Any = None

    def add_copy(self, pid: int, pieces: Sequence[Any], digest: str) -> None:
        """The audit records of copy ``pid``: ``pieces`` (``bench_shift.AuditPiece``, its
        template's records moved) in the petition's chain, hashed as :meth:`add` hashes them.
        The seals carry ``digest`` (the last, the copy's real one) or a placeholder."""
        if self._hasher is None:
            from xinfang.demo.bench_shift import Hasher

            self._hasher = Hasher()
        oid = str(pid)
        chain = chain_of("petition", oid, None)
        if chain not in self.owned:
            raise ValueError(f"chain {chain} of petition {oid} is another job's")
        seq, prev = self.heads[chain]
        oid_json = f'"{oid}"'
        first = self.ids.take(AuditRecord, len(pieces))
        record, pending = self._hasher.record, self.pending
        for i, piece in enumerate(pieces):
            if piece.seal_part:
                dg = (
                    hashlib.sha256(f"bench:{pid}:{i}".encode()).hexdigest()
                    if piece.placeholder
                    else digest
                )
                seal: bytes | None = bytes.fromhex(dg)
            else:
                dg, seal = None, piece.seal
            seq += 1
            h = record(seq, piece, oid_json, dg, prev)
            prev = h.hex()
            pending.append(
                (
                    first + i,
                    chain,
                    seq,
                    piece.at,
                    piece.kind,
                    piece.actor_id,
                    piece.actor_name,
                    piece.organ_id,
                    piece.ip,
                    "petition",
                    oid,
                    piece.data_json,
                    h,
                    seal,
                )  # fmt: skip
            )
        self.heads[chain] = (seq, prev)

    def add(
        self,
        *,
        kind: str,
        at: datetime,
        object_type: str,
        object_id: str,
        data: dict[str, Any],
        actor_id: int | None = None,
        actor_name: str = "",
        organ_id: int | None = None,
        ip: str = "",
    ) -> None:
        """One record (``data`` must already be what reads back from JSON: str, int, bool, None,
        lists and dicts of them), in the chain of its object, as ``audit_append`` would."""
        chain = chain_of(object_type, object_id, actor_id)
        if chain not in self.owned:
            raise ValueError(f"chain {chain} of {object_type} {object_id} is another job's")
        seq, prev = self.heads[chain]
        data, seal = seal_split(data)  # a seal's digest in its column, as audit_append does
        r = _Rec(
            seq=seq + 1, at=at, kind=kind, actor_id=actor_id, actor_name=actor_name,
            organ_id=organ_id, ip=ip, object_type=object_type, object_id=object_id, data=data,
            seal=seal,
        )  # fmt: skip
        h = record_hash(r, prev)  # type: ignore[arg-type]
        self.heads[chain] = (seq + 1, h.hex())
        self.pending.append(
            (
                self.ids.take(AuditRecord),
                chain,
                seq + 1,
                at,
                kind,
                actor_id,
                actor_name,
                organ_id,
                ip,
                object_type,
                object_id,
                json.dumps(data, ensure_ascii=False),
                h,
                seal,
            )  # fmt: skip
        )

    def flush(self) -> None:
        """Write the records added so far, and the chain heads (in the caller's transaction)."""
        if self.pending:
            self.count += write_rows(
                AuditRecord, AUDIT_FIELDS, self.pending, raw=frozenset(("data",))
            )
            self.pending = []
        for chain, (seq, h) in self.heads.items():
            if seq == 0 or chain not in self.owned:
                continue
            updated = AuditHead.objects.filter(chain=chain).update(seq=seq, hash=h)
            if not updated:
                AuditHead.objects.create(pk=chain + 1, chain=chain, seq=seq, hash=h)


@contextmanager
def indexes_deferred(
    models_: Sequence[type[Model]], *, when: bool, raw: Sequence[tuple[str, str]] = ()
) -> Iterator[None]:
    """Drop the secondary indexes (``Meta.indexes``) of ``models_`` and the ``raw`` ones
    (name, CREATE statement: indexes only PostgreSQL has) for a bulk load and build them again
    after it, which is several times cheaper than keeping them up to date row by row. Primary
    keys and unique constraints stay. The indexes are rebuilt even when the load fails.

    On SQLite too: there a batch's ~200,000 search words land all over the ``(term, petition)``
    index, and each commit wrote every page they touched to the WAL and again to the file: at
    600,000 petitions ~0.7 MB written a copy for 15 KB kept, and the seed of 10^6 slowed from
    ~20,000 copies a minute to ~3,000 (bench/README.md, "10^6 on SQLite")."""
    if not when:
        yield
        return
    dropped = []
    with connection.schema_editor(atomic=False) as ed:
        for m in models_:
            for ix in m._meta.indexes:
                ed.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(ix.name)}")
                dropped.append((m, ix))
        for name, _create in raw:
            ed.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with sqlite_cache(mib=SORT_CACHE_MIB), connection.schema_editor(atomic=False) as ed:
            for m, ix in dropped:
                ed.add_index(m, ix)
            for _name, create in raw:
                ed.execute(create)


#: SQLite's page cache (MiB) for a bulk load and the index builds after it (its default is
#: 2 MiB: the sorter of CREATE INDEX and the indexes a batch touches spill to disk far sooner).
SORT_CACHE_MIB = 512


@contextmanager
def sqlite_cache(*, mib: int) -> Iterator[None]:
    """On SQLite, a page cache of ``mib`` MiB for this connection while the block runs, then
    the one it had; nothing on PostgreSQL (its buffers are the server's)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as c:
        c.execute("PRAGMA cache_size")
        before = int(c.fetchone()[0])
        c.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute(f"PRAGMA cache_size = {before}")
