"""Logging in while ``xinfang demo`` seeds its petitions (fixui item 9).

Reproduced on a running demo (SQLite, load 9): during "按办理流程推进" 4 logins of 11 waited 23 s
and got the plain 503 "系统繁忙…(数据库暂时不可用)"; the others took 9-17 s. The seed committed
every 25 petitions but began its next transaction at once, and SQLite's busy handler (which
sleeps up to 100 ms between tries) almost never woke inside the microseconds the lock was free.
Now a seed transaction lasts about ``TURN_SECONDS`` and, beside a server, the lock is then left
free for ``GAP_SECONDS``; the pages show how far the seed is, and a request that still finds the
database busy says the demo is being prepared.

Planted fault: with ``GAP_SECONDS = 0`` the two-connection test's login waits out its timeout.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.conf import settings

from xinfang.core.preparing import preparing_marker, preparing_progress
from xinfang.demo import seed as seed_module
from xinfang.demo.seed import GAP_SECONDS, _Turns


def _seed_like_writer(path: str, turns: _Turns, stop: threading.Event) -> None:
    """What the demo's drive loop does to SQLite: short transactions one after another."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    while not stop.is_set():
        db.execute("BEGIN IMMEDIATE")
        while not turns.due():
            db.execute("INSERT INTO t (v) VALUES ('seed')")
        db.execute("COMMIT")
        turns.give()
    db.close()


def _login_wait(tmp_path, gap: float) -> float | None:
    """Seconds a server's one-statement write waits beside the seed (None: gave up after 2 s)."""
    path = str(tmp_path / "db.sqlite3")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (v TEXT)")
    db.close()
    stop = threading.Event()
    seeder = threading.Thread(
        target=_seed_like_writer, args=(path, _Turns(gap, budget=0.2), stop), daemon=True
    )
    seeder.start()
    try:
        time.sleep(0.05)  # the seed holds the lock first
        login = sqlite3.connect(path, timeout=2, isolation_level=None)
        started = time.monotonic()
        try:
            login.execute("BEGIN IMMEDIATE")
            login.execute("INSERT INTO t (v) VALUES ('login')")
            login.execute("COMMIT")
        except sqlite3.OperationalError:
            return None
        finally:
            login.close()
        return time.monotonic() - started
    finally:
        stop.set()
        seeder.join(10)


def test_a_login_gets_the_write_lock_between_two_seed_transactions(tmp_path):
    waited = _login_wait(tmp_path, GAP_SECONDS)
    assert waited is not None and waited < 1.0, waited


def test_the_seed_gives_the_lock_only_after_its_turn_and_only_beside_a_server():
    now = [0.0]
    slept: list[float] = []
    turns = _Turns(0.15, budget=0.3, clock_=lambda: now[0], sleep=slept.append)
    turns.give()
    assert slept == [] and not turns.due()  # a short transaction keeps going
    now[0] = 0.31
    assert turns.due()
    turns.give()
    assert slept == [0.15] and not turns.due()
    alone = _Turns(0.0, budget=0.3, clock_=lambda: now[0], sleep=slept.append)
    now[0] = 5.0
    alone.give()
    assert slept == [0.15]  # `manage.py seed_demo` with no server: no pause


@pytest.mark.django_db
def test_xinfang_demo_seeds_sharing_the_write_lock(monkeypatch):
    """`xinfang demo` runs a server beside the seed: it asks for the turns."""
    from xinfang.demo.management.commands import seed_demo as command

    seen = {}
    monkeypatch.setattr(command, "demo_seed", lambda **kw: seen.update(kw) or 1 / 0)
    from django.core.management import call_command

    with pytest.raises(ZeroDivisionError):
        call_command("seed_demo", petitions=1, share_writes=True)
    assert seen["share_writes"] is True
    src = (settings.BASE_DIR / "xinfang" / "cli.py").read_text()
    assert "share_writes=True" in src
    assert seed_module.GAP_SECONDS > 0.1  # longer than the busy handler's longest sleep


@pytest.fixture
def preparing():
    marker = preparing_marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("57", encoding="ascii")
    yield marker
    marker.unlink(missing_ok=True)


@pytest.mark.django_db
def test_the_login_page_shows_how_far_the_demo_is(client, preparing):
    assert preparing_progress() == 57
    body = client.get("/login/").content.decode()
    assert "演示数据正在生成" in body and 'value="57"' in body and "57%" in body
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The demo data is still being generated" in body and "57%" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "演示数据正在生成（已完成 57%）"),
        ("en", "The demo data is still being generated (57% done)"),
    ],
)
def test_a_busy_database_while_the_demo_is_seeded_says_so(rf, preparing, language, expected):
    from django.db import OperationalError
    from django.utils import translation

    from xinfang.core.boundary import busy_answer

    with translation.override(language):
        r = busy_answer(rf.post("/login/"), OperationalError("database is locked"))
    assert r.status_code == 503 and expected in r.content.decode()
    preparing.unlink()
    with translation.override(language):
        r = busy_answer(rf.post("/login/"), OperationalError("database is locked"))
    assert "57" not in r.content.decode()


@pytest.mark.parametrize("text", ["", "abc", "1234", "５０", "\x00"])
def test_a_marker_that_says_nothing_readable_is_zero_per_cent(preparing, text):
    preparing.write_bytes(text.encode("utf-8"))
    assert preparing_progress() == 0
