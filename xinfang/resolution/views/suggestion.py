"""People's suggestion pages (建议意见类, Art. 29): the staff list by state, a study opened for a
petition (its tracking code), a suggestion with its decision form (adopted / partly / not
adopted, the reasoned reply, what the public list shows), the numbered reply through the
documents app, recognition, withdrawal from the public list. Forms post a one-time token and
redirect (POST/redirect/GET); an error re-shows what was typed (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.permissions import Cap, user_can_act
from xinfang.petitions.workflow import Action
from xinfang.resolution.models import ADOPTED, RecognitionKind, SuggestionStatus
from xinfang.resolution.selectors import suggestion_get_for_user, suggestion_list_for_user
from xinfang.resolution.services import (
    suggestion_decide,
    suggestion_open,
    suggestion_recognise,
    suggestion_withdraw_public,
)
from xinfang.resolution.views._shared import (
    list_page,
    need,
    one_time_key,
    petition_of_record,
    petition_pk_by_code,
    step_once,
)

ACTIONS = ("decide", "recognise", "unpublish")
DECISIONS = [c for c in SuggestionStatus.choices if c[0] != SuggestionStatus.STUDYING]


@login_required
@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        statuses=SuggestionStatus.choices,
        listing=suggestion_list_for_user,
        template="resolution/suggestions.html",
        may_open=user_can_act(request.user, Action.REPLY),  # type: ignore[arg-type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if not user_can_act(request.user, Action.REPLY):  # type: ignore[arg-type]
        raise Forbidden(gettext("您的角色不能研究办理建议"))
    errors: dict[str, list[str]] = {}
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        pk = petition_pk_by_code(request.user, request.POST.get("petition"))
        if pk is None:
            errors["petition"] = [gettext("找不到该查询码，或不在您的查看范围内")]
        else:
            try:
                s = suggestion_open(
                    actor=request.user,  # type: ignore[arg-type]
                    petition_id=pk,
                    subject=request.POST.get("subject", ""),
                    study=request.POST.get("study", ""),
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status >= 500 or e.status in (403, 404):
                    raise
                errors, message = e.fields or {"": [e.message]}, e.message
            else:
                messages.success(request, gettext("已立项研究"))
                return redirect("resolution:suggestion", suggestion_id=s.pk)
        message = message or gettext("请检查标出的内容")
    return render(
        request,
        "resolution/suggestion_new.html",
        {
            "post": post,
            "petition": post.get("petition", "") if post else request.GET.get("petition", "")[:40],
            "submission": one_time_key(request),
            "errors": errors,
            "message": message,
        },
        status=400 if errors else 200,
    )


def _page(request: HttpRequest, suggestion_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    user = request.user
    s = suggestion_get_for_user(user=user, suggestion_id=suggestion_id)  # type: ignore[arg-type]
    petition, may_act = petition_of_record(user, s.petition_id, Action.REPLY)
    return render(
        request,
        "resolution/suggestion.html",
        {
            "s": s,
            "petition": petition,
            "adopted": s.status in ADOPTED,
            "decisions": DECISIONS,
            "kinds": RecognitionKind.choices,
            "may_act": may_act,
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def suggestion_page(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    return _page(request, suggestion_id)


def _do(request: HttpRequest, suggestion_id: int, action: str) -> str:
    user, post = request.user, request.POST
    kw = {"actor": user, "suggestion_id": suggestion_id}
    if action == "decide":
        suggestion_decide(
            **kw,  # type: ignore[arg-type]
            decision=post.get("decision", ""),
            reply=post.get("reply", ""),
            reply_summary=post.get("reply_summary", ""),
            publish=post.get("publish") == "1",
            credit_name=post.get("credit_name", ""),
            credit_consent=post.get("credit_consent") == "1",
        )
        return gettext("已作出决定并答复建议人")
    if action == "recognise":
        r = suggestion_recognise(
            **kw,  # type: ignore[arg-type]
            kind=post.get("kind", ""),
            description=post.get("description", ""),
        )
        return gettext("已登记表彰奖励 %(n)s") % {"n": r.number}
    suggestion_withdraw_public(**kw)  # type: ignore[arg-type]
    return gettext("已从公开列表撤下")


@login_required
@require_POST
def suggestion_act(request: HttpRequest, suggestion_id: int, action: str) -> HttpResponse:
    need(request, Cap.RESOLUTION_VIEW)
    if action not in ACTIONS:
        raise NotFound()
    return step_once(
        request,
        kind="suggestion",
        record_id=suggestion_id,
        action=action,
        do=_do,
        page=_page,
        then=lambda: redirect("resolution:suggestion", suggestion_id=suggestion_id),
    )
