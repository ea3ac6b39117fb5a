"""Hearing pages (听证, Arts. 31(6), 36 para 2): the list, a new hearing for a petition (its
tracking code), a hearing with its notice, participants, the T10 clock and the reason its due
date moved, and the steps: open, close with the record, cancel, publish. Every form posts a
one-time token and redirects (POST/redirect/GET); an error re-shows what was typed (400)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.directory.permissions import Cap, user_can_act
from xinfang.petitions.workflow import Action
from xinfang.resolution.models import HearingStatus, ParticipantRole
from xinfang.resolution.selectors import (
    hearing_clock,
    hearing_get_for_user,
    hearing_list_for_user,
)
from xinfang.resolution.services import (
    hearing_cancel,
    hearing_close,
    hearing_open,
    hearing_publish,
    hearing_schedule,
)
from xinfang.resolution.services.hearing import SCHEDULABLE
from xinfang.resolution.views._shared import (
    list_page,
    need,
    one_time_key,
    parse_date,
    petition_of_record,
    petition_pk_by_code,
    step_once,
)

ACTIONS = ("open", "close", "cancel", "publish")
ROWS = 8  # participant rows on the form


def _when(value: str | None, errors: dict[str, list[str]]) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        errors["scheduled_for"] = [gettext("时间格式应为 年-月-日 时:分")]
        return None
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def _day(d: date | None) -> datetime | None:
    """A paper event's real date, at noon local time (a date in the future is refused by the
    petitions service)."""
    if d is None:
        return None
    at = timezone.make_aware(datetime.combine(d, time(12)))
    return min(at, clock.now()) if d == clock.today() else at


@login_required
@require_GET
def hearing_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        statuses=HearingStatus.choices,
        listing=hearing_list_for_user,
        template="resolution/hearings.html",
        may_schedule=user_can_act(request.user, Action.HEARING_START),  # type: ignore[arg-type]
    )


@login_required
def hearing_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if not user_can_act(request.user, Action.HEARING_START):  # type: ignore[arg-type]
        from xinfang.core.errors import Forbidden

        raise Forbidden(gettext("您的角色不能举行听证"))
    errors: dict[str, list[str]] = {}
    refused = 0
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        pk = petition_pk_by_code(request.user, request.POST.get("petition"))
        if pk is None:
            errors["petition"] = [gettext("找不到该查询码，或不在您的查看范围内")]
        when = _when(request.POST.get("scheduled_for"), errors)
        rows = [
            (
                request.POST.get(f"role_{i}", ""),
                request.POST.get(f"name_{i}", ""),
                request.POST.get(f"unit_{i}", ""),
            )
            for i in range(ROWS)
        ]
        if not errors:
            try:
                h = hearing_schedule(
                    actor=request.user,  # type: ignore[arg-type]
                    petition_id=pk,  # type: ignore[arg-type]
                    scheduled_for=when,
                    place=request.POST.get("place", ""),
                    reason=request.POST.get("reason", ""),
                    participants=rows,
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status >= 500 or e.status in (403, 404):
                    raise
                errors, message = e.fields or {"": [e.message]}, e.message
                refused = e.status  # 409: already there (a second simultaneous post)
            else:
                messages.success(request, gettext("已发出听证通知 %(n)s") % {"n": h.notice_number})
                return redirect("resolution:hearing", hearing_id=h.pk)
        message = message or gettext("请检查标出的内容")
    rows_in = [
        {
            "i": i,
            "role": post.get(f"role_{i}", "")
            if post
            else ("presiding", "petitioner")[i]
            if i < 2
            else "",
            "name": post.get(f"name_{i}", "") if post else "",
            "unit": post.get(f"unit_{i}", "") if post else "",
        }
        for i in range(ROWS)
    ]
    return render(
        request,
        "resolution/hearing_new.html",
        {
            "post": post,
            "petition": post.get("petition", "") if post else request.GET.get("petition", "")[:40],
            "rows": rows_in,
            "roles": ParticipantRole.choices,
            "submission": one_time_key(request),
            "errors": errors,
            "message": message,
        },
        status=(refused or 400) if errors else 200,
    )


def _page(request: HttpRequest, hearing_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    user = request.user
    h = hearing_get_for_user(user=user, hearing_id=hearing_id)  # type: ignore[arg-type]
    petition, may_act = petition_of_record(user, h.petition_id, Action.HEARING_START)
    return render(
        request,
        "resolution/hearing.html",
        {
            "h": h,
            "petition": petition,
            "clock": hearing_clock(hearing=h),
            "may_act": may_act,
            "hearing_states": SCHEDULABLE,
            "today": clock.today(),
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def hearing_page(request: HttpRequest, hearing_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    return _page(request, hearing_id)


def _do(request: HttpRequest, hearing_id: int, action: str) -> str:
    user, post = request.user, request.POST
    kw = {"actor": user, "hearing_id": hearing_id}
    errors: dict[str, list[str]] = {}
    on = parse_date(post.get("on"), "on", errors)
    if errors:
        raise ApplicationError(gettext("请检查标出的内容"), fields=errors)
    if on is not None and on > clock.today():
        raise ApplicationError(
            gettext("请检查标出的内容"), fields={"on": [gettext("日期不能晚于今天")]}
        )
    at = _day(on)
    if action == "open":
        hearing_open(**kw, at=at)  # type: ignore[arg-type]
        return gettext("听证已开始，复核期限暂停计算")
    if action == "close":
        hearing_close(**kw, record=post.get("record", ""), outcome=post.get("outcome", ""), at=at)  # type: ignore[arg-type]
        return gettext("听证已结束")
    if action == "cancel":
        hearing_cancel(**kw, reason=post.get("cancel_reason", ""), at=at)  # type: ignore[arg-type]
        return gettext("听证已取消")
    hearing_publish(**kw, publication=post.get("publication", ""), at=at)  # type: ignore[arg-type]
    return gettext("已公示")


@login_required
@require_POST
def hearing_act(request: HttpRequest, hearing_id: int, action: str) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if action not in ACTIONS:
        raise NotFound()
    return step_once(
        request,
        kind="hearing",
        record_id=hearing_id,
        action=action,
        do=_do,
        page=_page,
        then=lambda: redirect("resolution:hearing", hearing_id=hearing_id),
    )
