"""The one source of "now". Services take ``at`` and default to :func:`now`; tests freeze it."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """Today's date in the deployment's time zone (Asia/Shanghai by default)."""
    return timezone.localdate(now())


def local_date(at: datetime) -> date:
    return timezone.localdate(at)
