"""Reads of evaluations: which stages a petitioner may evaluate now (regulation §8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from xinfang.core import clock
from xinfang.feedback.models import Evaluation, Stage

#: A written answer that closes the handling stage, when the event itself is the answer.
_HANDLING_ANSWERS = frozenset({"reply", "settle", "channel", "redirect", "not_accept"})
#: Delivery of a decision document opens the stage of that decision (the windows run from receipt).
_DELIVERED = {"opinion": Stage.HANDLING, "review_opinion": Stage.REVIEW,
              "re_review_opinion": Stage.RE_REVIEW}
_DECIDED_BY = {"issue_opinion": "opinion", "decide_review": "review_opinion",
               "decide_re_review": "re_review_opinion"}


@dataclass(frozen=True)
class StageWindow:
    stage: str
    label: str
    organ_id: int
    organ_name: str
    opens: date
    closes: date
    evaluation: Evaluation | None
    is_open: bool  # the petitioner may evaluate this stage today


def evaluation_window_days() -> int:
    return int(getattr(settings, "XINFANG_EVALUATION_WINDOW_DAYS", 30))


def answers_opened(events: Sequence) -> dict[str, tuple[date, object]]:  # type: ignore[type-arg]
    """The day each stage's written answer reached the petitioner, with the event of the organ
    that answered (its ``organ_id`` is the organ evaluated): what opens an evaluation window.
    ``events`` in sequence order, with ``action``, ``occurred_at``, ``organ_id`` and ``data``."""
    decided: dict[str, object] = {}
    opened: dict[str, tuple[date, object]] = {}
    for e in events:
        if e.action in _DECIDED_BY:
            decided[_DECIDED_BY[e.action]] = e
        elif e.action == "record_delivery":
            doc = (e.data or {}).get("document")
            if doc in _DELIVERED and doc in decided:
                opened[_DELIVERED[doc]] = (clock.local_date(e.occurred_at), decided[doc])
        elif e.action in _HANDLING_ANSWERS and e.organ_id:
            opened[Stage.HANDLING] = (clock.local_date(e.occurred_at), e)
    return opened


def evaluation_windows(
    *, petition, events: Sequence | None = None, today: date | None = None  # type: ignore[no-untyped-def,type-arg]
) -> list[StageWindow]:
    """The evaluation window of every stage the petition has reached, in stage order.

    A stage opens when its written answer reaches the petitioner: the delivery of the opinion,
    review or re-review opinion, or the event that is itself the answer (a reply, a settlement,
    a channelling, redirect or non-acceptance notice). The latest answer counts (a review that
    orders the matter redone leads to a new opinion). The window lasts
    ``XINFANG_EVALUATION_WINDOW_DAYS`` calendar days from that date.
    """
    today = today or clock.today()
    if events is None:
        events = list(petition.events.select_related("organ").order_by("seq"))
    opened = {
        stage: (on, e.organ_id, e.organ.name if e.organ_id else "")
        for stage, (on, e) in answers_opened(events).items()
    }
    if not opened:
        return []
    done = {ev.stage: ev for ev in Evaluation.objects.filter(petition=petition)}
    days = evaluation_window_days()
    out = []
    for stage in Stage:
        if stage not in opened:
            continue
        opens, organ_id, organ_name = opened[stage]
        closes = opens + timedelta(days=days)
        ev = done.get(stage.value)
        out.append(
            StageWindow(
                stage=stage.value,
                label=stage.label,
                organ_id=organ_id,
                organ_name=organ_name,
                opens=opens,
                closes=closes,
                evaluation=ev,
                is_open=ev is None and opens <= today <= closes,
            )
        )
    return out

