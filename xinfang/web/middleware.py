"""Turn service refusals raised while rendering a page into proper HTTP answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, ApplicationError) and not request.path.startswith("/api/"):
            return render(request, "web/error.html", {"error": exc}, status=exc.status)
        return None
