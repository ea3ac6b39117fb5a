"""The 台账 kind of the reception calendar (``export_kinds``): the sessions of the window the
page shows (Art. 18: the leaders' reception days, published), read page after page with the
calendar's own keyset (``reception.selectors.calendar_page_for_user``). A session names the
organ and the receiving official, no petitioner: nothing to mask."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics.export_base import Chunk, Kind, Params, bad_filter, kind_register
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap

MAX_DAYS = 92  # the calendar's longest window (reception.views.sessions)


def _params(q: QueryDict) -> Params:
    from xinfang.core import clock

    today = clock.today()
    try:
        start = date.fromisoformat(q["from"]) if q.get("from") else None
        days = int(q.get("days") or 7)
        organ = int(q["organ"]) if q.get("organ") else None
    except (ValueError, OverflowError):
        raise bad_filter() from None
    if organ is not None and not 0 < organ < 2**63:
        raise bad_filter()
    start = start or today - timedelta(days=today.weekday())  # this week, as the page has it
    out: Params = {"from": start.isoformat(), "days": max(1, min(days, MAX_DAYS))}
    if q.get("mine") == "1":
        out["mine"] = "1"
    if organ:
        out["organ"] = organ
    return out


def _page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.reception.selectors.sessions import calendar_page_for_user, sessions_for_user

    start = date.fromisoformat(p["from"])
    end = start + timedelta(days=int(p["days"]) - 1)
    mine, organ = p.get("mine") == "1", p.get("organ")
    total = None
    if counted:
        qs = sessions_for_user(user=user, start=start, end=end, mine=mine)
        total = (qs.filter(organ_id=organ) if organ else qs).count()
    after = None
    if cursor:
        on, starts, pk = cursor
        after = (date.fromisoformat(on), starts, pk)
    page = calendar_page_for_user(
        user=user, start=start, end=end, mine=mine, organ_id=organ, after=after, limit=limit
    )
    nxt = (page.after[0].isoformat(), page.after[1], page.after[2]) if page.after else None
    return Chunk(page.rows, nxt, total)


def _rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    from xinfang.reception.models import SessionKind

    kinds = dict(SessionKind.choices)
    out = []
    for r in items:
        leader = f"{r['leader__last_name']}{r['leader__first_name']}".strip()
        out.append(
            [
                r["on"],
                f"{r['starts']:%H:%M}–{r['ends']:%H:%M}",
                r["organ__name"],
                leader or r["leader__username"] or "",
                gettext(kinds.get(r["kind"], r["kind"])),
                gettext("是") if r["video"] else "",
                r["place"],
                r["fields"],
                r["capacity"],
                gettext("已取消") if r["cancelled"] else "",
            ]
        )
    return out


kind_register(Kind(
    name="sessions", title=gettext_lazy("接访日程台账"), page_url="reception:calendar",
    caps=(Cap.RECEPTION_VIEW, Cap.EXPORT), params=_params, page=_page, rows=_rows,
    headers=("日期", "时间", "机关", "接访领导", "接访方式", "视频接访", "地点", "接访领域",
             "可接待人数", "已取消"),
    types="dtttttttnt", widths=(11, 12, 24, 12, 10, 8, 24, 16, 8, 8),
))  # fmt: skip


# -- down-visit plans (reception:visits): the page's own list, at most its 200 latest plans ----
VISITS_SHOWN = 200  # reception.views.visits.visit_list


def _visit_params(q: QueryDict) -> Params:
    return {"mine": "1"} if q.get("mine") == "1" else {}


def _visit_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.reception.selectors.visits import visits_for_user

    qs = visits_for_user(user=user, mine=p.get("mine") == "1")
    if counted:
        return Chunk([], None, min(qs.count(), VISITS_SHOWN))
    return Chunk(list(qs[:VISITS_SHOWN]), None)


def _visit_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    """A plan names the organ, the leading official and how many of its petitions the user
    may see (``shown``: a petition hidden from the user is not counted, Art. 30 para 3)."""
    return [
        [v.on, gettext(v.get_kind_display()), v.place, str(v.organ), str(v.leader), v.shown,
         gettext(v.get_status_display())]
        for v in items
    ]  # fmt: skip


kind_register(Kind(
    name="visits", title=gettext_lazy("下访台账"), page_url="reception:visit_list",
    caps=(Cap.RECEPTION_VIEW, Cap.EXPORT), params=_visit_params, page=_visit_page,
    rows=_visit_rows, headers=("日期", "方式", "地点", "下访机关", "带队领导", "拟接谈事项", "状态"),
    types="dttttnt", widths=(11, 10, 24, 24, 12, 10, 10), chunk=VISITS_SHOWN,
))  # fmt: skip
