"""A take-back (取回) and the tick sending the same transfer at the same moment (issue 20; ADR
0023): one of the two wins cleanly. Either the message is never sent (the take-back locked and
withdrew it first), or the take-back is refused (the tick had claimed it: "being sent", then
"delivered" once the peer acknowledged); never a withdrawn petition whose message went out.

PostgreSQL only: two connections, one waiting for the other's row lock (the in-memory SQLite
test database cannot hold two connections that wait for each other).

Planted faults: ``_claim`` without its ``status=pending`` condition (the tick sends a message
the take-back withdrew: the first test fails); ``transfer_withdraw`` without
``select_for_update`` and the claim not conditional (the rounds at the same moment find a
withdrawn petition whose message was sent).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Level, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.models import OutboundMessage
from xinfang.federation.services import outbox, outbox_deliver, peer_add, remote_organ_set
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db(transaction=True)

OTHER = e.private_key_from_secret("the other installation, race")


@pytest.fixture
def remote(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections waiting for one row lock")
    peer = peer_add(name="邻省", url="https://xf5.example.gov.cn/", public_key=e.public_key_text(OTHER))  # fmt: skip
    organ = organ_create(name="邻省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.CITY, region=world.county)  # fmt: skip
    return remote_organ_set(organ=organ, peer=peer, remote_organ_id=7)


def _sent(world, register, remote):  # type: ignore[no-untyped-def]
    p = register().petition
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": remote.organ.pk})  # fmt: skip
    return p


def _take_back(world, p, out: list) -> None:  # type: ignore[no-untyped-def]
    try:
        petition_act(
            petition_id=p.pk, action="take_back", actor=world.clerk, reason="对方停运",
            data={"confirm_withdraw": True},
        )  # fmt: skip
        out.append("taken")
    except ApplicationError as err:
        out.append(f"refused {err.status} {err.code}")
    finally:
        connections.close_all()


def _tick(out: list) -> None:
    try:
        out.append(outbox_deliver(now=clock.now()))
    finally:
        connections.close_all()


def _wait_for_a_lock_wait(timeout: float = 20.0) -> bool:
    """Whether another session of this database is waiting for a lock (polled, not slept)."""
    from django.db import connections as conns

    c = conns.create_connection("default")
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
            time.sleep(0.05)
        return False
    finally:
        c.close()


def test_a_take_back_holding_the_message_leaves_the_tick_nothing_to_send(
    world, register, remote, monkeypatch
):
    p = _sent(world, register, remote)
    locked, go = threading.Event(), threading.Event()
    real = outbox.transfer_withdraw
    posted: list = []

    def withdraw_and_hold(**kw):  # type: ignore[no-untyped-def]
        m = real(**kw)
        locked.set()
        assert go.wait(timeout=30)
        return m

    monkeypatch.setattr(outbox, "transfer_withdraw", withdraw_and_hold)
    monkeypatch.setattr(outbox, "_post", lambda url, data: posted.append(url) or (200, {}))
    taken: list = []
    ticks: list = []
    tb = threading.Thread(target=_take_back, args=(world, p, taken))
    tb.start()
    assert locked.wait(timeout=30)
    tt = threading.Thread(target=_tick, args=(ticks,))
    tt.start()
    try:
        assert _wait_for_a_lock_wait(), "the tick's claim waits for the take-back's row lock"
    finally:
        go.set()
        tb.join(timeout=60)
        tt.join(timeout=60)
    assert taken == ["taken"] and ticks == [{"delivered": 0, "retry": 0, "refused": 0}]
    assert posted == []  # never sent
    assert OutboundMessage.objects.get().status == "withdrawn"
    assert Petition.objects.get(pk=p.pk).state == "routing"


@pytest.mark.parametrize("answer", [200, 503])
def test_a_take_back_while_the_tick_sends_is_refused_then_decided_by_the_answer(
    world, register, remote, monkeypatch, answer
):
    p = _sent(world, register, remote)
    in_post, release = threading.Event(), threading.Event()

    def post(url, data):  # type: ignore[no-untyped-def]
        in_post.set()
        assert release.wait(timeout=30)
        return answer, {"tracking_code": "XYZ2345678"} if answer == 200 else {}

    monkeypatch.setattr(outbox, "_post", post)
    ticks: list = []
    tt = threading.Thread(target=_tick, args=(ticks,))
    tt.start()
    try:
        assert in_post.wait(timeout=30)
        during: list = []
        _take_back(world, p, during)  # this thread's own connection
        assert during == ["refused 409 sending"]
        assert Petition.objects.get(pk=p.pk).state == "transferred"
    finally:
        release.set()
        tt.join(timeout=60)
    after: list = []
    _take_back(world, p, after)
    m = OutboundMessage.objects.get(kind="transfer")
    if answer == 200:  # the peer has it: refused for good
        # the law's guard says so first (the latest read of the message: delivered)
        assert after == ["refused 409 guard_refused"] and m.status == "delivered"
        assert Petition.objects.get(pk=p.pk).state == "transferred"
    else:  # it did not arrive: taken back, and never sent afterwards
        assert after == ["taken"] and m.status == "withdrawn"
        # sent once with no settling answer: the other side is told (revB #4), the transfer
        # itself never goes again
        assert OutboundMessage.objects.get(kind="withdraw").body["transfer_id"] == m.message_id

        def post_after(url, data):  # type: ignore[no-untyped-def]
            if json.loads(data)["envelope"]["kind"] == "transfer":
                pytest.fail("sent after withdrawal")
            return 200, {}

        monkeypatch.setattr(outbox, "_post", post_after)
        outbox_deliver(now=clock.now() + timedelta(days=1))


def test_at_the_same_moment_one_of_the_two_wins_cleanly(world, register, remote, monkeypatch):
    posted: set = set()
    lock = threading.Lock()

    def post(url, data):  # type: ignore[no-untyped-def]
        import json

        with lock:
            posted.add(json.loads(data)["envelope"]["id"])
        return 200, {"tracking_code": "XYZ2345678"}

    monkeypatch.setattr(outbox, "_post", post)
    for _ in range(4):
        p = _sent(world, register, remote)
        barrier = threading.Barrier(2)
        taken: list = []
        ticks: list = []

        def tb(p=p, taken=taken, barrier=barrier):  # type: ignore[no-untyped-def]
            barrier.wait(timeout=10)
            _take_back(world, p, taken)

        def tt(ticks=ticks, barrier=barrier):  # type: ignore[no-untyped-def]
            barrier.wait(timeout=10)
            _tick(ticks)

        threads = [threading.Thread(target=tb), threading.Thread(target=tt)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        m = OutboundMessage.objects.get(petition=p, kind="transfer")
        state = Petition.objects.get(pk=p.pk).state
        if taken == ["taken"]:
            assert m.status == "withdrawn" and state == "routing"
            assert m.message_id not in posted  # never sent
        else:
            # being sent; or delivered, seen by the guard or (delivered between the guard's read
            # and the lock) by the withdrawal under its lock
            assert taken[0] in (
                "refused 409 sending", "refused 409 guard_refused", "refused 409 delivered",
            ), taken  # fmt: skip
            assert state == "transferred" and m.status == "delivered"
            assert m.message_id in posted
