"""The deadline jobs racing a clerk (revB #1): ``deadline_recompute_open`` (the CLI recompute)
and ``deadline_recompute_after_calendar_change`` (a holiday edit) fold a petition while a clerk
transfers it. The job locks the petition before it reads it, so the clerk's transfer waits for
the job and then folds on top of it: the petition keeps the due date of its open duty at the
bureau (Art. 22 and on), the deadline rows are those of its real history, and the worklist's
rollup still equals the direct count.

PostgreSQL only: two connections, the clerk's waiting for the job's row lock (the in-memory
SQLite test database cannot hold two connections that wait for each other).

Planted fault: the petitions read without ``select_for_update`` (as before revB #1): the
transfer does not wait, the job writes a due date and rows folded from the copy it read before
the transfer (next_due NULL, the bureau's duty gone, the rollup off by phantom cells): both
tests fail.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections

from conftest import local
from tests.flows import act
from xinfang.deadlines.models import Deadline
from xinfang.petitions.models import Petition
from xinfang.petitions.services import deadlines as dl
from xinfang.petitions.services.worklist_tally import worklist_tally_counted, worklist_tally_stored

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def _postgresql():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections waiting for one row lock")


def _lock_waiter(timeout: float = 20.0, done=lambda: False) -> bool:  # type: ignore[no-untyped-def]
    """Whether another session of this database waits for a lock (polled, not slept), giving up
    early once ``done()`` (the clerk finished without waiting)."""
    c = connections.create_connection("default")
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with c.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                if cur.fetchone()[0]:
                    return True
            if done():
                return False
            time.sleep(0.02)
        return False
    finally:
        c.close()


def _race(world, p, monkeypatch, name: str, job) -> bool:  # type: ignore[no-untyped-def]
    """Run ``job`` in a thread of its own, hold it on its first call of ``dl.<name>`` (the
    petition read), let a clerk transfer the petition meanwhile; return whether the transfer
    waited for the job."""
    held, go = threading.Event(), threading.Event()
    errors: list = []
    real = getattr(dl, name)
    job_thread: list = []

    def hold(*a, **kw):  # type: ignore[no-untyped-def]
        if threading.current_thread() is job_thread[0] and not held.is_set():
            held.set()
            assert go.wait(timeout=30)
        return real(*a, **kw)

    monkeypatch.setattr(dl, name, hold)

    def run(f):  # type: ignore[no-untyped-def]
        try:
            f()
        except BaseException as err:  # reported by the test below
            errors.append(err)
        finally:
            connections.close_all()

    def clerk() -> None:
        act(world, p, "transfer", world.clerk, (2025, 8, 30), to_organ_id=world.housing.pk)

    jt = threading.Thread(target=run, args=(job,))
    job_thread.append(jt)
    jt.start()
    ct = threading.Thread(target=run, args=(clerk,))
    try:
        assert held.wait(timeout=30), errors
        ct.start()
        waited = _lock_waiter(done=lambda: not ct.is_alive())
    finally:
        go.set()
        jt.join(timeout=60)
        if ct.is_alive() or ct.ident is not None:
            ct.join(timeout=60)
    assert not errors, errors
    return waited


def _assert_folded_from_the_real_history(world, p) -> None:  # type: ignore[no-untyped-def]
    p = Petition.objects.get(pk=p.pk)
    assert p.current_organ_id == world.housing.pk
    events = list(p.events.order_by("seq"))
    facts = dl.deadline_facts(p, events, kept=dl._kept_of([p.pk]).get(p.pk))
    assert p.next_due is not None  # the open duty at the bureau keeps its date
    assert p.next_due == dl.next_due(facts, p.current_organ_id)
    stored = sorted(
        (d.code, d.start_date, d.due_date, d.outcome)
        for d in Deadline.objects.filter(petition_id=p.pk)
    )
    assert stored == sorted(
        (r.code, r.start_date, r.due_date, r.outcome) for r in dl.deadline_rows(p, facts)
    )
    assert worklist_tally_stored() == worklist_tally_counted()


def test_a_transfer_during_the_recompute_job_waits_and_keeps_the_due_date(
    world, register, monkeypatch
):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    waited = _race(world, p, monkeypatch, "deadline_recompute", dl.deadline_recompute_open)
    assert waited, "the clerk's transfer waits for the job's row lock"
    _assert_folded_from_the_real_history(world, p)


def test_a_transfer_during_a_calendar_change_waits_and_keeps_the_due_date(
    world, register, monkeypatch
):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition

    def job() -> None:
        dl.deadline_recompute_after_calendar_change(
            first=date(2025, 8, 1), last=date(2025, 12, 31), actor=None
        )

    waited = _race(world, p, monkeypatch, "deadline_facts", job)
    assert waited, "the clerk's transfer waits for the job's row lock"
    _assert_folded_from_the_real_history(world, p)
