"""Migration audit.0004 (ADR 0024): a trail written with hex hashes and a stored prev_hash is
converted to raw hashes without one, every record keeping the HMAC it was written with, and
back; verify passes on the converted trail and still finds a record edited before the upgrade."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record
from xinfang.audit.verify import audit_verify

T = AuditRecord._meta.db_table


def _migrate(target: str) -> None:
    ex = MigrationExecutor(connection)
    ex.migrate([("audit", target)])


def _latest() -> str:
    ex = MigrationExecutor(connection)
    return max(n for app, n in ex.loader.graph.leaf_nodes() if app == "audit")


def _rows() -> list[dict]:  # type: ignore[type-arg]
    with connection.cursor() as c:
        c.execute(f"SELECT * FROM {T} ORDER BY chain, seq")
        cols = [d[0] for d in c.description]
        return [dict(zip(cols, r, strict=True)) for r in c.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_the_trail_both_ways_and_every_record_still_verifies():
    for i in range(8):  # two objects: two chains, each with its own genesis
        audit_record(kind="test.step", object_type="thing", object_id=f"o{i % 2}", data={"i": i})
    new = {r["id"]: bytes(r["hash"]) for r in _rows()}
    assert audit_verify(anchors=False).ok
    latest = _latest()
    try:
        _migrate("0003_failed_login_ip_index")
        old = _rows()
        # the old form: hex text, and each record's predecessor's hash stored beside it
        by_chain: dict[int, str] = {}
        for r in old:
            assert r["hash"] == new[r["id"]].hex()
            if r["chain"] in by_chain:
                assert r["prev_hash"] == by_chain[r["chain"]]
            by_chain[r["chain"]] = r["hash"]
        if connection.vendor == "sqlite":  # the hex is text in a text column, not in a BLOB one
            with connection.cursor() as c:
                c.execute(f"PRAGMA table_info({T})")
                assert {r[1]: r[2] for r in c.fetchall()}["hash"].lower() == "varchar(64)"
                c.execute(f"SELECT DISTINCT typeof(hash) FROM {T}")
                assert [r[0] for r in c.fetchall()] == ["text"]
        victim = old[3]
        with connection.cursor() as c:  # tampering before the upgrade…
            c.execute(f"UPDATE {T} SET kind = 'forged' WHERE id = %s", [victim["id"]])
        _migrate(latest)
    finally:
        _migrate(latest)  # the test database stays at the latest state
    after = _rows()
    assert "prev_hash" not in after[0]
    assert {r["id"]: bytes(r["hash"]) for r in after} == new  # the same 32 bytes, not rehashed
    rep = audit_verify(anchors=False)
    assert not rep.ok  # …is still found after it
    assert any(f"#{victim['chain']}.{victim['seq']}:" in p for p in rep.problems), rep.problems
    with connection.cursor() as c:
        c.execute(f"UPDATE {T} SET kind = 'test.step' WHERE id = %s", [victim["id"]])
    assert audit_verify(anchors=False).ok
    audit_record(kind="test.step", object_type="thing", object_id="o0", data={"i": 9})
    assert audit_verify(anchors=False).ok  # and the chains go on
    try:  # and back and forth a second time (revA 6)
        _migrate("0003_failed_login_ip_index")
        assert all(isinstance(r["hash"], str) and len(r["hash"]) == 64 for r in _rows())
        _migrate(latest)
    finally:
        _migrate(latest)
    assert audit_verify(anchors=False).ok
