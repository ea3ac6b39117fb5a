"""A hung database does not freeze the server: connections give up after the connect timeout,
statements after the statement timeout, and the request gets a 503, not a thread held for ever."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from django.db import OperationalError, connection

from config import env

pg_only = pytest.mark.skipif(
    os.environ.get("XINFANG_TEST_DB") != "postgres", reason="PostgreSQL's timeouts"
)


@pytest.fixture
def black_hole():
    """A server that accepts connections and never says a word (a hung database host)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    accepted = []
    stop = threading.Event()

    def run():
        s.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(s.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=run, daemon=True)
    t.start()
    yield s.getsockname()[1]
    stop.set()
    t.join()
    for c in accepted:
        c.close()
    s.close()


def test_connecting_to_a_database_that_never_answers_gives_up_after_the_connect_timeout(
    black_hole, monkeypatch, django_db_blocker
):
    from django.db.backends.postgresql.base import DatabaseWrapper

    monkeypatch.setenv("XINFANG_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{black_hole}/x")
    monkeypatch.setenv("XINFANG_DB_CONNECT_TIMEOUT", "2")
    settings_dict = env.database(env.data_dir())
    settings_dict.update(
        {"ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "TIME_ZONE": None, "TEST": {}}
    )
    db = DatabaseWrapper(settings_dict)
    started = time.monotonic()
    with django_db_blocker.unblock(), pytest.raises(OperationalError):
        db.ensure_connection()
    assert time.monotonic() - started < 10


def test_the_production_options_set_statement_and_idle_transaction_timeouts(monkeypatch):
    monkeypatch.setenv("XINFANG_DB_STATEMENT_TIMEOUT", "30")
    monkeypatch.delenv("XINFANG_COMMAND", raising=False)
    opts = env.postgres_timeouts()
    assert "-c statement_timeout=30000" in opts["options"]
    assert "idle_in_transaction_session_timeout=60000" in opts["options"]
    assert opts["connect_timeout"] == 5 and opts["keepalives"] == 1
    monkeypatch.setenv("XINFANG_COMMAND", "1")  # migrate, backup, worker …: no limit
    assert "statement_timeout=0" in env.postgres_timeouts()["options"]


@pg_only
@pytest.mark.django_db
def test_the_test_database_runs_with_the_production_statement_timeout():
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        assert c.fetchone()[0] == "30s"


@pg_only
@pytest.mark.django_db
def test_a_request_stuck_behind_a_lock_is_cancelled_and_answered_503(client):
    import psycopg

    from xinfang.ops.selectors import _migrations_applied

    db = connection.settings_dict
    assert _migrations_applied()  # remembered, so only the heartbeat meets the lock
    other = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=connection.settings_dict["NAME"],
    )
    try:
        other.execute("LOCK TABLE ops_heartbeat IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as c:
            c.execute("SET statement_timeout = 300")
        started = time.monotonic()
        r = client.get("/-/ready")
        assert r.status_code == 503 and r["Retry-After"] == "30"
        assert time.monotonic() - started < 5
    finally:
        other.rollback()
        other.close()
