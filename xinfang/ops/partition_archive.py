"""Detaching an old year of the time-partitioned tables into the archive schema, and
attaching it back (ADR 0019; the tables are set up by ``ops.partitions``).

``partition_detach`` takes an old year out (``DETACH PARTITION … CONCURRENTLY``: the app goes on
reading and writing) into the schema ``xinfang_archive``, where it can be dumped and dropped,
and writes the manifest ``audit verify`` needs into the audit chain (``xinfang.audit.archive``);
run again, it completes a detach that stopped partway. ``partition_attach`` puts a year back (a
CHECK constraint first, so attaching does not scan it under lock).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, transaction

from xinfang.ops.archive_panel import archive_memo_clear
from xinfang.ops.partitions import (
    ARCHIVE_SCHEMA,
    PartitionError,
    Spec,
    _q,
    _require_postgresql,
    partitioned,
    specs,
)

#: The comment a partition carries from just before its detach: its bound, for a rerun.
_BOUND_COMMENT = "xinfang partition bound: "


def _year_specs(year: int) -> list[tuple[Spec, str]]:
    return [(s, f"{s.table}_p{year}") for s in specs() if s.by_time and partitioned(s.table)]


def _state(spec: Spec, name: str) -> tuple[str, str | None]:
    """Where a year's partition of ``spec.table`` is: ``attached`` (with its bound), ``pending``
    (a ``DETACH … CONCURRENTLY`` was interrupted), ``detached`` (out of the table, still in
    ``public``), ``archived`` (in the archive schema) or ``absent``."""
    row = _q(
        "SELECT pg_get_expr(c.relpartbound, c.oid), i.inhdetachpending FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE i.inhparent = %s::regclass AND c.relname = %s AND n.nspname = 'public'",
        [spec.table, name],
    )
    if row:
        return ("pending" if row[0][1] else "attached"), row[0][0]
    for schema, state in (("public", "detached"), (ARCHIVE_SCHEMA, "archived")):
        if _q("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s", [schema, name]):
            return state, None
    return "absent", None


def _saved_bound(schema: str, name: str, year: int) -> str:
    """The bound a partition had, from the comment written on it before it was detached (a
    detached table keeps no bound); a partition detached by hand gets its calendar year."""
    got = _q("SELECT obj_description(to_regclass(%s), 'pg_class')", [f'{schema}."{name}"'])
    text = (got[0][0] if got else None) or ""
    if text.startswith(_BOUND_COMMENT):
        return text[len(_BOUND_COMMENT) :]
    return f"FOR VALUES FROM ('{year}-01-01 00:00:00+00') TO ('{year + 1}-01-01 00:00:00+00')"


def _manifest_written(name: str) -> bool:
    """Does the trail hold a ``partition.detach`` of ``name`` not followed by an attach?"""
    from xinfang.audit.archive import ATTACH, DETACH, OBJECT_TYPE
    from xinfang.audit.models import AuditRecord

    last = (
        AuditRecord.objects.filter(
            object_type=OBJECT_TYPE, object_id=name, kind__in=(DETACH, ATTACH)
        )
        .order_by("-at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return last == DETACH


def partition_detach(*, year: int, actor: Any = None) -> dict[str, Any]:
    """Detach ``year`` of every time-partitioned table without locking out the app (``DETACH
    PARTITION … CONCURRENTLY``; it cannot run inside a transaction), move it to the archive
    schema, and write the manifest into the audit chain. Runs in autocommit.

    A detach that stopped partway (a lost connection, a crash between two tables, an
    interrupted ``CONCURRENTLY`` left *pending*) is completed by running it again: a pending
    detach is finalised, a detached table still in ``public`` is moved, and every archived
    partition of the year without a manifest in the trail gets one (without it ``audit verify``
    would report the year's records as removed)."""
    _require_postgresql()
    if connection.in_atomic_block:
        raise PartitionError("分离分区不能在事务中执行（DETACH … CONCURRENTLY）")
    from xinfang.audit.models import AuditRecord

    done: dict[str, Any] = {}
    for spec, name in _year_specs(year):
        state, bound = _state(spec, name)
        if state == "attached":
            assert bound is not None
            # kept on the table itself, for a rerun after an interruption (_saved_bound)
            _q(f'COMMENT ON TABLE "{name}" IS %s', [_BOUND_COMMENT + bound])
            _q(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{name}" CONCURRENTLY')
            state = "detached"
        elif state == "pending":
            _q(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{name}" FINALIZE')
            state = "detached"
        if state == "detached":
            bound = _saved_bound("public", name, year)
            _q(f'ALTER TABLE "{name}" SET SCHEMA {ARCHIVE_SCHEMA}')
            state = "archived"
        if state == "archived" and not _manifest_written(name):
            done[spec.table] = (name, bound or _saved_bound(ARCHIVE_SCHEMA, name, year))
    if not done:
        raise PartitionError(f"{year} 年没有挂接着的分区")
    manifest = _manifest(year, done)
    from xinfang.audit.archive import DETACH, OBJECT_TYPE
    from xinfang.audit.services import audit_record

    for table, (name, _bound) in done.items():
        audit_record(
            kind=DETACH,
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=name,
            data=manifest[table],
        )
    archive_memo_clear()
    return {t: {"partition": n, "rows": manifest[t]["rows"]} for t, (n, _b) in done.items()} | {
        "audit_records_now": AuditRecord.objects.count()
    }


def _manifest(year: int, done: dict[str, tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """What left with each partition: its bound and rows; for the audit records the runs of
    each chain (``audit.archive``); the petitions whose digest needs the archived rows."""
    from xinfang.audit.archive import archive_prev_hashes, id_ranges
    from xinfang.audit.models import AuditRecord
    from xinfang.petitions.models import PetitionEvent

    audit_t, event_t = AuditRecord._meta.db_table, PetitionEvent._meta.db_table
    unchecked: set[int] = set()
    if event_t in done:
        unchecked |= {
            r[0]
            for r in _q(f'SELECT DISTINCT petition_id FROM {ARCHIVE_SCHEMA}."{done[event_t][0]}"')
        }
    runs: dict[str, list[list[Any]]] = {}
    if audit_t in done:
        src = f'{ARCHIVE_SCHEMA}."{done[audit_t][0]}"'
        unchecked |= {
            int(r[0])
            for r in _q(
                f"SELECT DISTINCT object_id FROM {src} WHERE object_type = 'petition' "
                "AND object_id ~ '^[0-9]{1,18}$'"
            )
        }
        # gaps and islands: consecutive sequence numbers of one chain form one run
        found = _q(
            f"""
            WITH r AS (
                SELECT chain, seq, hash, seq - row_number() OVER w AS grp
                FROM {src} WINDOW w AS (PARTITION BY chain ORDER BY seq)
            )
            SELECT chain, min(seq), max(seq), (array_agg(hash ORDER BY seq DESC))[1]
            FROM r GROUP BY chain, grp ORDER BY chain, min(seq)
            """
        )
        # the hash before each run's first record is not stored with it (ADR 0024): it is the
        # previous record's, still attached (or the genesis, or the end of an earlier archive)
        prevs = archive_prev_hashes((chain, first) for chain, first, _l, _h in found)
        for chain, first, last, last_hash in found:
            runs.setdefault(str(chain), []).append(
                [first, last, prevs.get((chain, first), ""), _hex(last_hash)]
            )
    out = {}
    for table, (name, bound) in done.items():
        m = re.search(r"FROM \('([^']*)'\) TO \('([^']*)'\)", bound)
        out[table] = {
            "table": table,
            "year": year,
            "from": m.group(1) if m else "",
            "to": m.group(2) if m else "",
            "rows": _q(f'SELECT count(*) FROM {ARCHIVE_SCHEMA}."{name}"')[0][0],
        }
    if audit_t in done:
        out[audit_t]["runs"] = runs
    if unchecked:
        ranges = id_ranges(unchecked)
        for table in done:
            out[table]["unchecked"] = {"petition": ranges}
    return out


def _hex(h: Any) -> str:
    """A hash as the manifests write it: hex (a partition archived before ADR 0024 stores hex
    text, one after it 32 raw bytes)."""
    return bytes(h).hex() if isinstance(h, bytes | bytearray | memoryview) else str(h)


#: audit.0004's conversion of a stored hex hash (a non-hex one, edited by hand, stays reported)
TO_BYTES = (
    """CASE WHEN "hash" ~ '^[0-9a-fA-F]{64}$' THEN decode("hash", 'hex') """
    """ELSE convert_to("hash", 'UTF8') END"""
)


def _conform(name: str, table: str) -> None:
    """Bring an archived partition to its parent's columns before attaching it: a year archived
    before ADR 0024 (audit records with a ``prev_hash`` column and the hash as hex text) gets the
    same conversion migration ``audit.0004`` gave the attached years; one archived before ADR
    0026 gets the ``seal`` column. Its rows keep their HMACs: the hash is the same 32 bytes,
    the previous hash is the one the chain reaches, and a digest left in ``data`` is hashed as
    it was written."""
    cols = dict(
        _q(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            [name],
        )
    )
    if table == "audit_auditrecord" and cols.get("hash") not in (None, "bytea"):
        drop = 'DROP COLUMN "prev_hash", ' if "prev_hash" in cols else ""
        _q(f'ALTER TABLE "{name}" {drop}ALTER COLUMN "hash" TYPE bytea USING {TO_BYTES}')
    if table == "audit_auditrecord" and cols and "seal" not in cols:
        # archived before ADR 0026: the column is added empty (no rewrite); its seals keep
        # their digest in ``data``, which verify reads as well (``AuditRecord.digest``)
        _q(f'ALTER TABLE "{name}" ADD COLUMN "seal" bytea NULL')


def _drop_unmatched_indexes(name: str) -> None:
    """Indexes an attached partition brought that its parent no longer has (one dropped since
    the year was archived, e.g. by migration ``audit.0005``): attaching keeps them as the
    partition's own, where they would only take disk."""
    for (ix,) in _q(
        "SELECT ci.relname FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = x.indexrelid) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
        [f'"{name}"'],
    ):
        _q(f'DROP INDEX "{ix}"')


def _last_detach_data(name: str) -> dict[str, Any]:
    """The manifest of the latest ``partition.detach`` of ``name`` (``{}`` if there is none)."""
    from xinfang.audit.archive import DETACH, OBJECT_TYPE
    from xinfang.audit.models import AuditRecord

    return (
        AuditRecord.objects.filter(object_type=OBJECT_TYPE, kind=DETACH, object_id=name)
        .order_by("-at", "-id")
        .values_list("data", flat=True)
        .first()
    ) or {}


def partition_attach(*, year: int, actor: Any = None) -> dict[str, Any]:
    """Attach an archived year again: back from the archive schema, a CHECK constraint of its
    bound first so ``ATTACH PARTITION`` (which locks the parent only against DDL) need not scan
    it, then the constraint dropped; ``partition.attach`` in the chain ends the archive."""
    _require_postgresql()
    from xinfang.audit.archive import OBJECT_TYPE
    from xinfang.audit.services import audit_record

    done: dict[str, Any] = {}
    for spec in specs():
        if not spec.by_time or not partitioned(spec.table):
            continue
        name = f"{spec.table}_p{year}"
        if not _q(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            [ARCHIVE_SCHEMA, name],
        ):
            continue
        last = _last_detach_data(name)
        lo, hi = last.get("from") or f"{year}-01-01", last.get("to") or f"{year + 1}-01-01"
        with transaction.atomic():
            _q(f'ALTER TABLE {ARCHIVE_SCHEMA}."{name}" SET SCHEMA public')
            _conform(name, spec.table)
            check = f"{name}_bound"
            _q(
                f'ALTER TABLE "{name}" ADD CONSTRAINT "{check}" CHECK ("{spec.key}" IS NOT NULL '
                f'AND "{spec.key}" >= %s::timestamptz AND "{spec.key}" < %s::timestamptz)',
                [lo, hi],
            )
            _q(
                f'ALTER TABLE "{spec.table}" ATTACH PARTITION "{name}" '
                "FOR VALUES FROM (%s) TO (%s)",
                [lo, hi],
            )
            _q(f'ALTER TABLE "{name}" DROP CONSTRAINT "{check}"')
            _drop_unmatched_indexes(name)
            audit_record(
                kind="partition.attach",
                actor=actor,
                object_type=OBJECT_TYPE,
                object_id=name,
                data={"table": spec.table, "year": year, "from": lo, "to": hi},
            )
        done[spec.table] = name
    if not done:
        raise PartitionError(f"归档中没有 {year} 年的分区")
    archive_memo_clear()
    return done
