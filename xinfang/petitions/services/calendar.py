"""What a change of the working calendar does to petitions (a confirmed State Council notice, an
override; ADR 0012): fold their deadlines again (``deadlines.deadline_recompute_after_calendar_
change``), then reopen every review or re-review window that was recorded as lapsed on a day the
new calendar shows was still within it — a legal step (``reopen_window``, Arts. 35, 36; 民法典
Art. 203 by analogy) through the one writer of state, with its event, its audit record and its
notice to the petitioner (a document, numbered, on the portal).

Registered with ``deadlines.services.on_calendar_change`` in the app's ready()."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext

from xinfang.deadlines.models import Deadline
from xinfang.deadlines.services import DeadlineMove
from xinfang.directory.models import User
from xinfang.petitions.services.act import petition_act
from xinfang.petitions.services.deadlines import deadline_recompute_after_calendar_change
from xinfang.petitions.workflow import Action


def reopened_window_days(*, due: date, lapsed_on: date) -> int:
    """The days a reopened window runs from the reopening: the days the petitioner lost (from the
    day it was marked expired to its true last day), never fewer than
    ``XINFANG_REOPENED_WINDOW_MIN_DAYS``."""
    return max((due - lapsed_on).days + 1, settings.XINFANG_REOPENED_WINDOW_MIN_DAYS)


def petitions_after_calendar_change(
    *,
    first: date,
    last: date,
    actor: User | None,
    at: datetime | None = None,
    reason: str = "",
) -> tuple[int, list[DeadlineMove]]:
    """Fold again what the days ``[first, last]`` can move and reopen the windows lost to them
    (inside the caller's transaction)."""
    n, moves = deadline_recompute_after_calendar_change(
        first=first, last=last, actor=actor, at=at, reason=reason
    )
    why = gettext("登记期满未申请时，该申请期限按现行的节假日安排尚未届满")
    out = []
    for m in moves:
        if m.how != "reopened" or m.closed_on is None:
            out.append(m)
            continue
        petition_act(
            petition_id=m.petition_id,
            action=Action.REOPEN_WINDOW,
            actor=None,  # the system's step; the audited calendar change names who made it
            at=at,
            reason=f"{why}（{reason}）" if reason else why,
            data={
                "window": m.code,
                "shown_due": m.before.isoformat(),
                "days": reopened_window_days(due=m.computed, lapsed_on=m.closed_on),
                "by": actor.pk if actor is not None else None,
            },
        )
        reopened = (
            Deadline.objects.filter(petition_id=m.petition_id, code=m.code, outcome="open")
            .order_by("-start_date")
            .values_list("due_date", flat=True)
            .first()
        )
        out.append(replace(m, after=reopened or m.computed))  # the reopened window's last day
    return n, out
