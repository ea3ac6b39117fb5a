"""The statutory time-limit table T1–T10 (regulation.md §5.1), due dates and statuses.

Holiday facts used (State Council notices, as in chinesecalendar 1.11): 2024 National Day Oct 1–7
off, Oct 12 (Sat) working; 2025 National Day Oct 1–8 off, Oct 11 (Sat) working; 2026 Spring
Festival Feb 15–23 off, Feb 14 and Feb 28 (Sat) working; 2026 National Day Oct 1–7 off, Oct 10
(Sat) working.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest

from xinfang.deadlines.calendar import HolidayCalendar, add_working_days
from xinfang.deadlines.statutes import (
    STATUTES,
    Kind,
    Owner,
    Status,
    Statute,
    Unit,
    due_date,
    status_on,
    statute,
)

D = date.fromisoformat
CHINA = HolidayCalendar()
ALL = list(STATUTES.values())
R22_ARTICLE = re.compile(r"《信访工作条例》第[一二三四五六七八九十]+条")
R05_ARTICLE = re.compile(r"《信访条例》（2005）第[一二三四五六七八九十]+条")


def _ids(st: Statute) -> str:
    return st.code


def _days_for(st: Statute) -> int | None:
    """T5 has no fixed period; use 10 days as the assigning body's choice."""
    return 10 if st.days is None else None


# --- The table --------------------------------------------------------------------------------------


def test_the_table_holds_t1_to_t10_in_order():
    assert list(STATUTES) == ["T1", "T1a", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10"]


def test_the_table_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        STATUTES["T1"] = STATUTES["T2"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        STATUTES["T1"].days = 30  # type: ignore[misc]


@pytest.mark.parametrize("st", ALL, ids=_ids)
def test_every_statute_cites_an_article_of_the_2022_regulation(st):
    assert R22_ARTICLE.search(st.basis), st.basis


@pytest.mark.parametrize("st", ALL, ids=_ids)
def test_every_statute_is_keyed_by_its_own_code_and_fully_described(st):
    assert STATUTES[st.code] is st
    assert statute(st.code) is st
    assert st.step and st.step_en and st.starts
    assert isinstance(st.unit, Unit)
    assert isinstance(st.kind, Kind)
    assert isinstance(st.owner, Owner)


@pytest.mark.parametrize("st", ALL, ids=_ids)
def test_every_statute_has_a_sane_period(st):
    if st.code == "T5":
        assert st.days is None
    else:
        assert isinstance(st.days, int)
        assert 1 <= st.days <= 60
    assert st.unit == (Unit.WORKING_DAYS if st.code == "T4" else Unit.CALENDAR_DAYS)
    assert st.max_extension_days == (30 if st.code == "T6" else 0)
    assert st.pausable is (st.code == "T10")


@pytest.mark.parametrize("code", ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9", "T10"])
def test_the_2005_regulation_equivalent_is_cited_where_the_table_gives_one(code):
    assert R05_ARTICLE.search(STATUTES[code].basis), STATUTES[code].basis


@pytest.mark.parametrize(
    ("code", "days", "unit", "kind", "owner", "article"),
    [
        ("T1", 15, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.PETITION_OFFICE, "第二十二条"),
        ("T1a", 3, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.PETITION_OFFICE, "第二十二条"),
        ("T2", 15, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.RECEIVING_ORGAN, "第二十三条第二款"),
        ("T3", 15, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.RECEIVING_ORGAN, "第二十三条第三款"),
        ("T4", 5, Unit.WORKING_DAYS, Kind.WINDOW, Owner.RECEIVING_ORGAN, "第二十三条第三款"),
        ("T5", None, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.COMPETENT_ORGAN, "第二十二条"),
        ("T6", 60, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.COMPETENT_ORGAN, "第三十四条"),
        ("T7", 30, Unit.CALENDAR_DAYS, Kind.WINDOW, Owner.PETITIONER, "第三十五条"),
        ("T8", 30, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.REVIEW_ORGAN, "第三十五条"),
        ("T9", 30, Unit.CALENDAR_DAYS, Kind.WINDOW, Owner.PETITIONER, "第三十六条"),
        ("T10", 30, Unit.CALENDAR_DAYS, Kind.DUTY, Owner.RE_REVIEW_ORGAN, "第三十六条"),
    ],
)
def test_each_row_matches_regulation_section_5_1(code, days, unit, kind, owner, article):
    st = STATUTES[code]
    assert (st.days, st.unit, st.kind, st.owner) == (days, unit, kind, owner)
    assert f"《信访工作条例》{article}" in st.basis


def test_t1a_records_the_per_level_split_and_its_secondary_source():
    t1a = STATUTES["T1a"]
    assert "国信发〔2014〕16号" in t1a.basis
    for fragment in ("State Bureau 5", "province 3", "city 3", "county 4", "never past"):
        assert fragment in t1a.notes


def test_t2_records_the_exemption_for_an_unclear_name_or_address():
    assert "name or address is unclear" in STATUTES["T2"].notes


def test_t6_starts_on_acceptance_and_may_be_extended_by_thirty_days_with_reasons():
    t6 = STATUTES["T6"]
    assert t6.starts == "受理之日"
    assert t6.max_extension_days == 30
    assert "organ's head" in t6.notes and "reason" in t6.notes


def test_t10_does_not_count_hearing_time():
    assert STATUTES["T10"].pausable
    assert "听证" in STATUTES["T10"].notes


def test_an_unknown_code_raises_key_error_naming_the_known_codes():
    with pytest.raises(KeyError, match=r"unknown statute code 'T99'.*T1, T1a, T2"):
        statute("T99")


# --- due_date for every row -------------------------------------------------------------------------


@pytest.mark.parametrize("st", ALL, ids=_ids)
@pytest.mark.parametrize("start", ["2024-09-18", "2025-01-20", "2025-09-26", "2026-02-05"])
def test_due_date_works_for_every_statute(st, start):
    s = D(start)
    days = _days_for(st)
    n = st.days if days is None else days
    rolled = due_date(st, s, CHINA, days=days)
    assert rolled > s
    if st.days is None:  # a date a person set (T5) is kept as set, rest day or not
        assert rolled == s + timedelta(days=n)
        return
    assert CHINA.is_working_day(rolled)
    if st.unit == Unit.CALENDAR_DAYS:
        unrolled = due_date(st, s, CHINA, days=days, roll_to_working_day=False)
        assert unrolled == s + timedelta(days=n)
        assert rolled >= unrolled
    else:
        assert rolled == add_working_days(s, n, CHINA)


@pytest.mark.parametrize("st", ALL, ids=_ids)
def test_extension_beyond_the_maximum_is_refused(st):
    with pytest.raises(ValueError, match="extension"):
        due_date(st, D("2025-03-03"), CHINA, days=_days_for(st), extension_days=31)
    with pytest.raises(ValueError, match="extension"):
        due_date(st, D("2025-03-03"), CHINA, days=_days_for(st), extension_days=-1)


@pytest.mark.parametrize("st", [s for s in ALL if s.max_extension_days == 0], ids=_ids)
def test_a_statute_without_extension_refuses_even_one_day(st):
    with pytest.raises(ValueError, match="allows no extension"):
        due_date(st, D("2025-03-03"), CHINA, days=_days_for(st), extension_days=1)


@pytest.mark.parametrize("st", [s for s in ALL if not s.pausable], ids=_ids)
def test_pausing_a_non_pausable_statute_is_refused(st):
    with pytest.raises(ValueError, match="cannot be paused"):
        due_date(st, D("2025-03-03"), CHINA, days=_days_for(st), paused_days=1)


def test_t5_without_days_is_refused():
    with pytest.raises(ValueError, match="pass days="):
        due_date(STATUTES["T5"], D("2025-03-03"), CHINA)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        due_date(STATUTES["T1"], D("2025-03-03"), CHINA, days=-1)
    with pytest.raises(ValueError, match="must not be negative"):
        due_date(STATUTES["T5"], D("2025-03-03"), CHINA, days=-5)


def test_negative_paused_days_are_refused():
    with pytest.raises(ValueError, match="paused_days must not be negative"):
        due_date(STATUTES["T10"], D("2025-03-03"), CHINA, paused_days=-1)


# --- due_date examples with real holidays ------------------------------------------------------------


def test_a_fifteen_day_registration_limit_ending_on_national_day_rolls_to_the_first_working_day():
    # T1: received Wed 2024-09-18; day 15 is Thu 2024-10-03 (Oct 1–7 off) -> Tue 2024-10-08.
    t1 = STATUTES["T1"]
    assert due_date(t1, D("2024-09-18"), CHINA) == D("2024-10-08")
    assert due_date(t1, D("2024-09-18"), CHINA, roll_to_working_day=False) == D("2024-10-03")


def test_the_objection_window_counts_five_working_days_from_the_eve_of_national_day():
    # T4: received Mon 2024-09-30: Oct 8, 9, 10, 11, 12 (make-up Sat) -> 2024-10-12.
    t4 = STATUTES["T4"]
    assert due_date(t4, D("2024-09-30"), CHINA) == D("2024-10-12")
    assert due_date(t4, D("2024-09-30"), CHINA, roll_to_working_day=False) == D("2024-10-12")


def test_the_sixty_day_handling_limit_and_its_thirty_day_extension_both_roll_past_national_day():
    t6 = STATUTES["T6"]
    # Accepted 2025-08-03: day 60 is Thu 2025-10-02 (Oct 1–8 off) -> Thu 2025-10-09.
    assert due_date(t6, D("2025-08-03"), CHINA) == D("2025-10-09")
    # Accepted 2025-07-03: day 60 + 30 is Wed 2025-10-01 -> Thu 2025-10-09.
    assert due_date(t6, D("2025-07-03"), CHINA, extension_days=30) == D("2025-10-09")
    assert due_date(t6, D("2025-07-03"), CHINA, extension_days=30, roll_to_working_day=False) == (
        D("2025-10-01")
    )


def test_the_review_request_window_rolls_in_the_petitioners_favour():
    # T7: written reply received Mon 2025-09-08; day 30 is Wed 2025-10-08 (off) -> 2025-10-09.
    assert due_date(STATUTES["T7"], D("2025-09-08"), CHINA) == D("2025-10-09")


def test_hearing_time_pushes_the_re_review_deadline_by_calendar_days():
    t10 = STATUTES["T10"]
    # Re-review request received Tue 2026-09-01; day 30 is Thu 2026-10-01 (Oct 1–7 off) -> Oct 8.
    assert due_date(t10, D("2026-09-01"), CHINA) == D("2026-10-08")
    # A 9-day hearing: day 39 is Sat 2026-10-10, a make-up working day, so it does not roll.
    assert due_date(t10, D("2026-09-01"), CHINA, paused_days=9) == D("2026-10-10")


def test_an_assigned_item_uses_the_period_set_by_the_assigning_body():
    # T5 with 10 days from Thu 2026-02-05: day 10 is Sun 2026-02-15, in the Spring Festival
    # break; the assigning office set that date, and a date a person sets is kept as set
    # (Art. 22(3); the roll-over of 民法典 Art. 203 is for periods the law counts).
    assert due_date(STATUTES["T5"], D("2026-02-05"), CHINA, days=10) == D("2026-02-15")


def test_days_overrides_the_statutory_period():
    # Mon 3 March + 5 = Sat 8 March, which rolls to Mon 10 March.
    assert due_date(STATUTES["T1"], D("2025-03-03"), CHINA, days=5) == D("2025-03-10")
    assert due_date(STATUTES["T4"], D("2025-03-03"), CHINA, days=1) == D("2025-03-04")


def test_due_date_honours_calendar_overrides():
    # An extra local rest day on the due day of a 15-day limit moves it on.
    cal = HolidayCalendar(overrides={D("2025-03-18"): False})
    assert due_date(STATUTES["T2"], D("2025-03-03"), CHINA) == D("2025-03-18")
    assert due_date(STATUTES["T2"], D("2025-03-03"), cal) == D("2025-03-19")


# --- status_on ------------------------------------------------------------------------------------------

DUE = D("2025-10-09")


@pytest.mark.parametrize(
    ("today", "kind", "flags", "expected"),
    [
        (DUE - timedelta(days=10), Kind.DUTY, {}, Status.RUNNING),
        (DUE - timedelta(days=4), Kind.DUTY, {}, Status.RUNNING),
        (DUE - timedelta(days=3), Kind.DUTY, {}, Status.DUE_SOON),
        (DUE - timedelta(days=1), Kind.DUTY, {}, Status.DUE_SOON),
        (DUE, Kind.DUTY, {}, Status.DUE_SOON),
        (DUE + timedelta(days=1), Kind.DUTY, {}, Status.OVERDUE),
        (DUE, Kind.WINDOW, {}, Status.DUE_SOON),
        (DUE + timedelta(days=1), Kind.WINDOW, {}, Status.EXPIRED),
        (DUE + timedelta(days=1), Kind.DUTY, {"met": True}, Status.MET),
        (DUE - timedelta(days=10), Kind.WINDOW, {"met": True}, Status.MET),
        (DUE + timedelta(days=1), Kind.WINDOW, {"void": True}, Status.VOID),
        (DUE - timedelta(days=1), Kind.DUTY, {"paused": True}, Status.PAUSED),
        (DUE + timedelta(days=5), Kind.DUTY, {"paused": True}, Status.PAUSED),
        (DUE, Kind.DUTY, {"met": True, "void": True, "paused": True}, Status.MET),
        (DUE, Kind.DUTY, {"void": True, "paused": True}, Status.VOID),
    ],
)
def test_status_on_covers_every_branch(today, kind, flags, expected):
    assert status_on(due=DUE, today=today, kind=kind, **flags) is expected


def test_every_status_value_is_reachable():
    seen = {
        status_on(due=DUE, today=DUE - timedelta(days=10), kind=Kind.DUTY),
        status_on(due=DUE, today=DUE, kind=Kind.DUTY),
        status_on(due=DUE, today=DUE + timedelta(days=1), kind=Kind.DUTY),
        status_on(due=DUE, today=DUE + timedelta(days=1), kind=Kind.WINDOW),
        status_on(due=DUE, today=DUE, kind=Kind.DUTY, met=True),
        status_on(due=DUE, today=DUE, kind=Kind.WINDOW, void=True),
        status_on(due=DUE, today=DUE, kind=Kind.DUTY, paused=True),
    }
    assert seen == set(Status)


def test_the_due_day_itself_is_the_last_day_allowed_and_not_overdue():
    assert status_on(due=DUE, today=DUE, kind=Kind.DUTY) is Status.DUE_SOON
    assert status_on(due=DUE, today=DUE, kind=Kind.DUTY, due_soon_days=0) is Status.DUE_SOON
    assert status_on(due=DUE, today=DUE + timedelta(days=1), kind=Kind.DUTY) is Status.OVERDUE


def test_the_due_soon_threshold_is_configurable():
    day_before = DUE - timedelta(days=1)
    assert status_on(due=DUE, today=day_before, kind=Kind.DUTY, due_soon_days=0) is Status.RUNNING
    assert status_on(due=DUE, today=day_before, kind=Kind.DUTY, due_soon_days=1) is Status.DUE_SOON
    seven_before = DUE - timedelta(days=7)
    assert status_on(due=DUE, today=seven_before, kind=Kind.DUTY, due_soon_days=7) is (
        Status.DUE_SOON
    )


def test_status_on_accepts_the_kind_as_its_string_value():
    after = DUE + timedelta(days=1)
    assert status_on(due=DUE, today=after, kind="window") is Status.EXPIRED  # type: ignore[arg-type]
    assert status_on(due=DUE, today=after, kind="duty") is Status.OVERDUE  # type: ignore[arg-type]


def test_a_negative_due_soon_threshold_is_refused():
    with pytest.raises(ValueError, match="due_soon_days"):
        status_on(due=DUE, today=DUE, kind=Kind.DUTY, due_soon_days=-1)


@pytest.mark.parametrize("st", ALL, ids=_ids)
def test_a_missed_limit_is_overdue_for_a_duty_and_expired_for_a_window(st):
    due = due_date(st, D("2025-03-03"), CHINA, days=_days_for(st))
    after = status_on(due=due, today=due + timedelta(days=1), kind=st.kind)
    assert after is (Status.OVERDUE if st.kind == Kind.DUTY else Status.EXPIRED)
    assert status_on(due=due, today=due, kind=st.kind) is Status.DUE_SOON


def test_the_enums_serialise_as_their_lowercase_values():
    assert str(Unit.WORKING_DAYS) == "working_days"
    assert str(Kind.WINDOW) == "window"
    assert str(Owner.RE_REVIEW_ORGAN) == "re_review_organ"
    assert str(Status.DUE_SOON) == "due_soon"
