"""The meeting link of a video reception session (三级视频接访; design.md habit 9: fakes at the
edges). One small interface, chosen by ``XINFANG_VIDEO_BACKEND``:

- ``none`` (the default): no link; the offices arrange the call themselves;
- ``jitsi``: a room on the self-hosted Jitsi Meet server at ``XINFANG_JITSI_URL``. The room
  name is derived from the session's id with the installation's secret key (HMAC), so nobody
  can guess another session's room; no external service is called, here or at run time.

Nothing else of the session (petitioner, matter) goes into the URL."""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class VideoService(Protocol):
    def room_url(self, *, session_id: int) -> str: ...


class NoVideo:
    def room_url(self, *, session_id: int) -> str:
        return ""


class JitsiVideo:
    def __init__(self, base_url: str, secret: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
            raise ImproperlyConfigured("XINFANG_JITSI_URL must be an https:// server URL")
        self.base = base_url.rstrip("/")
        self.secret = secret.encode()

    def room_url(self, *, session_id: int) -> str:
        mac = hmac.new(self.secret, f"reception-session:{session_id}".encode(), hashlib.sha256)
        return f"{self.base}/xinfang-{mac.hexdigest()[:24]}"


def video_service() -> VideoService:
    name = getattr(settings, "XINFANG_VIDEO_BACKEND", "none")
    if name == "none":
        return NoVideo()
    if name == "jitsi":
        return JitsiVideo(settings.XINFANG_JITSI_URL, settings.SECRET_KEY)
    raise ImproperlyConfigured(f"unknown XINFANG_VIDEO_BACKEND {name!r}")


def session_room_url(session) -> str:  # type: ignore[no-untyped-def]
    """The session's meeting link, or "" (not a video session, or no video service)."""
    if not session.video:
        return ""
    return video_service().room_url(session_id=session.pk)
