"""Pages of the risk assessment of major decisions: the register, a new draft decision, the
assessment (work, risk points, plan, conclusion, later petitions and disputes), its DOCX report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention.access import organs_in_scope
from xinfang.prevention.docx import assessment_docx
from xinfang.prevention.models import (
    Conclusion,
    DecisionKind,
    DecisionStatus,
    Grade,
    WorkKind,
)
from xinfang.prevention.selectors import (
    decision_assessment,
    decision_get_for_user,
    decisions_for_user,
)
from xinfang.prevention.services import (
    assessment_work_add,
    decision_conclude,
    decision_link_add,
    decision_plan_set,
    decision_register,
    risk_point_add,
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
def decision_list(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    status = request.GET.get("status", "")
    if status and status not in DecisionStatus.values:
        raise ApplicationError(gettext("筛选条件有误"))
    rows = list(decisions_for_user(user=request.user, status=status)[:200])  # type: ignore[arg-type]
    return render(
        request,
        "prevention/decisions.html",
        {
            "rows": rows,
            "status": status,
            "statuses": DecisionStatus.choices,
            "may_record": user_can(request.user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
        },
    )


def _count(value: str | None, field: str, errors: dict) -> int:
    value = (value or "").strip()
    if not is_digits(value) or len(value) > 10:
        errors.setdefault(field, []).append(gettext("请填写整数"))
        return 0
    return int(value)


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_RECORD)
    organs = list(organs_in_scope(request.user))  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        organ_id = parse_int(request.POST.get("organ"), field="organ")
        organ = next((o for o in organs if o.pk == organ_id), None)
        if organ is None:
            errors["organ"] = [gettext("请选择决策机关")]
        people = _count(request.POST.get("people_affected"), "people_affected", errors)
        if not errors:
            try:
                d = decision_register(
                    actor=request.user,  # type: ignore[arg-type]
                    organ=organ,  # type: ignore[arg-type]
                    kind=request.POST.get("kind", ""),
                    title=request.POST.get("title", ""),
                    scope=request.POST.get("scope", ""),
                    people_affected=people,
                    summary=request.POST.get("summary", ""),
                    assessor=request.POST.get("assessor", ""),
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                errors = e.fields or {"title": [e.message]}
            else:
                messages.success(request, gettext("已登记重大决策事项，请开展风险评估"))
                return redirect("prevention:decision", decision_id=d.pk)
    return render(
        request,
        "prevention/decision_new.html",
        {
            "organs": organs,
            "default_organ": getattr(request.user, "organ_id", None),
            "kinds": DecisionKind.choices,
            "post": request.POST if request.method == "POST" else {},
            "submission": one_time_key(request),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _page(request: HttpRequest, decision_id: int, *, errors=None, form="", status=200):  # type: ignore[no-untyped-def]
    d = decision_get_for_user(user=request.user, decision_id=decision_id)  # type: ignore[arg-type]
    return render(
        request,
        "prevention/decision.html",
        {
            "d": d,
            "a": decision_assessment(decision=d, user=request.user),  # type: ignore[arg-type]
            "editing": d.status == DecisionStatus.ASSESSING,
            "may_record": user_can(request.user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
            "may_decide": user_can(request.user, Cap.PREVENTION_DECIDE),  # type: ignore[arg-type]
            "work_kinds": WorkKind.choices,
            "grades": Grade.choices,
            "conclusions": Conclusion.choices,
            "today": clock.today(),
            "errors": errors or {},
            "form": form,
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def decision_page(request: HttpRequest, decision_id: int) -> HttpResponse:
    return _page(request, decision_id)


def _grade(value: str | None, field: str, errors: dict) -> int:
    if value not in ("1", "2", "3"):
        errors.setdefault(field, []).append(gettext("请选择高、中或低"))
        return 0
    return int(value)


@login_required
@require_POST
def decision_post(request: HttpRequest, decision_id: int, form: str) -> HttpResponse:
    """One of the assessment's forms: work, risk, plan, conclude, link."""
    decision_get_for_user(user=request.user, decision_id=decision_id)  # type: ignore[arg-type]
    need(request, Cap.PREVENTION_DECIDE if form == "conclude" else Cap.PREVENTION_RECORD)
    P = request.POST
    errors: dict[str, list[str]] = {}
    user = request.user
    try:
        if form == "work":
            held_on = parse_date(P.get("held_on"), "held_on", errors)
            participants = _count(P.get("participants") or "0", "participants", errors)
            if not errors:
                assessment_work_add(
                    actor=user,  # type: ignore[arg-type]
                    decision_id=decision_id,
                    kind=P.get("kind", ""),
                    held_on=held_on,  # type: ignore[arg-type]
                    participants=participants,
                    findings=P.get("findings", ""),
                )
        elif form == "risk":
            likelihood = _grade(P.get("likelihood"), "likelihood", errors)
            impact = _grade(P.get("impact"), "impact", errors)
            if not errors:
                risk_point_add(
                    actor=user,  # type: ignore[arg-type]
                    decision_id=decision_id,
                    description=P.get("description", ""),
                    likelihood=likelihood,
                    impact=impact,
                    measures=P.get("measures", ""),
                )
        elif form == "plan":
            decision_plan_set(
                actor=user,  # type: ignore[arg-type]
                decision_id=decision_id,
                contingency_plan=P.get("contingency_plan", ""),
                assessor=P.get("assessor", ""),
            )
        elif form == "conclude":
            on = parse_date(P.get("on"), "on", errors)
            if not errors:
                decision_conclude(
                    actor=user,  # type: ignore[arg-type]
                    decision_id=decision_id,
                    conclusion=P.get("conclusion", ""),
                    reason=P.get("reason", ""),
                    on=on,  # type: ignore[arg-type]
                )
        elif form == "link":
            risk_id = parse_int(P.get("risk"), field="risk")
            dispute_id = parse_int(P.get("dispute"), field="dispute")
            decision_link_add(
                actor=user,  # type: ignore[arg-type]
                decision_id=decision_id,
                tracking_code=P.get("tracking_code", ""),
                dispute_id=dispute_id,
                risk_id=risk_id,
                note=P.get("note", ""),
            )
        else:
            raise ApplicationError(gettext("未知的操作"), status=404)
    except ApplicationError as e:
        if e.status != 400:
            raise
        errors = e.fields or {form: [e.message]}
    if errors:
        return _page(request, decision_id, errors=errors, form=form, status=400)
    messages.success(request, gettext("已保存"))
    return redirect("prevention:decision", decision_id=decision_id)


@login_required
@require_GET
def decision_report(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The risk-assessment report as DOCX."""
    d = decision_get_for_user(user=request.user, decision_id=decision_id)  # type: ignore[arg-type]
    data = assessment_docx(decision_assessment(decision=d, user=request.user))  # type: ignore[arg-type]
    return download(data, DOCX, f"risk-assessment-{d.pk}.docx")
