"""Pages of reception days: the calendar (the office's, or "mine" for a leader), publishing a
session or a weekly schedule, a session with its bookings."""

from __future__ import annotations

from datetime import date, timedelta
from datetime import time as dtime
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.directory.models import Organ
from xinfang.directory.permissions import Cap, user_can
from xinfang.reception.access import organ_in_scope, organs_in_scope
from xinfang.reception.filters import calendar_filter
from xinfang.reception.models import SessionKind
from xinfang.reception.selectors import (
    appointments_of_session,
    calendar_page_for_user,
    session_get_for_user,
)
from xinfang.reception.services import (
    SessionInput,
    appointment_book_desk,
    appointment_cancel,
    leaders_for,
    schedule_publish,
    session_cancel,
    session_publish,
)
from xinfang.reception.services.sessions import MAX_CAPACITY
from xinfang.reception.video import session_room_url
from xinfang.reception.views._shared import (
    need,
    one_time_key,
    parse_date,
    parse_int,
    parse_time,
)

WEEKDAYS = [
    (0, "星期一"),
    (1, "星期二"),
    (2, "星期三"),
    (3, "星期四"),
    (4, "星期五"),
    (5, "星期六"),
    (6, "星期日"),
]


def _parse_after(value: str | None) -> tuple[date, dtime, int] | None:
    """The keyset of the next calendar page: ``date_HH:MM:SS_id`` (a 400 when malformed)."""
    if not value:
        return None
    try:
        on, starts, pk = value.split("_")
        if not is_digits(pk) or len(pk) > 12:
            raise ValueError(pk)
        return date.fromisoformat(on), dtime.fromisoformat(starts), int(pk)
    except ValueError:
        raise ApplicationError(gettext("参数有误：%(f)s") % {"f": "after"}) from None


def _calendar_rows(rows: list[dict]) -> list[tuple[date, list[dict]]]:
    """The page's rows grouped by day, each with its display strings made once here (the
    template only prints them: a template filter per cell was most of the page's time)."""
    url = reverse("reception:session", args=[999999999]).replace("999999999", "%d")
    kinds = {k: gettext(v) for k, v in SessionKind.choices}  # in the reader's language
    video = gettext("视频接访")
    unnamed = gettext("（未填姓名）")  # a login name is not for print (walker #8)
    for r in rows:
        full = (r["leader__display_name"] or "").strip() or (
            f"{r['leader__last_name']}{r['leader__first_name']}".strip()
        )
        r["url"] = url % r["id"]
        r["time"] = f"{r['starts']:%H:%M}–{r['ends']:%H:%M}"
        r["leader"] = full or unnamed
        r["kind_label"] = kinds.get(r["kind"], r["kind"])
        r["where"] = f"{video} {r['place']}" if r["video"] else r["place"]
        r["capacity"] = str(r["capacity"])  # printed as is (no localised number formatting)
    return [(d, list(g)) for d, g in groupby(rows, key=lambda r: r["on"])]


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The reception calendar (Art. 18): a week by default, at most ``CALENDAR_PAGE`` sessions
    a page, optionally one organ's; the next page continues in the same window."""
    need(request, Cap.RECEPTION_VIEW)
    today = clock.today()
    # the one parser of the calendar's filters: its 台账 reads the query string through it too
    flt = calendar_filter(request.GET, today=today)
    start, days, mine, organ_id = flt.start, flt.days, flt.mine, flt.organ_id
    page = calendar_page_for_user(
        user=request.user,  # type: ignore[arg-type]
        start=start,
        end=flt.end,
        mine=mine,
        organ_id=organ_id,
        after=_parse_after(request.GET.get("after")),
    )
    keep: dict[str, object] = {"from": start.isoformat(), "days": days}
    if mine:
        keep["mine"] = 1
    if organ_id:
        keep["organ"] = organ_id
    more = (
        urlencode({**keep, "after": f"{page.after[0]}_{page.after[1]:%H:%M:%S}_{page.after[2]}"})
        if page.after
        else ""
    )
    step = {k: v for k, v in keep.items() if k != "from"}
    return render(
        request,
        "reception/calendar.html",
        {
            "tab": "mine" if mine else "calendar",
            "days": _calendar_rows(page.rows),
            "start": start,
            "end": start + timedelta(days=days - 1),
            "previous": urlencode({**step, "from": (start - timedelta(days=days)).isoformat()}),
            "next": urlencode({**step, "from": (start + timedelta(days=days)).isoformat()}),
            "more": more,
            "continued": bool(request.GET.get("after")),
            "first": urlencode(keep),
            "all_organs": urlencode({k: v for k, v in keep.items() if k != "organ"}),
            "organ_id": organ_id,
            "span": days,
            "mine": mine,
            "today": today,
            "may_manage": user_can(request.user, Cap.RECEPTION_MANAGE),  # type: ignore[arg-type]
        },
    )


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    user = request.user
    organs = list(organs_in_scope(user))  # type: ignore[arg-type]
    P = request.POST
    errors: dict[str, list[str]] = {}
    chosen = parse_int(P.get("organ") or request.GET.get("organ"), field="organ")
    organ = next((o for o in organs if o.pk == chosen), None) or next(
        (o for o in organs if o.pk == getattr(user, "organ_id", None)),
        organs[0] if organs else None,
    )
    if request.method == "POST":
        if organ is None or organ.pk != chosen:
            errors["organ"] = [gettext("请选择接访机关")]
        on = parse_date(P.get("on"), "on", errors)
        starts = parse_time(P.get("starts"), "starts", errors)
        ends = parse_time(P.get("ends"), "ends", errors)
        try:
            capacity = parse_int(P.get("capacity"), field="capacity") or 0
        except ApplicationError:  # not a number, or one of twenty digits: at its field, kept
            capacity = 0
            errors["capacity"] = [gettext("可接待人数应在 1 到 %(n)s 之间") % {"n": MAX_CAPACITY}]
        leader_id = parse_int(P.get("leader"), field="leader") or 0
        repeat = P.get("repeat") == "weekly"
        until = parse_date(P.get("until"), "until", errors) if repeat else None
        if not errors:
            data = SessionInput(
                organ=organ,  # type: ignore[arg-type]
                leader_id=leader_id,
                on=on,  # type: ignore[arg-type]
                starts=starts,  # type: ignore[arg-type]
                ends=ends,  # type: ignore[arg-type]
                place=P.get("place", ""),
                video=P.get("video") == "1",
                fields=P.get("fields", ""),
                capacity=capacity,
                kind=P.get("kind", SessionKind.LEADER),
            )
            try:
                if repeat:
                    done = schedule_publish(
                        actor=user,  # type: ignore[arg-type]
                        data=data,
                        weekday=on.weekday(),  # type: ignore[union-attr]
                        until=until,  # type: ignore[arg-type]
                    )
                    n = len(done.sessions)
                    note = ngettext("已发布 %(n)s 场接访", "已发布 %(n)s 场接访", n) % {"n": n}
                    skipped = [d.isoformat() for d in done.rest_days + done.clashes]
                    if skipped:
                        note += gettext("；以下日期是休息日或领导已有安排，未安排：%(d)s") % {
                            "d": "、".join(skipped)
                        }
                    messages.success(request, note)
                    return redirect(f"/reception/?from={on.isoformat()}")  # type: ignore[union-attr]
                s = session_publish(
                    actor=user,  # type: ignore[arg-type]
                    data=data,
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status != 400:
                    raise
                errors = e.fields or {"on": [e.message]}
            else:
                messages.success(request, gettext("已发布接访场次"))
                return redirect("reception:session", session_id=s.pk)
    return render(
        request,
        "reception/session_new.html",
        {
            "tab": "new",
            "organs": organs,
            "organ": organ,
            "leaders": list(leaders_for(organ)) if organ else [],
            "kinds": SessionKind.choices,
            "post": P if request.method == "POST" else {},
            "submission": one_time_key(request),
            "today": clock.today(),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _session(request: HttpRequest, session_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    s = session_get_for_user(user=user, session_id=session_id)  # type: ignore[arg-type]
    may_manage = user_can(user, Cap.RECEPTION_MANAGE) and organ_in_scope(user, s.organ)  # type: ignore[arg-type]
    levels = [lv.organ for lv in s.levels.select_related("organ")] if s.video else []
    return render(
        request,
        "reception/session.html",
        {
            "s": s,
            "room_url": session_room_url(s),
            "levels": levels,
            "level_choices": (
                list(
                    Organ.objects.filter(is_active=True)
                    .exclude(level=s.organ.level)
                    .order_by("level", "path")[:500]
                )
                if s.video and may_manage
                else []
            ),
            "tab": "calendar",
            "today": clock.today(),
            "appointments": list(appointments_of_session(user=user, session=s)[:500]),  # type: ignore[arg-type]
            "may_manage": may_manage,
            "post": request.POST if request.method == "POST" else {},
            "submission": one_time_key(request),
            "errors": errors or {},
        },
        status=status,
    )


@login_required
@require_GET
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    return _session(request, session_id)


@login_required
@require_POST
def session_book(request: HttpRequest, session_id: int) -> HttpResponse:
    """A clerk books a petition (by its tracking code) into the session at the desk."""
    need(request, Cap.RECEPTION_MANAGE)
    s = session_get_for_user(user=request.user, session_id=session_id)  # type: ignore[arg-type]
    try:
        b = appointment_book_desk(
            actor=request.user,  # type: ignore[arg-type]
            session_id=s.pk,
            tracking_code=request.POST.get("tracking_code", ""),
            phone=request.POST.get("phone", ""),
            submission=one_time_key(request),
        )
    except ApplicationError as e:
        if e.status not in (400, 409):
            raise
        return _session(
            request, session_id, errors=e.fields or {"session": [e.message]}, status=400
        )
    messages.success(request, gettext("已预约，预约码 %(c)s") % {"c": b.appointment.code})
    return redirect("reception:session", session_id=s.pk)


@login_required
@require_POST
def appointment_cancel_view(request: HttpRequest, session_id: int) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    s = session_get_for_user(user=request.user, session_id=session_id)  # type: ignore[arg-type]
    code = (request.POST.get("code") or "")[:20]
    if not appointments_of_session(user=request.user, session=s).filter(code=code).exists():  # type: ignore[arg-type]
        raise ApplicationError(gettext("未找到该预约"), status=404)
    try:
        appointment_cancel(code=code, actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as e:
        if e.status != 409:
            raise
        return _session(request, session_id, errors={"session": [e.message]}, status=409)
    messages.success(request, gettext("已取消预约"))
    return redirect("reception:session", session_id=s.pk)


@login_required
@require_POST
def session_cancel_view(request: HttpRequest, session_id: int) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    s = session_get_for_user(user=request.user, session_id=session_id)  # type: ignore[arg-type]
    session_cancel(actor=request.user, session_id=s.pk)  # type: ignore[arg-type]
    messages.success(request, gettext("已取消该场接访"))
    return redirect("reception:session", session_id=s.pk)
