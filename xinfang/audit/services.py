"""Write the audit trail (verification: ``audit.verify``).

Callers record inside their own transaction, so a record exists exactly when the change it
describes was committed. The trail is ``CHAINS`` chains: a record goes to the chain of its
object (a hash bucket of ``object_type:object_id``, else of its actor), so every record of one
petition is in one chain, in one order, while audited writes about different petitions lock
different heads and do not wait for one another (ADR 0014; before, one head serialised every
audited write, ADR 0005). Records never hold identity numbers or phones: ``data`` passes
through ``mask_text``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from xinfang.audit.chain import chain_genesis, chain_of, record_hash
from xinfang.audit.context import current_ip
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.core import clock
from xinfang.core.masking import mask_text
from xinfang.core.rows import COPY_MIN_ROWS


@dataclass(frozen=True)
class Entry:
    """One record to append (before it has its place in the chain)."""

    kind: str
    actor: Any = None  # a User or None (the system, a petitioner on the portal)
    object_type: str = ""
    object_id: str | int = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    ip: str | None = None
    at: datetime | None = None
    #: made by the sealing (``audit.seals.seal_fold``): only then may ``data`` hold the seal's
    #: keys (a record of a sealed object's type with a ``digest`` is read as its seal)
    seal: bool = False


def _clean(value: Any) -> Any:
    """JSON that reads back exactly as written (so the hash can be recomputed), masked."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return mask_text(str(value))


#: Keys of ``data`` holding only hashes and numbers (hex that could read as a phone number):
#: a seal's digest, an archived partition's runs of records (``audit.archive``).
_UNMASKED = ("digest", "runs")


def _data(data: Mapping[str, Any], seal: bool = False) -> dict[str, Any]:
    """``data`` masked, except the keys of ``_UNMASKED``. A ``digest`` only in a seal (ADR
    0026: verify reads a digest in a record about a sealed object as its seal)."""
    if "digest" in data and not seal:
        raise ValueError("data['digest'] is the seal's (audit.seals.seal_fold)")
    out = _clean({k: v for k, v in data.items() if k not in _UNMASKED})
    if "digest" in data:
        out["digest"] = str(data["digest"])
    if "runs" in data:
        out["runs"] = {
            str(c): [[int(a), int(b), str(p), str(h)] for a, b, p, h in runs]
            for c, runs in data["runs"].items()
        }
    return out


class Record:
    """A record as appended: ``AuditRecord``'s columns but its id, without a model instance
    (an import appends 10^5 at a time; nobody reads them back from here)."""

    __slots__ = (
        "chain", "seq", "at", "kind", "actor_id", "actor_name", "organ_id", "ip",
        "object_type", "object_id", "data", "hash", "seal",
    )  # fmt: skip

    def __init__(self, **values: Any) -> None:
        self.seq, self.hash, self.seal = 0, b"", None
        for k, v in values.items():
            setattr(self, k, v)


def seal_split(data: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """``data`` without its digest, and the digest as the 32 bytes of the ``seal`` column
    (ADR 0026); a digest that is not 64 lowercase hex characters stays in ``data``."""
    d = data.get("digest")
    if isinstance(d, str) and _HEX64.fullmatch(d):
        return {k: v for k, v in data.items() if k != "digest"}, bytes.fromhex(d)
    return data, None


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _build(e: Entry, now: datetime) -> Record:
    actor = e.actor if getattr(e.actor, "pk", None) is not None else None
    object_type, object_id = e.object_type[:40], str(e.object_id)[:64]
    data, seal = seal_split(_data(e.data, e.seal)) if e.seal else (_data(e.data), None)
    return Record(
        chain=chain_of(object_type, object_id, actor.pk if actor else None),
        at=e.at or now,
        kind=e.kind[:40],
        actor_id=actor.pk if actor else None,
        actor_name=(actor.get_username() if actor else "")[:150],
        organ_id=getattr(actor, "organ_id", None) if actor else None,
        ip=(e.ip if e.ip is not None else current_ip())[:45],
        object_type=object_type,
        object_id=object_id,
        data=data,
        seal=seal,
    )


def audit_append(
    entries: Sequence[Entry], *, heads: Mapping[int, AuditHead] | None = None
) -> list[Record]:
    """Append records to their chains in one step: each chain's head locked once, in ascending
    chain order (the same order for every writer, so two appends never deadlock), one insert.
    ``heads``: chain heads the caller has already locked in this transaction (as read then),
    not locked and read again."""
    if not entries:
        return []
    now = clock.now()
    rows = [_build(e, now) for e in entries]
    by_chain: dict[int, list[Record]] = defaultdict(list)
    for r in rows:
        by_chain[r.chain].append(r)
    # Inside the caller's transaction no savepoint is needed: a failure rolls both back together.
    with transaction.atomic(savepoint=False):
        moved: list[tuple[int, str, int]] = []
        for chain in sorted(by_chain):
            head = (heads or {}).get(chain)
            if head is None:
                head, _ = AuditHead.objects.select_for_update().get_or_create(
                    chain=chain, defaults={"pk": chain + 1, "seq": 0, "hash": chain_genesis(chain)}
                )
            seq, prev = head.seq, head.hash
            for r in by_chain[chain]:
                seq += 1
                r.seq = seq
                r.hash = record_hash(r, prev)
                prev = r.hash.hex()
            moved.append((seq, prev, head.pk))
        _heads_move(moved)
        _insert(rows)
    return rows


def _heads_move(moved: Sequence[tuple[int, str, int]]) -> None:
    """The chain heads' new (seq, hash), by head id: one statement per head, sent together
    (a batch's append moves all sixteen)."""
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    sql = (
        f"UPDATE {qn(AuditHead._meta.db_table)} SET {qn('seq')} = %s, {qn('hash')} = %s "
        f"WHERE {qn('id')} = %s"
    )
    with conn.cursor() as c:
        if len(moved) == 1:  # a step, a registration: no ORM update compiled each time
            c.execute(sql, list(moved[0]))
        else:
            c.executemany(sql, list(moved))


_COLUMNS = (
    "chain",
    "seq",
    "at",
    "kind",
    "actor_id",
    "actor_name",
    "organ_id",
    "ip",
    "object_type",
    "object_id",
    "data",
    "hash",
    "seal",
)


def _insert(rows: Sequence[Record]) -> None:
    """``AuditRecord.objects.bulk_create(rows)`` without Django preparing every value of every
    record (most of a batch's append): the records are built by ``_build`` with plain values,
    so only the time and the JSON are prepared, by their fields as the ORM would. The ids are
    not read back (no caller uses them)."""
    conn = connections[DEFAULT_DB_ALIAS]
    meta = AuditRecord._meta
    at, data = meta.get_field("at"), meta.get_field("data")
    qn = conn.ops.quote_name
    cols = ", ".join(qn(meta.get_field(c).column) for c in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    size = (conn.features.max_query_params or 13_000) // len(_COLUMNS)  # SQLite: 999 // 13

    def values(r: Record) -> tuple[Any, ...]:
        return (
            r.chain,
            r.seq,
            at.get_db_prep_save(r.at, conn),
            r.kind,
            r.actor_id,
            r.actor_name,
            r.organ_id,
            r.ip,
            r.object_type,
            r.object_id,
            data.get_db_prep_save(r.data, conn),
            r.hash,  # bytes: bytea on PostgreSQL, a BLOB on SQLite
            r.seal,  # the digest sealed (ADR 0026), bytes or None
        )

    with conn.cursor() as c:
        if conn.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
            # COPY: no statement of 13 × n parameters to build, send and parse (a batch's
            # append); a few records (a step, a registration) go in one INSERT: one round
            # trip, where a COPY waits for the server twice
            with c.copy(f"COPY {qn(meta.db_table)} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(values(r))
            return
        for i in range(0, len(rows), size):
            part = rows[i : i + size]
            params: list[Any] = []
            for r in part:
                params += values(r)
            c.execute(
                f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES {', '.join([one] * len(part))}",
                params,
            )


def audit_record(
    *,
    kind: str,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    data: Mapping[str, Any] | None = None,
    ip: str | None = None,
    at: datetime | None = None,
) -> Record:
    """Append one record: ``kind`` such as ``petition.transfer``, ``login``, ``identity.view``."""
    return audit_append([Entry(kind, actor, object_type, object_id, data or {}, ip=ip, at=at)])[0]


def audit_petition_events(*, events: Iterable[Any], actor: Any) -> None:
    """Record the steps just written to petitions (registration, every workflow action)."""
    audit_append(petition_event_entries(events=events, actor=actor))


def petition_event_entries(*, events: Iterable[Any], actor: Any) -> list[Entry]:
    """The records of petition steps. Only the facts of the step go in: who, which petition,
    which transition, which organs; no text the petitioner wrote and no identity, which stay
    in the petition's own records."""
    entries = []
    for ev in events:
        data: dict[str, Any] = {
            "seq": ev.seq,
            "from": ev.from_state,
            "to": ev.to_state,
            "organ_id": ev.organ_id,
            "occurred_at": ev.occurred_at,
        }
        for k in ("to_organ_id", "from_organ_id", "returned_to_organ_id", "outcome", "days"):
            if k in (ev.data or {}):
                data[k] = ev.data[k]
        entries.append(Entry(f"petition.{ev.action}", actor, "petition", ev.petition_id, data))
    return entries
