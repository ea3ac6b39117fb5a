"""The 台账 kind of the reception calendar (``export_kinds``): the sessions of the window the
page shows (Art. 18: the leaders' reception days, published), read page after page with the
calendar's own keyset (``reception.selectors.calendar_page_for_user``). A session names the
organ and the receiving official, no petitioner: nothing to mask."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics.export_base import Chunk, Kind, Params, kind_register
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap


def _params(q: QueryDict) -> Params:
    """The calendar page's own parser (``reception.filters``): the file holds its window."""
    from xinfang.core import clock
    from xinfang.reception.filters import calendar_filter

    return calendar_filter(q, today=clock.today()).as_params()


def _page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.reception.filters import CalendarFilter
    from xinfang.reception.selectors.sessions import calendar_page_for_user, sessions_for_user

    f = CalendarFilter.from_params(p)
    total = None
    if counted:
        qs = sessions_for_user(user=user, start=f.start, end=f.end, mine=f.mine)
        total = (qs.filter(organ_id=f.organ_id) if f.organ_id else qs).count()
    after = None
    if cursor:
        on, starts, pk = cursor
        after = (date.fromisoformat(on), time.fromisoformat(starts), pk)
    page = calendar_page_for_user(
        user=user, start=f.start, end=f.end, mine=f.mine, organ_id=f.organ_id, after=after,
        limit=limit,
    )  # fmt: skip
    nxt = (
        (page.after[0].isoformat(), page.after[1].isoformat(), page.after[2])
        if page.after
        else None
    )
    return Chunk(page.rows, nxt, total)


def _rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    from xinfang.reception.models import SessionKind

    kinds = dict(SessionKind.choices)
    out = []
    for r in items:
        leader = (r["leader__display_name"] or "").strip() or (
            f"{r['leader__last_name']}{r['leader__first_name']}".strip())
        out.append(
            [
                r["on"],
                f"{r['starts']:%H:%M}–{r['ends']:%H:%M}",
                r["organ__name"],
                leader or gettext("（未填姓名）"),  # never the login name (walker #8)
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
        [v.on, gettext(v.get_kind_display()), v.place, str(v.organ), v.leader.print_name, v.shown,
         gettext(v.get_status_display())]
        for v in items
    ]  # fmt: skip


kind_register(Kind(
    name="visits", title=gettext_lazy("下访台账"), page_url="reception:visit_list",
    caps=(Cap.RECEPTION_VIEW, Cap.EXPORT), params=_visit_params, page=_visit_page,
    rows=_visit_rows, headers=("日期", "方式", "地点", "下访机关", "带队领导", "拟接谈事项", "状态"),
    types="dttttnt", widths=(11, 10, 24, 24, 12, 10, 10), chunk=VISITS_SHOWN,
))  # fmt: skip


# -- joint handling (reception:joint_list): the page's two lists, at most their 200 each -------
JOINT_SHOWN = 200  # reception.views.joint.joint_list


def _joint_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    """The cases the user's side leads (their petitions through the petitions gate: never one
    that accuses the user's organ or names the user, Art. 30 para 3)."""
    from xinfang.reception.selectors.joint import joint_list_for_user

    qs = joint_list_for_user(user=user)
    if counted:
        return Chunk([], None, min(qs.count(), JOINT_SHOWN))
    return Chunk(list(qs[:JOINT_SHOWN]), None)


def _joint_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    """As the page: the petition, the lead organ, the statutory limit, the signed answer; with
    the petition's code and its petitioners, masked unless ``user_may_see_identity``."""
    from xinfang.petitions.exports import petitioner_cells

    parties = petitioner_cells(user=user, petition_ids=[j.petition_id for j in items], shown=shown)
    return [
        [j.petition.title, j.petition.tracking_code, str(j.lead), j.limit,
         gettext("已签发") if j.signed_at else gettext("未签发"),
         *parties.get(j.petition_id, ("", ""))]
        for j in items
    ]  # fmt: skip


kind_register(Kind(
    name="joint", title=gettext_lazy("联合办理台账"), page_url="reception:joint_list",
    caps=(Cap.RECEPTION_VIEW, Cap.EXPORT), params=lambda q: {}, page=_joint_page,
    rows=_joint_rows, headers=("信访事项", "查询码", "牵头机关", "法定期限", "统一答复",
                               "信访人", "联系电话"),
    types="tttdttt", widths=(30, 18, 22, 11, 8, 14, 14), chunk=JOINT_SHOWN,
))  # fmt: skip


def _joint_task_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    """The tasks given to the user's own organ as an assisting organ (``joint_start`` never
    gives one to an organ the petition accuses)."""
    from xinfang.reception.selectors.joint import joint_tasks_for_organ

    qs = joint_tasks_for_organ(user=user)
    if counted:
        return Chunk([], None, min(qs.count(), JOINT_SHOWN))
    return Chunk(list(qs[:JOINT_SHOWN]), None)


def _joint_task_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    """As the page: the petition's title (no petitioner: the assisting organ does not hold
    it), the lead organ, the task, its time limit, replied or not."""
    return [
        [t.joint.petition.title, str(t.joint.lead), t.task, t.due_on,
         gettext("已书面答复") if t.replied_on else gettext("待答复")]
        for t in items
    ]  # fmt: skip


kind_register(Kind(
    name="joint_tasks", title=gettext_lazy("协办任务台账"), page_url="reception:joint_list",
    caps=(Cap.RECEPTION_VIEW, Cap.EXPORT), params=lambda q: {}, page=_joint_task_page,
    rows=_joint_task_rows, headers=("信访事项", "牵头机关", "协办任务", "完成时限", "状态"),
    types="tttdt", widths=(30, 22, 40, 11, 10), chunk=JOINT_SHOWN,
))  # fmt: skip
