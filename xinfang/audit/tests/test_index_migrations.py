"""The audit trail's index migrations at scale: audit.0004 drops the indexes no query reads
before its rewrite (so the rewrite does not rebuild them), and audit.0005 builds its two
partial indexes without locking out writers (CREATE INDEX CONCURRENTLY on PostgreSQL, outside
a transaction). The end state is the one the model declares, whichever form of 0004 ran.

Planted faults: 0005 with Django's plain ``AddIndex`` (a ``CREATE INDEX`` that blocks every
write of the trail while it builds) fails the first test; the three ``RemoveIndex`` back after
the rewrite fails the second."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from xinfang.audit.models import AuditRecord
from xinfang.ops.tests import test_partitions

history_db = test_partitions.history_db  # a copy of the test database (pg_partman)

T = AuditRecord._meta.db_table
OLD = {"audit_object", "audit_actor", "audit_kind_at"}
NEW = {"audit_login_attempts", "audit_partition"}

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: str) -> None:
    MigrationExecutor(connection).migrate([("audit", target)])


def _latest() -> str:
    ex = MigrationExecutor(connection)
    return max(n for app, n in ex.loader.graph.leaf_nodes() if app == "audit")


def _indexes() -> set[str]:
    with connection.cursor() as c:
        return {
            name
            for name, info in connection.introspection.get_constraints(c, T).items()
            if info["index"] and not info["unique"] and not info["primary_key"]
        }


def _sql_of(target: str) -> list[str]:
    with CaptureQueriesContext(connection) as q:
        _migrate(target)
    return [x["sql"] for x in q.captured_queries]


def test_0005_builds_its_indexes_without_locking_out_the_writers():
    latest = _latest()
    try:
        _migrate("0004_lean_hash")
        assert not _indexes() & (OLD | NEW)
        sql = _sql_of(latest)
    finally:
        _migrate(latest)
    assert _indexes() >= NEW and not _indexes() & OLD
    built = [s for s in sql if re.match(r"CREATE INDEX", s)]
    assert {n for n in NEW if any(f'"{n}"' in s for s in built)} == NEW, built
    if connection.vendor == "postgresql":
        assert all(s.startswith("CREATE INDEX CONCURRENTLY") for s in built), built


def test_0004_drops_the_unread_indexes_before_its_rewrite():
    latest = _latest()
    try:
        _migrate("0003_failed_login_ip_index")
        assert _indexes() >= OLD
        sql = _sql_of("0004_lean_hash")
        assert not _indexes() & OLD
    finally:
        _migrate(latest)
    drops = [
        i for i, s in enumerate(sql) if re.match(r"DROP INDEX", s) and any(n in s for n in OLD)
    ]
    rewrite = next(
        i for i, s in enumerate(sql) if re.search(rf'ALTER TABLE "{T}"|INSERT INTO "new__{T}"', s)
    )
    assert len(drops) == 3 and max(drops) < rewrite, sql


def test_a_database_that_ran_the_earlier_0004_loses_the_three_in_0005():
    """The earlier 0004 rewrote the table with the three indexes still on it, and left them to
    0005: a database migrated that far still has them, and 0005 drops them."""
    latest = _latest()
    try:
        _migrate("0004_lean_hash")
        with connection.cursor() as c:  # as the earlier 0004 left them
            c.execute(f'CREATE INDEX "audit_object" ON "{T}" ("object_type", "object_id", "seq")')
            c.execute(f'CREATE INDEX "audit_actor" ON "{T}" ("actor_id", "seq")')
            c.execute(f'CREATE INDEX "audit_kind_at" ON "{T}" ("kind", "at")')
        assert _indexes() >= OLD
        _migrate(latest)
    finally:
        _migrate(latest)
    assert not _indexes() & OLD and _indexes() >= NEW


@pytest.mark.skipif(os.environ.get("XINFANG_TEST_DB") != "postgres", reason="PostgreSQL's")
def test_0005_on_a_partitioned_trail_builds_each_partition_s_index_then_the_parent_s(
    history_db,  # a copy of the test database (ops.tests.test_partitions)
):
    """A partitioned table cannot be indexed CONCURRENTLY as a whole (ADR 0019): each
    partition's index is built concurrently, then the parent's index attaches them."""
    from xinfang.audit.services import audit_record
    from xinfang.core import clock
    from xinfang.ops.partitions import partitioned, partitions_setup

    audit_record(kind="test.step", object_type="login", object_id="clerk")
    partitions_setup(now=clock.now())
    assert partitioned(T)
    latest = _latest()
    _migrate("0004_lean_hash")
    assert not _indexes() & NEW
    sql = _sql_of(latest)
    built = [s for s in sql if s.startswith("CREATE INDEX")]
    assert any(s.startswith("CREATE INDEX CONCURRENTLY") for s in built), built
    with connection.cursor() as c:
        c.execute(
            "SELECT parent.relname, count(*), bool_and(x.indisvalid) "
            "FROM pg_class parent JOIN pg_inherits h ON h.inhparent = parent.oid "
            "JOIN pg_index x ON x.indexrelid = h.inhrelid "
            "WHERE parent.relname IN ('audit_login_attempts', 'audit_partition') GROUP BY 1"
        )
        attached = {name: (n, ok) for name, n, ok in c.fetchall()}
        c.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [T])
        (partitions,) = c.fetchone()
    assert partitions >= 1
    assert attached == {n: (partitions, True) for n in NEW}, attached
