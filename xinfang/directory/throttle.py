"""Login throttling and lockout, and the second factor for staff who enrolled a TOTP device.

Every failed login is an audit record (``login.failed``, with the client's address). Before the
password is checked, ``ThrottledModelBackend`` counts the failures of the last
``XINFANG_LOGIN_LOCKOUT_MINUTES``: a username with ``XINFANG_LOGIN_FAILURE_LIMIT`` consecutive
failures, or an address with ``XINFANG_LOGIN_IP_FAILURE_LIMIT`` failures, is refused even with
the right password until the window has passed. The count lives in the database, so every
process and every entry point (login page, admin, API token) shares it.

A user with a confirmed TOTP device logs in on the web in two steps (password, then the code:
``otp.RequireOTPMiddleware``); callers without a second page (the API's token exchange, which
passes ``second_factor_now``) or without a request must pass ``otp_token`` as well.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from xinfang.core import clock


def _window_start():  # type: ignore[no-untyped-def]
    return clock.now() - timedelta(minutes=settings.XINFANG_LOGIN_LOCKOUT_MINUTES)


def login_failures(*, username: str) -> int:
    """Consecutive failed logins of ``username`` in the window (a success resets the count)."""
    from xinfang.audit.models import AuditRecord

    limit = settings.XINFANG_LOGIN_FAILURE_LIMIT
    kinds = list(
        AuditRecord.objects.filter(
            object_type="login", object_id=username[:64], at__gte=_window_start()
        )
        .order_by("-seq")
        .values_list("kind", flat=True)[: limit + 1]
    )
    n = 0
    for k in kinds:
        if k != "login.failed":
            break
        n += 1
    return n


def ip_failures(*, ip: str) -> int:
    from xinfang.audit.models import AuditRecord

    if not ip:
        return 0
    return AuditRecord.objects.filter(ip=ip, kind="login.failed", at__gte=_window_start()).count()


def login_locked(*, username: str, ip: str) -> bool:
    return (
        login_failures(username=username) >= settings.XINFANG_LOGIN_FAILURE_LIMIT
        or ip_failures(ip=ip) >= settings.XINFANG_LOGIN_IP_FAILURE_LIMIT
    )


def user_has_totp(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def totp_matches(user: Any, token: str) -> bool:
    from django_otp import match_token

    return bool(token) and match_token(user, token) is not None


class ThrottledModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """The user of a session with their organ (one query): every staff page reads the
        organ for its jurisdiction (``petitions.selectors.access``)."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = model._default_manager.select_related("organ").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        otp_token: str = "",
        second_factor_now: bool = False,
        **kwargs: Any,
    ) -> Any:
        from xinfang.audit.context import client_ip
        from xinfang.audit.services import audit_record

        if username is None:
            username = kwargs.get("username", "")
        ip = client_ip(request)
        if username and login_locked(username=str(username), ip=ip):
            # Django turns this into "login failed" (and records it): no password is checked.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if (request is None or second_factor_now) and user_has_totp(user):
            if not totp_matches(user, otp_token):
                return None  # a caller that cannot run the second step must pass the code
        if login_failures(username=str(username)):
            audit_record(
                kind="login.reset", actor=user, object_type="login", object_id=str(username), ip=ip
            )
        return user
