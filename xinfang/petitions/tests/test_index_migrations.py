"""The worklist's indexes over the petitions (petitions.0013, 0014) are built without locking
out writers (revB #3): CREATE INDEX CONCURRENTLY on PostgreSQL, outside a transaction, so
registrations and steps go on during the build at 10^7 petitions. The end state is the one the
model declares.

Planted fault: 0013 or 0014 back to Django's plain ``AddIndex`` (a ``CREATE INDEX`` holding a
SHARE lock on the petitions for the whole build): the test fails.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from xinfang.petitions.models import Petition

T = Petition._meta.db_table
NEW = {
    "petition_open_by_state",
    "petition_open_by_category",
    "petition_open_by_channel",
    "petition_open_by_region",
}

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: str) -> None:
    MigrationExecutor(connection).migrate([("petitions", target)])


def _latest() -> str:
    ex = MigrationExecutor(connection)
    return max(n for app, n in ex.loader.graph.leaf_nodes() if app == "petitions")


def _indexes() -> set[str]:
    with connection.cursor() as c:
        return {
            name
            for name, info in connection.introspection.get_constraints(c, T).items()
            if info["index"] and not info["primary_key"]
        }


def test_0013_and_0014_build_their_indexes_without_locking_out_the_writers():
    latest = _latest()
    try:
        _migrate("0012_worklist_tally")
        assert not _indexes() & NEW
        with CaptureQueriesContext(connection) as q:
            _migrate(latest)
    finally:
        _migrate(latest)
    assert _indexes() >= NEW
    built = [x["sql"] for x in q.captured_queries if re.match(r"CREATE INDEX", x["sql"])]
    assert {n for n in NEW if any(f'"{n}"' in s for s in built)} == NEW, built
    if connection.vendor == "postgresql":
        assert all(s.startswith("CREATE INDEX CONCURRENTLY") for s in built), built
