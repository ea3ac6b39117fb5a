"""An exclusive lock across processes (and, on PostgreSQL, across hosts) that dies with its
holder: two ``xinfang tick`` runs never overlap, and a killed one never leaves it held.

* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its own,
  so nothing a job does to its connections releases it. Every host that shares the database
  shares the lock.
* SQLite: ``flock`` on a file beside the database (SQLite is one host by nature).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections


class LockBusy(Exception):
    """Another process holds the lock."""


def _key(name: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"xinfang:{name}".encode()).digest()[:8], "big", signed=True
    )


def _lock_file(name: str) -> Path:
    db = str(settings.DATABASES["default"].get("NAME") or "")
    folder = Path(db).parent if db and db != ":memory:" and "mode=memory" not in db else None
    folder = folder or Path(settings.DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".xinfang-{name}.lock"


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Hold the lock ``name`` for the block, or raise :class:`LockBusy` at once."""
    if connections["default"].vendor == "postgresql":
        conn = connections.create_connection("default")
        try:
            with conn.cursor() as c:
                c.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
                if not c.fetchone()[0]:
                    raise LockBusy(name)
            yield
        finally:
            conn.close()  # ends the session, and with it the lock
        return
    fd = os.open(_lock_file(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            _try_lock(fd)
        except OSError:
            raise LockBusy(name) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> None:
    if os.name == "nt":  # the waitress fallback's platform
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
