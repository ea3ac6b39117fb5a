"""A review request forwarded by a peer whose clock runs a little ahead (within the envelope's
WINDOW) is taken, dated no later than our now (review-b #10, Art. 35)."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest

from tests.flows import OPINION
from xinfang.core import clock
from xinfang.federation import envelope as e
from xinfang.federation.keys import own_key_id
from xinfang.federation.services import inbox_receive, peer_add
from xinfang.federation.tests.test_handover import OTHER, _wire
from xinfang.federation.tests.test_inbox import _transfer_body
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db


def test_a_remedy_from_a_clock_two_minutes_ahead_is_taken(world):
    peer_add(name="广东", url="https://xf.gd.example/", public_key=e.public_key_text(OTHER))
    tid = secrets.token_hex(16)
    env = e.Envelope(sender=e.key_id(e.public_key_text(OTHER)), recipient=own_key_id(), message_id=tid, kind="transfer", ts=clock.now(), nonce=secrets.token_hex(16), body=_transfer_body(world, to_organ_id=world.housing.pk))  # fmt: skip
    raw = json.dumps(e.envelope_sign(env, OTHER), ensure_ascii=False).encode()
    code = inbox_receive(raw=raw, now=clock.now()).result["tracking_code"]
    p = Petition.objects.get(tracking_code=code)
    for action, data in [("acknowledge", {"category": "appeal", "route": 6}), ("start_handling", {}), ("issue_opinion", OPINION), ("record_delivery", {"method": "post", "signed": "true"})]:  # fmt: skip
        petition_act(petition_id=p.pk, action=action, actor=world.head, data=data)
    now = clock.now()
    body = {"transfer_id": tid, "action": "request_review", "reason": "不服", "requested_at": (now + timedelta(minutes=2)).isoformat(), "after_seq": 5}  # fmt: skip
    inbox_receive(raw=_wire("remedy", body), now=now)
    p.refresh_from_db()
    assert p.last_event_at <= now + timedelta(seconds=1)
    assert p.events.order_by("-seq").first().action == "request_review"
