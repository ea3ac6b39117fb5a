"""The HTTP surface of GeoReport v2. Views parse, call one selector or service, render JSON or
XML; every refusal is the specification's error list with a 4xx status, never a 500."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from xinfang.core import clock
from xinfang.core.crypto import decrypt, encrypt
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.core.once import digest, once
from xinfang.exchange.open311 import catalogue, selectors, spec
from xinfang.exchange.open311.keys import open311_key_check
from xinfang.exchange.open311.services import Submission, open311_request_submit

_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\](\[\])?$")
_FIELD_MAX = 50_000


def answer(fmt: str, kind: str, payload: Any, status: int = 200) -> HttpResponse:
    body, ctype = spec.render(fmt, kind, payload)
    return HttpResponse(body, content_type=ctype, status=status)


def error_answer(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    return answer(
        fmt if fmt in spec.FORMATS else "json", "errors", spec.errors(status, descriptions), status
    )


def boundary_answer(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The boundary's refusal under /open311/ (core.boundary.error_answer_add): the same
    error list as every other Open311 refusal, in the format the path asks for."""
    return error_answer("xml" if request.path.endswith(".xml") else "json", status, [message])


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _rate_check(key: Any) -> None:
    """At most ``XINFANG_OPEN311_RATE_LIMIT`` requests of one key in each window of
    ``XINFANG_OPEN311_RATE_WINDOW_SECONDS`` (counted in Django's cache: per process with the
    default local-memory cache, shared with ``XINFANG_CACHE=database``). Beyond: 429 with
    Retry-After, the seconds until the window ends. 0 turns the limit off."""
    limit = settings.XINFANG_OPEN311_RATE_LIMIT
    if limit <= 0:
        return
    window = max(1, settings.XINFANG_OPEN311_RATE_WINDOW_SECONDS)
    now = clock.now().timestamp()
    slot = int(now // window)
    name = f"xinfang:open311:rate:{key.pk}:{slot}"
    if cache.add(name, 1, timeout=window + 1):
        return
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window + 1)
        return
    if count > limit:
        raise RateLimited(max(1, int((slot + 1) * window - now) + 1))


def _descriptions(e: ApplicationError) -> list[str]:
    out = [
        f"{name}: {m}" if name not in ("request", "query") else m
        for name, ms in e.fields.items()
        for m in ms
    ]
    return out or [e.message]


def open311_view(methods: tuple[str, ...]) -> Callable:  # type: ignore[type-arg]
    """Allowed methods; ApplicationError → the specification's errors."""

    def wrap(view: Callable) -> Callable:  # type: ignore[type-arg]
        @functools.wraps(view)
        def inner(
            request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any
        ) -> HttpResponse:
            if request.method not in methods:
                response = error_answer(
                    fmt, 405, [gettext("不支持的请求方法：%(m)s") % {"m": request.method}]
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except ApplicationError as e:
                return error_answer(fmt, e.status, _descriptions(e))
            except RateLimited as e:
                response = error_answer(
                    fmt,
                    429,
                    [gettext("请求过于频繁，请 %(n)s 秒后再试") % {"n": e.retry_after}],
                )
                response["Retry-After"] = str(e.retry_after)
                return response

        return inner

    return wrap


def _key_from(value: str) -> Any:
    if not value:
        return None
    key = open311_key_check(key=value)
    if key is None:
        raise Forbidden(gettext("api_key 无效或已吊销"))
    _rate_check(key)
    return key


@open311_view(("GET", "HEAD"))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    payload = spec.ordered(
        spec.DISCOVERY_FIELDS,
        {
            "changeset": settings.XINFANG_OPEN311_CHANGESET,
            "contact": settings.XINFANG_OPEN311_CONTACT,
            "key_service": settings.XINFANG_OPEN311_KEY_SERVICE,
            "endpoints": [
                spec.ordered(
                    spec.ENDPOINT_FIELDS,
                    {
                        "specification": spec.SPECIFICATION,
                        "url": base,
                        "changeset": settings.XINFANG_OPEN311_CHANGESET,
                        "type": "production",
                        "formats": list(spec.FORMATS.values()),
                    },
                )
            ],
        },
    )
    return answer(fmt, "discovery", payload)


@open311_view(("GET", "HEAD"))
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return answer(fmt, "services", [s.as_open311() for s in catalogue.service_list()])


@open311_view(("GET", "HEAD"))
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    service = catalogue.service_get(code=service_code)
    if service is None:
        raise NotFound(gettext("没有这个 service_code"))
    return answer(fmt, "service_definition", catalogue.service_definition(service))


def _text(post: Any, name: str) -> str:
    value = post.get(name, "")
    if len(value) > _FIELD_MAX:
        raise ApplicationError(
            gettext("%(name)s 过长") % {"name": name}, fields={name: [gettext("过长")]}
        )
    return value


def _submission(post: Any) -> Submission:
    attributes = {}
    for name in post:
        m = _ATTRIBUTE.match(name)
        if m:
            attributes[m.group(1)] = (
                ",".join(post.getlist(name)) if m.group(2) else post.get(name, "")
            )
    return Submission(
        service_code=_text(post, "service_code"),
        description=_text(post, "description"),
        lat=_text(post, "lat"),
        long=_text(post, "long"),
        address_string=_text(post, "address_string"),
        address_id=_text(post, "address_id"),
        first_name=_text(post, "first_name"),
        last_name=_text(post, "last_name"),
        phone=_text(post, "phone"),
        media_url=_text(post, "media_url"),
        attributes=attributes,
    )


def _post_answer(code: str, password: str | None, *, again: bool = False) -> dict[str, Any]:
    if password and again:
        notice = gettext(
            "此前已收到同一请求，未重复登记。查询码 %(code)s，查询密码 %(password)s：请告知信访人妥善保存，凭此在网上信访平台查询办理进展和答复。"
        ) % {"code": code, "password": password}
    elif password:
        notice = gettext(
            "已收到，转登记机关审核。查询码 %(code)s，查询密码 %(password)s：请告知信访人妥善保存，凭此在网上信访平台查询办理进展和答复。"
        ) % {"code": code, "password": password}
    else:
        notice = gettext("此前已收到同一请求，未重复登记。查询密码只在第一次答复中给出。")
    out = spec.ordered(
        spec.POST_RESPONSE_FIELDS,
        {"service_request_id": code, "token": None, "service_notice": notice, "account_id": None},
    )
    if password:
        out["query_password"] = password  # extension: the portal's second secret, given once
    return out


# A payload with none of these names no one: two residents sending the same templated report
# ("路灯不亮") through one app are two requests, never merged without Idempotency-Key.
IDENTIFYING = ("device_id", "account_id", "email", "phone")


def _payload_window_open(*, scope: str) -> None:
    """Forget this key's payload claims once older than the window: the same text sent again
    later is a new request (a second incident), not a retry. This also drops the encrypted
    query password a claim keeps for a retry within the window."""
    from xinfang.core.models import OnceKey

    window = settings.XINFANG_OPEN311_DEDUPE_SECONDS
    OnceKey.objects.filter(
        scope=scope, created_at__lt=clock.now() - timedelta(seconds=window)
    ).delete()


@csrf_exempt
@open311_view(("GET", "HEAD", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        key = _key_from(request.POST.get("api_key", ""))
        if key is None:
            raise Forbidden(gettext("提交服务请求需要 api_key"))
        data = _submission(request.POST)
        fingerprint = digest(
            repr(sorted((k, v) for k, v in request.POST.lists() if k != "api_key"))
        )
        idempotency_key = request.headers.get("Idempotency-Key")
        scope = f"open311.request.{key.pk}"
        by_payload = not idempotency_key and any(
            request.POST.get(name, "").strip() for name in IDENTIFYING
        )
        if by_payload:
            # A retry without Idempotency-Key (a client that timed out and sends the same
            # service request again) must not register twice (issue 13 §1.10): the same key's
            # same identifying payload within XINFANG_OPEN311_DEDUPE_SECONDS is answered as
            # the first, with the first answer's query password (that answer never arrived).
            scope, idempotency_key = f"open311.payload.{key.pk}", fingerprint
            _payload_window_open(scope=scope)
        with once(scope=scope, key=idempotency_key, fingerprint=fingerprint) as claim:
            if claim.prior is not None:
                kept = claim.prior.get("password")
                again = _post_answer(claim.prior["code"], kept and decrypt(kept), again=True)
                return answer(fmt, "service_requests", [again])
            submitted = open311_request_submit(key=key, data=data)
            code = submitted.request.petition.tracking_code
            claim.result = {"code": code}
            if by_payload and submitted.query_password:
                claim.result["password"] = encrypt(submitted.query_password)
        return answer(
            fmt, "service_requests", [_post_answer(code, submitted.query_password)], status=201
        )
    key = _key_from(request.GET.get("api_key", ""))
    query = selectors.query_parse(request.GET)
    return answer(fmt, "service_requests", selectors.requests_find(key=key, query=query))


@open311_view(("GET", "HEAD"))
def request_one(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    key = _key_from(request.GET.get("api_key", ""))
    found = selectors.request_get(
        key=key,
        service_request_id=service_request_id,
        extensions=request.GET.get("extensions", "").lower() == "true",
    )
    if found is None:
        raise NotFound(gettext("没有这个 service_request_id，或它不公开"))
    return answer(fmt, "service_requests", [found])


@open311_view(("GET", "HEAD"))
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    raise NotFound(gettext("本系统不使用 token：POST 的答复直接给出 service_request_id"))


@open311_view(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"))
def not_found(request: HttpRequest, rest: str = "", fmt: str = "json") -> HttpResponse:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error_answer(fmt, 404, [gettext("没有这个资源；请从 discovery.json 开始")])
