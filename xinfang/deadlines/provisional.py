"""The provisional calendar of a year the holiday package does not cover (pure: no Django).

Every year the State Council's General Office publishes its notice of the next year's holiday
arrangement (国务院办公厅关于某年部分节假日安排的通知), usually in November; ``chinese_calendar``
encodes each notice in a release some time after. For a year with no notice yet, the law itself
still fixes the statutory holidays: 《全国年节及纪念日放假办法》 as revised by the State Council on
2024-11-10, in force from 2025-01-01:

* Art. 2: the holidays of all citizens (全体公民放假的节日) are 元旦 1 day (1 January); 春节 4 days
  (农历除夕、正月初一至初三); 清明节 1 day (农历清明当日, the day of the 清明 solar term); 劳动节
  2 days (1 and 2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五); 国庆节 3 days
  (1 to 3 October).
* Art. 6: a holiday of all citizens that falls on a Saturday or Sunday is given back on a
  working day (应当在工作日补假).
* Art. 7: the notice may arrange the days around the holidays into longer breaks (调休), with
  weekends declared working days; that is the part only the notice can tell.

The provisional calendar is therefore: Saturdays and Sundays rest; every statutory day rests;
each statutory day that falls on a weekend, or on a day another festival already occupies (中秋
on 3 October 2028), is given back on the first weekday after that festival that is not already
a rest day (补假). It assumes no make-up working day on a weekend and no bridge day. Why these
are the choices that cost no petitioner a right is docs/decisions/0012-provisional-calendar.md.

Lunar dates and the 清明 solar term come from ``tyme4py`` (astronomical: the 寿星天文历 algorithm
with ΔT), checked against ``chinese_calendar``'s holidays for 2004–2026 in the tests.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

from tyme4py.lunar import LunarDay
from tyme4py.solar import SolarTerm

__all__ = [
    "BASIS",
    "FESTIVALS",
    "provisional_is_working_day",
    "provisional_rest_days",
    "statutory_days",
]

BASIS = "《全国年节及纪念日放假办法》（2024年11月10日修订，2025年1月1日起施行）第二条、第六条"


def _(text: str) -> str:  # marker for message extraction; pages translate (ADR 0004)
    return text


#: The festivals of Art. 2, in the order of the article (and of the State Council's notices).
FESTIVALS = (_("元旦"), _("春节"), _("清明节"), _("劳动节"), _("端午节"), _("中秋节"), _("国庆节"))
GIVEN_BACK = "（补假）"  # the suffix of a day given back under Art. 6

_ONE_DAY = timedelta(days=1)


def _solar(day: LunarDay) -> date:
    s = day.get_solar_day()
    return date(s.get_year(), s.get_month(), s.get_day())


@functools.lru_cache(maxsize=256)
def statutory_days(year: int) -> tuple[tuple[str, date], ...]:
    """The statutory holidays of Art. 2 falling in the Gregorian ``year``: (festival, day) pairs in
    the order of the article. 除夕 is the day before 正月初一, whether the twelfth lunar month has
    29 or 30 days."""
    new_year = _solar(LunarDay.from_ymd(year, 1, 1))  # 正月初一
    term = SolarTerm.from_name(year, "清明").get_solar_day()
    return (
        ("元旦", date(year, 1, 1)),
        *(("春节", new_year + timedelta(days=i)) for i in range(-1, 3)),  # 除夕、初一至初三
        ("清明节", date(term.get_year(), term.get_month(), term.get_day())),
        ("劳动节", date(year, 5, 1)),
        ("劳动节", date(year, 5, 2)),
        ("端午节", _solar(LunarDay.from_ymd(year, 5, 5))),
        ("中秋节", _solar(LunarDay.from_ymd(year, 8, 15))),
        *(("国庆节", date(year, 10, d)) for d in (1, 2, 3)),
    )


@functools.lru_cache(maxsize=256)
def provisional_rest_days(year: int) -> Mapping[date, str]:
    """Every weekday that rests in the provisional calendar of ``year``, with its reason: the
    festival's name, or "<festival>（补假）" for a day given back under Art. 6. Saturdays and
    Sundays rest too and are not listed."""
    rest: dict[date, str] = {}
    owed: dict[str, int] = {}
    last_day: dict[str, date] = {}
    taken: set[date] = set()
    for festival, day in statutory_days(year):
        if day.weekday() >= 5 or day in taken:
            owed[festival] = owed.get(festival, 0) + 1  # Art. 6: give it back on a working day
        else:
            rest[day] = festival
        taken.add(day)
        last_day[festival] = max(day, last_day.get(festival, day))
    for festival, n in owed.items():
        d = last_day[festival]
        while n:
            d += _ONE_DAY
            if d.weekday() < 5 and d not in taken:
                rest[d] = f"{festival}{GIVEN_BACK}"
                taken.add(d)
                n -= 1
    return MappingProxyType(dict(sorted(rest.items())))


def provisional_is_working_day(d: date) -> bool:
    """Whether ``d`` works in the provisional calendar of its year: a weekday that is neither a
    statutory holiday nor a day given back for one."""
    return d.weekday() < 5 and d not in provisional_rest_days(d.year)
