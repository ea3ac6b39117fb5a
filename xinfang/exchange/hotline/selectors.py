"""The answers that flow back to the hotline: every imported order with its petition's state
and its latest answer (a reply, a decision, a notice that it is not accepted or belongs
elsewhere), under the hotline's own id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from xinfang.exchange.models import HotlineOrder
from xinfang.petitions.models import PetitionEvent
from xinfang.petitions.workflow import STATE_LABELS, State

#: The steps whose text is an answer to the petitioner (Arts. 23, 31–36): its reason, or the
#: decision of an opinion, goes back as ``reply``.
ANSWERS = (
    "reply",
    "issue_opinion",
    "decide_review",
    "decide_re_review",
    "not_accept",
    "redirect",
    "channel",
    "settle",
)
CHUNK = 2000


def _iso(at: datetime | None) -> str | None:
    return timezone.localtime(at).isoformat(timespec="seconds") if at else None


def hotline_answers(*, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per imported order (``since``: only petitions with a step since then)."""
    qs = HotlineOrder.objects.select_related("petition__current_organ").order_by("id")
    if since is not None:
        qs = qs.filter(petition__last_event_at__gte=since)
    last_id = 0
    while True:
        rows = list(qs.filter(id__gt=last_id)[:CHUNK])
        if not rows:
            return
        last_id = rows[-1].id
        answers: dict[int, PetitionEvent] = {}
        for e in (
            PetitionEvent.objects.filter(
                petition_id__in=[r.petition_id for r in rows], action__in=ANSWERS
            )
            .select_related("organ", "actor_organ")
            .order_by("petition_id", "seq")
        ):
            answers[e.petition_id] = e  # the latest answer wins
        for r in rows:
            p = r.petition
            e = answers.get(p.pk)
            reply = ""
            if e is not None:
                reply = str((e.data or {}).get("decision") or e.reason or "")
            organ = (e.actor_organ or e.organ) if e is not None else None
            yield {
                "hotline_id": r.hotline_id,
                "tracking_code": p.tracking_code,
                "status": "open" if p.is_open else "closed",
                "state": p.state,
                "state_label": gettext(STATE_LABELS[State(p.state)]),
                "organ": p.current_organ.name,
                "reply": reply,
                "reply_at": _iso(e.occurred_at) if e is not None else None,
                "reply_organ": organ.name if organ is not None else "",
                "updated_at": _iso(p.last_event_at),
            }
