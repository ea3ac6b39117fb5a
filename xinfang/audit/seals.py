"""Rows sealed in the audit chain: a digest of each audited row, so a direct SQL edit shows.

An app whose rows must not change outside it (petitions: the petition with its events and
deadlines) registers a *sealer* for its object type: ``digests(ids)`` gives the current digest
of each object from the database, ``every()`` every object's digest (for verify), in any order.
Whenever the app changes an object, it writes the object's new digest into the audit record of
that change (its ``seal`` column, in the object's own chain, so the last one is the latest): the
record of the step it ends when the change has one (ADR 0026), else a ``<type>.seal`` record of
its own.
``audit verify`` then compares each object's digest now with the last one sealed: a row edited,
inserted or deleted behind the application's back shows (ADR 0014). Audit sits below the apps
it seals, so they register here (from their ``AppConfig.ready``), never the other way round.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from xinfang.audit.chain import chain_of
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.services import Entry, audit_append
from xinfang.core.prepared import values_by_ids


@dataclass(frozen=True)
class Sealer:
    object_type: str
    digests: Callable[[Iterable[int]], Mapping[int, str]]
    every: Callable[[], Iterable[tuple[int, str]]]
    #: Raised whenever the digest comes to cover more (a new field, table or canonical form):
    #: each seal records the scheme it was made with (``data["v"]``, 1 when absent), so a seal
    #: of an earlier scheme is not reported as a change after an upgrade, and ``xinfang audit
    #: seal`` renews it (docs/operations.md: verify with the old version before upgrading).
    version: int = 1


_sealers: dict[str, Sealer] = {}


def sealer_register(sealer: Sealer) -> None:
    _sealers[sealer.object_type] = sealer


def sealed_types() -> frozenset[str]:
    return frozenset(_sealers)


def audit_seal(
    *,
    object_type: str,
    ids: Iterable[int],
    actor: Any = None,
    entries: Sequence[Entry] = (),
    digests: Mapping[int, str] | None = None,
) -> None:
    """Append the current digest of each object to its chain.

    The digest goes into the last of ``entries`` (records of the same change, in the same
    chains, appended in the same step) that is about the object: the record of the step the
    seal ends carries it (the digest in its ``seal`` column, the scheme in ``data["v"]``, ADR
    0026). An object no entry is about gets a ``<type>.seal`` record of its own, after them.

    The objects' chain heads are locked first, then the digests read: a change committed by
    another transaction meanwhile is then either in the digest or sealed after this one, so
    the last seal of an object always matches what was committed last.
    ``digests``: the objects' digests computed by the caller from the rows it has just written
    (objects new in this transaction, which nobody else can change before it commits); read
    from the database otherwise. Verify always reads them from the database."""
    sealer = _sealers[object_type]
    ids = sorted(set(ids))
    if not ids:
        audit_append(list(entries))
        return
    with transaction.atomic(savepoint=False):
        chains = sorted(
            {chain_of(object_type, str(i), None) for i in ids}
            | {chain_of(e.object_type, str(e.object_id), None) for e in entries}
        )
        heads = {
            chain: AuditHead(pk=pk, chain=chain, seq=seq, hash=h)
            for pk, chain, seq, h in values_by_ids(
                "audit.heads_locked",
                lambda c: (
                    AuditHead.objects.select_for_update()
                    .filter(chain__in=c)
                    .order_by("chain")
                    .values_list("pk", "chain", "seq", "hash")
                ),
                chains,
            )
        }
        if digests is None:
            digests = sealer.digests(ids)
        audit_append(
            seal_fold(list(entries), object_type, digests, sealer.version, actor),
            heads=heads,  # locked above, before the digests were read
        )


#: The keys of ``data`` that make a record a seal (ADR 0026): the digest and its scheme.
SEAL_KEYS = ("digest", "v")


def seal_fold(
    entries: list[Entry],
    object_type: str,
    digests: Mapping[int, str],
    version: int,
    actor: Any = None,
) -> list[Entry]:
    """``entries`` with each object's seal written into the last entry about it; a
    ``<type>.seal`` entry of its own, after them, for an object no entry is about (or whose
    last entry already uses a key of the seal)."""
    last: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.object_type == object_type:
            last[str(e.object_id)] = i
    out = list(entries)
    alone: list[Entry] = []
    for pk, d in sorted(digests.items()):
        seal = {"digest": d, "v": version}
        i = last.get(str(pk))
        if i is not None and not any(k in out[i].data for k in SEAL_KEYS):
            out[i] = replace(out[i], data={**out[i].data, **seal}, seal=True)
        else:
            alone.append(Entry(f"{object_type}.seal", actor, object_type, pk, seal, seal=True))
    return [*out, *alone]


def seal_of(object_type: str, kind: str, data: Any, seal: Any = None) -> str | None:
    """The digest (hex) a record seals, if it is a seal of an object of ``object_type``: a
    ``<type>.seal`` record, or a step's record of that type carrying one (ADR 0026). The digest
    is in the ``seal`` column (32 bytes), or in ``data["digest"]`` (records written or archived
    before that column)."""
    if isinstance(seal, (bytes, bytearray, memoryview)):
        digest: str | None = bytes(seal).hex()
    elif isinstance(data, dict) and "digest" in data:
        digest = str(data["digest"])
    else:
        digest = None
    if kind == f"{object_type}.seal":
        return digest or ""
    if not kind.startswith(f"{object_type}."):
        return None
    return digest


def seal_records(object_type: str, object_id: str | int | None = None) -> Any:
    """The records that seal objects of ``object_type`` (of one object if given), in any order:
    the ``<type>.seal`` records and the steps' records carrying a digest (ADR 0026)."""
    qs = AuditRecord.objects.filter(
        Q(seal__isnull=False) | Q(data__has_key="digest"), object_type=object_type
    )
    if object_id is not None:
        qs = qs.filter(object_id=str(object_id))
    return qs


def seal_version(data: Any) -> int:
    """The sealing scheme a seal record was made with (records before versions: 1)."""
    try:
        return int((data or {}).get("v", 1))
    except (TypeError, ValueError, AttributeError):
        return 1


def seals_adopt(*, actor: Any = None) -> dict[str, int]:
    """Seal every registered object that has no seal yet (rows from before sealing existed) or
    whose last seal is of an earlier scheme (after an upgrade that made the digest cover more),
    and record that it was done: once, after upgrading. It trusts those rows as they are now,
    so verify with the old version first (docs/operations.md)."""
    from xinfang.audit.services import audit_record

    out: dict[str, int] = {}
    for object_type, sealer in sorted(_sealers.items()):
        last: dict[str, int] = {}
        for object_id, kind, data, seal in (
            seal_records(object_type)
            .order_by("chain", "seq")
            .values_list("object_id", "kind", "data", "seal")
            .iterator(chunk_size=2000)
        ):
            if seal_of(object_type, kind, data, seal) is not None:
                last[object_id] = seal_version(data)
        missing = [pk for pk, _d in sealer.every() if last.get(str(pk), 0) < sealer.version]
        for i in range(0, len(missing), 500):
            audit_seal(object_type=object_type, ids=missing[i : i + 500], actor=actor)
        audit_record(
            kind="audit.seals_adopt",
            actor=actor,
            object_type=object_type,
            data={"sealed": len(missing), "v": sealer.version},
        )
        out[object_type] = len(missing)
    return out


def row_digest(object_type: str, values: Any) -> str:
    """HMAC-SHA256 (the audit key, domain-separated) of canonical JSON of ``values``: nobody
    without the key can compute the digest of an edited row."""
    body = json.dumps(
        [object_type, values],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    key = _seal_key(settings.XINFANG_AUDIT_KEY)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=4)
def _seal_key(audit_key: str) -> bytes:
    return hmac.new(audit_key.encode(), b"xinfang.audit.seal", "sha256").digest()


def seals_check(
    sealed: Mapping[tuple[str, str], tuple[str, int]],
    problem: Callable[[str], None],
    note: Callable[[str], None] = lambda _msg: None,
    archived: Callable[[str, str], bool] = lambda _t, _k: False,
) -> None:
    """Compare every registered object's digest now with the last one sealed in the chain.
    ``sealed`` maps (type, id) to (digest, scheme version). A seal of an earlier scheme cannot
    be recomputed (the digest covers more now): it is counted in a note, not reported as a
    change, until ``xinfang audit seal`` renews it. ``archived(type, id)``: the object has
    history in a detached partition (ADR 0019), so its digest cannot be recomputed until the
    partition is attached again: counted in a note."""
    for object_type, sealer in sorted(_sealers.items()):
        seen: set[str] = set()
        earlier = unchecked = 0
        for pk, digest in sealer.every():
            key = str(pk)
            seen.add(key)
            if archived(object_type, key):
                unchecked += 1
                continue
            want = sealed.get((object_type, key))
            if want is None:
                problem(f"{object_type} {pk}: 不在审计链中（inserted outside the application）")
            elif want[1] < sealer.version:
                earlier += 1
            elif not hmac.compare_digest(want[0], digest):
                problem(
                    f"{object_type} {pk}: 与审计链中的摘要不符（changed outside the application）"
                )
        for t, key in sealed:
            if t == object_type and key not in seen:
                problem(f"{object_type} {key}: 审计链中有记录，数据库中已不存在（deleted）")
        if unchecked:
            note(
                f"{object_type}: {unchecked} 件有记录在已归档的分区中，重新挂接后核对摘要"
                f"（{unchecked} with history in an archived partition: checked once re-attached）"
            )
        if earlier:
            note(
                f"{object_type}: {earlier} 件的摘要为升级前的算法所记，未能核对；"
                "请在升级前用旧版本核对，升级后执行 xinfang audit seal"
                f"（{earlier} sealed by an earlier version: run `xinfang audit seal`）"
            )
