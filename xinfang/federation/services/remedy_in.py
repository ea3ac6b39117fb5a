"""A review or re-review request the petitioner made at the installation that handed us the
petition (``kind: remedy``; the sender's side is ``services.remedy``): taken here as of the day
they asked (Arts. 35, 36), reopening a window recorded as lapsed meanwhile (issue 20)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline
from xinfang.federation.envelope import WINDOW, Envelope
from xinfang.federation.models import Link, Peer
from xinfang.petitions.models import Petition

#: The requests a peer may forward for its petitioner (Arts. 35, 36).
REMEDIES = frozenset({"request_review", "request_re_review"})


def remedy_apply(*, peer: Peer, envelope: Envelope, now: datetime) -> dict[str, Any]:
    """A review or re-review request the petitioner made at the peer, for a petition the peer
    handed to us (services.remedy): the step is taken here as of the day they asked, so the
    30-day window is judged by that day (Arts. 35, 36), wherever the message spent the time
    between; it is reported back as any step. A window recorded here as lapsed before the
    request arrived, although they asked within it, is reopened for it first (a lawful step:
    ``reopen_window``, with the day asked, on the timeline and in the audit). A request asked
    after the window, or a step not open now, is refused: a 422 the peer shows them."""
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.services.steps import remedy_asked_at

    body = envelope.body
    action = str(body["action"])
    if action not in REMEDIES:
        raise ApplicationError(gettext("不能转来的请求"), fields={"action": [action[:40]]})
    link = Link.objects.filter(
        peer=peer, direction=Link.IN, transfer_id=str(body["transfer_id"])
    ).first()
    if link is None:
        raise ApplicationError(gettext("没有对应的转入事项"), fields={"transfer_id": ["unknown"]})
    asked = datetime.fromisoformat(str(body["requested_at"]))
    # the sender's clock may run ahead of ours by as much as the envelope allows (WINDOW)
    if asked.tzinfo is None or asked > now + WINDOW:
        raise ApplicationError(gettext("请求时间无效"), fields={"requested_at": ["invalid"]})
    if asked < link.created_at:  # asked before the matter was handed over: a peer's clock or bug
        why = gettext("请求时间早于本事项转来的时间")
        raise ApplicationError(why, fields={"requested_at": [why]})
    asked = min(asked, now)  # dated no later than our now
    token = remedy_asked_at.set(asked)
    try:
        reopened = _reopen_if_asked_in_time(
            peer=peer, envelope=envelope, petition_id=link.petition_id, action=action,
            asked=asked, now=now,
        )  # fmt: skip
        last = Petition.objects.filter(pk=link.petition_id).values_list("last_event_at", flat=True)[
            0
        ]
        petition = petition_act(
            petition_id=link.petition_id,
            action=action,
            actor=None,
            at=max(asked, last),  # never before the step already recorded (the event order)
            reason=str(body.get("reason") or "")[:5000],
            data={"asked_at": asked.isoformat(), "via": peer.name[:100]},
        )
    finally:
        remedy_asked_at.reset(token)
    result = {"tracking_code": petition.tracking_code, "action": action, "state": petition.state}
    if reopened:
        result["reopened"] = reopened
    return result


#: The window each request is made within (Art. 35: T7, the review; Art. 36: T9, re-review).
_WINDOW = {"request_review": ("T7", "复查", "第三十五条"), "request_re_review": ("T9", "复核", "第三十六条")}  # fmt: skip


def _reopen_if_asked_in_time(
    *, peer: Peer, envelope: Envelope, petition_id: int, action: str, asked: datetime, now: datetime
) -> str:
    """Reopen the window ``action`` is made within when it was recorded here as lapsed and the
    petitioner asked within it (returns its code; "" when nothing was lapsed). A request
    asked after it is refused with the day it ran out."""
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import State

    state = Petition.objects.filter(pk=petition_id).values_list("state", flat=True)[0]
    if state not in (State.FINAL_NO_APPEAL, State.CLOSED):
        return ""
    code, step, article = _WINDOW[action]
    lapsed = (
        Deadline.objects.filter(petition_id=petition_id, code=code, outcome="lapsed")
        .order_by("-start_date")
        .first()
    )
    if lapsed is None or lapsed.closed_on is None:
        return ""  # nothing lapsed: the procedure itself answers (e.g. no such step now)
    asked_on = clock.local_date(asked)
    if asked_on < lapsed.start_date:  # before the window opened: reopens nothing (Arts. 35, 36)
        why = gettext("请求时间早于申请期限的起算日")
        raise ApplicationError(why, fields={"requested_at": [why]})
    if asked_on > lapsed.due_date:
        message = gettext(
            "%(step)s请求于 %(asked)s 提出，申请期限已于 %(due)s 届满（%(article)s）"
        ) % {
            "step": gettext(step),
            "asked": asked_on,
            "due": lapsed.due_date,
            "article": gettext(article),
        }
        raise ApplicationError(message, fields={"requested_at": [message]})
    petition_act(
        petition_id=petition_id,
        action="reopen_window",
        actor=None,  # the system's step on the petitioner's signed request; audited
        at=now,
        reason=(
            f"信访人于{asked_on.isoformat()}通过{peer.name}提出{step}请求，在申请期限"
            f"（至{lapsed.due_date.isoformat()}）内；请求送达本系统时，该期限已于"
            f"{lapsed.closed_on.isoformat()}登记为期满未申请。申请的权利以信访人提出请求的"
            f"时间为准（《信访工作条例》{article}）。"
        ),
        data={
            "window": code,
            "days": settings.XINFANG_REOPENED_WINDOW_MIN_DAYS,
            "via": peer.name[:100],
            "message_id": envelope.message_id,
        },
    )
    return code
