"""Optional TOTP second factor for staff (django-otp): enrol, verify, and the gate.

A user who confirmed a device must enter a code after the password before any page opens;
users without a device are not asked. Enrolment shows the key to type into an authenticator
app (no image from elsewhere, no script: the CSP stays strict).
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

SESSION_FLAG = "xinfang_otp_required"
_EXEMPT = ("/account/otp/", "/logout/", "/static/", "/i18n/")


def otp_required_on_login(sender, request, user, **kw) -> None:  # type: ignore[no-untyped-def]
    """user_logged_in receiver: remember in the session whether a second step is due."""
    from xinfang.directory.throttle import user_has_totp

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = user_has_totp(user)


class RequireOTPMiddleware:
    """After django_otp's OTPMiddleware: send a user who owes a code to the code page."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(SESSION_FLAG)
            and not user.is_verified()
            and not request.path.startswith(_EXEMPT)
        ):
            return redirect(f"{reverse('account:otp_verify')}?next={request.path}")
        return self.get_response(request)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    from django_otp import login as otp_login
    from django_otp import match_token

    nxt = request.GET.get("next") or request.POST.get("next") or reverse("web:worklist")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("web:worklist")
    error = ""
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").strip())
        if device is not None:
            otp_login(request, device)
            from xinfang.audit.services import audit_record

            audit_record(
                kind="login.otp", actor=request.user, object_type="user", object_id=request.user.pk
            )
            return redirect(nxt)
        error = gettext("验证码不正确或已过期")
    return render(
        request,
        "directory/otp_verify.html",
        {"next": nxt, "error": error},
        status=400 if error else 200,
    )


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device: show the key, confirm it with a first code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "身份验证器"}
    )
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            from django_otp import login as otp_login

            from xinfang.audit.services import audit_record

            otp_login(request, device)
            request.session[SESSION_FLAG] = True
            audit_record(
                kind="otp.enrol", actor=request.user, object_type="user", object_id=request.user.pk
            )
            messages.success(request, gettext("已启用两步验证"))
            return redirect("web:worklist")
        error = gettext("验证码不正确，请核对手机时间后重试")
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "directory/otp_setup.html",
        {
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "url": device.config_url,
            "error": error,
        },
        status=400 if error else 200,
    )
