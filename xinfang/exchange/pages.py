"""Staff pages of the Open311 client keys (issue 20), for administrators only: the keys (name,
prefix, who issued them, last use, revoked), a form that issues one and shows the key once,
and revocation. The same services as ``xinfang manage open311_key``; every change audited.
The hotline exchange (docs/hotline.md) has nothing an administrator sets here: its settings
are the server's environment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.permissions import user_administers_installation
from xinfang.exchange.models import Open311Key
from xinfang.exchange.open311.keys import open311_key_issue, open311_key_revoke

#: The session slot holding a key just issued until the page after the redirect shows it.
SHOWN_ONCE = "exchange.open311_new_key"
FIELD_MAX = {"name": 100, "contact": 200}


def _admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    # trust anchors of the whole installation: its province-level administrators only
    if not user_administers_installation(request.user):  # type: ignore[arg-type]
        raise Forbidden(gettext("只有省级管理员可以管理 Open311 应用密钥"))
    return request.user


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    errors: dict[str, list[str]] = {}
    message = ""
    form = {k: "" for k in FIELD_MAX}
    status = 200
    if request.method == "POST":
        form = {k: str(request.POST.get(k, ""))[: FIELD_MAX[k] * 4] for k in FIELD_MAX}
        if any("\x00" in v for v in form.values()):
            message, status = gettext("内容含有不可用的字符"), 400
        else:
            try:
                row, key = open311_key_issue(actor=actor, **form)
            except ApplicationError as e:
                errors, message, status = e.fields, e.message, 400
            else:
                # shown once, on the page after the redirect; only its SHA-256 is stored
                request.session[SHOWN_ONCE] = {"id": row.pk, "name": row.name, "key": key}
                return redirect("exchange:keys")
    new_key = request.session.pop(SHOWN_ONCE, None) if request.method == "GET" else None
    return render(
        request,
        "exchange/keys.html",
        {
            "keys": list(Open311Key.objects.select_related("issued_by").order_by("-issued_at")),
            "new_key": new_key,
            "form": form,
            "errors": errors,
            "message": message,
        },
        status=status,
    )


@login_required
@require_POST
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    row = open311_key_revoke(key_id=key_id, actor=_admin(request))  # a repeat: revoked already
    messages.success(request, gettext("已吊销 %(name)s 的密钥") % {"name": row.name})
    return redirect("exchange:keys")
