"""The first middleware of every request: the client's real address behind a trusted proxy,
a request id, the access log line, the request metrics, and a 503 when the database is down.

* **Trusted proxies** (``XINFANG_TRUSTED_PROXIES``): when the peer is one of them, the client
  address is the right-most address of ``X-Forwarded-For`` that is not a trusted proxy, and it
  replaces ``REMOTE_ADDR`` before any other code reads it, so the login throttle, the portal's
  limits and the audit trail see the client, not nginx. From any other peer the forwarding
  headers are dropped (anyone can send them), ``X-Forwarded-Proto`` included, so
  ``SECURE_PROXY_SSL_HEADER`` cannot be spoofed.
* **Request id**: the trusted proxy's ``X-Request-ID`` if well-formed, else a new one; bound to
  every log line of the request and returned in the response header.
* **Access log** (logger ``xinfang.access``): method, route pattern, status, duration, user id.
  Never the query string or the body (a name or phone searched for, a petition's title), and
  never the address of a visitor of the public portal (no tracking of petitioners).
* **Database unavailable** (``OperationalError``: connect or statement timeout, locked): 503
  with ``Retry-After``, not a 500, and nothing half-saved (the transaction was rolled back).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from functools import lru_cache

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from xinfang.core.boundary import busy, busy_answer
from xinfang.ops.metrics import HTTP_LATENCY, HTTP_REQUESTS

access = logging.getLogger("xinfang.access")
log = logging.getLogger("xinfang.ops")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(addr: str) -> bool:
    nets = _networks(tuple(settings.XINFANG_TRUSTED_PROXIES))
    if not nets or not addr:
        return False
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def client_address(meta: dict) -> tuple[str, bool]:
    """(the client's address, whether the peer is a trusted proxy) from a WSGI environ."""
    peer = str(meta.get("REMOTE_ADDR", ""))
    if not _trusted(peer):
        return peer, False
    hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer, True  # a malformed hop: believe nothing further left
        if not _trusted(hop):
            return hop, True
    return (hops[0] if hops else peer), True


class RequestMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        meta = request.META
        client, via_proxy = client_address(meta)
        # whether any proxy stood between (the metrics are for the host itself only)
        request.forwarded = any(  # type: ignore[attr-defined]
            h in meta for h in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")
        )
        if via_proxy:
            meta["REMOTE_ADDR"] = client
        else:
            for h in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST"):
                meta.pop(h, None)
        given = str(meta.get("HTTP_X_REQUEST_ID", ""))
        request_id = given if via_proxy and _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        response = None
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
        finally:
            self._record(request, response, time.perf_counter() - started)
            structlog.contextvars.clear_contextvars()

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not busy(exc):
            return None
        return busy_answer(request, exc.__cause__ or exc)

    def _record(self, request: HttpRequest, response: HttpResponse | None, seconds: float) -> None:
        status = response.status_code if response is not None else 500
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else "<unmatched>"
        method = request.method if request.method in _METHODS else "OTHER"
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        HTTP_LATENCY.labels(method, route).observe(seconds)
        if not access.isEnabledFor(logging.INFO):
            return
        fields = {
            "method": method,
            "route": route,
            "status": status,
            "ms": round(seconds * 1000, 1),
            "user": _user_id(request),
        }
        if not request.path.startswith(tuple(settings.XINFANG_PUBLIC_PATHS)):
            fields["client"] = request.META.get("REMOTE_ADDR", "")
        access.info("request", extra=fields)


def _user_id(request: HttpRequest) -> int | None:
    """The user's id if the request already loaded the user (never a query just to log)."""
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)
