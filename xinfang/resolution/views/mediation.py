"""Mediation pages (调解、和解, Art. 33): the list, a new record for a petition (its tracking
code) with the parties who must sign, a mediation with its record and each party's signature
form (signed: when and how; or refused), and the agreement through the documents app once all
have signed. Forms post a one-time token and redirect; an error re-shows what was typed (400)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.permissions import Cap, user_can_act
from xinfang.petitions.workflow import Action
from xinfang.resolution.models import MediationKind, MediationStatus, SignerSide, SignMethod
from xinfang.resolution.selectors import mediation_get_for_user, mediation_list_for_user
from xinfang.resolution.services import mediation_record, mediation_sign
from xinfang.resolution.views._shared import (
    list_page,
    may_act_on,
    need,
    one_time_key,
    parse_date,
    parse_int,
    petition_pk_by_code,
    step_once,
)

ROWS = 6  # signer rows on the form


@login_required
@require_GET
def mediation_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        statuses=MediationStatus.choices,
        listing=mediation_list_for_user,
        template="resolution/mediations.html",
        may_record=user_can_act(request.user, Action.SETTLE),  # type: ignore[arg-type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def mediation_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if not user_can_act(request.user, Action.SETTLE):  # type: ignore[arg-type]
        raise Forbidden(gettext("您的角色不能主持调解"))
    errors: dict[str, list[str]] = {}
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        pk = petition_pk_by_code(request.user, request.POST.get("petition"))
        if pk is None:
            errors["petition"] = [gettext("找不到该查询码，或不在您的查看范围内")]
        held_on = parse_date(request.POST.get("held_on"), "held_on", errors)
        rows = [
            (request.POST.get(f"side_{i}", ""), request.POST.get(f"name_{i}", ""))
            for i in range(ROWS)
        ]
        if not errors:
            try:
                m = mediation_record(
                    actor=request.user,  # type: ignore[arg-type]
                    petition_id=pk,  # type: ignore[arg-type]
                    kind=request.POST.get("kind", ""),
                    held_on=held_on,
                    place=request.POST.get("place", ""),
                    mediator=request.POST.get("mediator", ""),
                    present=request.POST.get("present", ""),
                    agreed=request.POST.get("agreed", ""),
                    consent=request.POST.get("consent") == "1",
                    signers=rows,
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status >= 500 or e.status in (403, 404):
                    raise
                errors, message = e.fields or {"": [e.message]}, e.message
            else:
                messages.success(request, gettext("已记录调解，请登记各方签字"))
                return redirect("resolution:mediation", mediation_id=m.pk)
        message = message or gettext("请检查标出的内容")
    rows_in = [
        {
            "i": i,
            "side": post.get(f"side_{i}", "")
            if post
            else ("petitioner", "other")[i]
            if i < 2
            else "",
            "name": post.get(f"name_{i}", "") if post else "",
        }
        for i in range(ROWS)
    ]
    return render(
        request,
        "resolution/mediation_new.html",
        {
            "post": post,
            "petition": post.get("petition", "") if post else request.GET.get("petition", "")[:40],
            "rows": rows_in,
            "sides": SignerSide.choices,
            "kinds": MediationKind.choices,
            "today": clock.today(),
            "submission": one_time_key(request),
            "errors": errors,
            "message": message,
        },
        status=400 if errors else 200,
    )


def _page(request: HttpRequest, mediation_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    user = request.user
    m = mediation_get_for_user(user=user, mediation_id=mediation_id)  # type: ignore[arg-type]
    # the petition as the petitions gate shows it to the user (None outside it), read once
    petition = m.shown_petition
    may_act = may_act_on(user, petition, Action.SETTLE)
    return render(
        request,
        "resolution/mediation.html",
        {
            "m": m,
            "petition": petition,
            "methods": SignMethod.choices,
            "may_act": may_act,
            "today": clock.today(),
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def mediation_page(request: HttpRequest, mediation_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    return _page(request, mediation_id)


def _do(request: HttpRequest, mediation_id: int, action: str) -> str:
    post = request.POST
    errors: dict[str, list[str]] = {}
    on: date | None = parse_date(post.get("on"), "on", errors)
    signer = parse_int(post.get("signer"), field="signer")
    if signer is None:
        errors["signer"] = [gettext("请选择签字人")]
    if errors:
        raise ApplicationError(gettext("请检查标出的内容"), fields=errors)
    signed = action == "sign"
    m = mediation_sign(
        actor=request.user,  # type: ignore[arg-type]
        mediation_id=mediation_id,
        signer_id=signer,  # type: ignore[arg-type]
        signed=signed,
        method=post.get("method", "") if signed else "",
        on=on,
        reason=post.get("reason", ""),
    )
    if m.status == MediationStatus.SETTLED:
        return gettext("双方均已签字，协议书已生成，该信访事项调解和解结案")
    if m.status == MediationStatus.FAILED:
        return gettext("当事人拒绝签字，未达成协议，信访事项继续办理")
    return gettext("已登记签字")


@login_required
@require_POST
def mediation_act(request: HttpRequest, mediation_id: int, action: str) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if action not in ("sign", "refuse"):
        raise NotFound()
    return step_once(
        request,
        kind="mediation",
        record_id=mediation_id,
        action=action,
        do=_do,
        page=_page,
        then=lambda: redirect("resolution:mediation", mediation_id=mediation_id),
    )
