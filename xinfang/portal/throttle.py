"""Rate limits for tracking-code look-ups, kept in Django's cache.

Failed tries are counted per client address and per tracking code; once either count reaches
``XINFANG_PORTAL_LOOKUP_TRIES`` within ``XINFANG_PORTAL_LOOKUP_WINDOW_SECONDS``, every try is
refused until the window ends, right or wrong (so a refusal reveals nothing either). The count
per code protects an 8-digit password even from many addresses. Running several processes needs
a shared cache (``CACHES``); the default local-memory cache counts per process.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from xinfang.core import ids


def _keys(ip: str, code: str) -> list[str]:
    out = [f"xinfang:portal:lookup:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"]
    code = ids.normalize_tracking_code(code or "")
    if code:
        out.append(f"xinfang:portal:lookup:code:{hashlib.sha256(code.encode()).hexdigest()[:32]}")
    return out


def lookup_blocked(*, ip: str, code: str) -> bool:
    tries = settings.XINFANG_PORTAL_LOOKUP_TRIES
    counts = cache.get_many(_keys(ip, code))
    return any(int(v) >= tries for v in counts.values())


def lookup_failed(*, ip: str, code: str) -> None:
    window = settings.XINFANG_PORTAL_LOOKUP_WINDOW_SECONDS
    for key in _keys(ip, code):
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window)


def client_ip(request) -> str:  # type: ignore[no-untyped-def]
    """The peer address. A reverse proxy must pass the real one as REMOTE_ADDR (waitress:
    ``trusted_proxy``); X-Forwarded-For is not trusted here, since anyone can send it."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
