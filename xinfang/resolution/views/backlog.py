"""Backlog pages (积案化解): the board by organ and progress, a case with its plan, milestones
(overdue in red), progress and close-out. Every form posts a one-time token and redirects
(POST/redirect/GET); an error re-shows the case with what was typed (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.once import FIELD, once
from xinfang.directory.permissions import Cap, user_can
from xinfang.resolution.models import CaseStatus
from xinfang.resolution.selectors import (
    backlog_counts_for_user,
    backlog_get_for_user,
    backlog_list_for_user,
    backlog_petition_for_user,
)
from xinfang.resolution.services import (
    backlog_close,
    backlog_decide,
    backlog_milestone_add,
    backlog_milestone_done,
    backlog_plan,
    backlog_progress_add,
)
from xinfang.resolution.views._shared import need, parse_date, parse_int

ACTIONS = ("decide", "plan", "milestone", "milestone_done", "progress", "close")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    status = request.GET.get("status", "")
    if status and status not in CaseStatus.values:
        raise ApplicationError(gettext("筛选条件有误"))
    today = clock.today()
    page = backlog_list_for_user(
        user=request.user,  # type: ignore[arg-type]
        today=today,
        status=status,
        cursor=parse_int(request.GET.get("cursor"), field="cursor"),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "resolution/backlog.html",
        {
            "page": page,
            "counts": backlog_counts_for_user(user=request.user),  # type: ignore[arg-type]
            "status": status,
            "statuses": CaseStatus.choices,
            "query": query.urlencode(),
        },
    )


def _case(request: HttpRequest, case_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    user = request.user
    case = backlog_get_for_user(user=user, case_id=case_id)  # type: ignore[arg-type]
    today = clock.today()
    return render(
        request,
        "resolution/backlog_case.html",
        {
            "case": case,
            "petition": backlog_petition_for_user(user=user, case=case),  # type: ignore[arg-type]
            "milestones": [
                {"m": m, "overdue": m.done_on is None and m.due_on < today}
                for m in case.milestones.all()
            ],
            "progress": list(case.progress.select_related("by")),
            "may_manage": user_can(user, Cap.BACKLOG_MANAGE),  # type: ignore[arg-type]
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    return _case(request, case_id)


def _do(request: HttpRequest, case_id: int, action: str) -> str:
    user, post = request.user, request.POST
    kw = {"actor": user, "case_id": case_id}
    if action == "decide":
        decision = post.get("decision", "")
        if decision not in ("confirm", "reject"):
            raise ApplicationError(gettext("请选择确认或不列为积案"), fields={"decision": ["?"]})
        backlog_decide(
            **kw,  # type: ignore[arg-type]
            confirm=decision == "confirm",
            note=post.get("note", ""),
            leader=post.get("leader", ""),
        )
        return gettext("已确认") if decision == "confirm" else gettext("已决定不列为积案")
    if action == "plan":
        backlog_plan(**kw, plan=post.get("plan", ""))  # type: ignore[arg-type]
        return gettext("已保存化解方案")
    if action == "milestone":
        errors: dict[str, list[str]] = {}
        due = parse_date(post.get("due_on"), "due_on", errors)
        if errors:
            raise ApplicationError(gettext("请检查标出的内容"), fields=errors)
        backlog_milestone_add(**kw, title=post.get("title", ""), due_on=due)  # type: ignore[arg-type]
        return gettext("已添加化解节点")
    if action == "milestone_done":
        mid = parse_int(post.get("milestone"), field="milestone")
        if mid is None:
            raise NotFound()
        backlog_milestone_done(**kw, milestone_id=mid)  # type: ignore[arg-type]
        return gettext("已完成节点")
    if action == "progress":
        backlog_progress_add(**kw, note=post.get("note", ""))  # type: ignore[arg-type]
        return gettext("已记录进展")
    backlog_close(**kw, outcome=post.get("outcome", ""))  # type: ignore[arg-type]
    return gettext("积案已化解")


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if action not in ACTIONS:
        raise NotFound()
    need(request, Cap.BACKLOG_MANAGE)
    try:
        with once(scope=f"backlog.{action}", key=request.POST.get(FIELD)) as claim:
            if claim.prior is None:
                messages.success(request, _do(request, case_id, action))
                claim.result = {"case": case_id}
    except ApplicationError as e:
        if e.status >= 500 or not e.fields:
            raise
        return _case(
            request, case_id, errors={action: [m for v in e.fields.values() for m in v]}, status=400
        )
    return redirect("resolution:backlog_case", case_id=case_id)
