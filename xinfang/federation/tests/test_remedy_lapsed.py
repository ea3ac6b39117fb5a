"""A review request the petitioner made in time at the sending installation, that reaches us
after we recorded the review window as lapsed (the other side was down, the message waited in
its outbox): the right is judged by when the petitioner asked (Art. 35), so the window is
reopened lawfully (``reopen_window``: its event, its notice, its audit record) and the request
taken. A request asked after the window stays refused, with the day the window ran out.

Planted fault (watched failing, then restored): ``remedy_apply`` without
``_reopen_if_asked_in_time`` - the in-time request was refused ("当前状态“期满未申请”下不能
“申请复查”") and the petitioner lost the review."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest

from tests.flows import OPINION
from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.documents.selectors import document_get
from xinfang.federation import envelope as e
from xinfang.federation.keys import own_key_id
from xinfang.federation.models import OutboundMessage
from xinfang.federation.services import InboxRefusal, inbox_receive, peer_add
from xinfang.federation.tests.test_handover import OTHER, _wire
from xinfang.federation.tests.test_inbox import _transfer_body
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db


def _lapsed_at_b(world):
    """A petition B received 60 days ago, answered with an opinion delivered 58 days ago, whose
    review window B recorded as lapsed two days after its last day. Returns it, the transfer's
    id and the window's last day."""
    peer_add(name="广东省信访系统", url="https://xf.gd.example/", public_key=e.public_key_text(OTHER))  # fmt: skip
    t0 = clock.now() - timedelta(days=60)
    tid = secrets.token_hex(16)
    env = e.Envelope(sender=e.key_id(e.public_key_text(OTHER)), recipient=own_key_id(), message_id=tid, kind="transfer", ts=t0, nonce=secrets.token_hex(16), body=_transfer_body(world, to_organ_id=world.housing.pk))  # fmt: skip
    raw = json.dumps(e.envelope_sign(env, OTHER), ensure_ascii=False).encode()
    p = Petition.objects.get(tracking_code=inbox_receive(raw=raw, now=t0).result["tracking_code"])
    steps = [("acknowledge", {"category": "appeal", "route": 6}), ("start_handling", {}), ("issue_opinion", OPINION), ("record_delivery", {"method": "post", "signed": "true"})]  # fmt: skip
    for action, data in steps:
        petition_act(petition_id=p.pk, action=action, actor=world.head, at=t0 + timedelta(days=2), data=data)  # fmt: skip
    t7 = p.deadlines.get(code="T7")
    lapse = clock.day_start(t7.due_date + timedelta(days=2)) + timedelta(hours=10)
    petition_act(petition_id=p.pk, action="expire_window", actor=world.head, at=lapse)
    p.refresh_from_db()
    assert p.state == "final_no_appeal" and not p.is_open
    return p, tid, t7.due_date


def _asked(tid: str, on) -> bytes:  # type: ignore[no-untyped-def]
    asked = clock.day_start(on) + timedelta(hours=9)
    body = {"transfer_id": tid, "action": "request_review", "reason": "工资至今未付", "requested_at": asked.isoformat(), "after_seq": 5}  # fmt: skip
    return _wire("remedy", body)


def test_a_review_asked_in_time_but_received_after_the_lapse_reopens_the_window(world):
    p, tid, due = _lapsed_at_b(world)
    receipt = inbox_receive(raw=_asked(tid, due - timedelta(days=3)), now=clock.now())
    assert receipt.result["reopened"] == "T7"
    p.refresh_from_db()
    assert p.state == "review_requested" and p.is_open and p.current_organ == world.county_gov
    reopen, request = p.events.order_by("-seq")[:2][::-1]
    assert (reopen.action, reopen.actor_id) == ("reopen_window", None)
    assert reopen.data["ground"] == "asked_in_time" and reopen.data["via"] == "广东省信访系统"
    assert reopen.data["asked_at"].startswith((due - timedelta(days=3)).isoformat())
    assert reopen.data["true_due"] == due.isoformat()
    assert f"在申请期限（至{due.isoformat()}）内" in reopen.reason
    assert (request.action, request.actor_id, request.reason) == ("request_review", None, "工资至今未付")  # fmt: skip
    assert request.data["asked_at"].startswith((due - timedelta(days=3)).isoformat())
    # the review organ's own period runs from the request's receipt here (Art. 35)
    assert p.deadlines.filter(code="T8", outcome="open").exists()
    assert not p.deadlines.filter(code="T7", outcome="open").exists()
    # the notice the petitioner gets: asked in time, the window reopened, the request taken
    doc = document_get(petition=p, seq=reopen.seq)
    text = " ".join(s.text for s in doc.sections)
    assert "请求复查的权利以你提出请求的时间为准" in text and "登记为期满未申请" in text
    # in the audit trail, and reported back to the sender (its portal shows both steps)
    receive = AuditRecord.objects.filter(kind="federation.receive").order_by("-id").first()
    assert receive.data["reopened"] == "T7" and receive.data["action"] == "request_review"
    reported = [m.body["action"] for m in OutboundMessage.objects.filter(kind="update").order_by("id")]  # fmt: skip
    assert reported[-2:] == ["reopen_window", "request_review"]


def test_a_review_asked_after_the_window_stays_refused_with_the_day_it_ran_out(world):
    p, tid, due = _lapsed_at_b(world)
    with pytest.raises(InboxRefusal) as refused:
        inbox_receive(raw=_asked(tid, due + timedelta(days=1)), now=clock.now())
    assert refused.value.status == 422
    assert f"申请期限已于 {due.isoformat()} 届满" in refused.value.message
    p.refresh_from_db()
    assert p.state == "final_no_appeal"
    assert not p.events.filter(action__in=["reopen_window", "request_review"]).exists()


def test_a_review_asked_on_the_last_day_is_in_time(world):
    p, tid, due = _lapsed_at_b(world)
    inbox_receive(raw=_asked(tid, due), now=clock.now())
    p.refresh_from_db()
    assert p.state == "review_requested"


def test_a_review_dated_before_the_window_or_the_transfer_reopens_nothing(world):
    """review-revB item 5: a request dated before the opinion's delivery (the window's start)
    or before the transfer is refused; planted fault: without the checks it reopened the
    window with ground asked_in_time."""
    p, tid, due = _lapsed_at_b(world)
    start = p.deadlines.get(code="T7").start_date
    for on in (start - timedelta(days=1), clock.local_date(p.received_at) - timedelta(days=5)):
        with pytest.raises(InboxRefusal) as refused:
            inbox_receive(raw=_asked(tid, on), now=clock.now())
        assert refused.value.status == 422
    p.refresh_from_db()
    assert p.state == "final_no_appeal"
    assert not p.events.filter(action__in=["reopen_window", "request_review"]).exists()
