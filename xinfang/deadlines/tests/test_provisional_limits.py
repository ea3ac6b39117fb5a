"""Every limit T1–T10 across New Year's Day, the Spring Festival and National Day of 2027 and
2028, years chinese_calendar 1.11 does not cover (no Django, no database).

The provisional calendar (ADR 0012; test_provisional.py) rests on the statutory holidays of
《全国年节及纪念日放假办法》 Art. 2 and gives back on the next weekdays those that fall on a weekend
(Art. 6). Its rest blocks, weekends included:

2027 New Year's Day  Fri 1 – Sun 3 January            first working day Mon 4 January
2027 Spring Festival Fri 5 – Wed 10 February          (除夕 Fri 5; 初一, 初二 on the weekend,
                                                       given back Tue 9 and Wed 10) → Thu 11
2027 National Day    Fri 1 – Tue 5 October            (2, 3 October a weekend) → Wed 6
2028 New Year's Day  Sat 1 – Mon 3 January            (given back Mon 3) → Tue 4
2028 Spring Festival Tue 25 – Sun 30 January          (除夕–初三 Tue–Fri) → Mon 31
2028 National Day    Sun 1 – Thu 5 October            (1 October a Sunday and 中秋 on 3 October,
                                                       given back Wed 4 and Thu 5) → Fri 6

A Monday–Friday rule (what the code did before) ends every one of these limits on a holiday.

Each limit is started by the event that starts it (tracker.py), on the day that makes its last
counted day the first rest day of the block; the due date is the first working day after the
block, and the deadline is provisional. T4, in working days, starts on the last working day
before the block and skips the block's rest days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from xinfang.deadlines.calendar import HolidayCalendar, add_working_days, weekday_rule
from xinfang.deadlines.statutes import STATUTES, Unit, due_date
from xinfang.deadlines.tracker import EventFact, Facts, track

D = date.fromisoformat
CHINA = HolidayCalendar()
WEEKDAYS_ONLY = HolidayCalendar(base=weekday_rule)
ORGAN = 7

# (name, first rest day, first working day after, last working day before)
HOLIDAYS = [
    ("2027 New Year's Day", "2027-01-01", "2027-01-04", "2026-12-31"),
    ("2027 Spring Festival", "2027-02-05", "2027-02-11", "2027-02-04"),
    ("2027 National Day", "2027-10-01", "2027-10-06", "2027-09-30"),
    ("2028 New Year's Day", "2028-01-01", "2028-01-04", "2027-12-31"),
    ("2028 Spring Festival", "2028-01-25", "2028-01-31", "2028-01-24"),
    ("2028 National Day", "2028-10-01", "2028-10-06", "2028-09-29"),
]

# T4, 5 working days from the last working day before each block.
T4_DUE = {
    "2027 New Year's Day": "2027-01-08",  # Jan 4, 5, 6, 7, 8
    "2027 Spring Festival": "2027-02-17",  # Feb 11, 12, 15, 16, 17
    "2027 National Day": "2027-10-12",  # Oct 6, 7, 8, 11, 12
    "2028 New Year's Day": "2028-01-10",  # Jan 4, 5, 6, 7, 10
    "2028 Spring Festival": "2028-02-04",  # Jan 31, Feb 1, 2, 3, 4
    "2028 National Day": "2028-10-12",  # Oct 6, 9, 10, 11, 12
}

T5_DAYS = 20  # the report date an assigning office sets: 20 days after assigning


def _start_events(code: str, on: date) -> tuple[Facts, list[EventFact]]:
    """The event that starts ``code`` on ``on`` (and the petition facts it needs)."""
    at_po, at_co = Facts(received_at_petition_office=True), Facts(received_at_petition_office=False)
    route6 = Facts(received_at_petition_office=False, route6=True)
    one = {
        "T1": (at_po, EventFact("receive", on, ORGAN)),
        "T2": (at_co, EventFact("receive", on, ORGAN)),
        "T3": (at_po, EventFact("transfer", on, ORGAN)),
        "T4": (at_po, EventFact("transfer", on, ORGAN)),
        "T5": (at_po, EventFact("assign", on, ORGAN, {"report_due": on + timedelta(T5_DAYS)})),
        "T6": (route6, EventFact("acknowledge", on, ORGAN)),
        "T7": (route6, EventFact("record_delivery", on, ORGAN, {"document": "opinion"})),
        "T8": (route6, EventFact("request_review", on, ORGAN)),
        "T9": (route6, EventFact("record_delivery", on, ORGAN, {"document": "review_opinion"})),
        "T10": (route6, EventFact("request_re_review", on, ORGAN)),
    }[code]
    return one[0], [one[1]]


def _fold(code: str, on: date, cal: HolidayCalendar = CHINA):
    facts, events = _start_events(code, on)
    (found,) = [d for d in track(events, facts, cal) if d.code == code]
    return found


def _length(code: str) -> int:
    return T5_DAYS if code == "T5" else STATUTES[code].days  # type: ignore[return-value]


CALENDAR_DAY_LIMITS = ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9", "T10"]


#: Limits the law counts, whose last day rolls past a rest day; T5's date is set by the
#: assigning office and kept as set (Art. 22(3); issue 10 §2 item 7).
ROLLED_LIMITS = [c for c in CALENDAR_DAY_LIMITS if c != "T5"]


@pytest.mark.parametrize(("name", "first_rest", "_after", "_before"), HOLIDAYS)
def test_a_report_date_the_office_set_on_a_provisional_holiday_stays_as_set(
    name, first_rest, _after, _before
):
    start = D(first_rest) - timedelta(days=T5_DAYS)
    assert _fold("T5", start).due == D(first_rest), name


@pytest.mark.parametrize(("name", "first_rest", "after", "_before"), HOLIDAYS)
@pytest.mark.parametrize("code", ROLLED_LIMITS)
def test_a_limit_whose_last_day_is_a_provisional_holiday_ends_after_the_holiday(
    code, name, first_rest, after, _before
):
    start = D(first_rest) - timedelta(days=_length(code))
    d = _fold(code, start)
    assert (d.start, d.due) == (start, D(after)), name
    assert d.provisional and D(first_rest).year in d.provisional_years
    # Counted Monday to Friday, the limit would have ended on the holiday itself (or the
    # Monday of a weekend): the fault of issue 10.
    assert _fold(code, start, WEEKDAYS_ONLY).due < D(after)


@pytest.mark.parametrize(("name", "_first_rest", "_after", "before"), HOLIDAYS)
def test_five_working_days_to_object_skip_the_provisional_holiday(
    name, _first_rest, _after, before
):
    d = _fold("T4", D(before))
    assert STATUTES["T4"].unit == Unit.WORKING_DAYS
    assert d.due == D(T4_DUE[name])
    assert d.provisional
    assert add_working_days(D(before), 5, WEEKDAYS_ONLY) < d.due


def test_t1a_the_per_level_share_rolls_past_the_provisional_spring_festival_too():
    # T1a (3 days, informational, never started by an event) through the statute table.
    assert due_date(STATUTES["T1a"], D("2027-02-02"), CHINA) == D("2027-02-11")


@pytest.mark.parametrize("code", [*CALENDAR_DAY_LIMITS, "T4"])
def test_a_limit_counted_only_over_covered_days_is_not_provisional(code):
    d = _fold(code, D("2026-03-02"))
    assert d.due.year == 2026
    assert not d.provisional and d.provisional_years == ()


def test_once_2027_is_confirmed_the_same_limits_follow_the_notice_and_are_not_provisional():
    # A notice that rests 5–12 February 2027 with a make-up Saturday on 20 February.
    notice = {D("2027-02-05") + timedelta(days=i): False for i in range(8)}
    notice[D("2027-02-20")] = True
    cal = HolidayCalendar(confirmed_days=notice, confirmed_years=frozenset({2027}))
    t7 = _fold("T7", D("2027-01-06"), cal)  # day 30 is Friday 5 February
    assert (t7.due, t7.provisional) == (D("2027-02-15"), False)
    t4 = _fold("T4", D("2027-02-04"), cal)
    assert t4.due == D("2027-02-19")  # Feb 15, 16, 17, 18, 19
    # 2028 is still provisional: a count that reaches it says so.
    assert _fold("T6", D("2027-12-01"), cal).provisional_years == (2028,)
