"""Pages of the joint conference: the meetings (and my organ's tasks), a new meeting, a meeting
with its agenda, decisions, tasks, replies and follow-up, and its minutes as DOCX."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention.access import organ_in_scope, organs_in_scope
from xinfang.prevention.docx import minutes_docx
from xinfang.prevention.models import AgendaKind, TaskEntryKind
from xinfang.prevention.selectors import (
    conference_get_for_user,
    conferences_for_user,
    tasks_for_organ,
)
from xinfang.prevention.services import (
    agenda_decision_set,
    agenda_item_add,
    conference_record,
    conference_task_assign,
    task_entry_add,
)
from xinfang.prevention.views._shared import (
    DOCX,
    download,
    need,
    one_time_key,
    parse_date,
    parse_int,
)


@login_required
@require_GET
def conference_list(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    user = request.user
    return render(
        request,
        "prevention/conferences.html",
        {
            "rows": list(conferences_for_user(user=user)[:200]),  # type: ignore[arg-type]
            "tasks": list(tasks_for_organ(user=user)[:200]),  # type: ignore[arg-type]
            "today": clock.today(),
            "may_record": user_can(user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
        },
    )


@login_required
def conference_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_RECORD)
    organs = list(organs_in_scope(request.user))  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        organ_id = parse_int(request.POST.get("organ"), field="organ")
        organ = next((o for o in organs if o.pk == organ_id), None)
        if organ is None:
            errors["organ"] = [gettext("请选择召集机关")]
        held_on = parse_date(request.POST.get("held_on"), "held_on", errors)
        members = [parse_int(v, field="members") for v in request.POST.getlist("members")[:200]]
        if not errors:
            try:
                c = conference_record(
                    actor=request.user,  # type: ignore[arg-type]
                    organ=organ,  # type: ignore[arg-type]
                    title=request.POST.get("title", ""),
                    held_on=held_on,  # type: ignore[arg-type]
                    member_ids=[m for m in members if m],
                    place=request.POST.get("place", ""),
                    chair=request.POST.get("chair", ""),
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                errors = e.fields or {"title": [e.message]}
            else:
                messages.success(request, gettext("已登记联席会议"))
                return redirect("prevention:conference", conference_id=c.pk)
    return render(
        request,
        "prevention/conference_new.html",
        {
            "organs": organs,
            "default_organ": getattr(request.user, "organ_id", None),
            "post": request.POST if request.method == "POST" else {},
            "chosen": request.POST.getlist("members") if request.method == "POST" else [],
            "submission": one_time_key(request),
            "today": clock.today(),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _page(request: HttpRequest, conference_id: int, *, errors=None, form="", status=200):  # type: ignore[no-untyped-def]
    user = request.user
    c = conference_get_for_user(user=user, conference_id=conference_id)  # type: ignore[arg-type]
    convener = organ_in_scope(user, c.organ)  # type: ignore[arg-type]
    items = list(c.items.prefetch_related("tasks__organ", "tasks__entries__by"))
    return render(
        request,
        "prevention/conference.html",
        {
            "c": c,
            "items": items,
            "members": list(c.members.all()),
            "convener": convener,
            "may_record": convener and user_can(user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
            "may_decide": convener and user_can(user, Cap.PREVENTION_DECIDE),  # type: ignore[arg-type]
            "may_reply": user_can(user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
            "my_organ": getattr(user, "organ_id", None),
            "agenda_kinds": AgendaKind.choices,
            "today": clock.today(),
            "errors": errors or {},
            "form": form,
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def conference_page(request: HttpRequest, conference_id: int) -> HttpResponse:
    return _page(request, conference_id)


@login_required
@require_POST
def conference_post(request: HttpRequest, conference_id: int, form: str) -> HttpResponse:
    """One of the meeting's forms: item, decision, task, reply, follow_up, close."""
    P, user = request.POST, request.user
    c = conference_get_for_user(user=user, conference_id=conference_id)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    item_id = parse_int(P.get("item"), field="item")
    try:
        if form == "item":
            agenda_item_add(
                actor=user,  # type: ignore[arg-type]
                conference_id=conference_id,
                kind=P.get("kind", ""),
                title=P.get("title", ""),
                tracking_code=P.get("tracking_code", ""),
                policy_matter_id=parse_int(P.get("policy_matter"), field="policy_matter"),
                dispute_id=parse_int(P.get("dispute"), field="dispute"),
            )
        elif form in ("decision", "task"):
            if item_id is None or not c.items.filter(pk=item_id).exists():
                raise ApplicationError(gettext("议题不属于本次会议"), status=404)
            if form == "decision":
                agenda_decision_set(actor=user, item_id=item_id, decision=P.get("decision", ""))  # type: ignore[arg-type]
            else:
                due_on = parse_date(P.get("due_on"), "due_on", errors)
                if not errors:
                    conference_task_assign(
                        actor=user,  # type: ignore[arg-type]
                        item_id=item_id,  # type: ignore[arg-type]
                        organ_id=parse_int(P.get("organ"), field="organ") or 0,
                        description=P.get("description", ""),
                        due_on=due_on,  # type: ignore[arg-type]
                    )
        elif form in TaskEntryKind.values:
            task_id = parse_int(P.get("task"), field="task") or 0
            if not c.items.filter(tasks__pk=task_id).exists():
                raise ApplicationError(gettext("任务不属于本次会议"), status=404)
            on = parse_date(P.get("on"), "on", errors)
            if not errors:
                task_entry_add(
                    actor=user, task_id=task_id, kind=form, on=on, body=P.get("body", "")
                )  # type: ignore[arg-type]
        else:
            raise ApplicationError(gettext("未知的操作"), status=404)
    except ApplicationError as e:
        if e.status != 400:
            raise
        errors = e.fields or {form: [e.message]}
    if errors:
        return _page(request, conference_id, errors=errors, form=form, status=400)
    messages.success(request, gettext("已保存"))
    return redirect("prevention:conference", conference_id=conference_id)


@login_required
@require_GET
def conference_minutes(request: HttpRequest, conference_id: int) -> HttpResponse:
    c = conference_get_for_user(user=request.user, conference_id=conference_id)  # type: ignore[arg-type]
    data = minutes_docx(c, list(c.items.prefetch_related("tasks__organ")))
    return download(data, DOCX, f"joint-conference-{c.pk}.docx")
