"""Time partitioning of the append-only tables on PostgreSQL, managed by pg_partman (ADR 0019).

``partitions_setup`` converts, once, the fastest-growing append-only tables into partitioned
tables managed by pg_partman (Debian's ``postgresql-15-partman``): audit records and petition
events by year of their time column (the search words, by ranges of petition ids, until ADR
0022 made them one row per petition). Django's models do not change: ``id`` stays the model's primary key (an identity
sequence still hands out unique ids) while the database's primary key becomes ``(id, time)``,
and each unique constraint gets the time column too, as PostgreSQL requires of a partitioned
table. SQLite is never partitioned.

``partition_detach`` (in ``partition_archive``) takes an old year out (``DETACH PARTITION … CONCURRENTLY``: the app goes on
reading and writing) into the schema ``xinfang_archive``, where it can be dumped and dropped,
and writes the manifest ``audit verify`` needs into the audit chain (``xinfang.audit.archive``);
``partition_attach`` puts it back (a CHECK constraint first, so attaching does not scan it under
lock). ``partitions_maintain`` (``xinfang tick``) runs pg_partman's maintenance: next years'
partitions made ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

ARCHIVE_SCHEMA = "xinfang_archive"
PARTMAN_SCHEMA = "partman"
PREMAKE = 2  # years (or id ranges) made ahead by the maintenance


class PartitionError(Exception):
    pass


@dataclass(frozen=True)
class Spec:
    table: str
    key: str  # the partition key
    interval: str  # pg_partman's interval: 'yearly' or a number of ids
    by_time: bool = True


def specs() -> list[Spec]:
    from xinfang.audit.models import AuditRecord
    from xinfang.petitions.models import PetitionEvent

    # The search words left this list with ADR 0022: on PostgreSQL they are one row per
    # petition (a tsvector), growing like the petitions table, which is not partitioned either.
    # A database partitioned before keeps its (now empty) partitioned word table.
    return [
        Spec(AuditRecord._meta.db_table, "at", "yearly"),
        # recorded_at (when the step was written), never moved back by a paper date, so a
        # new event never falls into a year already archived
        Spec(PetitionEvent._meta.db_table, "recorded_at", "yearly"),
    ]


def _q(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return list(c.fetchall()) if c.description else []


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise PartitionError("分区只用于 PostgreSQL（SQLite 不分区）")


def partitioned(table: str) -> bool:
    rows = _q("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [f"public.{table}"])
    return bool(rows) and rows[0][0] == "p"


def partman_ready() -> bool:
    """Is pg_partman installed in this database?"""
    if connection.vendor != "postgresql":
        return False
    return bool(_q("SELECT 1 FROM pg_extension WHERE extname = 'pg_partman'"))


def partitions_setup(*, start_year: int | None = None, now: datetime) -> dict[str, Any]:
    """Convert each table of ``specs()`` that is not partitioned yet (one transaction each,
    under an exclusive lock: run it in a maintenance window, once). Idempotent."""
    _require_postgresql()
    _q(f"CREATE SCHEMA IF NOT EXISTS {PARTMAN_SCHEMA}")
    _q(f"CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA {PARTMAN_SCHEMA}")
    _q(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
    out: dict[str, Any] = {}
    for spec in specs():
        if partitioned(spec.table):
            out[spec.table] = "already partitioned"
            continue
        with transaction.atomic():
            out[spec.table] = _convert(spec, start_year=start_year, now=now)
    return out


def _convert(spec: Spec, *, start_year: int | None, now: datetime) -> dict[str, Any]:
    t, key = spec.table, spec.key
    old = f"{t}_unpartitioned"
    _q(f'LOCK TABLE "{t}" IN ACCESS EXCLUSIVE MODE')
    cons = _q(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY conname",
        [t],
    )
    indexes = _q(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [t],
    )
    has_id = bool(
        _q(
            "SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id' "
            "AND NOT attisdropped",
            [t],
        )
    )
    _q(f'ALTER TABLE "{t}" RENAME TO "{old}"')
    _q(
        f'CREATE TABLE "{t}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
        f'INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ("{key}")'
    )
    if spec.by_time:
        first = _q(f'SELECT min("{key}") FROM "{old}"')[0][0]
        year = min(first.year if first else now.year, start_year or now.year)
        start = f"{year}-01-01"
    else:
        first = _q(f'SELECT min("{key}") FROM "{old}"')[0][0] or 0
        step = int(spec.interval)
        start = str(first // step * step)
    _q(
        f"SELECT {PARTMAN_SCHEMA}.create_parent(p_parent_table := %s, p_control := %s, "
        "p_type := 'native', p_interval := %s, p_premake := %s, p_start_partition := %s)",
        [f"public.{t}", key, spec.interval, PREMAKE, start],
    )
    # pg_partman makes a default partition; without one, an old year can be detached
    # CONCURRENTLY (PostgreSQL refuses that while a default partition exists)
    _q(f'DROP TABLE IF EXISTS "{t}_default"')
    # the partitions the existing rows need (the maintenance makes only the next ones)
    if spec.by_time:
        years = [r[0] for r in _q(f'SELECT DISTINCT extract(year FROM "{key}")::int FROM "{old}"')]
        for y in sorted(years):
            _q(
                f"SELECT {PARTMAN_SCHEMA}.create_partition_time(%s, ARRAY[%s::timestamptz])",
                [f"public.{t}", f"{y}-01-01"],
            )
    else:
        step = int(spec.interval)
        bases = [r[0] for r in _q(f'SELECT DISTINCT "{key}" / %s * %s FROM "{old}"', [step, step])]
        if bases:
            _q(
                f"SELECT {PARTMAN_SCHEMA}.create_partition_id(%s, %s::bigint[])",
                [f"public.{t}", sorted(bases)],
            )
    columns = ", ".join(
        f'"{r[0]}"'
        for r in _q(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [old],
        )
    )
    _q(f'INSERT INTO "{t}" ({columns}) SELECT {columns} FROM "{old}"')
    rows = _q(f'SELECT count(*) FROM "{t}"')[0][0]
    last_id = _q(f'SELECT max(id) FROM "{old}"')[0][0] if has_id else None
    # Foreign keys *into* the table (a document's event) cannot point at a partitioned table
    # without the partition key: they go, the model's ForeignKey stays (ADR 0019)
    dropped = []
    for referrer, name in _q(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE confrelid = %s::regclass AND contype = 'f' ORDER BY 1, 2",
        [old],
    ):
        _q(f'ALTER TABLE {referrer} DROP CONSTRAINT "{name}"')
        dropped.append(f"{referrer}.{name}")
    _q(f'DROP TABLE "{old}"')
    if has_id:  # an identity column cannot be on a partitioned table (PostgreSQL 15)
        seq = f"{t}_id_seq"
        _q(f'CREATE SEQUENCE "{seq}" AS bigint OWNED BY "{t}".id')
        _q("SELECT setval(%s, %s, %s)", [seq, last_id or 1, last_id is not None])
        _q(f'ALTER TABLE "{t}" ALTER COLUMN id SET DEFAULT nextval(%s::regclass)', [seq])
    for name, kind, definition in cons:
        if kind in ("p", "u"):
            cols = re.match(r"(PRIMARY KEY|UNIQUE) \((.*)\)", definition)
            if cols is None:
                raise PartitionError(f"{t}: 无法改写约束 {name}: {definition}")
            have = [c.strip().strip('"') for c in cols.group(2).split(",")]
            if key not in have:
                definition = f'{cols.group(1)} ({cols.group(2)}, "{key}")'
        _q(f'ALTER TABLE "{t}" ADD CONSTRAINT "{name}" {definition}')
    for (definition,) in indexes:
        _q(definition)
    _q(f'ANALYZE "{t}"')
    return {"rows": rows, "start": start, "interval": spec.interval, "fk_dropped": dropped}


@dataclass(frozen=True)
class Part:
    table: str
    name: str
    schema: str
    bound: str  # FOR VALUES FROM (…) TO (…)


def partition_list() -> list[dict[str, Any]]:
    """Every partition of the partitioned tables, attached or archived, with its rows."""
    _require_postgresql()
    out = []
    for spec in specs():
        if not partitioned(spec.table):
            continue
        for name, bound in _q(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass "
            "ORDER BY c.relname",
            [spec.table],
        ):
            out.append(
                {"table": spec.table, "partition": name, "state": "attached", "bound": bound}
            )
        for (name,) in _q(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE %s "
            "ORDER BY tablename",
            [ARCHIVE_SCHEMA, f"{spec.table}_p%"],
        ):
            out.append({"table": spec.table, "partition": name, "state": "archived", "bound": ""})
    return out


def partitions_maintain() -> dict[str, int]:
    """pg_partman's maintenance: the partitions of the coming years made ahead (PREMAKE)."""
    if not partman_ready():
        return {"tables": 0}
    _q(f"SELECT {PARTMAN_SCHEMA}.run_maintenance(p_analyze := false)")
    return {"tables": len(_q(f"SELECT 1 FROM {PARTMAN_SCHEMA}.part_config"))}
