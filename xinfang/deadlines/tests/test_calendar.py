"""Working-day arithmetic against the State Council holiday notices (no Django, no database).

Holiday facts used below, as published in the State Council General Office's annual notices
(国务院办公厅关于…部分节假日安排的通知) and as encoded in chinesecalendar 1.11:

2024 Spring Festival  Feb 10 (Sat) – Feb 17 (Sat) off; Feb 4 (Sun) and Feb 18 (Sun) working.
2024 National Day     Oct 1 (Tue) – Oct 7 (Mon) off; Sep 29 (Sun) and Oct 12 (Sat) working.
2025 Spring Festival  Jan 28 (Tue) – Feb 4 (Tue) off; Jan 26 (Sun) and Feb 8 (Sat) working.
2025 National Day     Oct 1 (Wed) – Oct 8 (Wed) off (with Mid-Autumn); Sep 28 (Sun) and
                      Oct 11 (Sat) working.
2026 Spring Festival  Feb 15 (Sun) – Feb 23 (Mon) off, 9 days; Feb 14 (Sat) and Feb 28 (Sat)
                      working.
2026 Mid-Autumn       Sep 25 (Fri) – Sep 27 (Sun) off.
2026 National Day     Oct 1 (Thu) – Oct 7 (Wed) off; Sep 20 (Sun) and Oct 10 (Sat) working.

chinesecalendar 1.11 covers 2004–2026; other years use the provisional calendar of the law
(test_provisional.py), never a bare Monday–Friday rule.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import chinese_calendar
import pytest

from xinfang.deadlines.calendar import (
    HolidayCalendar,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    china_covers,
    china_statutory,
    next_working_day,
    weekday_rule,
    working_days_between,
)

D = date.fromisoformat
CHINA = HolidayCalendar()


def _days(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- The holiday facts themselves -------------------------------------------------------------

REST_DAYS = {
    "2024 Spring Festival": _days("2024-02-10", "2024-02-17"),
    "2024 National Day": _days("2024-10-01", "2024-10-07"),
    "2025 Spring Festival": _days("2025-01-28", "2025-02-04"),
    "2025 National Day": _days("2025-10-01", "2025-10-08"),
    "2026 Spring Festival": _days("2026-02-15", "2026-02-23"),
    "2026 Mid-Autumn": _days("2026-09-25", "2026-09-27"),
    "2026 National Day": _days("2026-10-01", "2026-10-07"),
}

MAKE_UP_WORKING_DAYS = {  # 调休: weekend days declared working days
    "2024 Spring Festival": [D("2024-02-04"), D("2024-02-18")],  # Sun, Sun
    "2024 National Day": [D("2024-09-29"), D("2024-10-12")],  # Sun, Sat
    "2025 Spring Festival": [D("2025-01-26"), D("2025-02-08")],  # Sun, Sat
    "2025 National Day": [D("2025-09-28"), D("2025-10-11")],  # Sun, Sat
    "2026 Spring Festival": [D("2026-02-14"), D("2026-02-28")],  # Sat, Sat
    "2026 National Day": [D("2026-09-20"), D("2026-10-10")],  # Sun, Sat
}


@pytest.mark.parametrize("holiday", REST_DAYS)
def test_every_day_of_the_holiday_is_a_rest_day_in_chinese_calendar_and_in_ours(holiday):
    for d in REST_DAYS[holiday]:
        assert chinese_calendar.is_workday(d) is False, d
        assert china_statutory(d) is False, d
        assert CHINA.is_working_day(d) is False, d


@pytest.mark.parametrize("holiday", MAKE_UP_WORKING_DAYS)
def test_the_make_up_weekend_days_are_working_days(holiday):
    for d in MAKE_UP_WORKING_DAYS[holiday]:
        assert d.weekday() >= 5, f"{d} should be a Saturday or Sunday"
        assert weekday_rule(d) is False
        assert chinese_calendar.is_workday(d) is True, d
        assert china_statutory(d) is True, d
        assert CHINA.is_working_day(d) is True, d


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("2024-02-09", "2024-02-18"),
        ("2024-09-30", "2024-10-08"),
        ("2025-01-27", "2025-02-05"),
        ("2025-09-30", "2025-10-09"),
        ("2026-02-14", "2026-02-24"),
        ("2026-09-30", "2026-10-08"),
    ],
)
def test_the_holidays_are_bounded_by_working_days(before, after):
    assert CHINA.is_working_day(D(before))
    assert CHINA.is_working_day(D(after))


def test_the_2026_national_day_has_seven_days_off_and_the_spring_festival_nine():
    assert len(REST_DAYS["2026 National Day"]) == 7
    assert len(REST_DAYS["2026 Spring Festival"]) == 9
    assert D("2026-10-08").weekday() == 3  # Thursday, back to work
    assert not CHINA.is_working_day(D("2026-10-11"))  # the Sunday after is an ordinary rest day


# --- Base rules ---------------------------------------------------------------------------------


def test_the_weekday_rule_works_monday_to_friday_and_rests_at_the_weekend():
    week = _days("2031-06-02", "2031-06-08")  # Monday .. Sunday
    assert [weekday_rule(d) for d in week] == [True] * 5 + [False] * 2


def test_chinese_calendar_covers_2004_to_2026_but_not_2003_or_2031():
    assert china_covers(2004)
    assert china_covers(2024)
    assert china_covers(2025)
    assert china_covers(2026)
    assert not china_covers(2003)
    assert not china_covers(2031)


def test_an_uncovered_year_rests_on_the_statutory_holidays_of_the_law_not_monday_to_friday():
    # 2031-10-01 is a Wednesday and also 中秋 (八月十五): National Day 1–3 October, and the 中秋
    # day that shares 1 October is given back on Monday 6 October (放假办法 Arts. 2, 6).
    assert not china_covers(2031)
    assert CHINA.is_provisional_year(2031)
    assert [china_statutory(D(f"2031-10-0{i}")) for i in range(1, 8)] == [
        False,
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    assert CHINA.is_working_day(D("2031-10-01")) is False
    assert not CHINA.is_provisional_year(2026)


def test_china_statutory_caches_its_lookups():
    china_statutory.cache_clear()
    china_statutory(D("2025-10-01"))
    china_statutory(D("2025-10-01"))
    info = china_statutory.cache_info()
    assert info.hits >= 1
    assert info.misses == 1


# --- Overrides ----------------------------------------------------------------------------------


def test_a_declared_extra_rest_day_wins_over_the_base():
    monday = D("2025-03-03")
    cal = HolidayCalendar(overrides={monday: False})
    assert CHINA.is_working_day(monday)
    assert not cal.is_working_day(monday)
    assert add_working_days(D("2025-02-28"), 1, cal) == D("2025-03-04")


def test_a_declared_working_day_wins_over_the_base():
    saturday = D("2025-03-01")
    cal = HolidayCalendar(overrides={saturday: True})
    assert not CHINA.is_working_day(saturday)
    assert cal.is_working_day(saturday)
    assert add_working_days(D("2025-02-28"), 1, cal) == saturday


def test_overrides_win_over_statutory_holidays_and_make_up_days_too():
    cal = HolidayCalendar(overrides={D("2025-10-01"): True, D("2024-10-12"): False})
    assert cal.is_working_day(D("2025-10-01"))
    assert not cal.is_working_day(D("2024-10-12"))
    # The 5th working day after 2024-09-30 is now Monday 2024-10-14, not the make-up Saturday.
    assert add_working_days(D("2024-09-30"), 5, cal) == D("2024-10-14")


def test_an_uncovered_year_uses_the_provisional_calendar_plus_overrides():
    # An admin enters National Day 2031 (Wed 1 – Tue 7 October) and a make-up Sunday 28 Sept.
    rows = {d: False for d in _days("2031-10-01", "2031-10-07")}
    rows[D("2031-09-28")] = True
    cal = HolidayCalendar(overrides=rows)
    assert cal.is_working_day(D("2031-09-28"))  # Sunday, declared working
    assert not cal.is_working_day(D("2031-10-01"))
    assert cal.is_working_day(D("2031-10-08"))  # Wednesday, weekday rule
    assert not cal.is_working_day(D("2031-10-11"))  # Saturday, weekday rule
    # 5 working days from Tue 30 Sept: Oct 8, 9, 10, 13, 14.
    assert add_working_days(D("2031-09-30"), 5, cal) == D("2031-10-14")
    assert add_calendar_days(D("2031-09-16"), 15, cal, roll_to_working_day=True) == D("2031-10-08")


def test_a_calendar_with_a_weekday_base_ignores_statutory_holidays():
    cal = HolidayCalendar(base=weekday_rule)
    assert cal.is_working_day(D("2025-10-01"))
    assert not cal.is_working_day(D("2025-10-11"))


# --- Immutability, equality, hashing ------------------------------------------------------------


def test_equal_calendars_are_equal_and_hash_alike_so_they_can_be_cached():
    a = HolidayCalendar(overrides={D("2025-03-03"): False, D("2025-03-01"): True})
    b = HolidayCalendar(overrides={D("2025-03-01"): True, D("2025-03-03"): False})
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert HolidayCalendar() == HolidayCalendar(overrides={})
    assert a != HolidayCalendar(overrides={D("2025-03-03"): True, D("2025-03-01"): True})
    assert a != HolidayCalendar(base=weekday_rule, overrides=dict(a.overrides))


def test_the_overrides_are_copied_so_later_changes_to_the_source_dict_do_not_leak_in():
    rows = {D("2025-03-03"): False}
    cal = HolidayCalendar(overrides=rows)
    rows[D("2025-03-03")] = True
    rows[D("2025-03-04")] = False
    assert not cal.is_working_day(D("2025-03-03"))
    assert cal.is_working_day(D("2025-03-04"))
    assert dict(cal.overrides) == {D("2025-03-03"): False}


def test_a_calendar_cannot_be_mutated():
    cal = HolidayCalendar(overrides={D("2025-03-03"): False})
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.overrides = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        cal.overrides[D("2025-03-04")] = False  # type: ignore[index]


def test_overrides_must_map_dates_to_bools():
    with pytest.raises(TypeError, match="datetime.date"):
        HolidayCalendar(overrides={"2025-03-03": False})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="bool"):
        HolidayCalendar(overrides={D("2025-03-03"): 0})  # type: ignore[dict-item]


def test_a_holiday_calendar_is_a_work_calendar_and_so_is_any_object_with_is_working_day():
    class EveryDay:
        def is_working_day(self, d: date) -> bool:
            return True

    assert isinstance(CHINA, WorkCalendar)
    assert isinstance(EveryDay(), WorkCalendar)
    assert add_working_days(D("2025-10-01"), 5, EveryDay()) == D("2025-10-06")


# --- next_working_day ----------------------------------------------------------------------------


def test_next_working_day_is_the_day_itself_when_it_is_a_working_day():
    assert next_working_day(D("2025-09-30"), CHINA) == D("2025-09-30")
    assert next_working_day(D("2025-10-11"), CHINA) == D("2025-10-11")  # make-up Saturday


def test_next_working_day_skips_the_whole_holiday():
    assert next_working_day(D("2025-10-01"), CHINA) == D("2025-10-09")
    assert next_working_day(D("2026-02-15"), CHINA) == D("2026-02-24")
    assert next_working_day(D("2024-02-10"), CHINA) == D("2024-02-18")  # make-up Sunday


def test_a_calendar_without_working_days_fails_loudly_instead_of_looping_forever():
    never = HolidayCalendar(base=lambda d: False)
    with pytest.raises(ValueError, match="no working day"):
        next_working_day(D("2025-01-01"), never)
    with pytest.raises(ValueError, match="no working day"):
        add_working_days(D("2025-01-01"), 1, never)


# --- add_working_days: 5 working days across each holiday ----------------------------------------


@pytest.mark.parametrize(
    ("start", "expected", "why"),
    [
        # 2024 Spring Festival (Feb 10–17 off; Feb 4 Sun and Feb 18 Sun working)
        ("2024-02-09", "2024-02-22", "eve (Fri): Feb 18 Sun, 19, 20, 21, 22"),
        ("2024-02-04", "2024-02-09", "make-up Sun not counted: Feb 5, 6, 7, 8, 9"),
        ("2024-02-03", "2024-02-08", "rest Sat: Feb 4 Sun (make-up), 5, 6, 7, 8"),
        # 2024 National Day (Oct 1–7 off; Sep 29 Sun and Oct 12 Sat working)
        ("2024-09-30", "2024-10-12", "eve (Mon): Oct 8, 9, 10, 11, 12 Sat"),
        ("2024-09-29", "2024-10-11", "make-up Sun not counted: Sep 30, Oct 8, 9, 10, 11"),
        ("2024-09-27", "2024-10-10", "Fri: Sep 29 Sun, 30, Oct 8, 9, 10"),
        ("2024-10-03", "2024-10-12", "inside the holiday: Oct 8, 9, 10, 11, 12 Sat"),
        # 2025 Spring Festival (Jan 28–Feb 4 off; Jan 26 Sun and Feb 8 Sat working)
        ("2025-01-27", "2025-02-10", "eve (Mon): Feb 5, 6, 7, 8 Sat, 10"),
        ("2025-01-26", "2025-02-08", "make-up Sun not counted: Jan 27, Feb 5, 6, 7, 8 Sat"),
        ("2025-02-08", "2025-02-14", "make-up Sat not counted: Feb 10, 11, 12, 13, 14"),
        # 2025 National Day (Oct 1–8 off; Sep 28 Sun and Oct 11 Sat working)
        ("2025-09-30", "2025-10-14", "eve (Tue): Oct 9, 10, 11 Sat, 13, 14"),
        ("2025-09-28", "2025-10-11", "make-up Sun not counted: Sep 29, 30, Oct 9, 10, 11 Sat"),
        ("2025-10-11", "2025-10-17", "make-up Sat not counted: Oct 13, 14, 15, 16, 17"),
        # 2026 Spring Festival (Feb 15–23 off; Feb 14 Sat and Feb 28 Sat working)
        ("2026-02-13", "2026-02-27", "Fri: Feb 14 Sat, 24, 25, 26, 27"),
        ("2026-02-14", "2026-02-28", "eve, make-up Sat not counted: Feb 24, 25, 26, 27, 28 Sat"),
        # 2026 National Day (Oct 1–7 off; Sep 20 Sun and Oct 10 Sat working; Sep 25–27 off)
        ("2026-09-30", "2026-10-13", "eve (Wed): Oct 8, 9, 10 Sat, 12, 13"),
        ("2026-09-20", "2026-09-28", "make-up Sun not counted: Sep 21, 22, 23, 24, 28"),
        ("2026-10-10", "2026-10-16", "make-up Sat not counted: Oct 12, 13, 14, 15, 16"),
    ],
)
def test_five_working_days_across_a_holiday_skip_rest_days_and_count_make_up_days(
    start, expected, why
):
    assert add_working_days(D(start), 5, CHINA) == D(expected), why


def test_the_start_day_is_never_counted_even_when_it_is_a_working_day():
    assert CHINA.is_working_day(D("2025-03-03"))  # Monday
    assert add_working_days(D("2025-03-03"), 1, CHINA) == D("2025-03-04")


def test_one_working_day_after_a_friday_is_the_monday():
    assert add_working_days(D("2025-03-07"), 1, CHINA) == D("2025-03-10")


def test_add_working_days_agrees_with_chinese_calendar_over_three_years():
    start = D("2024-01-01")
    for offset in range(0, 3 * 365, 7):
        s = start + timedelta(days=offset)
        if s.year > 2026:
            break
        for n in (1, 5, 15):
            due = add_working_days(s, n, CHINA)
            assert CHINA.is_working_day(due)
            if due.year <= 2026:
                assert len(chinese_calendar.get_workdays(s + timedelta(days=1), due)) == n


# --- add_calendar_days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "rolled", "unrolled"),
    [
        ("2024-09-18", 15, "2024-10-08", "2024-10-03"),  # 2024 National Day
        ("2024-01-26", 15, "2024-02-18", "2024-02-10"),  # 2024 Spring Festival -> make-up Sun
        ("2025-01-13", 15, "2025-02-05", "2025-01-28"),  # 2025 Spring Festival
        ("2025-09-02", 30, "2025-10-09", "2025-10-02"),  # 2025 National Day
        ("2026-01-31", 15, "2026-02-24", "2026-02-15"),  # 2026 Spring Festival
        ("2026-09-16", 15, "2026-10-08", "2026-10-01"),  # 2026 National Day
    ],
)
def test_a_fifteen_or_thirty_day_limit_ending_in_a_holiday_rolls_to_the_first_working_day(
    start, days, rolled, unrolled
):
    assert add_calendar_days(D(start), days, CHINA, roll_to_working_day=True) == D(rolled)
    assert add_calendar_days(D(start), days, CHINA, roll_to_working_day=False) == D(unrolled)


def test_a_fifteen_day_limit_ending_on_national_day_rolls_to_the_first_working_day():
    # Received Wed 2024-09-18; day 15 is Thu 2024-10-03, inside Oct 1–7; first working day Oct 8.
    assert add_calendar_days(D("2024-09-18"), 15, CHINA, roll_to_working_day=True) == D(
        "2024-10-08"
    )


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        ("2024-09-27", "2024-10-12"),  # Sat, make-up
        ("2025-09-26", "2025-10-11"),  # Sat, make-up
        ("2026-02-13", "2026-02-28"),  # Sat, make-up
        ("2026-09-25", "2026-10-10"),  # Sat, make-up
    ],
)
def test_a_last_day_on_a_make_up_saturday_does_not_roll(start, last_day):
    assert D(last_day).weekday() == 5
    assert add_calendar_days(D(start), 15, CHINA, roll_to_working_day=True) == D(last_day)


def test_a_last_day_on_an_ordinary_saturday_rolls_to_monday():
    assert add_calendar_days(D("2025-02-14"), 15, CHINA, roll_to_working_day=True) == D(
        "2025-03-03"
    )
    assert add_calendar_days(D("2025-02-14"), 15, CHINA, roll_to_working_day=False) == D(
        "2025-03-01"
    )


def test_the_start_day_of_a_calendar_day_limit_is_not_counted():
    assert add_calendar_days(D("2025-03-01"), 15, CHINA, roll_to_working_day=False) == D(
        "2025-03-16"
    )


def test_zero_calendar_days_is_the_start_day_rolled_if_asked():
    assert add_calendar_days(D("2025-10-01"), 0, CHINA, roll_to_working_day=False) == D(
        "2025-10-01"
    )
    assert add_calendar_days(D("2025-10-01"), 0, CHINA, roll_to_working_day=True) == D("2025-10-09")


def test_in_an_uncovered_year_a_limit_ending_in_national_day_rolls_past_the_days_given_back():
    # 2031-09-20 + 15 = Sun 2031-10-05; Mon 6 October is given back for 中秋 on 1 October, so the
    # limit ends on Tue 7 October (a Monday–Friday rule would have said Mon 6 October).
    assert add_calendar_days(D("2031-09-20"), 15, CHINA, roll_to_working_day=True) == D(
        "2031-10-07"
    )


# --- working_days_between ---------------------------------------------------------------------------


def test_working_days_between_counts_the_end_but_not_the_start():
    # (Mon 3 Mar, Fri 7 Mar 2025] = Tue, Wed, Thu, Fri.
    assert working_days_between(D("2025-03-03"), D("2025-03-07"), CHINA) == 4
    assert working_days_between(D("2025-03-03"), D("2025-03-03"), CHINA) == 0


def test_working_days_between_skips_the_holiday_and_counts_the_make_up_days():
    # (Sep 26, Oct 12 2025]: Sep 28 Sun, 29, 30, Oct 9, 10, 11 Sat = 6.
    assert working_days_between(D("2025-09-26"), D("2025-10-12"), CHINA) == 6


def test_working_days_between_inverts_add_working_days():
    for offset in range(0, 365 * 3, 5):
        s = D("2024-01-01") + timedelta(days=offset)
        for n in (1, 3, 5, 10):
            assert working_days_between(s, add_working_days(s, n, CHINA), CHINA) == n


def test_working_days_between_rejects_an_end_before_the_start():
    with pytest.raises(ValueError, match="before start"):
        working_days_between(D("2025-03-07"), D("2025-03-03"), CHINA)


# --- Invalid input ---------------------------------------------------------------------------------


def test_negative_calendar_days_raise_value_error():
    with pytest.raises(ValueError, match="must not be negative"):
        add_calendar_days(D("2025-03-03"), -1, CHINA, roll_to_working_day=True)


def test_negative_working_days_raise_value_error():
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(D("2025-03-03"), -1, CHINA)


def test_zero_working_days_raise_value_error():
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(D("2025-03-03"), 0, CHINA)


def test_non_integer_days_raise_type_error():
    with pytest.raises(TypeError):
        add_working_days(D("2025-03-03"), 1.5, CHINA)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_calendar_days(D("2025-03-03"), True, CHINA, roll_to_working_day=True)
