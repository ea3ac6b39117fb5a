"""Pages of policy matters: the list, a new matter, a matter with its petitions (each with its
own state and deadline), suggestions to confirm, and the policy response."""

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
from xinfang.prevention.access import organs_in_scope
from xinfang.prevention.models import LinkSource, ResponseKind
from xinfang.prevention.selectors import (
    policy_hot_suggestions,
    policy_matter_get_for_user,
    policy_matter_petitions,
    policy_matter_suggestions,
    policy_matters_for_user,
)
from xinfang.prevention.services import (
    policy_matter_create,
    policy_matter_link,
    policy_matter_respond,
)
from xinfang.prevention.views._shared import need, one_time_key, parse_date, parse_int


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    may_record = user_can(request.user, Cap.PREVENTION_RECORD)  # type: ignore[arg-type]
    return render(
        request,
        "prevention/policies.html",
        {
            "rows": list(policy_matters_for_user(user=request.user)[:200]),  # type: ignore[arg-type]
            "may_record": may_record,
            # hot issues whose petitions are mostly in no policy matter: candidates for one
            "hot": policy_hot_suggestions(user=request.user) if may_record else [],  # type: ignore[arg-type]
        },
    )


@login_required
def policy_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_RECORD)
    title_hint = request.GET.get("title", "")[:200].replace("\x00", "")
    organs = list(organs_in_scope(request.user))  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        organ_id = parse_int(request.POST.get("organ"), field="organ")
        organ = next((o for o in organs if o.pk == organ_id), None)
        if organ is None:
            errors["organ"] = [gettext("请选择政策主管机关")]
        else:
            try:
                m = policy_matter_create(
                    actor=request.user,  # type: ignore[arg-type]
                    organ=organ,
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                errors = e.fields or {"title": [e.message]}
            else:
                messages.success(request, gettext("已建立政策类问题"))
                return redirect("prevention:policy", matter_id=m.pk)
    return render(
        request,
        "prevention/policy_new.html",
        {
            "organs": organs,
            "default_organ": getattr(request.user, "organ_id", None),
            # a new matter proposed from a hot issue comes with its label as the title
            "post": request.POST if request.method == "POST" else {"title": title_hint},
            "submission": one_time_key(request),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _page(request: HttpRequest, matter_id: int, *, errors=None, form="", status=200):  # type: ignore[no-untyped-def]
    user = request.user
    m = policy_matter_get_for_user(user=user, matter_id=matter_id)  # type: ignore[arg-type]
    petitions, hidden = policy_matter_petitions(user=user, matter=m)  # type: ignore[arg-type]
    may_record = user_can(user, Cap.PREVENTION_RECORD)  # type: ignore[arg-type]
    return render(
        request,
        "prevention/policy.html",
        {
            "m": m,
            "petitions": petitions,
            "hidden": hidden,
            "suggestions": policy_matter_suggestions(user=user, matter=m) if may_record else [],  # type: ignore[arg-type]
            "hot": policy_hot_suggestions(user=user, matter=m) if may_record else [],  # type: ignore[arg-type]
            "may_record": may_record,
            "may_decide": user_can(user, Cap.PREVENTION_DECIDE),  # type: ignore[arg-type]
            "response_kinds": ResponseKind.choices,
            "today": clock.today(),
            "errors": errors or {},
            "form": form,
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def policy_page(request: HttpRequest, matter_id: int) -> HttpResponse:
    return _page(request, matter_id)


@login_required
@require_POST
def policy_post(request: HttpRequest, matter_id: int, form: str) -> HttpResponse:
    policy_matter_get_for_user(user=request.user, matter_id=matter_id)  # type: ignore[arg-type]
    P, user = request.POST, request.user
    errors: dict[str, list[str]] = {}
    try:
        if form == "link":
            source = P.get("source", LinkSource.MANUAL)
            policy_matter_link(
                actor=user,  # type: ignore[arg-type]
                matter_id=matter_id,
                tracking_code=P.get("tracking_code", ""),
                petition_id=parse_int(P.get("petition_id"), field="petition_id"),
                source=source,
            )
        elif form == "respond":
            on = parse_date(P.get("on"), "on", errors)
            if not errors:
                policy_matter_respond(
                    actor=user,  # type: ignore[arg-type]
                    matter_id=matter_id,
                    response_kind=P.get("response_kind", ""),
                    response=P.get("response", ""),
                    on=on,  # type: ignore[arg-type]
                )
        else:
            raise ApplicationError(gettext("未知的操作"), status=404)
    except ApplicationError as e:
        if e.status not in (400, 409) or not e.fields:
            raise
        errors = e.fields
    if errors:
        return _page(request, matter_id, errors=errors, form=form, status=400)
    messages.success(request, gettext("已保存"))
    return redirect("prevention:policy", matter_id=matter_id)
