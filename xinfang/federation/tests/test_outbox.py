"""The outbox: a hand-over to an organ a peer serves writes its message in the step's
transaction; the tick delivers it until the peer acknowledges (the peer's HTTP faked here; the
real one in tests/test_federation_two_installations.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Level, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.models import Link, OutboundMessage, Peer, RemoteOrgan
from xinfang.federation.services import outbox, outbox_deliver, peer_add, remote_organ_set
from xinfang.petitions.services import AttachmentInput, petition_act

pytestmark = pytest.mark.django_db

OTHER = e.private_key_from_secret("the other installation")


@pytest.fixture
def remote(world):
    peer = peer_add(
        name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=e.public_key_text(OTHER)
    )
    organ = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE, region=world.county)  # fmt: skip
    return remote_organ_set(organ=organ, peer=peer, remote_organ_id=17)


def _transfer(world, register, to, **over):
    p = register(
        attachments=[AttachmentInput(name="欠条.pdf", content=b"%PDF-1.4 IOU")], **over
    ).petition
    return petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": to.pk})  # fmt: skip


def test_a_transfer_to_an_organ_a_peer_serves_writes_its_message_with_the_step(
    world, register, remote
):
    p = _transfer(world, register, remote.organ, confidential=True)
    m = OutboundMessage.objects.get()
    assert (m.kind, m.peer, m.status, m.petition_id) == ("transfer", remote.peer, "pending", p.pk)
    assert m.body["to_organ_id"] == 17 and m.body["petition"]["confidential"] is True
    assert m.body["petition"]["parties"][0]["phone"] == "13800000000"
    assert m.body["attachments"][0]["name"] == "欠条.pdf" and "data" not in m.body["attachments"][0]
    assert Link.objects.get(direction="out").transfer_id == m.message_id


def test_a_transfer_within_the_installation_writes_no_message(world, register, remote):
    _transfer(world, register, world.housing)
    assert not OutboundMessage.objects.exists()


def test_a_refused_step_writes_no_message(world, register, remote):
    """The message commits with the step or not at all (the step is refused: same organ)."""
    p = register().petition
    with pytest.raises(ApplicationError):
        petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": world.county_po.pk})  # fmt: skip
    assert not OutboundMessage.objects.exists()


def test_a_peer_that_is_down_is_tried_again_later_and_the_message_is_kept(
    world, register, remote, monkeypatch
):
    """Planted fault: ``outbox_deliver`` counting any answer as delivered lost the message."""
    _transfer(world, register, remote.organ)
    now = clock.now()

    def down(url, data):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(outbox, "_post", down)
    assert outbox_deliver(now=now) == {"delivered": 0, "retry": 1, "refused": 0}
    m = OutboundMessage.objects.get()
    assert m.status == "pending" and m.attempts == 1 and "refused" in m.last_error
    assert m.next_attempt_at > now
    assert outbox_deliver(now=now)["retry"] == 0  # not due yet
    sent = []

    def up(url, data):
        sent.append(json.loads(data))
        return 200, {"status": "applied", "tracking_code": "XYZ2345678"}

    monkeypatch.setattr(outbox, "_post", up)
    assert outbox_deliver(now=now + timedelta(hours=2))["delivered"] == 1
    m.refresh_from_db()
    assert m.status == "delivered"
    assert Link.objects.get().remote_tracking_code == "XYZ2345678"
    [wire] = sent
    env, sig = e.envelope_parse(wire)
    assert env.message_id == m.message_id and env.recipient == remote.peer.key_id
    assert e.signature_ok(env, sig, _own_public())
    assert env.body["attachments"][0]["data"]  # the file travels in the message
    assert outbox_deliver(now=now + timedelta(hours=3))["delivered"] == 0  # never sent again


def test_each_message_is_signed_when_it_goes_not_when_the_tick_began(
    world, register, remote, monkeypatch
):
    """A peer that waits out the timeout on each message: the third goes eight minutes after
    the job began. Signed with the job's start it is outside the peer's five-minute window
    (refused as stale, at every tick again); each is signed, and its retry counted, from the
    time it is sent. Planted fault: ``_wire(message, now=now)`` - all three signed 10:00."""
    import time_machine

    from conftest import local

    with time_machine.travel(local(2026, 3, 2, 10), tick=False) as t:
        for title in ("一", "二", "三"):
            _transfer(world, register, remote.organ, title=title)
        signed = []

        def slow(url, data):
            env, _sig = e.envelope_parse(json.loads(data))
            signed.append((env.ts, clock.now()))
            t.shift(timedelta(minutes=4))  # the timeout, waited out
            raise TimeoutError("timed out")

        monkeypatch.setattr(outbox, "_post", slow)
        assert outbox_deliver(now=clock.now())["retry"] == 3
    assert [ts for ts, _at in signed] == [at for _ts, at in signed]
    assert signed[-1][0] == local(2026, 3, 2, 10) + timedelta(minutes=8)
    last = OutboundMessage.objects.order_by("id").last()
    answered = local(2026, 3, 2, 10) + timedelta(minutes=12)  # the third answer came at 10:12
    assert last.next_attempt_at - answered == outbox._retry_delay(1)


def test_a_message_that_fails_in_an_unexpected_way_does_not_hold_up_the_others(
    world, register, remote, monkeypatch
):
    """A broken HTTP answer (http.client.HTTPException is no OSError) or a file gone aborted
    the whole tick, and the message stayed first in the queue: nothing reached any peer again.
    Planted fault: the old ``except (OSError, ValueError)`` - the tick raises, nothing sent."""
    import http.client

    _transfer(world, register, remote.organ)
    _transfer(world, register, remote.organ, title="第二件")
    first, second = OutboundMessage.objects.order_by("id")
    sent = []

    def flaky(url, data):
        if json.loads(data)["envelope"]["id"] == first.message_id:
            raise http.client.BadStatusLine("garbage")
        sent.append(data)
        return 200, {"status": "applied"}

    monkeypatch.setattr(outbox, "_post", flaky)
    assert outbox_deliver(now=clock.now()) == {"delivered": 1, "retry": 1, "refused": 0}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("pending", "delivered") and len(sent) == 1
    assert "BadStatusLine" in first.last_error


def _own_public() -> str:
    from xinfang.federation.keys import own_public_key

    return own_public_key()


def test_a_message_the_peer_refuses_for_what_it_says_is_not_sent_again(
    world, register, remote, monkeypatch
):
    _transfer(world, register, remote.organ)
    monkeypatch.setattr(
        outbox, "_post", lambda url, data: (422, {"code": "refused", "message": "接收机关不存在"})
    )
    assert outbox_deliver(now=clock.now())["refused"] == 1
    assert OutboundMessage.objects.get().status == "refused"
    from xinfang.federation.selectors import remote_handling

    [h] = remote_handling(petition=Link.objects.get().petition)
    assert h.refused and not h.sent


def test_a_key_not_yet_exchanged_on_the_other_side_is_retried(world, register, remote, monkeypatch):
    _transfer(world, register, remote.organ)
    monkeypatch.setattr(outbox, "_post", lambda url, data: (401, {"code": "unknown_peer"}))
    assert outbox_deliver(now=clock.now())["retry"] == 1


def test_peers_are_added_checked_and_audited(world):
    with pytest.raises(ApplicationError):
        peer_add(
            name="x", url="http://example.org/", public_key=e.public_key_text(OTHER)
        )  # not https
    with pytest.raises(ApplicationError):
        peer_add(name="x", url="https://example.org/", public_key="not a key")
    from xinfang.federation.keys import own_public_key

    with pytest.raises(ApplicationError):
        peer_add(name="x", url="https://example.org/", public_key=own_public_key())
    peer = peer_add(name="x", url="https://example.org", public_key=e.public_key_text(OTHER))
    assert peer.url == "https://example.org/" and peer.key_id == e.key_id(e.public_key_text(OTHER))
    assert AuditRecord.objects.filter(kind="federation.peer_add").count() == 1


def test_the_command_shows_our_key_and_records_a_peer_and_its_organ(world, capsys):
    from xinfang.federation.keys import own_key_id

    call_command("federation_peer", "key")
    assert own_key_id() in capsys.readouterr().out
    call_command(
        "federation_peer", "add", "江西", "https://xf.jx.example/", e.public_key_text(OTHER)
    )
    call_command(
        "federation_peer", "organ-add", "江西", "17", "--name", "江西省信访局", "--region", "990000"
    )
    call_command("federation_peer", "list")
    out = capsys.readouterr().out
    assert "江西" in out and "pending=0" in out
    remote = RemoteOrgan.objects.get()
    assert remote.organ.name == "江西省信访局" and remote.remote_organ_id == 17
    call_command("federation_peer", "deactivate", "江西")
    assert not Peer.objects.get().is_active
    kinds = set(
        AuditRecord.objects.filter(kind__startswith="federation.").values_list("kind", flat=True)
    )
    assert kinds == {"federation.peer_add", "federation.remote_organ", "federation.peer_deactivate"}


def test_the_staff_page_shows_where_the_petition_went_and_whether_it_arrived(
    world, register, remote, client, monkeypatch
):
    p = _transfer(world, register, remote.organ)
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "跨系统转送" in page and "已转至江西省信访局（外部系统）" in page and "未送达" in page
    monkeypatch.setattr(outbox, "_post", lambda url, data: (200, {"tracking_code": "XYZ2345678"}))
    now = clock.now()
    outbox_deliver(now=now)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    on = clock.local_date(now).isoformat()
    assert f"对方已于 {on} 确认接收（对方查询码 XYZ2345678）" in page
    other = register().petition
    assert "跨系统转送" not in client.get(f"/petitions/{other.pk}/").content.decode()
