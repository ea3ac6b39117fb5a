"""The one reader of typed days (``core.dates``, pure) and the refusals built on it
(``core.day_params``): every page reads a day the same way and words its own refusal."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.core.dates import (
    FIRST_DAY,
    LAST_DAY,
    BadDay,
    ReversedDays,
    day_of,
    days_in_order,
)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("  2026-03-01 ", date(2026, 3, 1)),  # spaces around it are not the day
        ("2024-02-29", date(2024, 2, 29)),  # a leap day
        ("1900-01-01", FIRST_DAY),
        ("2999-12-31", LAST_DAY),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_day_written_year_month_day_is_read(text, day):
    assert day_of(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",  # a day that does not exist
        "2025-02-29",  # not a leap year
        "2026-13-01",
        "2026-00-10",
        "20260301",  # other ISO forms fromisoformat alone would take
        "2026-W09-7",
        "2026W097",
        "2026-3-1",
        "２０２６-０３-０１",  # full-width digits
        "٢٠٢٦-٠٣-٠١",  # Arabic-Indic digits: \d would take them
        "2026-03-01\x00",  # a NUL byte
        "\x002026-03-01",
        "2026-03\x00-01",
        "2026-03-01T00:00",
        "2026/03/01",
        "0001-01-01",  # out of range: its instants overflow
        "1899-12-31",
        "3000-01-01",
        "9999-12-31",  # the day after it does not exist (a range's end)
        "x" * 10_000,
        "-2026-03-01",
    ],
)
def test_anything_else_is_a_bad_day(text):
    with pytest.raises(BadDay):
        day_of(text)


def test_a_bad_day_is_a_value_error():
    assert issubclass(BadDay, ValueError) and issubclass(ReversedDays, ValueError)


def test_a_range_may_be_one_day_or_open_at_either_end():
    d = date(2026, 3, 1)
    days_in_order(d, d)
    days_in_order(d, date(2026, 3, 2))
    days_in_order(None, d)
    days_in_order(d, None)
    days_in_order(None, None)


def test_a_reversed_range_is_refused():
    with pytest.raises(ReversedDays):
        days_in_order(date(2026, 3, 2), date(2026, 3, 1))


def test_the_refusal_is_the_page_s_own_400_at_its_field():
    from xinfang.core.day_params import day_param, days_ordered
    from xinfang.core.errors import ApplicationError

    assert day_param("2026-03-01", field="from", message="m") == date(2026, 3, 1)
    with pytest.raises(ApplicationError) as e:
        day_param("2026-02-30", field="from", message="日期格式有误", hint="请按 年-月-日 填写日期")
    assert e.value.status == 400
    assert e.value.message == "日期格式有误"
    assert e.value.fields == {"from": ["请按 年-月-日 填写日期"]}
    with pytest.raises(ApplicationError) as e:
        day_param("2026-03-01\x00", field="at", message="bad", code="bad_date")
    assert (e.value.code, e.value.fields) == ("bad_date", {"at": ["bad"]})
    with pytest.raises(ApplicationError) as e:
        days_ordered(
            date(2026, 3, 2), date(2026, 3, 1), field="from", message="起始日期晚于截止日期"
        )
    assert (e.value.status, e.value.code) == (400, "reversed_range")
    assert e.value.fields == {"from": ["起始日期晚于截止日期"]}


def test_a_form_collects_the_refusal_at_its_field():
    from xinfang.core.day_params import day_field

    errors: dict[str, list[str]] = {}
    assert day_field("2026-03-01", field="on", errors=errors, message="m") == date(2026, 3, 1)
    assert day_field("", field="on", errors=errors, message="m") is None and errors == {}
    assert day_field("2026-02-30", field="on", errors=errors, message="格式") is None
    assert day_field(" ", field="by", errors=errors, message="格式", required="请填写") is None
    assert errors == {"on": ["格式"], "by": ["请填写"]}
