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
from django.utils.translation import gettext, gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from xinfang.api import analytics, auth, directory, petitions
from xinfang.api.schemas import DAY_FORMAT, DAY_OUT_OF_RANGE
from xinfang.api.services import token_user
from xinfang.core.boundary import exception_answer
from xinfang.core.day_params import out_of_range_message
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


#: pydantic's error types as the reader reads them (its own messages are English whatever the
#: request's language: fixui item 2); the placeholders are pydantic's ``ctx`` keys.
VALIDATION_MESSAGES = {
    "missing": gettext_noop("必须填写"),
    "int_parsing": gettext_noop("应为整数"),
    "int_type": gettext_noop("应为整数"),
    "int_from_float": gettext_noop("应为整数"),
    "float_parsing": gettext_noop("应为数值"),
    "float_type": gettext_noop("应为数值"),
    "bool_parsing": gettext_noop("应为 true 或 false"),
    "bool_type": gettext_noop("应为 true 或 false"),
    "string_type": gettext_noop("应为文本"),
    "string_too_long": gettext_noop("不能超过 %(max_length)s 个字符"),
    "string_too_short": gettext_noop("至少 %(min_length)s 个字符"),
    "too_long": gettext_noop("最多 %(max_length)s 项"),
    "too_short": gettext_noop("至少 %(min_length)s 项"),
    "less_than_equal": gettext_noop("不能大于 %(le)s"),
    "greater_than_equal": gettext_noop("不能小于 %(ge)s"),
    "less_than": gettext_noop("应小于 %(lt)s"),
    "greater_than": gettext_noop("应大于 %(gt)s"),
    "literal_error": gettext_noop("应为以下之一：%(expected)s"),
    "enum": gettext_noop("应为以下之一：%(expected)s"),
    "list_type": gettext_noop("应为列表"),
    "dict_type": gettext_noop("应为对象"),
    "model_type": gettext_noop("应为对象"),
    "model_attributes_type": gettext_noop("应为对象"),
    "json_invalid": gettext_noop("不是有效的 JSON"),
    "date_type": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "date_parsing": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "datetime_type": gettext_noop("应为 ISO 8601 日期时间"),
    "datetime_parsing": gettext_noop("应为 ISO 8601 日期时间"),
    "datetime_from_date_parsing": gettext_noop("应为 ISO 8601 日期时间"),
    "extra_forbidden": gettext_noop("不接受此字段"),
}


def _validation_message(e: dict) -> str:
    """One pydantic error in the request's language: a day through ``core.dates``' own words
    (out of range is not a format error), the known types from ``VALIDATION_MESSAGES``, and
    anything else as "取值无效" with pydantic's own words beside it."""
    ctx = e.get("ctx") or {}
    err = str(ctx.get("error", ""))
    if err == DAY_OUT_OF_RANGE:
        return out_of_range_message()
    if err == DAY_FORMAT:
        return gettext("日期格式应为 YYYY-MM-DD")
    template = VALIDATION_MESSAGES.get(str(e.get("type", "")))
    if template is not None:
        try:
            return gettext(template) % {k: v for k, v in ctx.items() if isinstance(k, str)}
        except (KeyError, TypeError, ValueError):
            pass
    return gettext("取值无效：%(detail)s") % {"detail": str(e.get("msg", ""))[:200]}


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "payload", "query", "path"))
        fields.setdefault(loc or "request", []).append(_validation_message(e))
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
