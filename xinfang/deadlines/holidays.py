"""The working calendar in force: the confirmed notices, chinese-calendar, the provisional
calendar of the law for the years neither covers, and the admin's overrides.

The rows are read from the database and cached per process for a short time; the services that
change them (confirming a notice, setting an override) clear the cache and recompute the open
deadlines they affect.
"""

from __future__ import annotations

import time
from datetime import date

from xinfang.deadlines.calendar import HolidayCalendar

_TTL_SECONDS = 60.0
_cache: tuple[float, HolidayCalendar] | None = None


def calendar_in_force() -> HolidayCalendar:
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < _TTL_SECONDS:
        return _cache[1]
    from xinfang.deadlines.models import HolidayNotice, HolidayNoticeDay, HolidayOverride

    overrides: dict[date, bool] = dict(
        HolidayOverride.objects.values_list("date", "is_working_day")
    )
    confirmed: dict[date, bool] = dict(
        HolidayNoticeDay.objects.values_list("date", "is_working_day")
    )
    years = frozenset(HolidayNotice.objects.values_list("year", flat=True))
    cal = HolidayCalendar(overrides=overrides, confirmed_days=confirmed, confirmed_years=years)
    _cache = (now, cal)
    return cal


def clear_cache() -> None:
    global _cache
    _cache = None
