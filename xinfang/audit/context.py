"""The current request's client address, for audit records written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_ip: ContextVar[str] = ContextVar("xinfang_audit_ip", default="")


def client_ip(request: HttpRequest | None) -> str:
    """REMOTE_ADDR as the WSGI server gives it (behind a proxy, configure the server to set it
    from the trusted proxy's header; a client-sent X-Forwarded-For is never believed here)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def current_ip() -> str:
    return _ip.get()


class AuditContextMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
