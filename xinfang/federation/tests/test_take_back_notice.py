"""A take-back (取回) after a send whose answer was lost tells the other installation (revB #4;
ADR 0023 as amended): the send timed out, so the petition may be registered over there; the
office takes it back and routes it again. Nobody there would know until their first update
about it came back "withdrawn", possibly never. A ``withdraw`` message now goes through the same
outbox as the transfer; the receiver marks its copy taken back (its page warns the offices to
agree who handles it), or, when the transfer has not reached it, refuses it if it still comes.

Planted faults (each makes a test here fail):
- ``transfer_withdraw`` without the ``withdraw`` message: no notice is sent;
- ``_withdraw_apply`` not marking the link: the receiver's page says nothing;
- ``_transfer_apply`` without the check of an earlier withdrawal: the late transfer is
  registered."""

from __future__ import annotations

import json
import secrets

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.federation import envelope as e
from xinfang.federation.models import InboundMessage, Link, OutboundMessage
from xinfang.federation.services import InboxRefusal, inbox_receive, outbox, outbox_deliver
from xinfang.federation.tests import test_inbox as ib
from xinfang.federation.tests import test_take_back as tb
from xinfang.petitions.models import Petition

# the two sides' fixtures and helpers: a peer we send to (tb), a peer that sends to us (ib)
remote, sent, _take_back = tb.remote, tb.sent, tb._take_back
peer, _raw, _transfer_body, _wire = ib.peer, ib._raw, ib._transfer_body, ib._wire

pytestmark = pytest.mark.django_db


def _timed_out(url, data):  # type: ignore[no-untyped-def]
    raise TimeoutError("timed out")


def test_a_take_back_after_a_timed_out_send_tells_the_other_side(
    world, sent, remote, monkeypatch, client
):
    monkeypatch.setattr(outbox, "_post", _timed_out)
    assert outbox_deliver(now=clock.now())["retry"] == 1  # it may have arrived: no answer
    _take_back(world, sent)
    transfer = OutboundMessage.objects.get(kind="transfer")
    notice = OutboundMessage.objects.get(kind="withdraw")
    assert transfer.status == "withdrawn"
    assert (notice.peer_id, notice.petition_id, notice.status) == (
        remote.peer.pk,
        sent.pk,
        "pending",
    )
    assert notice.body["transfer_id"] == transfer.message_id

    client.force_login(world.clerk)
    page = client.get(f"/petitions/{sent.pk}/").content.decode()
    assert "正在通知对方系统已取回" in page

    posted = []

    def up(url, data):  # type: ignore[no-untyped-def]
        posted.append(json.loads(data)["envelope"])
        return 200, {"transfer_id": transfer.message_id, "known": True}

    monkeypatch.setattr(outbox, "_post", up)
    assert outbox_deliver(now=clock.now())["delivered"] == 1
    [env] = posted  # the notice, signed like every message; the transfer is never sent again
    assert (env["kind"], env["body"]["transfer_id"]) == ("withdraw", transfer.message_id)
    page = client.get(f"/petitions/{sent.pk}/").content.decode()
    assert "对方系统已收到取回通知" in page


@pytest.mark.parametrize("answer", [None, 422])
def test_no_notice_when_the_transfer_never_left_or_was_refused(world, sent, monkeypatch, answer):
    """Never sent (the peer down before any attempt, or withdrawn): nothing over there. Refused
    (422): the other side read it and registered nothing."""
    if answer is not None:
        monkeypatch.setattr(outbox, "_post", lambda url, data: (answer, {"code": "refused"}))
        outbox_deliver(now=clock.now())
    _take_back(world, sent)
    assert not OutboundMessage.objects.filter(kind="withdraw").exists()


def test_the_receiver_marks_its_copy_taken_back(world, peer, client):
    mid = secrets.token_hex(16)
    receipt = inbox_receive(raw=_raw(_wire("transfer", _transfer_body(world), message_id=mid)), now=clock.now())  # fmt: skip
    p = Petition.objects.get(tracking_code=receipt.result["tracking_code"])
    got = inbox_receive(raw=_raw(_wire("withdraw", {"transfer_id": mid})), now=clock.now())
    assert got.result == {"transfer_id": mid, "known": True}
    link = Link.objects.get(petition=p, direction=Link.IN)
    assert link.withdrawn_at is not None
    assert AuditRecord.objects.filter(kind="federation.withdrawn_notice", object_id=str(p.pk)).count() == 1  # fmt: skip
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "已取回该事项" in page and "避免重复办理" in page
    # told twice (a retry): applied once
    again = inbox_receive(raw=_raw(_wire("withdraw", {"transfer_id": mid})), now=clock.now())
    assert not again.duplicate and again.result["known"] is True
    assert AuditRecord.objects.filter(kind="federation.withdrawn_notice").count() == 1


def test_a_transfer_arriving_after_its_withdrawal_is_refused(world, peer):
    """The notice overtook the transfer (the timed-out request was still being read here):
    the transfer is refused when it arrives, and nothing is registered."""
    mid = secrets.token_hex(16)
    got = inbox_receive(raw=_raw(_wire("withdraw", {"transfer_id": mid})), now=clock.now())
    assert got.result == {"transfer_id": mid, "known": False}
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("transfer", _transfer_body(world), message_id=mid)), now=clock.now())  # fmt: skip
    assert err.value.status == 422 and "取回" in err.value.message
    assert not Petition.objects.exists()
    assert not InboundMessage.objects.filter(kind="transfer").exists()
    # another transfer of that peer is not affected
    inbox_receive(raw=_raw(_wire("transfer", _transfer_body(world))), now=clock.now())
    assert Petition.objects.count() == 1


def test_the_envelope_knows_the_withdraw_kind():
    assert "withdraw" in e.KINDS
