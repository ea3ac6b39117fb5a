"""The working calendar in force: chinese-calendar plus the admin's overrides.

Overrides are read from the database and cached per process for a short time; the service that
changes an override clears the cache and recomputes the open deadlines it affects.
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
    from xinfang.deadlines.models import HolidayOverride

    overrides: dict[date, bool] = dict(
        HolidayOverride.objects.values_list("date", "is_working_day")
    )
    cal = HolidayCalendar(overrides=overrides)
    _cache = (now, cal)
    return cal


def clear_cache() -> None:
    global _cache
    _cache = None
