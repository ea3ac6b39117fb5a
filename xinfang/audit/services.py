"""Write and verify the audit trail.

Callers record inside their own transaction, so a record exists exactly when the change it
describes was committed. Appending locks the chain head: audited writes are serialised, which is
what gives the chain one order (see docs/decisions/0005-access-confidentiality-audit.md).
Records never hold identity numbers or phones: ``data`` passes through ``mask_text``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from xinfang.audit.context import current_ip
from xinfang.audit.models import GENESIS, AuditHead, AuditRecord
from xinfang.core import clock
from xinfang.core.masking import mask_text


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


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(r: AuditRecord) -> str:
    body = json.dumps(
        [
            r.seq,
            _utc(r.at),
            r.kind,
            r.actor_id,
            r.actor_name,
            r.organ_id,
            r.ip,
            r.object_type,
            r.object_id,
            r.data,
            r.prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    key = settings.XINFANG_AUDIT_KEY.encode()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _build(e: Entry, now: datetime) -> AuditRecord:
    actor = e.actor if getattr(e.actor, "pk", None) is not None else None
    return AuditRecord(
        at=e.at or now,
        kind=e.kind[:40],
        actor_id=actor.pk if actor else None,
        actor_name=(actor.get_username() if actor else "")[:150],
        organ_id=getattr(actor, "organ_id", None) if actor else None,
        ip=(e.ip if e.ip is not None else current_ip())[:45],
        object_type=e.object_type[:40],
        object_id=str(e.object_id)[:64],
        data=_clean(dict(e.data)),
    )


def audit_append(entries: Sequence[Entry]) -> list[AuditRecord]:
    """Append records to the chain in one locked step (one head lock, one multi-row insert)."""
    if not entries:
        return []
    now = clock.now()
    rows = [_build(e, now) for e in entries]
    # Inside the caller's transaction no savepoint is needed: a failure rolls both back together.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS}
        )
        seq, prev = head.seq, head.hash
        for r in rows:
            seq += 1
            r.seq = seq
            r.prev_hash = prev
            r.hash = prev = record_hash(r)
        AuditRecord.objects.bulk_create(rows)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return rows


def audit_record(
    *,
    kind: str,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    data: Mapping[str, Any] | None = None,
    ip: str | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append one record: ``kind`` such as ``petition.transfer``, ``login``, ``identity.view``."""
    return audit_append([Entry(kind, actor, object_type, object_id, data or {}, ip=ip, at=at)])[0]


def audit_petition_events(*, events: Iterable[Any], actor: Any) -> None:
    """Record the steps just written to petitions (registration, every workflow action).

    Only the facts of the step go in: who, which petition, which transition, which organs; no
    text the petitioner wrote and no identity, which stay in the petition's own records."""
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
    audit_append(entries)


# --- verification ---------------------------------------------------------------------------


@dataclass
class VerifyReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, expect_head: str | None = None, limit_problems: int = 100) -> VerifyReport:
    """Recompute the chain: report every edited, removed, inserted or reordered record.

    ``expect_head`` ("SEQ:HASH", printed by an earlier run and kept elsewhere) also catches
    records removed from the end together with a rewritten head."""
    with _read_snapshot():
        return _verify(expect_head=expect_head, limit_problems=limit_problems)


@contextmanager
def _read_snapshot() -> Iterator[None]:
    """Read the records and the head in one consistent snapshot, so records appended while
    verifying are either wholly seen (with their head) or not at all: never a "cut tail".

    PostgreSQL: one REPEATABLE READ, READ ONLY transaction. SQLite (WAL): one deferred read
    transaction (``BEGIN DEFERRED``, not the configured ``IMMEDIATE``, so writers go on while
    it reads). Inside a caller's transaction (tests) its own view is used."""
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    with connection.cursor() as c:
        c.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            c.execute("ROLLBACK")


def _verify(*, expect_head: str | None, limit_problems: int) -> VerifyReport:
    rep = VerifyReport()

    def problem(msg: str) -> None:
        if len(rep.problems) < limit_problems:
            rep.problems.append(msg)

    prev_hash, expected_seq, last_pk = GENESIS, 1, 0
    for r in AuditRecord.objects.order_by("seq").iterator(chunk_size=2000):
        rep.checked += 1
        if r.seq < expected_seq:
            problem(f"#{r.seq}: 序号重复或倒序（reordered）")
        elif r.seq > expected_seq:
            problem(f"#{expected_seq}–#{r.seq - 1}: 记录缺失（removed）")
        if r.prev_hash != prev_hash:
            problem(f"#{r.seq}: 与上一条记录的链接不符（removed, inserted or reordered）")
        if not hmac.compare_digest(record_hash(r), r.hash):
            problem(f"#{r.seq}: 内容与哈希不符（edited）")
        if r.pk < last_pk:
            problem(f"#{r.seq}: 存储顺序与序号不符（reordered）")
        last_pk = max(last_pk, r.pk)
        prev_hash, expected_seq = r.hash, r.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    rep.head_seq, rep.head_hash = expected_seq - 1, prev_hash
    if head is not None and (head.seq, head.hash) != (rep.head_seq, rep.head_hash):
        problem(
            f"链头为 #{head.seq}，最后一条记录为 #{rep.head_seq}：末尾记录被删除或链头被改（removed）"
        )
    if head is None and rep.checked:
        problem("链头缺失")
    if expect_head:
        seq_s, _, h = expect_head.partition(":")
        try:
            seq = int(seq_s)
        except ValueError:
            problem(f"--expect-head 格式应为 序号:哈希，收到 {expect_head!r}")
        else:
            match = AuditRecord.objects.filter(seq=seq).values_list("hash", flat=True).first()
            if match != h:
                problem(f"此前记下的链头 #{seq} 已不在链中（removed or rewritten）")
    return rep
