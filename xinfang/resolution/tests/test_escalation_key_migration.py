"""resolution.0007 (the escalation step's duty key) at scale: on PostgreSQL the petition link is
added without a scan (NOT VALID, validated afterwards under a lock that lets reads and writes
go on), its index is built CONCURRENTLY and the keys are copied a batch of steps a
transaction, so registrations and steps are not locked out for the length of the upgrade. The
end state is the plain form's; the keys equal their deadline's. Reversible while no step has
outlived its row; otherwise the reverse stops and keeps every step.

Planted faults: 0007 back to the plain operations (one transaction, a plain CREATE INDEX, the
foreign key validated at once): the first test fails on PostgreSQL; the refusal removed from
the reverse (the outliving step deleted with its columns... or the reverse failing on the
constraint): the second test fails."""

from __future__ import annotations

import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from conftest import local

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen")]

MIG = importlib.import_module("xinfang.resolution.migrations.0007_escalation_duty_key")
BEFORE = "0006_backlog_re_reviewed"


def _migrate(target: str) -> None:
    MigrationExecutor(connection).migrate([("resolution", target)])


def _latest() -> str:
    ex = MigrationExecutor(connection)
    return max(n for app, n in ex.loader.graph.leaf_nodes() if app == "resolution")


def _steps():  # type: ignore[no-untyped-def]
    from xinfang.resolution.models import Escalation

    return sorted(
        Escalation.objects.filter(notice__isnull=True).values_list(
            "id", "deadline_id", "petition_id", "code", "start_date", "step"
        )
    )


def _schema() -> dict[str, tuple]:  # type: ignore[type-arg]
    with connection.cursor() as c:
        got = connection.introspection.get_constraints(c, MIG.E)
    return {
        n: (tuple(i["columns"]), i["index"], bool(i["foreign_key"]), i["check"])
        for n, i in got.items()
        if not i["primary_key"]
    }


def test_0007_fills_the_keys_a_batch_at_a_time_without_locking_out_the_petitions(held, monkeypatch):
    from xinfang.resolution.services import escalate

    escalate(now=local(2026, 6, 1))
    steps = _steps()
    assert len(steps) >= 2 and all(s[1] and s[2] and s[3] and s[4] for s in steps)
    schema = _schema()
    latest = _latest()
    monkeypatch.setattr(MIG, "BATCH", 1)
    try:
        _migrate(BEFORE)
        with CaptureQueriesContext(connection) as q:
            _migrate(latest)
    finally:
        _migrate(latest)
    assert _steps() == steps  # every key back, from its deadline
    assert _schema() == schema  # the plain form's constraints and indexes, by name
    assert MIG.IX in schema
    if connection.vendor == "postgresql":
        assert MIG.FK in schema
        sql = [x["sql"] for x in q.captured_queries]
        built = [s for s in sql if re.match(r"CREATE INDEX", s)]
        assert built and all(s.startswith("CREATE INDEX CONCURRENTLY") for s in built), built
        added = [s for s in sql if "ADD CONSTRAINT" in s]
        assert len(added) == 2 and all(s.endswith("NOT VALID") for s in added), added
        assert sum(bool(re.match(r'UPDATE "resolution_escalation"', s)) for s in sql) >= len(
            steps
        )  # one step a transaction with BATCH = 1
        assert sum("VALIDATE CONSTRAINT" in s for s in sql) == 2


def test_0007_reverses_while_no_step_outlived_its_row_and_otherwise_keeps_every_step(held):
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate

    escalate(now=local(2026, 6, 1))
    steps = _steps()
    latest = _latest()
    one = Escalation.objects.filter(notice__isnull=True).order_by("pk").first()
    # a link lost while the duty's row is still there: the reverse links it again
    Escalation.objects.filter(pk=one.pk).update(deadline=None)
    try:
        _migrate(BEFORE)
    finally:
        _migrate(latest)
    assert _steps() == steps
    # a duty the fold no longer has: its row goes, the step stays: the reverse refuses
    outliving = Escalation.objects.filter(deadline_id=one.deadline_id).count()
    Deadline.objects.filter(pk=one.deadline_id).delete()
    kept = _steps()
    assert any(s[0] == one.pk and s[1] is None for s in kept)
    with pytest.raises(IrreversibleError, match=f"{outliving} escalation step"):
        _migrate(BEFORE)
    _migrate(latest)
    assert _steps() == kept
