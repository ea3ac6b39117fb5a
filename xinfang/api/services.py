"""Issue and check API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest
from django.utils.translation import gettext

from xinfang.api.models import ApiToken
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.core.prepared import rows_by_args
from xinfang.directory.models import Organ, User
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


_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_ORGAN_FIELDS = tuple(f.attname for f in Organ._meta.concrete_fields)
_ORGAN = User._meta.get_field("organ")


def _token_rows(key_hash: str):  # type: ignore[no-untyped-def]
    """The token's id, when it was last used, its user's and the user's organ's columns: the
    ``select_related`` read of a token, as a query compiled once per connection (it runs at
    every API request: compiling it cost more CPU than the rest of the lookup, issue 14)."""
    return ApiToken.objects.filter(
        key_hash=key_hash, revoked=False, user__is_active=True
    ).values_list(
        "pk",
        "last_used_at",
        *(f"user__{f}" for f in _USER_FIELDS),
        *(f"user__organ__{f}" for f in _ORGAN_FIELDS),
    )[:1]


def token_user(key: str) -> User | None:
    rows = rows_by_args("api.token_user", _token_rows, _digest(key))
    if not rows:
        return None
    token_id, last_used_at, *values = rows[0]
    nu = len(_USER_FIELDS)
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, values[:nu])
    organ_values = values[nu:]
    _ORGAN.set_cached_value(
        user,
        Organ.from_db(DEFAULT_DB_ALIAS, _ORGAN_FIELDS, organ_values)
        if organ_values[0] is not None
        else None,
    )
    if not user_can(user, Cap.API):  # the one permission table decides
        return None
    now = clock.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def token_revoke(*, key: str) -> bool:
    return ApiToken.objects.filter(key_hash=_digest(key)).update(revoked=True) > 0
