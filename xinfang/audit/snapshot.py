"""One consistent read of the audit trail (for verify and for anchors)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Read the records and the heads in one consistent snapshot, so records appended while
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
