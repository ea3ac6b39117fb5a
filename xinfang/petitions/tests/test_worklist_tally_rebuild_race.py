"""The rollup's repair (``worklist_tally_rebuild``) while a clerk's step is being committed
(revB #4): the rebuild locks the rollup before it counts, so the step either is in the count or
adds its delta to the new base; the rollup still equals the direct count afterwards.

PostgreSQL only (two connections). Planted fault: the count taken before the transaction and
the lock (as before revB #4): the step's delta goes to rows the rebuild deletes and the count
missed it, the test fails.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from conftest import local
from tests.flows import act
from xinfang.petitions.services.worklist_tally import (
    worklist_tally_counted,
    worklist_tally_rebuild,
    worklist_tally_stored,
)
from xinfang.petitions.tests.test_deadline_job_race import _lock_waiter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen")]


def test_a_rebuild_during_a_step_waits_for_it_and_keeps_the_rollup_exact(world, register):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections waiting for one lock")
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    held, go = threading.Event(), threading.Event()
    errors: list = []

    def clerk() -> None:
        try:
            with transaction.atomic():  # the step, not yet committed
                act(world, p, "transfer", world.clerk, (2025, 8, 30), to_organ_id=world.housing.pk)
                held.set()
                assert go.wait(timeout=30)
        except BaseException as err:  # reported by the test below
            errors.append(err)
            held.set()
        finally:
            connections.close_all()

    def rebuild() -> None:
        try:
            worklist_tally_rebuild()
        except BaseException as err:  # reported by the test below
            errors.append(err)
        finally:
            connections.close_all()

    ct = threading.Thread(target=clerk)
    ct.start()
    rt = threading.Thread(target=rebuild)
    try:
        assert held.wait(timeout=30)
        rt.start()
        assert _lock_waiter(done=lambda: not rt.is_alive()), "the rebuild waits for the step"
    finally:
        go.set()
        ct.join(timeout=60)
        if rt.ident is not None:
            rt.join(timeout=60)
    assert not errors, errors
    assert worklist_tally_stored() == worklist_tally_counted()
