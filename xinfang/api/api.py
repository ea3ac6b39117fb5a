"""The REST API under /api/v1 (django-ninja). Staff authenticate with a bearer token.

Every error is JSON: {"code": ..., "message": ..., "fields": {...}}. Functions here parse,
call one service or selector, and shape the answer; rules live in the services.

This module is the shell (authentication, errors, the routers); the operations are in
``auth``, ``petitions``, ``analytics`` and ``directory``, their schemas in ``schemas``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from xinfang.api import analytics, auth, directory, petitions
from xinfang.api.services import token_user
from xinfang.core.boundary import exception_answer
from xinfang.core.errors import ApplicationError

log = logging.getLogger("xinfang.api")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class _API(NinjaAPI):
    def get_openapi_operation_id(self, operation):  # type: ignore[no-untyped-def]
        """Operation ids as they were when every operation lived in this module (clients
        generated from the OpenAPI document keep their method names)."""
        return f"xinfang_api_api_{operation.view_func.__name__}"


api = _API(
    title="xinfang 信访工作平台 API",
    version="1",
    description="登记、转送、办理、答复信访事项（《信访工作条例》）。认证：`Authorization: Bearer <token>`，"
    "令牌由 `POST /api/v1/auth/token` 以工作人员账号获取。错误统一为 `{code, message, fields}`。",
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def _app_error(request: HttpRequest, exc: ApplicationError):  # type: ignore[no-untyped-def]
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "payload", "query", "path"))
        fields.setdefault(loc or "request", []).append(str(e.get("msg", "invalid")))
    return api.create_response(
        request, {"code": "invalid", "message": gettext("请求格式有误"), "fields": fields}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"code": "unauthorized", "message": gettext("请先登录（Bearer 令牌无效或缺失）")}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"code": f"http_{exc.status_code}", "message": str(exc)}, status=exc.status_code
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception):  # type: ignore[no-untyped-def]
    """Never an HTML 500 from the API: a value the database refuses is a 400 (or a 409 for a
    key taken meanwhile); a database that is down is left to the 503 of ``xinfang.ops``;
    anything else is logged and answered in the documented shape."""
    if isinstance(exc, OperationalError | InterfaceError):
        raise exc
    answer = exception_answer(request, exc)
    if answer is not None:
        return answer
    log.exception("unhandled error in the API")
    return api.create_response(
        request,
        {
            "code": "server_error",
            "message": gettext("系统出错，请稍后再试；如果问题持续，请联系管理员"),
            "request_id": getattr(request, "request_id", ""),
        },
        status=500,
    )


# The operations, by what they are about (same paths and names as before the split).
api.add_router("", auth.router)
api.add_router("", petitions.router)
api.add_router("", analytics.router)
api.add_router("", directory.router)
