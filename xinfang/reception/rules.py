"""The rules of reception days, as plain Python (no Django): which dates a recurring schedule
falls on over the working calendar, when two sessions of one leader clash, and how many people
may speak for a collective visit.

Art. 18 para 2 (信访工作条例, 2022): leading cadres receive visitors at set times (定期接待群众来访);
Art. 18 para 1: each organ publishes its reception times and places. A session on a rest day is
refused (the published times are working times); a make-up working day (调休) is a working day.
Art. 20 para 3: a collective visit chooses representatives, at most five.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

MAX_REPRESENTATIVES = 5  # Art. 20 para 3
MAX_SCHEDULE_DAYS = 366  # a schedule is published for at most a year at a time


@dataclass(frozen=True)
class Slot:
    on: date
    starts: time
    ends: time


def overlaps(a: Slot, b: Slot) -> bool:
    """Two sessions clash when they are on the same day and their times overlap (a session
    ending at 11:00 and one starting at 11:00 do not)."""
    return a.on == b.on and a.starts < b.ends and b.starts < a.ends


def schedule_dates(
    *,
    weekday: int,
    starts_on: date,
    ends_on: date,
    is_working_day: Callable[[date], bool],
) -> Iterator[tuple[date, bool]]:
    """Every date of ``weekday`` (0 = Monday) from ``starts_on`` to ``ends_on``, with whether
    it is a working day: a holiday falling on the weekday is skipped by the caller, not moved."""
    if not 0 <= weekday <= 6:
        raise ValueError("weekday")
    d = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    while d <= ends_on:
        yield d, is_working_day(d)
        d += timedelta(days=7)


def representatives_refusal(count: int) -> bool:
    """Whether a collective visit names more representatives than Art. 20 para 3 allows."""
    return count > MAX_REPRESENTATIVES
