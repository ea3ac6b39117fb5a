"""Reads of reception days: the calendar of an office (its organs' sessions) and of a leader
(the sessions they receive at).

The calendar of a city office covers every organ of its region (200 organs, two sessions a
week each: 400 rows a week), so it is read as a page: a window of days, at most
``CALENDAR_PAGE`` rows in (date, start, id) order, and the next page continues after the last
row (keyset, no OFFSET). Rows are plain values, not model instances (bench/reception_bench.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.reception.access import organ_scope
from xinfang.reception.models import ReceptionSession

#: The most sessions one calendar page lists; the next page continues after the last one.
CALENDAR_PAGE = 100


def _seen(user: User) -> Q:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return Q(pk__in=[])
    # The organs in scope as a subquery (one small indexed set), so the sessions are walked
    # by date through ``rsession_on_starts`` and not joined to organ and region row by row.
    in_scope = Organ.objects.filter(organ_scope(user, None)).values("pk")
    return Q(organ_id__in=in_scope) | Q(leader_id=user.pk)


def sessions_for_user(
    *, user: User, start: date, end: date, mine: bool = False
) -> QuerySet[ReceptionSession]:
    """The sessions from ``start`` to ``end`` (inclusive) the user may see; ``mine``: only
    those the user receives at."""
    qs = ReceptionSession.objects.filter(_seen(user), on__gte=start, on__lte=end)
    if mine:
        qs = qs.filter(leader_id=user.pk)
    return qs.select_related("organ", "leader").order_by("on", "starts", "id")


@dataclass(frozen=True)
class CalendarPage:
    rows: list[dict]
    #: (date, start, id) of the last row when more rows follow in the window, else None.
    after: tuple[date, time, int] | None


_ROW = (
    "id",
    "on",
    "starts",
    "ends",
    "kind",
    "video",
    "place",
    "fields",
    "capacity",
    "cancelled",
    "organ_id",
    "organ__name",
    "leader__display_name",
    "leader__first_name",
    "leader__last_name",
)


def calendar_page_for_user(
    *,
    user: User,
    start: date,
    end: date,
    mine: bool = False,
    organ_id: int | None = None,
    after: tuple[date, time, int] | None = None,
    limit: int | None = None,
) -> CalendarPage:
    """One page of the calendar: the sessions the user may see from ``start`` to ``end``
    (inclusive), optionally of one organ, continuing after the row ``after``."""
    limit = limit or CALENDAR_PAGE
    qs = ReceptionSession.objects.filter(_seen(user), on__gte=start, on__lte=end)
    if mine:
        qs = qs.filter(leader_id=user.pk)
    if organ_id is not None:
        qs = qs.filter(organ_id=organ_id)
    if after is not None:
        on, starts, pk = after
        qs = qs.filter(
            Q(on__gt=on) | Q(on=on, starts__gt=starts) | Q(on=on, starts=starts, id__gt=pk)
        )
    rows = list(qs.order_by("on", "starts", "id").values(*_ROW)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return CalendarPage(rows=rows, after=(last["on"], last["starts"], last["id"]) if last else None)


def session_get_for_user(*, user: User, session_id: int) -> ReceptionSession:
    s = (
        ReceptionSession.objects.filter(_seen(user), pk=session_id)
        .select_related("organ", "leader")
        .first()
    )
    if s is None:
        raise NotFound()
    return s
