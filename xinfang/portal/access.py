"""The portal's access to a petition: a petitioner proves it once with the code and password
(``track``); the petition's id is then kept in the session until the browser closes or
"退出查询" (``forget``). The other portal views find a petition only through here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinfang.portal import selectors, throttle
from xinfang.portal.forms import TrackForm

SESSION_KEY = "xinfang_portal_access"  # {tracking code: petition id}


def _grant(request: HttpRequest, code: str, petition_id: int) -> None:
    access = dict(request.session.get(SESSION_KEY, {}))
    access[code] = petition_id
    request.session[SESSION_KEY] = access
    if not request.user.is_authenticated:
        request.session.set_expiry(0)  # until the browser closes


def _granted(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    petition_id = request.session.get(SESSION_KEY, {}).get(code)
    if petition_id is None:
        return None
    return selectors.petition_for_petitioner(petition_id=petition_id)


def _too_many(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    return render(
        request,
        "portal/track.html",
        {
            "form": form,
            "error": _("尝试次数过多，请 %(m)s 分钟后再试。")
            % {"m": max(1, settings.XINFANG_PORTAL_LOOKUP_WINDOW_SECONDS // 60)},
        },
        status=429,
    )


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "portal/track.html",
            {"form": TrackForm(initial={"code": request.GET.get("code", "")})},
        )
    form = TrackForm(request.POST)
    ip = throttle.client_ip(request)
    code = request.POST.get("code", "")
    if throttle.lookup_blocked(ip=ip, code=code):
        return _too_many(request)
    petition = None
    if form.is_valid():
        petition = selectors.petition_find_by_code(
            code=form.cleaned_data["code"], password=form.cleaned_data["password"]
        )
    if petition is None:
        throttle.lookup_failed(ip=ip, code=code)
        return render(
            request,
            "portal/track.html",
            {
                "form": TrackForm(initial={"code": code}),
                "error": _("查询码或查询密码不正确，请核对后重试。"),
            },
            status=400,
        )
    _grant(request, petition.tracking_code, petition.pk)
    return redirect("portal:status", code=petition.tracking_code)


@require_POST
def forget(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:home")


def _petition_or_track(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    petition = _granted(request, code)
    if petition is None:
        return None, redirect(f"{reverse('portal:track')}?code={code}")
    return petition, None
