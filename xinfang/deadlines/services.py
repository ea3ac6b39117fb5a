"""Writes the working calendar — holiday overrides here, confirmed State Council notices in
``confirmation.py`` — and asks the petitions to fold again the deadlines a change can move.

The deadline rows are a projection of petition events, which this app does not import:
``petitions`` registers its fold with :func:`on_calendar_change` in its AppConfig.ready(). Each
calendar change keeps three promises there (ADR 0012): a petitioner's window is never shortened,
an organ is never put in the wrong by the move, and a window marked expired on a day that turns
out to be a rest day is reopened. What happened to each deadline comes back as a
:class:`DeadlineMove`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from xinfang.deadlines import holidays
from xinfang.deadlines.models import HolidayOverride
from xinfang.directory.models import User


@dataclass(frozen=True)
class DeadlineMove:
    """A deadline whose due date a calendar change touched."""

    petition_id: int
    tracking_code: str
    code: str
    start: date
    before: date  # the due date before the change
    computed: date  # what the new calendar gives
    after: date  # the due date now in force (``before`` when kept)
    outcome: str  # open | met | lapsed
    closed_on: date | None
    how: str  # "moved"; "kept" (the earlier date would shorten a window or blame an organ);
    #           "reopened" (a lapsed window was still open on the day it was marked expired)


Recompute = Callable[..., tuple[int, list[DeadlineMove]]]

# What folds the deadlines again after the calendar changes the status of the days in
# ``[first, last]``: ``fn(*, first, last, actor, at, reason) -> (petitions folded, moves)``.
_calendar_changed: dict[str, Recompute] = {}


def on_calendar_change(fn: Recompute) -> Recompute:
    _calendar_changed[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def calendar_changed(
    *,
    first: date,
    last: date,
    actor: User | None,
    at: datetime | None = None,
    reason: str = "",
) -> tuple[int, list[DeadlineMove]]:
    """Have every registered fold recompute what the days ``[first, last]`` can move, inside
    the caller's transaction."""
    n, moves = 0, []
    for fn in list(_calendar_changed.values()):
        k, m = fn(first=first, last=last, actor=actor, at=at, reason=reason)
        n += k
        moves += m
    return n, moves


def holiday_override_set(
    *, on: date, is_working_day: bool, note: str = "", actor: User | None = None
) -> int:
    """Declare ``on`` a working day or a rest day and recompute the deadlines it can move.

    Returns the number of petitions whose deadlines were recomputed.
    """
    with transaction.atomic():
        HolidayOverride.objects.update_or_create(
            date=on, defaults={"is_working_day": is_working_day, "note": note, "changed_by": actor}
        )
        holidays.clear_cache()
        n, _moves = calendar_changed(first=on, last=on, actor=actor, reason=note)
        return n


def holiday_override_remove(*, on: date, actor: User | None = None) -> int:
    with transaction.atomic():
        HolidayOverride.objects.filter(date=on).delete()
        holidays.clear_cache()
        n, _moves = calendar_changed(first=on, last=on, actor=actor)
        return n


__all__ = [
    "DeadlineMove",
    "calendar_changed",
    "holiday_override_remove",
    "holiday_override_set",
    "on_calendar_change",
]
