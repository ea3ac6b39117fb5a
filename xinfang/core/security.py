"""Limits on the public (unauthenticated) paths: request size and requests per client address.

The portal is open to anyone: ``PublicLimitsMiddleware`` refuses a body larger than
``XINFANG_PUBLIC_MAX_BYTES`` (413) and more than ``XINFANG_PUBLIC_POSTS_PER_HOUR`` writes from
one address in an hour (429), on every path that starts with one of ``XINFANG_PUBLIC_PATHS``.
Counts are kept in Django's cache: with several server processes, configure a shared cache
(``CACHES``), or each process counts on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _refuse(status: int, message: str) -> HttpResponse:
    return JsonResponse({"code": f"http_{status}", "message": message}, status=status)


class PublicLimitsMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(tuple(settings.XINFANG_PUBLIC_PATHS)):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.XINFANG_PUBLIC_MAX_BYTES:
                return _refuse(413, "提交的内容过大")
            if request.method in _WRITES:
                key = f"xinfang:public:{request.META.get('REMOTE_ADDR', '')}"
                cache.add(key, 0, timeout=3600)
                try:
                    n = cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, timeout=3600)
                    n = 1
                if n > settings.XINFANG_PUBLIC_POSTS_PER_HOUR:
                    response = _refuse(429, "提交过于频繁，请稍后再试")
                    response["Retry-After"] = "3600"
                    return response
        return self.get_response(request)
