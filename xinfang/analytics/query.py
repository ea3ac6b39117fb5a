"""The analysis pages' query strings, read in one place. A filter the page does not know, or a
value it cannot read (``2026-13``, ``2026-02-30``), is a 400 naming the field, never a page of
unfiltered figures that looks filtered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from xinfang.core.dates import BadDay, DayOutOfRange, ReversedDays, day_of, days_in_order
from xinfang.core.day_params import day_param, out_of_range_message
from xinfang.core.errors import ApplicationError

# the rates page's and its drill-down's filters (``rate_views.filters_from``)
FILTER_KEYS = frozenset({"month_from", "month_to", "organ", "region", "channel", "category"})


def only_known(g, known: Iterable[str]) -> None:  # type: ignore[no-untyped-def]
    """Refuse a parameter the page does not read: its figures would ignore it."""
    known = frozenset(known)
    unknown = sorted(k for k in g if k not in known)
    if unknown:
        names = "、".join(k[:40] for k in unknown[:5])
        msg = gettext("此页没有这个筛选条件：%(names)s（可用：%(known)s）") % {
            "names": names, "known": "、".join(sorted(known))}
        raise ApplicationError(msg, code="bad_filter", status=400,
                               fields={k[:40]: [msg] for k in unknown[:5]})


def month(text: str | None, name: str) -> date | None:
    """``YYYY-MM`` (or a full date) to the first day of its month; bad input is a 400."""
    text = (text or "").strip()
    try:
        d = day_of(text + "-01" if len(text) == 7 else text)
    except DayOutOfRange:
        msg = out_of_range_message()
        raise ApplicationError(msg, code="bad_month", status=400, fields={name: [msg]}) from None
    except BadDay:
        raise ApplicationError(gettext("月份格式应为 YYYY-MM"), code="bad_month", status=400,
                               fields={name: [gettext("月份格式应为 YYYY-MM")]}) from None
    return d.replace(day=1) if d else None


def day(text: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` to a date; a day that does not exist (2026-02-30) is a 400."""
    return day_param(text, field=name, message=gettext("日期格式应为 YYYY-MM-DD"), code="bad_date")


class ReversedRange(ApplicationError):
    """A range whose start lies after its end: it would select nothing, and the page's zeros
    would read as "no petitions" (walker report item 5)."""

    def __init__(self, start_name: str) -> None:
        msg = gettext("起始日期晚于截止日期")
        super().__init__(msg, code="reversed_range", status=400, fields={start_name: [msg]})
        self.start_name = start_name


def in_order(start: date | None, end: date | None, start_name: str) -> None:
    """Refuse ``start > end`` (a 400 at the start field); either may be missing."""
    try:
        days_in_order(start, end)
    except ReversedDays:
        raise ReversedRange(start_name) from None


def range_refused(
    request: HttpRequest, error: ReversedRange, *, title: str, kind: str, names: tuple[str, str]
) -> HttpResponse:
    """The page's filter form again, as typed, with the message at the start field (400).
    ``kind``: the inputs' type, "date" or "month"."""
    return render(request, "analytics/range_refused.html", {
        "title": title, "kind": kind, "error": error,
        "start": (names[0], request.GET.get(names[0], "")[:10]),
        "end": (names[1], request.GET.get(names[1], "")[:10]),
        "kept": [(k, v) for k in request.GET for v in request.GET.getlist(k)[:20]
                 if k not in names][:20],
    }, status=400)
