"""What reception contributes to the staff petition page (registered in apps.py): its
reception records as timeline entries, and a section with the records, their promises and a
link to write one. Only for users with ``reception_view``; the page got the petition through
the petitions gate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.extensions import TimelineItem, present
from xinfang.reception.selectors import records_of_petition


def _records(petition: Any) -> list[Any]:
    """The records, read once per page: the timeline and the section both show them (the
    petition page's query count is pinned, xinfang/web/tests/test_pages.py)."""
    cached = getattr(petition, "_reception_records", None)
    if cached is None and present(petition, "reception") is False:
        cached = petition._reception_records = []  # none at all (the page's presence query)
    if cached is None:
        cached = list(records_of_petition(petition=petition))
        petition._reception_records = cached
    return cached


def _label(record: Any) -> str:
    """A meeting on a down-visit is named as such on the timeline (下访接谈, 带访接谈)."""
    if record.visit_id is None:
        return "接谈记录"
    return "带访接谈记录" if record.visit.kind == "accompanied" else "下访接谈记录"


def reception_timeline(*, petition: Any, user: Any) -> Iterable[TimelineItem]:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return []
    out = []
    for r in _records(petition):
        promised = "；".join(f"{p.description}（{p.due_on:%Y-%m-%d}）" for p in r.promises.all())
        out.append(
            TimelineItem(
                at=r.received_at,
                label=_label(r),
                text=r.said[:200] + (f" 承诺：{promised}" if promised else ""),
                organ=r.organ.name,
                actor=r.received_by.person_name,
                url=reverse("reception:record", args=[r.pk]),
            )
        )
    return out


def reception_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return None
    return {
        "records": _records(petition),
        "may_record": user_can(user, Cap.RECEPTION_MANAGE),
        "petition_id": petition.pk,
    }
