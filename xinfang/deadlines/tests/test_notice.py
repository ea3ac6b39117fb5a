"""The notice file format (docs/calendar-notice.md): the 2026 notice as its example, and every
way a file can be wrong (no Django, no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

from xinfang.deadlines.calendar import china_statutory
from xinfang.deadlines.notice import (
    MAX_BYTES,
    NoticeError,
    notice_differences,
    notice_parse,
    notice_warnings,
)

D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_2026 = ROOT / "docs" / "calendar" / "2026.txt"


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(NoticeError) as e:
        notice_parse(text)
    return [(p.line, p.message) for p in e.value.problems]


def test_the_2026_example_is_the_state_councils_notice_and_chinese_calendar_agrees_with_it():
    notice = notice_parse(EXAMPLE_2026.read_text(encoding="utf-8"))
    assert notice.year == 2026
    assert notice.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert notice.issued_on == D("2025-11-04")
    assert len(notice.rest_days) == 33
    assert notice.working_days == tuple(
        D(x)
        for x in (
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        )
    )
    # Every day of 2026: the notice (its days, Monday–Friday elsewhere) and the package agree.
    assert notice_differences(notice, china_statutory) == []
    assert notice_differences(notice, chinese_calendar.is_workday) == []
    assert notice_warnings(notice) == []
    assert {d.festival for d in notice.days if d.day.month == 2} == {"春节"}


def test_a_typed_notice_with_iso_dates_and_no_title_reads_the_same():
    notice = notice_parse(
        "年份：2026\n"
        "元旦：2026-01-01至2026-01-03放假；2026-01-04上班\n"
        "春节：2月15日至23日放假调休，共9天。2月14日、2月28日上班。\n"
    )
    assert notice.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert notice.issued_on is None
    assert notice.rest_days[:3] == (D("2026-01-01"), D("2026-01-02"), D("2026-01-03"))
    assert len(notice.rest_days) == 12
    assert notice.working_days == (D("2026-01-04"), D("2026-02-14"), D("2026-02-28"))


def test_older_wordings_read_too_another_year_with_its_year_and_weekdays_as_xingqi():
    # The 2023 notice began its New Year's holiday in 2022; older notices wrote 星期.
    notice = notice_parse(
        "国务院办公厅关于2023年部分节假日安排的通知\n"
        "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n"
        "二、春节：1月21日（星期六）至27日（星期五）放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。\n"
        "三、清明节：4月5日放假，共1天。\n"
        "国务院办公厅\n2022年12月8日\n"
    )
    assert notice.year == 2023
    assert notice.issued_on == D("2022-12-08")
    assert notice.rest_days[0] == D("2022-12-31")
    assert notice.working_days == (D("2023-01-28"), D("2023-01-29"))
    assert all(chinese_calendar.is_workday(d.day) == d.is_working_day for d in notice.days)


def test_a_notice_for_two_festivals_at_once_names_both():
    notice = notice_parse(
        "年份：2020\n八、中秋节、国庆节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。\n"
    )
    assert notice.festivals == ("中秋节", "国庆节")
    assert {d.festival for d in notice.days} == {"中秋节、国庆节"}
    assert len(notice.rest_days) == 8


def test_a_weekday_that_does_not_match_the_date_is_refused_with_its_line():
    assert problems("年份：2026\n\n一、元旦：1月1日（周五）放假，共1天。") == [
        (3, "2026-01-01标注为周五，实为周四")
    ]


def test_a_day_count_that_does_not_match_the_range_is_refused():
    ((line, message),) = problems("年份：2026\n春节：2月15日至23日放假调休，共8天。")
    assert line == 2 and "共8天" in message and "9 天" in message


def test_a_make_up_working_day_on_a_weekday_is_refused():
    assert problems("年份：2026\n元旦：1月1日放假。1月5日（周一）上班。") == [
        (2, "2026-01-05是周一，本来就是工作日，不需要调休上班")
    ]


def test_a_day_both_off_and_on_is_refused():
    assert problems("年份：2026\n元旦：1月3日放假。\n国庆节：1月3日上班。") == [
        (3, "2026-01-03既被安排放假又被安排上班")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、元旦：1月1日放假", "没有写明年份"),
        ("年份：二〇二六\n元旦：1月1日放假", "年份应为四位数字"),
        ("年份：2026\n年份：2027\n元旦：1月1日放假", "不一致"),
        ("年份：2026\n鼓励错峰出行。", "没有找到任何节日安排"),
        ("年份：2026\n五一：5月1日至5日放假", "没有以节日名称开头"),
        ("年份：2026\n春节：2月30日放假", "不是有效日期"),
        ("年份：2026\n春节：15日放假", "没有月份"),
        ("年份：2026\n春节：2月23日至15日放假", "结束早于开始"),
        ("年份：2026\n春节：1月1日至3月1日放假", "超过一个月"),
        ("年份：2026\n春节：2月15日值班", "没有说明放假还是上班"),
        ("年份：2026\n春节：2031年2月15日放假", "不在 2026 年前后"),
        ("年份：2026\n发布日期：昨天\n元旦：1月1日放假", "发布日期“昨天”无法识别"),
        ("国务院办公厅关于2026年部分节假日安排的通知\n年份：2027\n元旦：1月1日放假", "不一致"),
        ("年份：2026\n元旦：1月1日放假\x00", "空字符"),
        ("年份：2026\n" + "#" * MAX_BYTES, "文件超过"),
    ],
)
def test_a_file_that_is_not_a_notice_is_refused_saying_why(text, expected):
    assert any(expected in message for _line, message in problems(text)), problems(text)


def test_every_problem_is_reported_at_once_not_only_the_first():
    found = problems(
        "年份：2026\n元旦：1月1日（周五）放假。\n春节：2月30日放假。\n五一：5月1日放假"
    )
    assert [line for line, _m in found] == [4, 2, 3]


def test_a_notice_that_leaves_a_statutory_holiday_a_working_day_or_a_festival_out_is_flagged():
    notice = notice_parse("年份：2027\n元旦：1月1日（周五）至3日（周日）放假，共3天。\n")
    messages = [p.message for p in notice_warnings(notice)]
    assert messages[0].startswith(
        "通知中没有这些节日的安排：春节、清明节、劳动节、端午节、中秋节、国庆节"
    )
    # 除夕 (Friday 5 February 2027) and 初三 (Monday 8 February) are weekdays of Art. 2.
    assert any(m.startswith("2027-02-05（周五）") and "春节" in m for m in messages)
    assert any(m.startswith("2027-10-01（周五）") and "国庆节" in m for m in messages)
    assert not any("2027-02-06" in m for m in messages)  # 初一 is a Saturday: rests anyway


def test_the_differences_with_another_calendar_are_listed_day_by_day():
    notice = notice_parse(EXAMPLE_2026.read_text(encoding="utf-8"))
    weekdays_only = notice_differences(notice, lambda d: d.weekday() < 5)
    # Monday–Friday alone misses every weekday rest day and every make-up weekend day.
    assert (D("2026-01-01"), False, True) in weekdays_only
    assert (D("2026-01-04"), True, False) in weekdays_only
    assert len(weekdays_only) == 6 + sum(1 for d in notice.rest_days if d.weekday() < 5)
    assert all(d.year == 2026 for d, _a, _b in weekdays_only)
