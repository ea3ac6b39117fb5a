"""Pages of down-visits (下访、带访, Art. 18 para 2): the list of plans, planning one (with the
petitions by tracking code, or from a petition's page), a plan with its petitions, the records
written on it (through the ordinary record form) and its outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.core.ids import normalize_tracking_code
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.reception.access import organ_in_scope, organs_in_scope
from xinfang.reception.models import VisitKind, VisitStatus
from xinfang.reception.selectors import (
    visit_get_for_user,
    visit_petitions_for_user,
    visit_records_for_user,
    visits_for_user,
)
from xinfang.reception.services import VisitInput, leaders_for, visit_close, visit_plan
from xinfang.reception.views._shared import need, one_time_key, parse_date, parse_int

MAX_CODES = 50


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_VIEW)
    mine = request.GET.get("mine") == "1"
    return render(
        request,
        "reception/visit_list.html",
        {
            "tab": "visits",
            "plans": list(visits_for_user(user=request.user, mine=mine)[:200]),  # type: ignore[arg-type]
            "mine": mine,
            "may_manage": user_can(request.user, Cap.RECEPTION_MANAGE),  # type: ignore[arg-type]
        },
    )


def _petition_ids(user, raw: str, errors: dict[str, list[str]]) -> list[int]:  # type: ignore[no-untyped-def]
    """The petitions named by tracking code, one a line (as the petition page shows them, or
    without spaces), within what ``user`` may see; a code not found is named in the error."""
    lines = [x for x in raw.replace("，", "\n").replace(",", "\n").splitlines() if x.strip()]
    if len(lines) > MAX_CODES:
        errors["petitions"] = [gettext("一次下访最多列 %(n)s 件") % {"n": MAX_CODES}]
        return []
    codes = [normalize_tracking_code(x)[:16] for x in lines]
    found = dict(
        petition_queryset_for_user(user=user)
        .filter(tracking_code__in=codes)
        .values_list("tracking_code", "pk")
    )
    missing = [c for c in codes if c not in found]
    if missing:
        errors["petitions"] = [gettext("未找到信访事项：%(c)s") % {"c": "、".join(missing)[:300]}]
    return [found[c] for c in codes if c in found]


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    user = request.user
    organs = list(organs_in_scope(user))  # type: ignore[arg-type]
    P = request.POST
    errors: dict[str, list[str]] = {}
    chosen = parse_int(P.get("organ") or request.GET.get("organ"), field=gettext("下访机关"))
    organ = next((o for o in organs if o.pk == chosen), None) or next(
        (o for o in organs if o.pk == getattr(user, "organ_id", None)),
        organs[0] if organs else None,
    )
    codes = P.get("petitions", "")
    if request.method == "GET" and request.GET.get("petition"):
        pid = parse_int(request.GET.get("petition"), field="petition")
        code = (
            petition_queryset_for_user(user=user)  # type: ignore[arg-type]
            .filter(pk=pid)
            .values_list("tracking_code", flat=True)
            .first()
        )
        codes = code or ""
    if request.method == "POST":
        if organ is None or organ.pk != chosen:
            errors["organ"] = [gettext("请选择下访机关")]
        on = parse_date(P.get("on"), "on", errors)
        ids = _petition_ids(user, codes[:5000], errors)
        if not errors:
            try:
                plan = visit_plan(
                    actor=user,  # type: ignore[arg-type]
                    data=VisitInput(
                        organ=organ,  # type: ignore[arg-type]
                        leader_id=parse_int(P.get("leader"), field=gettext("带队领导")) or 0,
                        on=on,  # type: ignore[arg-type]
                        place=P.get("place", ""),
                        petition_ids=ids,
                        kind=P.get("kind", VisitKind.DOWN),
                        officials=P.get("officials", ""),
                        purpose=P.get("purpose", ""),
                    ),
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status != 400:
                    raise
                errors = e.fields or {"on": [e.message]}
            else:
                messages.success(request, gettext("已制定下访计划"))
                return redirect("reception:visit", plan_id=plan.pk)
    return render(
        request,
        "reception/visit_new.html",
        {
            "tab": "visits",
            "organs": organs,
            "organ": organ,
            "leaders": list(leaders_for(organ)) if organ else [],
            "kinds": VisitKind.choices,
            "codes": codes,
            "post": P if request.method == "POST" else {},
            "submission": one_time_key(request),
            "today": clock.today(),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _visit(request: HttpRequest, plan_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    plan = visit_get_for_user(user=user, plan_id=plan_id)  # type: ignore[arg-type]
    records = list(visit_records_for_user(user=user, plan=plan))  # type: ignore[arg-type]
    petitions = list(visit_petitions_for_user(user=user, plan=plan))  # type: ignore[arg-type]
    counted = {}
    for r in records:
        counted[r.petition_id] = counted.get(r.petition_id, 0) + 1
    may_manage = user_can(user, Cap.RECEPTION_MANAGE) and organ_in_scope(user, plan.organ)  # type: ignore[arg-type]
    today = clock.today()
    return render(
        request,
        "reception/visit.html",
        {
            "tab": "visits",
            "plan": plan,
            "rows": [(p, counted.get(p.pk, 0)) for p in petitions],
            "records": records,
            "may_manage": may_manage,
            "may_record": may_manage and plan.status != VisitStatus.CANCELLED and plan.on <= today,
            "open": plan.status == VisitStatus.PLANNED,
            "statuses": [
                (VisitStatus.DONE, VisitStatus.DONE.label),
                (VisitStatus.CANCELLED, VisitStatus.CANCELLED.label),
            ],
            "today": today,
            "post": request.POST if request.method == "POST" else {},
            "errors": errors or {},
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=status,
    )


@login_required
@require_GET
def visit_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _visit(request, plan_id)


@login_required
@require_POST
def visit_close_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's outcome: done (on or after its date) or cancelled, with what came of it."""
    need(request, Cap.RECEPTION_MANAGE)
    plan = visit_get_for_user(user=request.user, plan_id=plan_id)  # type: ignore[arg-type]
    try:
        visit_close(
            actor=request.user,  # type: ignore[arg-type]
            plan_id=plan.pk,
            status=(request.POST.get("status") or "")[:12],
            outcome=request.POST.get("outcome", ""),
        )
    except ApplicationError as e:
        if e.status not in (400, 409):
            raise
        return _visit(
            request, plan_id, errors=e.fields or {"outcome": [e.message]}, status=e.status
        )
    messages.success(request, gettext("已登记下访结果"))
    return redirect("reception:visit", plan_id=plan.pk)
