"""Supervision pages (督办, Art. 40): the list, a new notice (a petition office), a notice with
the organ's written reply, and the escalations addressed to the user's organ."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import Organ, OrganKind
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.resolution.access import region_prefix
from xinfang.resolution.ladder import LABELS, Step
from xinfang.resolution.models import NoticeStatus, Reason
from xinfang.resolution.selectors import (
    escalation_list_for_user,
    notice_get_for_user,
    notice_list_for_user,
    notice_petitions_for_user,
)
from xinfang.resolution.services import supervision_issue, supervision_reply
from xinfang.resolution.services.supervision import reply_days
from xinfang.resolution.views._shared import need, one_time_key, parse_date, parse_int

MAX_CODES = 200


def _may_issue(user) -> bool:  # type: ignore[no-untyped-def]
    organ = getattr(user, "organ", None)
    return (
        user_can(user, Cap.SUPERVISE)
        and organ is not None
        and organ.kind == OrganKind.PETITION_OFFICE
    )


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    status = request.GET.get("status", "")
    if status and status not in NoticeStatus.values:
        raise ApplicationError(gettext("筛选条件有误"))
    listed = request.GET.get("listed", "") == "1"
    page = notice_list_for_user(
        user=request.user,  # type: ignore[arg-type]
        status=status,
        listed=listed,
        cursor=parse_int(request.GET.get("cursor"), field="cursor"),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "resolution/notices.html",
        {
            "page": page,
            "status": status,
            "listed": listed,
            "statuses": NoticeStatus.choices,
            "query": query.urlencode(),
            "may_issue": _may_issue(request.user),
            "today": clock.today(),
        },
    )


def _organs(user) -> list[Organ]:  # type: ignore[no-untyped-def]
    office = user.organ
    return list(
        Organ.objects.filter(region__code__startswith=region_prefix(office), is_active=True)
        .exclude(pk=office.pk)
        .order_by("path")
    )


def _codes(raw: str) -> list[str]:
    return [c for c in re.split(r"[\s,，、;；]+", raw or "") if c][: MAX_CODES + 1]


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.SUPERVISE)
    if not _may_issue(request.user):
        raise Forbidden(gettext("只有信访部门可以督办（第四十条）"))
    organs = _organs(request.user)
    errors: dict[str, list[str]] = {}
    refused = 0
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        organ_id = parse_int(request.POST.get("organ"), field="organ")
        organ = next((o for o in organs if o.pk == organ_id), None)
        if organ is None:
            errors["organ"] = [gettext("请选择被督办机关")]
        codes = _codes(request.POST.get("petitions", ""))
        if len(codes) > MAX_CODES:
            errors["petitions"] = [gettext("一次督办的信访事项过多")]
        found = dict(
            petition_queryset_for_user(user=request.user)  # type: ignore[arg-type]
            .filter(tracking_code__in=codes)
            .values_list("tracking_code", "pk")
        )
        missing = [c for c in codes if c not in found]
        if missing:
            errors["petitions"] = [
                gettext("找不到这些查询码，或不在您的查看范围内：%(c)s")
                % {"c": "、".join(m[:20] for m in missing[:5])}
            ]
        due = parse_date(request.POST.get("reply_due"), "reply_due", errors)
        if not errors:
            try:
                n = supervision_issue(
                    actor=request.user,  # type: ignore[arg-type]
                    organ=organ,  # type: ignore[arg-type]
                    petition_ids=[found[c] for c in codes],
                    reasons=request.POST.getlist("reasons"),
                    facts=request.POST.get("facts", ""),
                    listed=request.POST.get("listed") == "1",
                    reply_due=due,
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                errors, message = e.fields or {"": [e.message]}, e.message
                refused = e.status  # 409: already there (a second simultaneous post)
            else:
                messages.success(request, gettext("已发出督办通知 %(n)s") % {"n": n.number})
                return redirect("resolution:notice", notice_id=n.pk)
        message = message or gettext("请检查标出的内容")
    today = clock.today()
    return render(
        request,
        "resolution/notice_new.html",
        {
            "organs": organs,
            "reasons": Reason.choices,
            "chosen": post.getlist("reasons") if post else [],
            "post": post,
            "petitions": post.get("petitions", "") if post else request.GET.get("petitions", ""),
            "submission": one_time_key(request),
            "default_due": today + timedelta(days=reply_days()),
            "reply_days": reply_days(),
            "today": today,
            "errors": errors,
            "message": message,
        },
        status=(refused or 400) if errors else 200,
    )


def _detail(request: HttpRequest, notice_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    n = notice_get_for_user(user=request.user, notice_id=notice_id)  # type: ignore[arg-type]
    steps = [
        {"label": LABELS[Step(s.step)], "on": s.fired_on, "to": s.to_organ}
        for s in n.steps.select_related("to_organ").order_by("fired_on", "pk")
    ]
    return render(
        request,
        "resolution/notice.html",
        {
            "n": n,
            "petitions": notice_petitions_for_user(user=request.user, notice=n),  # type: ignore[arg-type]
            "steps": steps,
            "may_reply": n.status == NoticeStatus.OPEN
            and user_can(request.user, Cap.SUPERVISION_REPLY)  # type: ignore[arg-type]
            and getattr(request.user, "organ_id", None) == n.organ_id,
            "overdue": n.status == NoticeStatus.OPEN and clock.today() > n.reply_due,
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def notice_page(request: HttpRequest, notice_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    return _detail(request, notice_id)


@login_required
@require_POST
def notice_reply(request: HttpRequest, notice_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    try:
        n = supervision_reply(
            actor=request.user,  # type: ignore[arg-type]
            notice_id=notice_id,
            reply=request.POST.get("reply", ""),
        )
    except ApplicationError as e:
        if e.status >= 500 or not e.fields:
            raise
        return _detail(request, notice_id, errors=e.fields, status=400)
    messages.success(request, gettext("已书面反馈 %(n)s") % {"n": n.reply_number})
    return redirect("resolution:notice", notice_id=n.pk)


@login_required
@require_GET
def escalations(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    page = escalation_list_for_user(
        user=request.user,  # type: ignore[arg-type]
        cursor=parse_int(request.GET.get("cursor"), field="cursor"),
    )
    rows = [
        {
            "e": e,
            "label": LABELS[Step(e.step)],
        }
        for e in page.rows
    ]
    return render(request, "resolution/escalations.html", {"rows": rows, "page": page})
