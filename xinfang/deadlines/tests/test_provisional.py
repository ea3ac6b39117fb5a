"""The provisional calendar of a year chinese_calendar does not cover (no Django, no database).

《全国年节及纪念日放假办法》 (revised 2024-11-10, in force 2025-01-01) Art. 2 fixes the holidays of
all citizens; Art. 6 gives back a holiday that falls on a weekend on a working day. The lunar
dates and the 清明 solar term come from tyme4py; the first tests check that library against the
holidays chinese_calendar 1.11 knows for 2004–2026 (the law changed in 2008, 2014 and 2025, so
each festival is checked from the year it became a holiday of all citizens).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import Holiday

from xinfang.deadlines.calendar import HolidayCalendar, china_covers, china_statutory
from xinfang.deadlines.provisional import (
    FESTIVALS,
    provisional_is_working_day,
    provisional_rest_days,
    statutory_days,
)

D = date.fromisoformat
CHINA = HolidayCalendar()
KNOWN = range(2004, 2027)  # the years chinese_calendar 1.11 covers


def _days(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _named(y: int, festival: str) -> list[date]:
    return [d for f, d in statutory_days(y) if f == festival]


# --- tyme4py against chinese_calendar's known holidays, 2004–2026 ------------------------------


def _rest_named(d: date, *names: Holiday) -> bool:
    """A rest day in chinese_calendar and, where the package names it, one of ``names``."""
    is_holiday, name = chinese_calendar.get_holiday_detail(d)
    return is_holiday and (name is None or name in {n.value for n in names})


@pytest.mark.parametrize("year", KNOWN)
def test_the_lunar_new_year_is_a_spring_festival_rest_day_in_every_known_year(year):
    first = _named(year, "春节")[1]  # 正月初一
    assert chinese_calendar.get_holiday_detail(first) == (True, Holiday.spring_festival.value)
    # 初二 and 初三 have rested since 2008 (初一–初三 from 2014, 除夕–初二 in 2008–2013).
    for d in _named(year, "春节")[1:3]:
        assert _rest_named(d, Holiday.spring_festival), d


@pytest.mark.parametrize("year", range(2014, 2027))
def test_the_third_day_of_the_lunar_year_rests_since_2014(year):
    assert _rest_named(_named(year, "春节")[3], Holiday.spring_festival)


@pytest.mark.parametrize("year", [*range(2008, 2014), 2025, 2026])
def test_new_years_eve_rested_in_2008_to_2013_and_rests_again_since_2025(year):
    assert _rest_named(_named(year, "春节")[0], Holiday.spring_festival)


@pytest.mark.parametrize("year", range(2008, 2027))
def test_qingming_dragon_boat_and_mid_autumn_fall_on_rest_days_of_their_name(year):
    (qingming,) = _named(year, "清明节")
    (dragon_boat,) = _named(year, "端午节")
    (mid_autumn,) = _named(year, "中秋节")
    assert chinese_calendar.get_holiday_detail(qingming) == (True, Holiday.tomb_sweeping_day.value)
    # chinese_calendar leaves Saturday 2012-06-23 (端午) unnamed, a weekend rest day all the same.
    assert _rest_named(dragon_boat, Holiday.dragon_boat_festival)
    # 中秋 2020 was 1 October, named National Day by the package.
    assert _rest_named(mid_autumn, Holiday.mid_autumn_festival, Holiday.national_day)


def test_qingming_agrees_with_chinese_calendars_solar_term_formula_until_2099():
    formula = {
        d.year: d
        for d, name in chinese_calendar.get_solar_terms(D("2004-01-01"), D("2099-12-31"))
        if name == "清明"
    }
    assert len(formula) == 96
    assert {y: _named(y, "清明节")[0] for y in formula} == formula


@pytest.mark.parametrize("year", [2025, 2026])
def test_under_the_law_in_force_every_statutory_day_rests_in_the_real_calendar(year):
    assert china_covers(year)
    for festival, d in statutory_days(year):
        assert not chinese_calendar.is_workday(d), (festival, d)


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_provisional_rest_day_rests_in_the_real_calendar_of_2025_and_2026(year):
    # The days given back under Art. 6 were given back on exactly these days both years.
    for d, why in provisional_rest_days(year).items():
        assert not chinese_calendar.is_workday(d), (d, why)


# --- The provisional years the tests of every limit use -----------------------------------------


def test_2027_rests_on_the_statutory_days_and_gives_back_the_weekend_ones():
    assert not china_covers(2027)
    assert dict(provisional_rest_days(2027)) == {
        D("2027-01-01"): "元旦",  # Friday
        D("2027-02-05"): "春节",  # 除夕, Friday; 初一 and 初二 fall on the weekend
        D("2027-02-08"): "春节",  # 初三, Monday
        D("2027-02-09"): "春节（补假）",
        D("2027-02-10"): "春节（补假）",
        D("2027-04-05"): "清明节",
        D("2027-05-03"): "劳动节（补假）",  # 1 and 2 May are a Saturday and a Sunday
        D("2027-05-04"): "劳动节（补假）",
        D("2027-06-09"): "端午节",
        D("2027-09-15"): "中秋节",
        D("2027-10-01"): "国庆节",  # Friday; 2 and 3 October are a weekend
        D("2027-10-04"): "国庆节（补假）",
        D("2027-10-05"): "国庆节（补假）",
    }


def test_2028_gives_back_new_years_day_on_a_saturday_and_mid_autumn_on_national_day():
    rest = provisional_rest_days(2028)
    assert rest[D("2028-01-03")] == "元旦（补假）"  # 1 January 2028 is a Saturday
    assert [d for d in _days("2028-01-25", "2028-01-28")] == [
        d for d in rest if D("2028-01-01") < d < D("2028-02-01") and rest[d] == "春节"
    ]  # 除夕 Tue 25 – 初三 Fri 28 January: all weekdays, nothing to give back
    # 中秋 is 3 October 2028, a National Day already: both are holidays, so a second day is given
    # back besides the one for Sunday 1 October.
    assert _named(2028, "中秋节") == [D("2028-10-03")]
    assert [rest.get(d) for d in _days("2028-10-02", "2028-10-06")] == [
        "国庆节",
        "中秋节",
        "国庆节（补假）",
        "国庆节（补假）",
        None,
    ]


def test_the_provisional_calendar_assumes_no_make_up_working_day_on_a_weekend():
    for d in _days("2027-01-01", "2028-12-31"):
        if d.weekday() >= 5:
            assert not provisional_is_working_day(d), d
            assert not CHINA.is_working_day(d), d


def test_every_festival_of_article_2_has_its_days_in_every_provisional_year():
    for year in range(2027, 2101):
        festivals = [f for f, _d in statutory_days(year)]
        assert festivals == [
            "元旦",
            *["春节"] * 4,
            "清明节",
            "劳动节",
            "劳动节",
            "端午节",
            "中秋节",
            "国庆节",
            "国庆节",
            "国庆节",
        ]
        assert set(festivals) == set(FESTIVALS)
        rest = provisional_rest_days(year)
        for _f, d in statutory_days(year):
            assert d.weekday() >= 5 or d in rest
        # Art. 6: each statutory day that falls on a weekend, or on a day an earlier festival
        # already holds, is given back on a weekday.
        days = [d for _f, d in statutory_days(year)]
        lost = sum(1 for i, d in enumerate(days) if d.weekday() >= 5 or d in days[:i])
        assert sum(1 for why in rest.values() if why.endswith("（补假）")) == lost


def test_an_uncovered_year_is_counted_on_the_provisional_calendar_and_says_so():
    assert china_statutory(D("2027-02-09")) is False  # a day given back for the Spring Festival
    assert china_statutory(D("2027-02-11")) is True
    assert CHINA.is_provisional_year(2027) and CHINA.is_provisional_year(2028)
    assert CHINA.provisional_years(D("2026-12-20"), D("2027-01-19")) == (2027,)
    assert CHINA.provisional_years(D("2026-11-01"), D("2026-12-01")) == ()
    assert CHINA.provisional_years(D("2026-12-31"), D("2026-12-31")) == ()


def test_a_confirmed_year_is_counted_on_its_notice_and_is_no_longer_provisional():
    notice = {D("2027-02-11"): False, D("2027-02-12"): False, D("2027-01-31"): True}
    cal = HolidayCalendar(confirmed_days=notice, confirmed_years=frozenset({2027}))
    assert not cal.is_provisional_year(2027)
    assert cal.is_provisional_year(2028)
    assert cal.is_working_day(D("2027-01-31"))  # a make-up Sunday
    assert not cal.is_working_day(D("2027-02-12"))
    # Outside the days it declares, a confirmed year follows the weekday rule: the provisional
    # day given back on 9 February is a working day unless the notice says otherwise.
    assert cal.is_working_day(D("2027-02-09"))
    assert cal.provisional_years(D("2026-12-20"), D("2027-01-19")) == ()
    # An override still wins over the notice.
    local = HolidayCalendar(
        overrides={D("2027-01-31"): False}, confirmed_days=notice, confirmed_years={2027}
    )
    assert not local.is_working_day(D("2027-01-31"))
