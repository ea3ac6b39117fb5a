"""Pages of joint handling: the list (cases my side leads, tasks my organ assists with),
starting one from a petition, and a case with its tasks, replies and the signed answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ
from xinfang.directory.permissions import Cap
from xinfang.directory.selectors import organ_picker_capped, organ_picker_groups
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.petitions.selectors.targets import TARGETS_MAX
from xinfang.reception.selectors import (
    joint_get_for_user,
    joint_list_for_user,
    joint_tasks_for_organ,
)
from xinfang.reception.services import (
    TaskInput,
    joint_reply,
    joint_sign,
    joint_start,
    statutory_limit,
)
from xinfang.reception.views._shared import need, parse_date, parse_int

ROWS = 4


@login_required
@require_GET
def joint_list(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    return render(
        request,
        "reception/joint_list.html",
        {
            "tab": "joint",
            "cases": list(joint_list_for_user(user=user)[:200]),  # type: ignore[arg-type]
            "tasks": list(joint_tasks_for_organ(user=user)[:200]),  # type: ignore[arg-type]
        },
    )


@login_required
def joint_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    user = request.user
    src = request.POST if request.method == "POST" else request.GET
    petition_id = parse_int(src.get("petition"), field="petition")
    if petition_id is None:
        raise ApplicationError(gettext("请从信访事项进入"), status=400)
    p = petition_get_for_user(user=user, petition_id=petition_id)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    P = request.POST
    if request.method == "POST":
        tasks = []
        for i in range(ROWS):
            organ_id = parse_int(P.get(f"organ_{i}"), field="organ")
            if not organ_id:
                continue
            due = parse_date(P.get(f"due_{i}"), "tasks", errors)
            if due:
                tasks.append(TaskInput(organ_id, P.get(f"task_{i}", ""), due))
        if not errors:
            try:
                j = joint_start(actor=user, petition_id=p.pk, tasks=tasks)  # type: ignore[arg-type]
            except ApplicationError as e:
                if e.status not in (400, 409):
                    raise
                errors = e.fields or {"tasks": [e.message]}
            else:
                messages.success(request, gettext("已安排联合办理"))
                return redirect("reception:joint", joint_id=j.pk)
    # the one organ picker (issue 12, item 10): any other organ, never the accused one or one
    # below it (Art. 30 para 3)
    organs = Organ.objects.filter(is_active=True).exclude(pk=p.current_organ_id)
    if p.accused_organ_id:
        a = p.accused_organ
        organs = organs.exclude(Q(pk=a.pk) | Q(path__startswith=a.path or f"/{a.pk}/"))
    organs, total = organ_picker_capped(
        organs.select_related("region").order_by("path"), TARGETS_MAX
    )
    return render(
        request,
        "reception/joint_new.html",
        {
            "tab": "joint",
            "p": p,
            "limit": statutory_limit(p.pk),
            "organ_groups": organ_picker_groups(organs=organs),
            "organs_cut": (len(organs), total) if total > len(organs) else None,
            "rows": [
                (str(i), P.get(f"organ_{i}", ""), P.get(f"task_{i}", ""), P.get(f"due_{i}", ""))
                for i in range(ROWS)
            ],
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _joint(request: HttpRequest, joint_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    j = joint_get_for_user(user=user, joint_id=joint_id)  # type: ignore[arg-type]
    return render(
        request,
        "reception/joint.html",
        {
            "tab": "joint",
            "j": j,
            "tasks": list(j.tasks.select_related("organ", "replied_by")),
            "lead_side": user.organ_id == j.lead_id,  # type: ignore[union-attr]
            "my_organ": user.organ_id,  # type: ignore[union-attr]
            "today": clock.today(),
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def joint_page(request: HttpRequest, joint_id: int) -> HttpResponse:
    return _joint(request, joint_id)


@login_required
@require_POST
def joint_post(request: HttpRequest, joint_id: int, form: str) -> HttpResponse:
    """``reply`` (an assisting organ's written reply) or ``sign`` (the lead's one answer)."""
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    j = joint_get_for_user(user=user, joint_id=joint_id)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    try:
        if form == "reply":
            tid = parse_int(request.POST.get("task"), field="task") or 0
            if not j.tasks.filter(pk=tid).exists():
                raise ApplicationError(gettext("任务不属于本件"), status=404)
            on = parse_date(request.POST.get("on"), "on", errors)
            if not errors:
                joint_reply(actor=user, task_id=tid, reply=request.POST.get("reply", ""), on=on)  # type: ignore[arg-type]
        elif form == "sign":
            joint_sign(actor=user, joint_id=j.pk, answer=request.POST.get("answer", ""))  # type: ignore[arg-type]
        else:
            raise ApplicationError(gettext("未知的操作"), status=404)
    except ApplicationError as e:
        if e.status not in (400, 409):
            raise
        errors = e.fields or {form: [e.message]}
    if errors:
        return _joint(request, joint_id, errors=errors, status=400)
    messages.success(request, gettext("已保存"))
    return redirect("reception:joint", joint_id=joint_id)
