"""A transfer and its withdrawal arriving at the same moment (revB #2, stop 29): each checks for
the other inside its own transaction, so without a lock they could miss each other's
uncommitted rows. The late transfer would be registered here and never marked taken back while
the sender routes the petition again: two offices on one petition, two answers. They now take
turns on the peer's row, so the withdrawal sees the transfer's link once it commits.

PostgreSQL only: two connections, one waiting for the other's row lock.

Planted fault: the ``select_for_update`` on the peer in ``inbox_receive`` removed: the withdrawal
does not wait, answers ``known: False`` while the transfer is still registering, and the copy
stays unmarked (the test fails).
"""

from __future__ import annotations

import secrets
import threading

import pytest
from django.db import connection, connections

from xinfang.core import clock
from xinfang.federation.models import Link
from xinfang.federation.services import inbox as inbox_mod
from xinfang.federation.services import inbox_receive
from xinfang.federation.tests import test_inbox as ib
from xinfang.federation.tests.test_take_back_race import _wait_for_a_lock_wait

peer, _raw, _transfer_body, _wire = ib.peer, ib._raw, ib._transfer_body, ib._wire

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_withdrawal_arriving_while_its_transfer_registers_marks_the_copy(
    world, peer, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections waiting for one row lock")
    mid = secrets.token_hex(16)
    transfer = _raw(_wire("transfer", _transfer_body(world), message_id=mid))
    withdraw = _raw(_wire("withdraw", {"transfer_id": mid}))
    registering, go = threading.Event(), threading.Event()
    real = inbox_mod._transfer_apply

    def apply_and_hold(**kw):  # type: ignore[no-untyped-def]
        result = real(**kw)  # registered and linked, not yet committed
        registering.set()
        assert go.wait(timeout=30)
        return result

    monkeypatch.setattr(inbox_mod, "_transfer_apply", apply_and_hold)
    got: dict = {}

    def receive(name: str, raw: bytes) -> None:
        try:
            got[name] = inbox_receive(raw=raw, now=clock.now()).result
        finally:
            connections.close_all()

    tt = threading.Thread(target=receive, args=("transfer", transfer))
    tt.start()
    tw = None
    try:
        assert registering.wait(timeout=30)
        tw = threading.Thread(target=receive, args=("withdraw", withdraw))
        tw.start()
        waited = _wait_for_a_lock_wait(timeout=10)
    finally:
        go.set()
        tt.join(timeout=60)
        if tw is not None:
            tw.join(timeout=60)
    assert waited, "the withdrawal waits for the transfer being registered"
    assert "tracking_code" in got["transfer"]
    assert got["withdraw"] == {"transfer_id": mid, "known": True}
    assert Link.objects.get(transfer_id=mid, direction=Link.IN).withdrawn_at is not None
