"""API operations: a bearer token for a staff login, and who the caller is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from xinfang.api.schemas import ERRORS, LoginIn, TokenOut
from xinfang.api.services import token_issue_for_login
from xinfang.directory.permissions import user_actions

router = Router()


@router.post("/auth/token", auth=None, response={200: TokenOut, **ERRORS}, tags=["auth"])
def auth_token(request: HttpRequest, payload: LoginIn):  # type: ignore[no-untyped-def]
    """Exchange a staff username and password (and the TOTP code, for users who enrolled an
    authenticator) for a bearer token."""
    return {
        "token": token_issue_for_login(
            request=request,
            username=payload.username,
            password=payload.password,
            name=payload.name,
            otp_token=payload.otp_token,
        )
    }


@router.get("/me", response={200: dict, **ERRORS}, tags=["auth"])
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    u = request.user
    return {
        "username": u.username,  # type: ignore[union-attr]
        "organ": u.organ.name if u.organ else None,  # type: ignore[union-attr]
        "actions": sorted(a.value for a in user_actions(u)),  # type: ignore[arg-type]
    }
