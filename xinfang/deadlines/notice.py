"""The State Council's holiday notice as a small text file: parse and check it (pure: no Django).

The format (docs/calendar-notice.md) is the notice's own text, so an admin can paste the
published notice as it stands, or type the items of one. A header gives the year:

    年份：2026
    国务院办公厅关于2026年部分节假日安排的通知
    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。…

Each item line names one or more festivals of 《全国年节及纪念日放假办法》 Art. 2, then clauses
(split at "。" and "；"): a clause with "上班" declares make-up working days, a clause with
"放假", "休息", "补休" or "调休" declares rest days. Dates are "M月D日" (the month carries over
inside an item: "1月1日至3日"), "YYYY年M月D日" for another year, or ISO "2026-01-04"; a range is
"A至B". A weekday in the brackets after a date ("（周四）", "（星期四）") is checked, and so is
"共N天" against the days of the clause's ranges. Other lines (the greeting, the closing paragraph,
the signature) are ignored; a line of a date alone is taken as the notice's date.

:func:`notice_parse` raises :class:`NoticeError` with every problem and its line;
:func:`notice_warnings` lists what a person should look at before confirming (a statutory holiday
the notice leaves as a working day, a festival without an item).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from xinfang.core.inputs import is_digits
from xinfang.deadlines.provisional import FESTIVALS, statutory_days

__all__ = [
    "Notice",
    "NoticeDay",
    "NoticeError",
    "Problem",
    "notice_differences",
    "notice_parse",
    "notice_warnings",
]


def _(text: str) -> str:  # marker for message extraction; the service translates (ADR 0004)
    return text


MAX_BYTES = 64 * 1024  # a notice is about 1 KB; anything near this is not a notice

_WEEKDAYS = "一二三四五六日"
#: Weekday names as the messages print them (marked, so the service can translate them).
WEEKDAY_LABELS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
_FESTIVAL = "|".join(FESTIVALS)
_ITEM = re.compile(
    rf"^\s*(?:[一二三四五六七八九十]+[、.．]\s*)?(?P<names>(?:{_FESTIVAL})(?:[、和及与](?:{_FESTIVAL}))*)"
    r"\s*[：:]\s*(?P<body>.+)$"
)
_HEADER = re.compile(r"^\s*(?P<key>年份|标题|发布日期)\s*[：:]\s*(?P<value>.*?)\s*$")
_TITLE = re.compile(r"(?:国务院办公厅)?关于(?P<year>\d{4})年部分节假日安排的通知")
_DATE = re.compile(
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日"
)
_NOTE = re.compile(r"^\s*[（(](?P<note>[^）)]*)[）)]")
_WEEKDAY = re.compile(r"(?:周|星期)(?P<w>[一二三四五六日天])")
_RANGE = re.compile(r"^\s*(?:至|到|—|－|~|～)\s*$")
_COUNT = re.compile(r"共\s*(?P<n>\d+|[一二三四五六七八九十]+)\s*天")
_DATE_ALONE = re.compile(r"^\s*(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*$")
_WORK = ("上班",)
_REST = ("放假", "休息", "补休", "调休", "休假")


@dataclass(frozen=True)
class NoticeDay:
    """One day the notice declares: a rest day, or a make-up working day (调休上班)."""

    day: date
    is_working_day: bool
    festival: str  # the item's festival(s), e.g. "春节" or "中秋节、国庆节"


@dataclass(frozen=True)
class Notice:
    """A parsed notice: the year it arranges and the days it declares, in date order."""

    year: int
    title: str
    issued_on: date | None
    days: tuple[NoticeDay, ...]
    festivals: tuple[str, ...]  # the festivals that have an item, in the file's order
    text: str = field(repr=False, default="")

    @property
    def rest_days(self) -> tuple[date, ...]:
        return tuple(d.day for d in self.days if not d.is_working_day)

    @property
    def working_days(self) -> tuple[date, ...]:
        return tuple(d.day for d in self.days if d.is_working_day)

    def as_mapping(self) -> dict[date, bool]:
        """``date -> is_working_day`` for every declared day (``HolidayCalendar.confirmed_days``)."""
        return {d.day: d.is_working_day for d in self.days}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: its line (0: the file as a whole), a marked message
    ``template`` and its ``params`` (dates in ISO form, marked labels, numbers)."""

    line: int
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


class NoticeError(ValueError):
    """The file is not a notice this module can read; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.line}: {p.message}" for p in self.problems))


def _p(line: int, template: str, **params: object) -> Problem:
    return Problem(line, template, params)


def _number(text: str) -> int:
    if is_digits(text):
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def _chinese_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def notice_parse(text: str) -> Notice:
    """Read a notice file's text (see the module's docstring); :class:`NoticeError` otherwise."""
    problems: list[Problem] = []
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise NoticeError([_p(0, _("文件超过 {kb} KB，不是节假日安排通知"), kb=MAX_BYTES // 1024)])
    if "\x00" in text:
        raise NoticeError([_p(0, _("文件含有空字符（NUL），请提供纯文本"))])
    text = text.lstrip("\ufeff")
    year: int | None = None
    title = ""
    issued_on: date | None = None
    items: list[tuple[int, str, str]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if h := _HEADER.match(line):
            key, value = h["key"], h["value"]
            if key == "年份":
                if not re.fullmatch(r"\d{4}", value):
                    problems.append(_p(n, _("年份应为四位数字，而不是“{value}”"), value=value[:20]))
                elif year is not None and int(value) != year:
                    problems.append(
                        _p(n, _("年份 {value} 与前面的 {year} 不一致"), value=value, year=year)
                    )
                else:
                    year = int(value)
            elif key == "标题":
                title = value[:200]
            else:
                issued_on = _loose_date(value)
                if issued_on is None:
                    problems.append(
                        _p(
                            n,
                            _("发布日期“{value}”无法识别（例如 2025-11-04 或 2025年11月4日）"),
                            value=value[:20],
                        )
                    )
            continue
        if t := _TITLE.search(line):
            title = title or t[0]
            if year is None:
                year = int(t["year"])
            elif int(t["year"]) != year:
                problems.append(
                    _p(
                        n,
                        _("标题中的年份 {value} 与年份 {year} 不一致"),
                        value=t["year"],
                        year=year,
                    )
                )
            continue
        if a := _DATE_ALONE.match(line):
            issued_on = issued_on or _chinese_date(a["y"], a["m"], a["d"])
            continue
        if m := _ITEM.match(line):
            items.append((n, m["names"], m["body"]))
            continue
        if _DATE.search(line) and any(w in line for w in _WORK + _REST):
            problems.append(
                _p(
                    n,
                    _(
                        "这一行有日期和放假或上班安排，但没有以节日名称开头（如“一、元旦：”），无法识别"
                    ),
                )
            )
    if year is None:
        problems.append(_p(0, _("没有写明年份：请加一行“年份：2027”，或保留通知标题")))
        raise NoticeError(problems)
    if not items:
        problems.append(_p(0, _("没有找到任何节日安排（如“一、元旦：1月1日放假”）")))
    declared: dict[date, NoticeDay] = {}
    festivals: list[str] = []
    for n, names, body in items:
        named = re.split(r"[、和及与]", names)
        festival = "、".join(named)
        festivals.extend(x for x in named if x not in festivals)
        for found in _item_days(body, year, n):
            if isinstance(found, Problem):
                problems.append(found)
                continue
            day, working = found
            if abs(day.year - year) > 1:
                problems.append(
                    _p(n, _("{day} 不在 {year} 年前后，请检查年份"), day=day.isoformat(), year=year)
                )
            elif working and day.weekday() < 5:
                problems.append(
                    _p(
                        n,
                        _("{day}是{weekday}，本来就是工作日，不需要调休上班"),
                        day=day.isoformat(),
                        weekday=WEEKDAY_LABELS[day.weekday()],
                    )
                )
            elif (earlier := declared.get(day)) is not None and earlier.is_working_day != working:
                problems.append(_p(n, _("{day}既被安排放假又被安排上班"), day=day.isoformat()))
            elif earlier is None:
                declared[day] = NoticeDay(day, working, festival)
    if problems:
        raise NoticeError(problems)
    return Notice(
        year=year,
        title=title or f"国务院办公厅关于{year}年部分节假日安排的通知",
        issued_on=issued_on,
        days=tuple(sorted(declared.values(), key=lambda d: d.day)),
        festivals=tuple(festivals),
        text=text,
    )


def _loose_date(value: str) -> date | None:
    value = value.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    if a := _DATE_ALONE.match(value):
        return _chinese_date(a["y"], a["m"], a["d"])
    return None


def _item_days(body: str, year: int, line: int) -> list[tuple[date, bool] | Problem]:
    """The days one item declares, (day, is_working_day), or the problems found."""
    out: list[tuple[date, bool] | Problem] = []
    month: int | None = None
    for clause in re.split(r"[。；;]", body):
        if not clause.strip():
            continue
        working = any(w in clause for w in _WORK)
        rest = not working and any(w in clause for w in _REST)
        found: list[tuple[date, int, int]] = []  # (day, start, end) of each date in the clause
        for m in _DATE.finditer(clause):
            if m["iso"]:
                y, mo, d = int(m["iy"]), int(m["im"]), int(m["id"])
            else:
                y = int(m["y"]) if m["y"] else year
                mo = int(m["m"]) if m["m"] else (month or 0)
                d = int(m["d"])
            if not mo:
                out.append(_p(line, _("“{text}”没有月份"), text=m[0]))
                continue
            try:
                day = date(y, mo, d)
            except ValueError:
                out.append(_p(line, _("“{text}”不是有效日期"), text=m[0]))
                continue
            month = mo
            end = m.end()
            if note := _NOTE.match(clause[end:]):
                end += note.end()
                if (w := _WEEKDAY.search(note["note"])) is not None:
                    said = 6 if w["w"] in "日天" else _WEEKDAYS.index(w["w"])
                    if said != day.weekday():
                        out.append(
                            _p(
                                line,
                                _("{day}标注为{said}，实为{weekday}"),
                                day=day.isoformat(),
                                said=WEEKDAY_LABELS[said],
                                weekday=WEEKDAY_LABELS[day.weekday()],
                            )
                        )
            found.append((day, m.start(), end))
        if not found:
            continue
        if not (working or rest):
            out.append(_p(line, _("“{text}”没有说明放假还是上班"), text=clause.strip()[:60]))
            continue
        days: list[date] = []
        i = 0
        while i < len(found):
            day, _start, end = found[i]
            if i + 1 < len(found) and _RANGE.match(clause[end : found[i + 1][1]]):
                last = found[i + 1][0]
                i += 2
                if last < day:
                    out.append(
                        _p(
                            line,
                            _("{first}至{last}：结束早于开始"),
                            first=day.isoformat(),
                            last=last.isoformat(),
                        )
                    )
                elif (last - day).days > 31:
                    out.append(
                        _p(
                            line,
                            _("{first}至{last}超过一个月，请检查"),
                            first=day.isoformat(),
                            last=last.isoformat(),
                        )
                    )
                else:
                    days += [day + timedelta(days=k) for k in range((last - day).days + 1)]
            else:
                days.append(day)
                i += 1
        if rest and (c := _COUNT.search(clause)) is not None:
            said_count = _number(c["n"])
            if said_count != len(set(days)):
                out.append(
                    _p(
                        line,
                        _("“{text}”写明共{said}天，但所列日期共 {count} 天"),
                        text=clause.strip()[:60],
                        said=said_count,
                        count=len(set(days)),
                    )
                )
                continue
        out += [(d, working) for d in days]
    return out


def notice_warnings(notice: Notice) -> list[Problem]:
    """What a person should look at before confirming ``notice``: a festival of Art. 2 with no
    item, and a statutory holiday of the year that the notice leaves a working day."""
    out = []
    missing = [f for f in FESTIVALS if f not in notice.festivals]
    if missing:
        out.append(
            _p(
                0,
                _("通知中没有这些节日的安排：{festivals}（请核对是否漏录）"),
                festivals="、".join(missing),
            )
        )
    rest = set(notice.rest_days)
    for festival, day in statutory_days(notice.year):
        if day.weekday() < 5 and day not in rest:
            out.append(
                _p(
                    0,
                    _(
                        "{day}（{weekday}）是《全国年节及纪念日放假办法》第二条的{festival}假日，但通知中不是休息日"
                    ),
                    day=day.isoformat(),
                    weekday=WEEKDAY_LABELS[day.weekday()],
                    festival=festival,
                )
            )
    return out


def notice_differences(
    notice: Notice, is_working_day: Callable[[date], bool]
) -> list[tuple[date, bool, bool]]:
    """Days of the notice's year on which ``notice`` (days declared, weekday rule elsewhere) and
    ``is_working_day`` (e.g. ``chinese_calendar``) disagree: (day, notice says, other says)."""
    declared: Mapping[date, bool] = notice.as_mapping()
    out = []
    d = date(notice.year, 1, 1)
    while d.year == notice.year:
        ours = declared.get(d, d.weekday() < 5)
        theirs = is_working_day(d)
        if ours != theirs:
            out.append((d, ours, theirs))
        d += timedelta(days=1)
    return out
