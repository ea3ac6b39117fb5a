"""Reads of the drafts the organ's head signs (``documents.services.drafts``): the open draft
of a step, a petition's drafts for its timeline, the drafts on a user's worklist, and the print
preview of a draft as the document it will be once signed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_noop

from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can, user_can_act
from xinfang.documents.models import OPEN_DRAFT, Draft, DraftStatus
from xinfang.documents.selectors.kinds import Document, Parties
from xinfang.documents.selectors.texts import _build, _Context
from xinfang.petitions.models import PetitionEvent
from xinfang.petitions.selectors.access import petition_queryset_for_user
from xinfang.petitions.workflow import Action

#: What a draft's history entry is called on the timeline.
HISTORY_LABELS = {
    "create": gettext_noop("起草文书"),
    "save": gettext_noop("修改草稿"),
    "submit": gettext_noop("报送签发"),
    "withdraw": gettext_noop("撤回草稿"),
    "return": gettext_noop("退回修改"),
    "approve": gettext_noop("签发"),
    "discard": gettext_noop("撤销草稿"),
}

#: Printed where the 文号 will stand: it is given only when the head signs.
PREVIEW_NUMBER = "（签发时编号）"


def draft_open(*, petition_id: int, action: str) -> Draft | None:
    """The draft of ``action`` on the petition that may still change, if any."""
    return (
        Draft.objects.filter(petition_id=petition_id, action=action, status__in=OPEN_DRAFT)
        .select_related("author", "updated_by")
        .first()
    )


def drafts_of_petition(*, petition_id: int) -> list[Draft]:
    return list(Draft.objects.filter(petition_id=petition_id).order_by("created_at", "pk"))


def draft_timeline(*, petition_id: int) -> list[dict[str, Any]]:
    """Every step of every draft of the petition, for its timeline: when, who, what, the note
    of a return. Only staff read it (the petitions page); never the portal."""
    out = []
    for d in drafts_of_petition(petition_id=petition_id):
        for h in d.history:
            out.append(
                {
                    "at": datetime.fromisoformat(h["at"]),
                    "kind": h["kind"],
                    "label": HISTORY_LABELS.get(h["kind"], h["kind"]),
                    "actor": h.get("actor", ""),
                    "note": h.get("note", ""),
                    "draft": d,
                }
            )
    return out


def draft_worklist(*, user: User) -> list[Draft]:
    """The drafts waiting for this user: for a signer, those submitted to them; for a drafter,
    those returned to their organ and the ones still being written. Only on petitions the user
    may read (an accusation naming them stays hidden, Art. 30 para 3)."""
    if user.organ_id is None:
        return []
    signs = [
        a
        for a in ("issue_opinion", "extend", "decide_review", "decide_re_review")
        if user_can_act(user, Action(a))
    ]
    q = Q(status=DraftStatus.SUBMITTED, action__in=signs) if signs else Q(pk__in=[])
    if user_can(user, Cap.DRAFT_DECISION):
        q |= Q(status__in=[DraftStatus.RETURNED, DraftStatus.DRAFT])
    # EXISTS per draft, not ``petition_id IN (visible)``: SQLite would read every petition the
    # organ may see to build the IN list (~1 s at 10^6 for a petition office), for a few drafts
    visible = petition_queryset_for_user(user=user).filter(pk=OuterRef("petition_id"))
    return list(
        Draft.objects.filter(q, Exists(visible), organ_id=user.organ_id)
        .select_related("petition", "updated_by")
        .order_by("-updated_at")[:200]
    )


def draft_preview(
    *,
    draft_data: dict[str, Any],
    reason: str,
    action: str,
    petition: Any,
    organ: Any,
    parties: Parties | None = None,
    at: datetime | None = None,
    events: Sequence[Any] | None = None,
) -> Document:
    """The document the draft will be once signed, printed as the documents module prints an
    issued one (``_build`` over the petition's events and this draft as the next one). The
    文号 is given only on signing; the date is today's."""
    history = list(
        events
        if events is not None
        else petition.events.select_related("organ", "actor_organ").order_by("seq")
    )
    data = {k: v for k, v in draft_data.items() if v not in ("", None)}
    if action == Action.ISSUE_OPINION and "remedy" not in data:
        from xinfang.petitions.services import _remedy_text

        data["remedy"] = _remedy_text(organ, "review")
    elif action == Action.DECIDE_REVIEW and data.get("outcome") != "redo":
        from xinfang.petitions.services import _remedy_text

        data.setdefault("remedy", _remedy_text(organ, "re_review"))
    event = PetitionEvent(
        petition=petition,
        seq=(history[-1].seq if history else 0) + 1,
        action=action,
        occurred_at=at or clock.now(),
        reason=reason,
        data=data,
        organ=petition.current_organ,
        actor_organ=organ,
    )
    doc = _build(_Context(petition, [*history, event], parties), len(history))
    return replace(doc, number=PREVIEW_NUMBER)
