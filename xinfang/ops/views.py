"""Health and metrics endpoints for load balancers, systemd and Prometheus (no login, no
session, no personal data).

* ``/-/live``: the process answers (no database): restart it if not.
* ``/-/ready``: database reachable, migrations applied, disk space; the worker's heartbeat is
  reported (not critical, see ``selectors.readiness_checks``). 503 if not ready.
* ``/-/metrics``: Prometheus text; from loopback, or with ``Authorization: Bearer
  <XINFANG_METRICS_TOKEN>``.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfang.ops.metrics import metrics_text
from xinfang.ops.selectors import readiness_checks


@never_cache
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> HttpResponse:
    checks = readiness_checks()
    ok = all(c.ok for c in checks if c.critical)
    status = "ok" if all(c.ok for c in checks) else ("degraded" if ok else "unavailable")
    return JsonResponse(
        {"status": status, "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks}},
        status=200 if ok else 503,
    )


def _may_read_metrics(request: HttpRequest) -> bool:
    token = settings.XINFANG_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    # Only a request that came to this process from the host itself, not through a proxy
    # (the proxy's own address is loopback too, so a forwarded request is refused).
    if getattr(request, "forwarded", True):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_read_metrics(request):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    return HttpResponse(metrics_text(), content_type="text/plain; version=0.0.4; charset=utf-8")
