"""The one source of "now". Services take ``at`` and default to :func:`now`; tests freeze it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def advancing(start: datetime) -> Callable[[], datetime]:
    """A clock that reads ``start`` now and runs on with the real time from here: the time of
    each action of a job that was given its ``now`` (``xinfang tick``). A job that sends a
    hundred messages, each waiting up to a timeout, stamps each with when it went, not when the
    job began; given a ``now`` in the past (a test, a replay), its stamps stay beside it."""
    began = now()
    return lambda: start + (now() - began)


def today() -> date:
    """Today's date in the deployment's time zone (Asia/Shanghai by default)."""
    return timezone.localdate(now())


def local_date(at: datetime) -> date:
    return timezone.localdate(at)


def day_start(d: date) -> datetime:
    """The first instant of the local day ``d`` (an aware datetime)."""
    return timezone.make_aware(datetime.combine(d, time.min))


def on_local_days(field: str, first: date | None, last: date | None) -> Q:
    """``field`` (a datetime column) falls on a local day from ``first`` to ``last`` (either
    open), as bounds on the column itself: ``field__date__gte`` wraps the column in a time
    zone conversion, so its index is unused and every such filter scans (issue 14)."""
    q = Q()
    if first:
        q &= Q(**{f"{field}__gte": day_start(first)})
    if last:
        q &= Q(**{f"{field}__lt": day_start(last + timedelta(days=1))})
    return q
