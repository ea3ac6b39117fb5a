"""Receiving signed messages (one database; the other installation is a key in the test):
what is applied, once, and what is refused, with the planted faults named."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import local
from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.federation import envelope as e
from xinfang.federation.keys import own_key_id
from xinfang.federation.models import InboundMessage, Link, OutboundMessage, RemoteStep
from xinfang.federation.services import InboxRefusal, inbox_receive, peer_add
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db

OTHER = e.private_key_from_secret("the other installation")


@pytest.fixture
def peer(world):
    return peer_add(
        name="江西省信访系统", url="http://127.0.0.1:8639", public_key=e.public_key_text(OTHER)
    )


def _wire(
    kind: str, body: dict, *, message_id: str | None = None, ts=None, nonce=None, key=OTHER, to=None
) -> dict:
    env = e.Envelope(
        sender=e.key_id(e.public_key_text(key)),
        recipient=to or own_key_id(),
        message_id=message_id or secrets.token_hex(16),
        kind=kind,
        ts=ts or clock.now(),
        nonce=nonce or secrets.token_hex(16),
        body=body,
    )
    return e.envelope_sign(env, key)


def _raw(wire: dict) -> bytes:
    return json.dumps(wire, ensure_ascii=False).encode()


def _transfer_body(world, **over) -> dict:
    petition = {
        "tracking_code": "ABCDEFGHJK",
        "channel": "letter",
        "received_at": local(2025, 3, 1).isoformat(),
        "title": "跨省：工程款拖欠",
        "content": "在青山县务工的工程款被拖欠半年，请求督促支付。",
        "category": "appeal",
        "route": 6,
        "region_code": "990102",
        "accused_organ_id": None,
        "accused_persons": "",
        "is_collective": False,
        "head_count": 1,
        "is_anonymous": False,
        "confidential": False,
        "parties": [{"role": "petitioner", "name": "李四", "id_number": "", "phone": "13900000000",
                     "address": "广东省广州市", "is_organisation": False}],
    }  # fmt: skip
    petition.update(over.pop("petition", {}))
    data = b"%PDF-1.4 a receipt of the wages owed"
    body = {
        "to_organ_id": world.county_po.pk,
        "from_organ": "广东省信访局",
        "transferred_at": local(2025, 3, 5).isoformat(),
        "reason": "",
        "petition": petition,
        "attachments": [{"id": 1, "name": "欠条.pdf", "content_type": "application/pdf",
                         "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                         "data": base64.b64encode(data).decode()}],
    }  # fmt: skip
    body.update(over)
    return body


def test_a_transfer_is_registered_here_with_the_clock_from_our_receipt(world, peer):
    receipt = inbox_receive(raw=_raw(_wire("transfer", _transfer_body(world))), now=clock.now())
    assert not receipt.duplicate
    p = Petition.objects.get(tracking_code=receipt.result["tracking_code"])
    assert p.tracking_code != "ABCDEFGHJK"  # ours; the petitioner keeps the sender's code
    assert p.state == "registered" and p.current_organ == world.county_po
    # Art. 22 para 1: the 15 days run from our receipt, not from the first receipt over there.
    assert abs(p.received_at - clock.now()) < timedelta(minutes=1)
    t1 = p.deadlines.get(code="T1")
    assert t1.start_date == timezone.localdate(p.received_at)
    assert [a.original_name for a in p.attachments.all()] == ["欠条.pdf"]
    link = Link.objects.get(petition=p, direction=Link.IN)
    assert link.remote_tracking_code == "ABCDEFGHJK"
    # The receipt and registration are reported back for the petitioner's portal over there.
    assert OutboundMessage.objects.filter(peer=peer, kind="update").count() == 2
    assert AuditRecord.objects.filter(kind="federation.receive").count() == 1


def test_a_transfer_to_an_organ_arrives_through_its_petition_office_and_is_handed_on(world, peer):
    """Art. 23 para 3: the organ's 15-day notice and 5-working-day objection window run from
    the moment it receives the transferred petition."""
    body = _transfer_body(world, to_organ_id=world.housing.pk)
    receipt = inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
    p = Petition.objects.get(tracking_code=receipt.result["tracking_code"])
    assert p.state == "transferred" and p.current_organ == world.housing
    assert p.registering_organ == world.county_po
    assert {"T3", "T4"} <= set(p.deadlines.values_list("code", flat=True))
    assert OutboundMessage.objects.filter(kind="update").count() == 3


def test_a_message_delivered_twice_is_applied_once(world, peer):
    """Planted fault: without the message-id check (InboundMessage), the second delivery (a
    retry after a lost acknowledgement: same id, new time and nonce) registered a second
    petition."""
    body = _transfer_body(world)
    mid = secrets.token_hex(16)
    first = inbox_receive(raw=_raw(_wire("transfer", body, message_id=mid)), now=clock.now())
    again = inbox_receive(raw=_raw(_wire("transfer", body, message_id=mid)), now=clock.now())
    assert again.duplicate and again.result == first.result
    assert Petition.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_a_replayed_message_is_refused(world, peer):
    """Planted fault: without the nonce (SeenNonce), the same bytes sent again within the
    window were taken as a retry and answered 200."""
    raw = _raw(_wire("transfer", _transfer_body(world)))
    inbox_receive(raw=raw, now=clock.now())
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=raw, now=clock.now())
    assert (err.value.status, err.value.code) == (409, "replay")
    assert Petition.objects.count() == 1


def test_an_old_message_is_refused_even_when_its_nonce_is_forgotten(world, peer):
    raw = _raw(_wire("transfer", _transfer_body(world), ts=clock.now() - timedelta(hours=1)))
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=raw, now=clock.now())
    assert (err.value.status, err.value.code) == (400, "stale")
    assert Petition.objects.count() == 0


def test_an_altered_message_is_refused(world, peer):
    """Planted fault: with ``signature_ok`` returning True, the altered title was registered."""
    wire = _wire("transfer", _transfer_body(world))
    wire["envelope"]["body"]["petition"]["title"] = "篡改后的标题"
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(wire), now=clock.now())
    assert (err.value.status, err.value.code) == (401, "bad_signature")
    assert Petition.objects.count() == 0
    assert AuditRecord.objects.filter(kind="federation.refuse").count() == 1


def test_a_stranger_a_deactivated_peer_and_another_addressee_are_refused(world, peer):
    from xinfang.federation.services import peer_deactivate

    stranger = e.private_key_from_secret("nobody we know")
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(
            raw=_raw(_wire("transfer", _transfer_body(world), key=stranger)), now=clock.now()
        )
    assert (err.value.status, err.value.code) == (401, "unknown_peer")
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(
            raw=_raw(_wire("transfer", _transfer_body(world), to="0" * 16)), now=clock.now()
        )
    assert err.value.code == "wrong_recipient"
    peer_deactivate(peer=peer)
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("transfer", _transfer_body(world))), now=clock.now())
    assert err.value.code == "unknown_peer"
    assert Petition.objects.count() == 0


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\xff", b"[]", b'{"envelope": 1, "sig": 2}', b"9" * 5000]
)
def test_garbage_is_refused_as_malformed(world, peer, raw):
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=raw, now=clock.now())
    assert err.value.status == 400


def test_a_body_that_cannot_be_applied_is_refused_for_good_and_leaves_nothing(world, peer):
    body = _transfer_body(world, to_organ_id=999999)
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
    assert err.value.status == 422
    body = _transfer_body(world)
    body["attachments"][0]["sha256"] = "0" * 64  # a file that does not match its hash
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
    assert err.value.status == 422
    del body["petition"]
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
    assert (err.value.status, err.value.code) == (422, "bad_body")
    # a petition that is not an object (a list): a 500 the peer retried for ever (review)
    for shape in (["x"], "x"):
        body = {**_transfer_body(world), "petition": shape}
        with pytest.raises(InboxRefusal) as err:
            inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
        assert (err.value.status, err.value.code) == (422, "bad_body")
    assert Petition.objects.count() == 0 and InboundMessage.objects.count() == 0


def test_an_accusation_keeps_its_protections_here(world, peer):
    """Art. 30 para 3: the accused organ (by its id here) and confidentiality travel; the
    accused organ's own petition office is passed over and the housing bureau's staff, the
    accused, cannot see the petition."""
    from xinfang.core.errors import NotFound
    from xinfang.petitions.selectors import petition_get_for_user

    body = _transfer_body(
        world,
        to_organ_id=world.county_gov.pk,
        petition={"category": "accusation", "route": None, "confidential": True,
                  "accused_organ_id": world.housing.pk, "accused_persons": "王五（青山县住建局）"},
    )  # fmt: skip
    receipt = inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
    p = Petition.objects.get(tracking_code=receipt.result["tracking_code"])
    assert p.confidential and p.accused_organ == world.housing
    assert p.accused_persons == "王五（青山县住建局）"
    with pytest.raises(NotFound):
        petition_get_for_user(user=world.head, petition_id=p.pk)
    assert petition_get_for_user(user=world.city_head, petition_id=p.pk) == p
    # The transfer to the accused organ itself is refused here as it would be there.
    body = _transfer_body(
        world,
        to_organ_id=world.housing.pk,
        petition={"category": "accusation", "route": None, "accused_organ_id": world.housing.pk},
    )
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("transfer", body)), now=clock.now())
    assert err.value.status == 422


def test_updates_are_kept_once_per_step(world, peer, register):
    from xinfang.federation.models import Link

    p = register().petition
    link = Link.objects.create(petition=p, peer=peer, direction=Link.OUT,
                               transfer_id="a" * 32, created_at=clock.now())  # fmt: skip
    step = {"transfer_id": "a" * 32, "seq": 5, "action": "issue_opinion", "state": "opinion_issued",
            "state_label": "已出具处理意见", "occurred_at": clock.now().isoformat(), "organ": "X",
            "note": "", "document": {"title": "信访处理意见书", "sections": []}, "is_open": True}  # fmt: skip
    inbox_receive(raw=_raw(_wire("update", step)), now=clock.now())
    inbox_receive(raw=_raw(_wire("update", step)), now=clock.now())  # another id, same step
    assert RemoteStep.objects.filter(link=link).count() == 1
    with pytest.raises(InboxRefusal) as err:
        inbox_receive(raw=_raw(_wire("update", {**step, "transfer_id": "b" * 32})), now=clock.now())
    assert err.value.status == 422
