"""Migrations audit.0006/0007 (ADR 0026): the digests of a trail written with them in the JSON
(every seal record of earlier releases) move into the ``seal`` column as 32 bytes, and back,
each record keeping the HMAC it was written with; verify passes on the converted trail and
still finds a record edited before the upgrade, and one whose digest was not hex."""

from __future__ import annotations

import importlib
import json

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from xinfang.audit.models import AuditRecord
from xinfang.audit.services import Entry, audit_append
from xinfang.audit.verify import audit_verify

T = AuditRecord._meta.db_table
BEFORE = "0005_indexes_a_query_reads"


def _migrate(target: str) -> None:
    MigrationExecutor(connection).migrate([("audit", target)])


def _latest() -> str:
    ex = MigrationExecutor(connection)
    return max(n for app, n in ex.loader.graph.leaf_nodes() if app == "audit")


def _rows() -> list[dict]:  # type: ignore[type-arg]
    with connection.cursor() as c:
        c.execute(f"SELECT * FROM {T} ORDER BY chain, seq")
        cols = [d[0] for d in c.description]
        out = [dict(zip(cols, r, strict=True)) for r in c.fetchall()]
    for r in out:
        if isinstance(r["data"], str):  # SQLite: the JSON as text
            r["data"] = json.loads(r["data"])
    return out


def _seals(n: int) -> None:
    """Steps with their seals, and a record that seals nothing, on two objects (two chains)."""
    for i in range(n):
        digest = f"{i:02x}" * 32
        audit_append(
            [
                Entry("thing.step", None, "thing", f"o{i % 2}", {"i": i}),
                Entry("thing.seal", None, "thing", f"o{i % 2}", {"digest": digest, "v": 2},
                      seal=True),
            ]
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_digests_move_into_their_column_and_back_and_every_record_still_verifies(monkeypatch):
    # SQLite moves them a batch at a time (not every record in memory at once): batches of 2
    monkeypatch.setattr(importlib.import_module("xinfang.audit.migrations.0006_seal_as_bytes"), "BATCH", 2)  # fmt: skip
    _seals(6)
    new = {r["id"]: (bytes(r["hash"]), r["seal"] and bytes(r["seal"])) for r in _rows()}
    assert sum(s is not None for _h, s in new.values()) == 6
    assert audit_verify(anchors=False).ok
    latest = _latest()
    try:
        _migrate(BEFORE)
        old = _rows()
        assert "seal" not in old[0]
        # the form before: the digest as hex in the JSON
        for r in old:
            h, s = new[r["id"]]
            assert bytes(r["hash"]) == h
            assert (r["data"].get("digest") == s.hex()) if s else ("digest" not in r["data"])
        step, seal = old[2], old[3]
        with connection.cursor() as c:  # tampering before the upgrade…
            c.execute(f"UPDATE {T} SET kind = 'forged' WHERE id = %s", [step["id"]])
            # …and a digest edited by hand into something that is no hex: stays in the JSON
            odd = json.dumps({**seal["data"], "digest": "X" * 64})
            c.execute(f"UPDATE {T} SET data = %s WHERE id = %s", [odd, seal["id"]])
        _migrate(latest)
    finally:
        _migrate(latest)  # the test database stays at the latest state
    after = _rows()
    for r in after:
        h, s = new[r["id"]]
        assert bytes(r["hash"]) == h  # the same 32 bytes: nothing hashed again
        if r["id"] == seal["id"]:
            assert r["seal"] is None and r["data"]["digest"] == "X" * 64
        else:
            assert (bytes(r["seal"]) if r["seal"] is not None else None) == s
            assert "digest" not in r["data"]
    rep = audit_verify(anchors=False)
    assert not rep.ok  # both found after the upgrade
    for victim in (step, seal):
        where = f"#{victim['chain']}.{victim['seq']}:"
        assert any(where in p for p in rep.problems), rep.problems
    with connection.cursor() as c:  # put back as written
        c.execute(f"UPDATE {T} SET kind = %s WHERE id = %s", [step["kind"], step["id"]])
        c.execute(
            f"UPDATE {T} SET data = %s, seal = %s WHERE id = %s",
            [json.dumps({"v": 2}), new[seal["id"]][1], seal["id"]],
        )
    assert audit_verify(anchors=False).ok
    _seals(2)
    assert audit_verify(anchors=False).ok  # and the chains go on


def _size() -> int:
    with connection.cursor() as c:
        c.execute("SELECT pg_total_relation_size(%s)", [T])
        return c.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_0007_gives_the_old_row_versions_space_back_with_a_snapshot_open_elsewhere():
    """The upgrade of a trail whose digests were moved by an UPDATE (0006's earlier form, or any
    update of every row) while another session holds a snapshot (autovacuum analysing another
    table, an application transaction): 0007 still copies only the live rows. Planted fault:
    0007 back to ``VACUUM FULL``: the old versions are kept and the table does not shrink."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row versions and snapshots")
    _seals(200)
    latest = _latest()
    other = connections.create_connection("default")
    try:
        _migrate(BEFORE)
        _migrate("0006_seal_as_bytes")
        with connection.cursor() as c:  # 0006's earlier form: the digests moved by an UPDATE…
            c.execute(
                f"""UPDATE {T} SET seal = decode(data ->> 'digest', 'hex'), """
                f"""data = data - 'digest' WHERE data ? 'digest'"""
            )
            for _ in range(3):  # …and every record updated since (old versions of each)
                c.execute(f"UPDATE {T} SET data = data")
        bloated = _size()
        other.set_autocommit(False)
        with other.cursor() as c:  # a snapshot held in another session, on another table
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            c.execute("SELECT count(*) FROM django_content_type")
        _migrate(latest)
        shrunk = _size()
    finally:
        other.rollback()
        other.close()
        _migrate(latest)
    assert shrunk < bloated * 0.6, (bloated, shrunk)
    assert sum(r["seal"] is not None for r in _rows()) == 200
    assert all("digest" not in r["data"] for r in _rows())
    assert audit_verify(anchors=False).ok
