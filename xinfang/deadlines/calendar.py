"""Working-day arithmetic over a holiday calendar (pure: no Django, no database).

How periods are counted (regulation.md §5.3). Neither 《信访工作条例》 (2022) nor 《信访条例》 (2005)
defines the computation of periods, so the general rules of 《中华人民共和国民法典》 Arts. 200–204
are applied by analogy:

* Art. 200: periods are counted in years, months, days and hours of the Gregorian calendar.
* Art. 201: a period counted in days **does not include the starting day**; counting begins on the
  next day.
* Art. 203 para 1: when the **last day** of a period is a statutory holiday, the day after the
  holiday is the last day.
* Art. 203 para 2: the last day ends at 24:00 (or at the close of business).
* Art. 204: the rules yield to a different statutory provision or agreement.

"N日" therefore means N calendar days; "N个工作日" means N working days, skipping weekends and
statutory holidays but counting make-up working days (调休) on Saturdays or Sundays.

Every function takes the calendar explicitly, so the module stays pure and testable: the database
layer builds a :class:`HolidayCalendar` from admin-edited override rows and passes it in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

import chinese_calendar

__all__ = [
    "HolidayCalendar",
    "WorkCalendar",
    "add_calendar_days",
    "add_working_days",
    "china_covers",
    "china_statutory",
    "next_working_day",
    "weekday_rule",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)

# No real calendar has a year without working days; scanning further than this means a broken
# calendar (e.g. a base that always answers False), so we fail loudly instead of looping forever.
_MAX_REST_RUN = 366


@runtime_checkable
class WorkCalendar(Protocol):
    """Anything that can say whether a given date is a working day (工作日)."""

    def is_working_day(self, d: date) -> bool: ...


def weekday_rule(d: date) -> bool:
    """Monday to Friday are working days, Saturday and Sunday are rest days.

    The fallback for years that a holiday source does not cover: it knows no statutory holidays and
    no make-up working days (调休), so admins must add those years' rows as overrides.
    """
    return d.weekday() < 5


@functools.lru_cache(maxsize=64)
def china_covers(year: int) -> bool:
    """Whether ``chinese_calendar`` has the State Council holiday arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=65536)
def china_statutory(d: date) -> bool:
    """Working day under the State Council's annual holiday notice, via ``chinese_calendar``.

    Includes make-up working days (调休): a Saturday or Sunday declared a working day is a working
    day. For a year ``chinese_calendar`` does not cover (it raises ``NotImplementedError``) this
    falls back to :func:`weekday_rule`. Results are cached: deadline arithmetic calls this in tight
    loops.
    """
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return weekday_rule(d)


class _FrozenOverrides(Mapping[date, bool]):
    """An immutable, hashable ``date -> is_working_day`` mapping (compares equal to a plain dict)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[date, bool]) -> None:
        checked: dict[date, bool] = {}
        for key, value in data.items():
            if isinstance(key, datetime) or not isinstance(key, date):
                raise TypeError(f"override keys must be datetime.date, got {key!r}")
            if not isinstance(value, bool):
                raise TypeError(f"override for {key.isoformat()} must be a bool, got {value!r}")
            checked[key] = value
        self._data = checked
        self._hash = hash(frozenset(checked.items()))

    def __getitem__(self, key: date) -> bool:
        return self._data[key]

    def get(self, key: date, default: bool | None = None) -> bool | None:  # type: ignore[override]
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[date]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _FrozenOverrides):
            return self._hash == other._hash and self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"


@dataclass(frozen=True)
class HolidayCalendar:
    """A :class:`WorkCalendar`: a base rule plus admin-editable per-date overrides.

    ``overrides`` maps a date to ``True`` (declared working day) or ``False`` (declared rest day)
    and always wins over ``base``. Use it for a local holiday, a late State Council notice, or a
    year the base does not cover. The instance is immutable and hashable (overrides are copied
    into a frozen mapping), so it can be used as a cache key.
    """

    base: Callable[[date], bool] = china_statutory
    overrides: Mapping[date, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.overrides, _FrozenOverrides):
            object.__setattr__(self, "overrides", _FrozenOverrides(self.overrides))

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: the override for ``d`` if any, else ``base(d)``."""
        declared = self.overrides.get(d)
        if declared is not None:
            return declared
        return self.base(d)


def _check_days(days: int, minimum: int = 0) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {days!r}")
    if days < minimum:
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        raise ValueError(f"days must be at least {minimum}, got {days}")


def next_working_day(d: date, cal: WorkCalendar) -> date:
    """``d`` itself when it is a working day, otherwise the first working day after it.

    This is the roll-over of 民法典 Art. 203 para 1 (by analogy): a period whose last day is a
    statutory holiday ends on the first day after the holiday.
    """
    is_working = cal.is_working_day
    for _ in range(_MAX_REST_RUN):
        if is_working(d):
            return d
        d += _ONE_DAY
    raise ValueError(
        f"no working day within {_MAX_REST_RUN} days of {d.isoformat()}; check the calendar"
    )


def add_calendar_days(
    start: date, days: int, cal: WorkCalendar, *, roll_to_working_day: bool
) -> date:
    """The last day of an "N日" period: ``start + days`` calendar days.

    The starting day is not counted (民法典 Art. 201 by analogy), so a 15-day period starting on
    1 March ends on 16 March. With ``roll_to_working_day`` a last day that is a rest day moves to
    the next working day (民法典 Art. 203 para 1 by analogy); a make-up working day (调休) on a
    weekend is a working day and does not move. The period ends at 24:00 of the returned day.

    Raises ``ValueError`` when ``days`` is negative.
    """
    _check_days(days)
    end = start + timedelta(days=days)
    if roll_to_working_day:
        return next_working_day(end, cal)
    return end


def add_working_days(start: date, days: int, cal: WorkCalendar) -> date:
    """The last day of an "N个工作日" period: the ``days``-th working day after ``start``.

    The starting day is never counted, even when it is itself a working day (民法典 Art. 201 by
    analogy). The result is always a working day, so no roll-over applies.

    Raises ``ValueError`` when ``days`` is less than 1.
    """
    _check_days(days, minimum=1)
    is_working = cal.is_working_day
    d = start
    remaining = days
    rest_run = 0
    while remaining:
        d += _ONE_DAY
        if is_working(d):
            remaining -= 1
            rest_run = 0
        else:
            rest_run += 1
            if rest_run >= _MAX_REST_RUN:
                raise ValueError(
                    f"no working day within {_MAX_REST_RUN} days of {d.isoformat()}; "
                    "check the calendar"
                )
    return d


def working_days_between(start: date, end: date, cal: WorkCalendar) -> int:
    """The number of working days in ``(start, end]``: ``start`` excluded, ``end`` included.

    The inverse of :func:`add_working_days`: ``working_days_between(s, add_working_days(s, n, c),
    c) == n``. Returns 0 when ``end == start``; raises ``ValueError`` when ``end`` is before
    ``start``.
    """
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    is_working = cal.is_working_day
    count = 0
    d = start + _ONE_DAY
    while d <= end:
        if is_working(d):
            count += 1
        d += _ONE_DAY
    return count
