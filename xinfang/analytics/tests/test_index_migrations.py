"""analytics.0015 changes the rate facts' drill index without locking out the rollup's writers
or the drill-down's readers: on PostgreSQL the old index is dropped with DROP INDEX
CONCURRENTLY (a plain DROP INDEX waits for, then holds, an ACCESS EXCLUSIVE lock on a table of
10^7+ rows) and both indexes are built CONCURRENTLY. Reversed the same way. The end state is
the one the model declares.

Planted fault: 0015 back to Django's plain ``RemoveIndex`` / ``AddIndex``: the test fails."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from xinfang.analytics.models import RateFact

T = RateFact._meta.db_table

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: str) -> None:
    MigrationExecutor(connection).migrate([("analytics", target)])


def _latest() -> str:
    ex = MigrationExecutor(connection)
    return max(n for app, n in ex.loader.graph.leaf_nodes() if app == "analytics")


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as c:
        return {
            name: info["columns"]
            for name, info in connection.introspection.get_constraints(c, T).items()
            if info["index"] and not info["primary_key"]
        }


def _ddl(q: CaptureQueriesContext) -> list[str]:
    return [x["sql"] for x in q.captured_queries if re.match(r"(CREATE|DROP) INDEX", x["sql"])]


def test_0015_drops_and_builds_the_drill_indexes_without_locking_out_the_table():
    latest = _latest()
    try:
        with CaptureQueriesContext(connection) as back:
            _migrate("0014_due_tally")
        old = _indexes()
        assert "ratefact_walk" not in old
        assert old["ratefact_drill"] == ["metric", "organ_id", "month"]
        with CaptureQueriesContext(connection) as q:
            _migrate(latest)
    finally:
        _migrate(latest)
    now = _indexes()
    assert now["ratefact_drill"] == ["metric", "organ_id", "outcome", "month", "petition_id"]
    assert now["ratefact_walk"] == ["metric", "outcome", "month", "petition_id"]
    ddl, undo = _ddl(q), _ddl(back)
    assert any('"ratefact_drill"' in s and s.startswith("DROP") for s in ddl), ddl
    assert sum('"ratefact_drill"' in s or '"ratefact_walk"' in s for s in ddl) == 3, ddl
    if connection.vendor == "postgresql":
        # the rate facts' indexes, both ways (going back past 0016 also recreates the dropped
        # DueFact table, whose new empty index needs no concurrent build)
        on_facts = [s for s in ddl + undo if "ratefact" in s]
        assert on_facts, ddl + undo
        assert all(re.match(r"(CREATE|DROP) INDEX CONCURRENTLY", s) for s in on_facts), on_facts
