"""The reception calendar's filters, parsed ONCE: the calendar page (``views.sessions``) and its
台账 (``analytics.export_kinds_reception``) both read the query string through
``calendar_filter``, so the file always holds the window, the organ and the "mine" the page
shows (issue 16). A bad value is a 400 with a clear message, never a 500."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits

MAX_DAYS = 92  # the longest window a page (and a file) shows
DEFAULT_DAYS = 7
FIRST, LAST = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class CalendarFilter:
    start: date
    days: int
    mine: bool = False
    organ_id: int | None = None

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def as_params(self) -> dict[str, Any]:
        """The filter as JSON (an export keeps it; ``from_params`` reads it back)."""
        out: dict[str, Any] = {"from": self.start.isoformat(), "days": self.days}
        if self.mine:
            out["mine"] = "1"
        if self.organ_id:
            out["organ"] = self.organ_id
        return out

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> CalendarFilter:
        organ = p.get("organ")
        return cls(
            start=date.fromisoformat(str(p["from"])),
            days=int(p["days"]),
            mine=p.get("mine") == "1",
            organ_id=int(organ) if organ else None,
        )


def _bad(label: str) -> ApplicationError:
    return ApplicationError(gettext("参数有误：%(f)s") % {"f": label}, code="bad_param", status=400)


def _count(value: str | None, label: str) -> int | None:
    """A whole number as the reception pages take one: digits only, at most nine."""
    value = (value or "").strip()
    if not value:
        return None
    if not is_digits(value) or len(value) > 9:
        raise _bad(label)
    return int(value)


def calendar_filter(query: QueryDict, *, today: date) -> CalendarFilter:
    """``from`` (a date; default: this week's Monday), ``days`` (1–92; empty or 0: a week),
    ``mine=1`` (the sessions the user receives at), ``organ`` (one organ's; 0 is no organ)."""
    raw = (query.get("from") or "").strip()
    if "\x00" in raw or len(raw) > 10:
        raise ApplicationError(gettext("日期格式应为 年-月-日"), code="bad_param", status=400)
    try:
        start = date.fromisoformat(raw) if raw else today - timedelta(days=today.weekday())
    except ValueError:
        raise ApplicationError(
            gettext("日期格式应为 年-月-日"), code="bad_param", status=400
        ) from None
    if not FIRST <= start <= LAST:  # the window and its neighbours stay within the calendar
        raise _bad(gettext("日期"))
    days = max(1, min(_count(query.get("days"), gettext("天数")) or DEFAULT_DAYS, MAX_DAYS))
    organ = _count(query.get("organ"), gettext("机关"))
    if organ == 0:
        raise _bad(gettext("机关"))
    return CalendarFilter(start=start, days=days, mine=query.get("mine") == "1", organ_id=organ)
