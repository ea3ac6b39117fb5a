"""Periodic jobs of deadlines (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("deadlines.calendar_settle", every=timedelta(hours=1))
def calendar_settle(*, now: datetime) -> dict[str, int]:
    """Fold again the deadlines still marked provisional for a year that no longer is: a newer
    chinese_calendar release covers it (used as soon as it is installed), or a notice was
    confirmed in another process; windows lost to the provisional date are reopened (ADR 0012)."""
    from xinfang.deadlines.services import calendar_settle as settle

    return settle(now=now)
