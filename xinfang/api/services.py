"""Issue and check API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext

from xinfang.api.models import ApiToken
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User, name: str = "") -> str:
    key = "xf_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=_digest(key), name=name)
    return key


def token_issue_for_login(
    *,
    request: HttpRequest | None,
    username: str,
    password: str,
    name: str = "",
    otp_token: str = "",
) -> str:
    """A token for a staff login. A user who enrolled a TOTP device must pass its current code
    (the API has no second page to ask for it); a wrong or missing code is a failed login,
    recorded and throttled like a wrong password, with the same answer. The request goes to
    ``authenticate`` so the per-address limit and the audit record see the client's address
    (issue 11, leak 6)."""
    user = authenticate(
        request,
        username=username,
        password=password,
        otp_token=otp_token.strip(),
        second_factor_now=True,
    )
    if user is None or not user.is_active:
        raise ApplicationError(
            gettext("用户名、密码或验证码不正确"), code="bad_credentials", status=401
        )
    return token_issue(user=user, name=name)


def token_user(key: str) -> User | None:
    tok = (
        ApiToken.objects.select_related("user", "user__organ")
        .filter(key_hash=_digest(key), revoked=False, user__is_active=True)
        .first()
    )
    if tok is None or not user_can(tok.user, Cap.API):  # the one permission table decides
        return None
    now = clock.now()
    if tok.last_used_at is None or (now - tok.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=tok.pk).update(last_used_at=now)
    return tok.user


def token_revoke(*, key: str) -> bool:
    return ApiToken.objects.filter(key_hash=_digest(key)).update(revoked=True) > 0
