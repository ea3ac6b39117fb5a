"""`audit verify` reads one consistent snapshot: records appended while it runs are no alarm.

Issue 13 §1.3: verify read the chain, then the head in another query, so records committed in
between looked like a cut tail. Here another connection appends (and commits) while verify is
half-way through the chain, deterministically, and verify must still pass; a second test keeps
writers busy for a whole series of verifications.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xinfang.audit import verify
from xinfang.audit.services import audit_record
from xinfang.audit.verify import audit_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="the in-memory test database locks whole tables across connections (shared "
        "cache), so another connection cannot write while one reads; see ADR 0014",
    ),
]


def _in_other_connection(fn) -> None:  # type: ignore[no-untyped-def]
    """Run ``fn`` in a thread of its own (its own database connection), to completion."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as e:  # handed to the test
            errors.append(e)
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert not t.is_alive(), "the writer hung: verify must not block writers"
    if errors:
        raise errors[0]


def _append(n: int, tag: str) -> None:
    for i in range(n):
        audit_record(kind="test.load", object_type="thing", object_id=f"{tag}{i}")


def test_records_committed_while_verify_reads_the_chain_are_no_false_alarm(monkeypatch):
    _append(20, "a")
    real_hash = verify.record_hash
    calls = {"n": 0}

    def hash_then_write(r, prev):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:  # half-way through the chain: another session appends and commits
            _in_other_connection(lambda: _append(7, "b"))
        return real_hash(r, prev)

    monkeypatch.setattr(verify, "record_hash", hash_then_write)
    rep = audit_verify()
    assert rep.ok, rep.problems
    assert rep.checked == 20  # the snapshot taken before the writes
    monkeypatch.setattr(verify, "record_hash", real_hash)
    again = audit_verify()
    assert again.ok and again.checked == 27


def test_verify_passes_every_time_while_writers_keep_appending():
    _append(50, "seed")
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            i = 0
            while not stop.is_set() and i < 2000:
                _append(1, f"{tag}-{i}-")
                i += 1
        except BaseException as e:  # handed to the test
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("w1", "w2")]
    for t in threads:
        t.start()
    try:
        reports = [audit_verify() for _ in range(15)]
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors
    assert all(r.ok for r in reports), [r.problems for r in reports if not r.ok]
    assert audit_verify().ok
