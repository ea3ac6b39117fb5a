"""Writes holiday overrides, and asks the petitions to recompute the deadlines they move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction

from xinfang.deadlines import holidays
from xinfang.deadlines.models import HolidayOverride
from xinfang.directory.models import User

# What recomputes open deadlines after the calendar changes: ``fn(*, since) -> int`` (how many
# petitions it recomputed). ``petitions`` registers its fold in its AppConfig.ready(): the
# deadline rows are a projection of petition events, which this app does not import.
_calendar_changed: dict[str, Callable[..., int]] = {}


def on_calendar_change(fn: Callable[..., int]) -> Callable[..., int]:
    _calendar_changed[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def _recompute_open(*, since: date) -> int:
    return sum(fn(since=since) for fn in list(_calendar_changed.values()))


def holiday_override_set(
    *, on: date, is_working_day: bool, note: str = "", actor: User | None = None
) -> int:
    """Declare ``on`` a working day or a rest day and recompute the open deadlines it can move.

    Returns the number of petitions whose deadlines were recomputed.
    """
    with transaction.atomic():
        HolidayOverride.objects.update_or_create(
            date=on, defaults={"is_working_day": is_working_day, "note": note, "changed_by": actor}
        )
        holidays.clear_cache()
        return _recompute_open(since=on)


def holiday_override_remove(*, on: date) -> int:
    with transaction.atomic():
        HolidayOverride.objects.filter(date=on).delete()
        holidays.clear_cache()
        return _recompute_open(since=on)
