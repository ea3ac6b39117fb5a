"""SQLite's planner statistics (``ops.sqlite_analyze``, ``core.planner``): without them its
planner guesses every index alike, which at 10^6 petitions costs seconds a page."""

from __future__ import annotations

import pytest
from django.db import connection

from xinfang.core import clock
from xinfang.ops.jobs import sqlite_analyze

pytestmark = pytest.mark.django_db


def _stat_tables() -> set[str]:
    with connection.cursor() as c:
        c.execute("SELECT tbl FROM sqlite_stat1")
        return {r[0] for r in c.fetchall()}


def test_the_daily_job_gives_sqlite_its_statistics_and_leaves_postgresql_to_autovacuum(register):
    register()
    result = sqlite_analyze(now=clock.now())
    if connection.vendor != "sqlite":
        assert result == {}  # autovacuum analyses PostgreSQL's tables as they change
        return
    assert result["statistics"] > 0
    assert {"petitions_petition", "petitions_petitionevent"} <= _stat_tables()
    # idempotent: a second run leaves statistics as good as the first
    assert sqlite_analyze(now=clock.now())["statistics"] == result["statistics"]


def test_the_job_is_registered_daily():
    from datetime import timedelta

    from xinfang.core import periodic
    from xinfang.ops.services import jobs_discover

    jobs_discover()
    assert periodic._jobs["ops.sqlite_analyze"].every == timedelta(days=1)
