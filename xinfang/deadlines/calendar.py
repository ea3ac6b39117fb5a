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

Where the days come from, year by year (docs/decisions/0012-provisional-calendar.md):

1. a year whose State Council notice an admin confirmed (``HolidayCalendar.confirmed_years``):
   the notice's rest and working days, the weekday rule for the rest of the year;
2. otherwise a year ``chinese_calendar`` covers (:func:`china_covers`, detected at run time, so
   a newer release is used as soon as it is installed): that package;
3. otherwise the **provisional** calendar of the law itself (:mod:`xinfang.deadlines.provisional`):
   the statutory holidays, never a bare Monday–Friday rule. A deadline whose count crossed a
   day of such a year is provisional (:meth:`HolidayCalendar.provisional_years`).

Per-date overrides that admins edit win over all three.

Every function takes the calendar explicitly, so the module stays pure and testable: the database
layer builds a :class:`HolidayCalendar` from the confirmed notices and the override rows and
passes it in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

import chinese_calendar

from xinfang.deadlines.provisional import provisional_is_working_day

__all__ = [
    "HolidayCalendar",
    "WorkCalendar",
    "add_calendar_days",
    "add_working_days",
    "china_covers",
    "china_statutory",
    "days_crossed",
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

    The rule of a confirmed year outside the days its notice declares. Never the rule of a whole
    year on its own: a year nobody has confirmed uses the provisional calendar of the law.
    """
    return d.weekday() < 5


@functools.lru_cache(maxsize=64)
def china_covers(year: int) -> bool:
    """Whether the installed ``chinese_calendar`` has the State Council holiday arrangement for
    ``year``. Asked of the package at run time, so upgrading it extends the coverage."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def china_uncovered(year: int) -> bool:
    """Whether ``year`` is provisional unless a notice is confirmed: the package lacks it."""
    return not china_covers(year)


@functools.lru_cache(maxsize=65536)
def china_statutory(d: date) -> bool:
    """Working day under the State Council's annual holiday notice, via ``chinese_calendar``.

    Includes make-up working days (调休): a Saturday or Sunday declared a working day is a working
    day. For a year ``chinese_calendar`` does not cover this is the provisional calendar of
    《全国年节及纪念日放假办法》 (:func:`~xinfang.deadlines.provisional.provisional_is_working_day`):
    the statutory holidays rest, nothing is assumed of 调休. Results are cached: deadline
    arithmetic calls this in tight loops.
    """
    if china_covers(d.year):
        return chinese_calendar.is_workday(d)
    return provisional_is_working_day(d)


def days_crossed(start: date, due: date) -> range:
    """The years of the days a count from ``start`` to ``due`` looked at: ``(start, due]``."""
    return range((start + _ONE_DAY).year, due.year + 1) if due > start else range(0)


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
    """A :class:`WorkCalendar`: a base rule, the confirmed notices, and admin-editable overrides.

    * ``overrides`` maps a date to ``True`` (declared working day) or ``False`` (declared rest
      day) and always wins: a local holiday, a correction.
    * ``confirmed_days`` are the days the confirmed State Council notices declare (rest or
      make-up working days), and ``confirmed_years`` the years those notices arrange: in such a
      year every other day follows :func:`weekday_rule`, whatever the base says.
    * ``base`` answers for every other day: ``chinese_calendar`` where it covers the year, the
      provisional calendar of the law elsewhere (:func:`china_statutory`).
    * ``provisional_year`` says which years the base only knows provisionally (by default the
      years ``chinese_calendar`` lacks); a confirmed year is never provisional.

    The instance is immutable and hashable (the mappings are copied into frozen ones), so it can
    be used as a cache key.
    """

    base: Callable[[date], bool] = china_statutory
    overrides: Mapping[date, bool] = field(default_factory=dict)
    confirmed_days: Mapping[date, bool] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()
    provisional_year: Callable[[int], bool] = china_uncovered

    def __post_init__(self) -> None:
        for name in ("overrides", "confirmed_days"):
            value = getattr(self, name)
            if not isinstance(value, _FrozenOverrides):
                object.__setattr__(self, name, _FrozenOverrides(value))
        if not isinstance(self.confirmed_years, frozenset):
            object.__setattr__(self, "confirmed_years", frozenset(self.confirmed_years))

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: the override for ``d`` if any, else the confirmed
        notice's word for it, else the weekday rule in a confirmed year, else ``base(d)``."""
        declared = self.overrides.get(d)
        if declared is not None:
            return declared
        declared = self.confirmed_days.get(d)
        if declared is not None:
            return declared
        if d.year in self.confirmed_years:
            return weekday_rule(d)
        return self.base(d)

    def is_provisional_year(self, year: int) -> bool:
        """Whether the days of ``year`` are provisional: no confirmed notice and a base that does
        not know the year's State Council arrangement."""
        return year not in self.confirmed_years and self.provisional_year(year)

    def provisional_years(self, start: date, due: date) -> tuple[int, ...]:
        """The provisional years among the days a count from ``start`` to ``due`` looked at
        (``(start, due]``): a deadline counted over them is provisional."""
        return tuple(y for y in days_crossed(start, due) if self.is_provisional_year(y))


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
