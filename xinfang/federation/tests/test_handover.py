"""A petition handed to another installation, as the sending installation lives with it
(issue 20): its clock stops here (the duty left with the petition), its page says where it
went and what happened there, a review request the petitioner makes here is forwarded there,
and an installation without peers pays nothing for the federation on a step."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.flows import OPINION, portal_open
from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.directory.models import Level, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.keys import own_key_id
from xinfang.federation.models import Link, OutboundMessage, RemoteStep
from xinfang.federation.selectors import peers_configured_forget, remote_handling
from xinfang.federation.services import (
    InboxRefusal,
    inbox_receive,
    outbox,
    outbox_deliver,
    peer_add,
    remote_organ_set,
)
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db

OTHER = e.private_key_from_secret("the other installation")


@pytest.fixture
def remote(world):
    peer = peer_add(
        name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=e.public_key_text(OTHER)
    )
    organ = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE, region=world.county)  # fmt: skip
    return remote_organ_set(organ=organ, peer=peer, remote_organ_id=17)


def _handed_over(world, register, remote):
    p = register().petition
    return petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": remote.organ.pk})  # fmt: skip


def _step(p, seq, action, state, label, *, is_open=True, document=None):
    return RemoteStep.objects.create(
        link=Link.objects.get(petition=p, direction="out"), seq=seq, action=action, state=state,
        state_label=label, occurred_at=clock.now(), organ="江西省南昌市住建局",
        document=document or {}, is_open=is_open,
    )  # fmt: skip


# --- 1. the clock stops here ------------------------------------------------------------------


def test_a_transfer_to_another_installation_leaves_no_deadline_running_here(
    world, register, remote
):
    """Planted fault: the tracker without the ``to_external`` branch started T3 and T4 for
    the organ over there, and the petition showed overdue here two weeks later."""
    p = _handed_over(world, register, remote)
    assert remote.organ.external
    assert p.events.get(action="transfer").data["to_external"] is True
    assert not p.deadlines.filter(outcome="open").exists()
    assert p.next_due is None
    # the office's own routing limit was met by the transfer, as for a local one
    assert p.deadlines.get(code="T1").outcome == "met"
    local = register().petition
    local = petition_act(petition_id=local.pk, action="transfer", actor=world.clerk, data={"to_organ_id": world.housing.pk})  # fmt: skip
    assert {"T3", "T4"} <= set(local.deadlines.filter(outcome="open").values_list("code", flat=True))  # fmt: skip


def test_the_page_names_the_organ_over_there_its_acknowledgement_and_its_answer(
    world, register, remote, client, monkeypatch
):
    p = _handed_over(world, register, remote)
    monkeypatch.setattr(outbox, "_post", lambda url, data: (200, {"tracking_code": "XYZ2345678"}))
    outbox_deliver(now=clock.now())
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "已转至江西省信访局（外部系统）" in page and "确认接收（对方查询码 XYZ2345678）" in page
    assert "不再计算办理期限" in page
    _step(p, 5, "issue_opinion", "opinion_issued", "已出具处理意见")
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "对方办理情况：已出具处理意见" in page
    _step(p, 9, "close", "closed", "已办结", is_open=False)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "对方已办结：已办结" in page


# --- 4. no peers, no query --------------------------------------------------------------------


def _federation_queries(world, register) -> list[str]:
    p = register().petition
    with CaptureQueriesContext(connection) as q:
        petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": world.housing.pk})  # fmt: skip
    return [x["sql"] for x in q.captured_queries if "federation_" in x["sql"]]


def test_a_step_of_an_installation_without_peers_asks_nothing_of_the_federation(world, register):
    """Planted fault: ``outbox_on_step`` without the ``peers_configured`` guard asked for a
    link on every step of every petition (one query each)."""
    peers_configured_forget()
    _federation_queries(world, register)  # the process asks once whether it has any peer
    assert _federation_queries(world, register) == []
    peer_add(name="江西", url="https://xf.jx.example/", public_key=e.public_key_text(OTHER))
    # with a peer, a step asks whether the petition came from it (and nothing for the organ:
    # a local organ is not ``external``)
    asked = _federation_queries(world, register)
    assert [q for q in asked if "federation_link" in q] and len(asked) == 2  # + once: any peer?
    assert len(_federation_queries(world, register)) == 1  # "yes" is kept


# --- 2. a review request made here for an opinion issued there ---------------------------------


def test_a_review_request_made_here_is_forwarded_to_the_installation_that_answered(
    world, register, remote, client, monkeypatch
):
    """Art. 35: the petitioner asks on our portal (our tracking code); the opinion was issued
    over there, so the request is forwarded as a signed message and never lost while the
    other side is down; its refusal is shown with the reason. Planted fault: the portal
    without the remote branch took the step here, where it is refused (the petition is
    "transferred" here), and the request was lost."""
    p = _handed_over(world, register, remote)
    _step(p, 5, "issue_opinion", "opinion_issued", "已出具处理意见",
          document={"title": "信访处理意见书", "remedy": "可向南昌市人民政府请求复查"})  # fmt: skip
    portal_open(client, p)
    status = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "remote-remedy-form" in status
    confirm = client.post(f"/portal/p/{p.tracking_code}/review/", {"reason": "监测不准"})
    assert "将转送对方系统" in confirm.content.decode()
    assert not OutboundMessage.objects.filter(kind="remedy").exists()  # nothing before confirm
    r = client.post(f"/portal/p/{p.tracking_code}/review/", {"reason": "监测不准", "confirm": "1"})
    assert r.status_code == 302
    m = OutboundMessage.objects.get(kind="remedy")
    link = Link.objects.get(petition=p)
    assert m.body["transfer_id"] == link.transfer_id and m.body["action"] == "request_review"
    assert m.body["reason"] == "监测不准" and m.body["after_seq"] == 5
    p.refresh_from_db()
    assert p.state == "transferred"  # nothing taken here: the duty is over there
    assert AuditRecord.objects.filter(kind="federation.remedy_forward").count() == 1
    status = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "正在转送对方系统" in status and "remote-remedy-form" not in status  # asked once

    def down(url, data):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(outbox, "_post", down)
    outbox_deliver(now=clock.now())
    m.refresh_from_db()
    assert m.status == "pending"  # kept for the next tick

    sent = []

    def refuses(url, data):
        sent.append(json.loads(data))
        return 422, {"code": "refused", "message": "复查申请应在收到处理意见书之日起三十日内提出"}

    monkeypatch.setattr(outbox, "_post", refuses)
    outbox_deliver(now=clock.now() + timedelta(hours=2))
    assert [w["envelope"]["kind"] for w in sent] == ["transfer", "remedy"]
    status = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "对方系统未受理：复查申请应在收到处理意见书之日起三十日内提出" in status
    assert [h.remedy for h in remote_handling(petition=p)] == ["request_review"]  # may ask again


def _wire(kind: str, body: dict) -> bytes:
    env = e.Envelope(
        sender=e.key_id(e.public_key_text(OTHER)), recipient=own_key_id(),
        message_id=secrets.token_hex(16), kind=kind, ts=clock.now(),
        nonce=secrets.token_hex(16), body=body,
    )  # fmt: skip
    return json.dumps(e.envelope_sign(env, OTHER), ensure_ascii=False).encode()


def test_a_review_request_forwarded_by_the_sender_is_taken_here_as_of_the_day_asked(world):
    """The receiving side: the request for a petition it received is the Art. 35 step, taken
    by the petitioner (no staff actor), and reported back; a request the procedure does not
    allow now is refused with its reason (422), never applied half."""
    from xinfang.federation.tests.test_inbox import _transfer_body

    peer_add(name="广东", url="https://xf.gd.example/", public_key=e.public_key_text(OTHER))
    tid = secrets.token_hex(16)
    env = e.Envelope(
        sender=e.key_id(e.public_key_text(OTHER)), recipient=own_key_id(), message_id=tid,
        kind="transfer", ts=clock.now(), nonce=secrets.token_hex(16),
        body=_transfer_body(world, to_organ_id=world.housing.pk),
    )  # fmt: skip
    raw = json.dumps(e.envelope_sign(env, OTHER), ensure_ascii=False).encode()
    code = inbox_receive(raw=raw, now=clock.now()).result["tracking_code"]
    p = Petition.objects.get(tracking_code=code)
    body = {"transfer_id": tid, "action": "request_review", "reason": "不服",
            "requested_at": clock.now().isoformat(), "after_seq": 5}  # fmt: skip
    with pytest.raises(InboxRefusal) as refused:  # no opinion yet: refused, nothing taken
        inbox_receive(raw=_wire("remedy", body), now=clock.now())
    assert refused.value.status == 422
    for action, data in [
        ("acknowledge", {"category": "appeal", "route": 6}),
        ("start_handling", {}),
        ("issue_opinion", OPINION),
        ("record_delivery", {"method": "post", "signed": "true"}),
    ]:
        petition_act(petition_id=p.pk, action=action, actor=world.head, data=data)
    inbox_receive(raw=_wire("remedy", body), now=clock.now())
    p.refresh_from_db()
    assert p.state == "review_requested" and p.current_organ == world.county_gov
    ev = p.events.order_by("-seq").first()
    assert (ev.action, ev.actor_id, ev.reason) == ("request_review", None, "不服")
    reported = OutboundMessage.objects.filter(kind="update").order_by("-id").first()
    assert reported.body["action"] == "request_review"  # the sender's portal shows it
