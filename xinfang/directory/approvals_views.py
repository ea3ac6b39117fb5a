"""The two-person approval page (issue 11, ADR 0013): the requests waiting for a second
administrator, with approve and reject forms; the latest decided ones below."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.approvals import grant_request_decide, grant_requests_for_user
from xinfang.directory.permissions import Cap, user_can


def _need_admin(request: HttpRequest) -> None:
    if not user_can(request.user, Cap.ADMIN):  # type: ignore[arg-type]
        raise Forbidden()


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    _need_admin(request)
    user = request.user
    return render(
        request,
        "directory/approvals.html",
        {
            "pending": list(grant_requests_for_user(user=user)[:200]),  # type: ignore[arg-type]
            "decided": list(grant_requests_for_user(user=user, pending=False)[:20]),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    _need_admin(request)
    if decision not in ("approve", "reject"):
        raise NotFound()
    try:
        req = grant_request_decide(
            actor=request.user,  # type: ignore[arg-type]
            request_id=request_id,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
        )
    except ApplicationError as e:
        if e.status not in (400, 409):
            raise
        messages.error(request, " ".join([e.message, *[m for ms in e.fields.values() for m in ms]]))
    else:
        if req.status == req.Status.APPROVED:
            messages.success(request, gettext("已批准：%(r)s") % {"r": req})
        else:
            messages.success(request, gettext("已驳回：%(r)s") % {"r": req})
    return redirect("account:approvals")
