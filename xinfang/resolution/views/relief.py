"""Relief pages (信访救助, Art. 37): applications and funds, a new application by tracking code,
an application with its approval chain, payments and its printable approval form, a fund's
ledger with its balance (its XLSX: the "导出台账" button, ``analytics``' registry). Forms post a one-time token and redirect; an
error re-shows what was typed (400)."""

from __future__ import annotations

from decimal import Decimal

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
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.resolution.models import ReliefStatus
from xinfang.resolution.selectors import (
    fund_get_for_user,
    fund_ledger,
    fund_list_for_user,
    funds_for_applicant,
    relief_get_for_user,
    relief_list_for_user,
)
from xinfang.resolution.services import (
    amount_parse,
    relief_apply,
    relief_decide,
    relief_fund_allocate,
    relief_pay,
)
from xinfang.resolution.views._shared import (
    list_page,
    need,
    one_time_key,
    parse_int,
    petition_pk_by_code,
    step_once,
)

ACTIONS = ("decide", "pay")


@login_required
@require_GET
def relief_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    need(request, Cap.RESOLUTION_VIEW)
    return list_page(
        request,
        statuses=ReliefStatus.choices,
        listing=relief_list_for_user,
        template="resolution/relief_list.html",
        funds=fund_list_for_user(user=user),  # type: ignore[arg-type]
        may_apply=user_can(user, Cap.RELIEF_APPLY),  # type: ignore[arg-type]
        may_allocate=user_can(user, Cap.RELIEF_DECIDE),  # type: ignore[arg-type]
        year=clock.today().year,
    )


@login_required
def relief_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    need(request, Cap.RELIEF_APPLY)
    user = request.user
    funds = funds_for_applicant(user=user)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    refused = 0
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        pk = petition_pk_by_code(user, request.POST.get("petition"))
        if pk is None:
            errors["petition"] = [gettext("找不到该查询码，或不在您的查看范围内")]
        amount: Decimal | None = None
        try:
            amount = amount_parse(request.POST.get("amount", ""), field="amount")
        except ApplicationError as e:
            errors.update(e.fields or {})
        fund_id = parse_int(request.POST.get("fund"), field="fund")
        if not errors:
            try:
                app = relief_apply(
                    actor=user,  # type: ignore[arg-type]
                    petition_id=pk,  # type: ignore[arg-type]
                    fund_id=fund_id,
                    reasons=request.POST.get("reasons", ""),
                    hardship=request.POST.get("hardship", ""),
                    amount=amount,  # type: ignore[arg-type]
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status >= 500 or e.status in (403, 404):
                    raise
                errors, message = e.fields or {"": [e.message]}, e.message
                refused = e.status  # 409: already there (a second simultaneous post)
            else:
                messages.success(request, gettext("已提交救助申请 %(n)s") % {"n": app.number})
                if fund_id and app.fund_id != fund_id:  # routed past the accused fund owner
                    messages.info(
                        request,
                        gettext(
                            "该信访事项检举控告所选救助资金的管理机关，已改由%(o)s审批"
                            "（第三十条第三款）"
                        )
                        % {"o": app.fund.organ.name},
                    )
                return redirect("resolution:relief", application_id=app.pk)
        message = message or gettext("请检查标出的内容")
    return render(
        request,
        "resolution/relief_new.html",
        {
            "post": post,
            "petition": post.get("petition", "") if post else request.GET.get("petition", "")[:40],
            "funds": funds,
            "submission": one_time_key(request),
            "errors": errors,
            "message": message,
        },
        status=(refused or 400) if errors else 200,
    )


def _page(request: HttpRequest, application_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    user = request.user
    app = relief_get_for_user(user=user, application_id=application_id)  # type: ignore[arg-type]
    decides = user_can(user, Cap.RELIEF_DECIDE)  # type: ignore[arg-type]
    organ_id = getattr(user, "organ_id", None)
    step_organ = {
        ReliefStatus.SUBMITTED: app.organ_id,
        ReliefStatus.HEAD_APPROVED: app.fund.organ_id,
    }.get(app.status)  # type: ignore[call-overload]
    petition = (
        petition_queryset_for_user(user=user)  # type: ignore[arg-type]
        .filter(pk=app.petition_id)
        .only("pk", "title", "tracking_code")
        .first()
    )
    return render(
        request,
        "resolution/relief.html",
        {
            "app": app,
            "petition": petition,
            "decisions": list(app.decisions.select_related("by")),
            "payments": list(app.payments.order_by("pk")),
            "may_decide": decides and step_organ is not None and organ_id == step_organ,
            "fund_step": app.status == ReliefStatus.HEAD_APPROVED,
            "may_pay": decides
            and app.status == ReliefStatus.APPROVED
            and organ_id == app.fund.organ_id,
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def relief_page(request: HttpRequest, application_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    return _page(request, application_id)


@login_required
@require_GET
def relief_notice(request: HttpRequest, application_id: int) -> HttpResponse:
    """The printable approval form (信访救助审批表)."""
    need(request, Cap.RESOLUTION_VIEW)
    app = relief_get_for_user(user=request.user, application_id=application_id)  # type: ignore[arg-type]
    return render(
        request,
        "resolution/relief_notice.html",
        {"app": app, "decisions": list(app.decisions.select_related("by"))},
    )


def _do(request: HttpRequest, application_id: int, action: str) -> str:
    user, post = request.user, request.POST
    if action == "decide":
        decision = post.get("decision", "")
        if decision not in ("approve", "reject"):
            raise ApplicationError(gettext("请选择同意或不同意"), fields={"decision": ["?"]})
        raw = (post.get("amount") or "").strip()
        relief_decide(
            actor=user,  # type: ignore[arg-type]
            application_id=application_id,
            approve=decision == "approve",
            note=post.get("note", ""),
            amount=amount_parse(raw, field="amount") if raw else None,
        )
        return gettext("已审批")
    relief_pay(
        actor=user,  # type: ignore[arg-type]
        application_id=application_id,
        amount=amount_parse(post.get("amount", ""), field="amount"),
    )
    return gettext("已发放")


@login_required
@require_POST
def relief_act(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if action not in ACTIONS:
        raise NotFound()
    return step_once(
        request,
        kind="relief",
        record_id=application_id,
        action=action,
        do=_do,
        page=_page,
        then=lambda: redirect("resolution:relief", application_id=application_id),
    )


@login_required
@require_POST
def fund_allocate(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RELIEF_DECIDE)
    try:
        with once(scope="relief.allocate", key=request.POST.get(FIELD)) as claim:
            if claim.prior is None:
                year = parse_int(request.POST.get("year"), field="year") or 0
                entry = relief_fund_allocate(
                    actor=request.user,  # type: ignore[arg-type]
                    year=year,
                    amount=amount_parse(request.POST.get("amount", ""), field="amount"),
                    note=request.POST.get("note", ""),
                )
                claim.result = {"fund": entry.fund_id}
                messages.success(request, gettext("已拨入救助资金"))
    except ApplicationError as e:
        if e.status >= 500 or e.status in (403, 404):
            raise
        msgs = [m for v in (e.fields or {"": [e.message]}).values() for m in v]
        messages.error(request, "；".join(msgs))
    return redirect("resolution:reliefs")


@login_required
@require_GET
def fund_page(request: HttpRequest, fund_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    fund = fund_get_for_user(user=request.user, fund_id=fund_id)  # type: ignore[arg-type]
    return render(
        request,
        "resolution/relief_fund.html",
        {
            "fund": fund,
            "entries": list(fund_ledger(fund=fund)),
            # its 台账: the registry's kind (analytics.export_kinds_resolution), audited
            "export_query": {"fund": fund.pk},
        },
    )
