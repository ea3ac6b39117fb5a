"""What reception contributes to the staff petition page (registered in apps.py): its
reception records as timeline entries, and a section with the records, their promises and a
link to write one. Only for users with ``reception_view``; the page got the petition through
the petitions gate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.extensions import TimelineItem
from xinfang.reception.selectors import records_of_petition


def reception_timeline(*, petition: Any, user: Any) -> Iterable[TimelineItem]:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return []
    out = []
    for r in records_of_petition(petition=petition):
        promised = "；".join(f"{p.description}（{p.due_on:%Y-%m-%d}）" for p in r.promises.all())
        out.append(
            TimelineItem(
                at=r.received_at,
                label="接谈记录",
                text=r.said[:200] + (f" 承诺：{promised}" if promised else ""),
                organ=r.organ.name,
                actor=r.received_by.get_full_name() or r.received_by.username,
                url=reverse("reception:record", args=[r.pk]),
            )
        )
    return out


def reception_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return None
    return {
        "records": list(records_of_petition(petition=petition)),
        "may_record": user_can(user, Cap.RECEPTION_MANAGE),
        "petition_id": petition.pk,
    }
