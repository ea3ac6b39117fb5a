"""The analysis pages' query strings, read in one place. A filter the page does not know, or a
value it cannot read (``2026-13``, ``2026-02-30``), is a 400 naming the field, never a page of
unfiltered figures that looks filtered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext

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
    if not text:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise ApplicationError(gettext("月份格式应为 YYYY-MM"), code="bad_month", status=400,
                               fields={name: [gettext("月份格式应为 YYYY-MM")]}) from None


def day(text: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` to a date; a day that does not exist (2026-02-30) is a 400."""
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else date.fromisoformat("x")
    except ValueError:
        raise ApplicationError(gettext("日期格式应为 YYYY-MM-DD"), code="bad_date", status=400,
                               fields={name: [gettext("日期格式应为 YYYY-MM-DD")]}) from None
