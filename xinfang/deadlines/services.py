"""Writes the working calendar — holiday overrides here, confirmed State Council notices in
``confirmation.py`` — and asks the petitions to fold again the deadlines a change can move.

The deadline rows are a projection of petition events, which this app does not import:
``petitions`` registers its fold with :func:`on_calendar_change` in its AppConfig.ready(). Each
calendar change keeps three promises there (ADR 0012): a petitioner's window is never shortened,
an organ is never put in the wrong by the move, and a window marked expired on a day that turns
out to be a rest day is reopened. What happened to each deadline comes back as a
:class:`DeadlineMove`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from xinfang.deadlines import holidays
from xinfang.deadlines.models import HolidayOverride
from xinfang.directory.models import User


@dataclass(frozen=True)
class DeadlineMove:
    """A deadline whose due date a calendar change touched."""

    petition_id: int
    tracking_code: str
    code: str
    start: date
    before: date  # the due date before the change
    computed: date  # what the new calendar gives
    after: date  # the due date now in force (``before`` when kept)
    outcome: str  # open | met | lapsed
    closed_on: date | None
    how: str  # "moved"; "kept" (the earlier date would shorten a window or blame an organ);
    #           "reopened" (a lapsed window was still open on the day it was marked expired)


Recompute = Callable[..., tuple[int, list[DeadlineMove]]]

# What folds the deadlines again after the calendar changes the status of the days in
# ``[first, last]``: ``fn(*, first, last, actor, at, reason) -> (petitions folded, moves)``.
_calendar_changed: dict[str, Recompute] = {}


def on_calendar_change(fn: Recompute) -> Recompute:
    _calendar_changed[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def calendar_changed(
    *,
    first: date,
    last: date,
    actor: User | None,
    at: datetime | None = None,
    reason: str = "",
) -> tuple[int, list[DeadlineMove]]:
    """Have every registered fold recompute what the days ``[first, last]`` can move, inside
    the caller's transaction."""
    n, moves = 0, []
    for fn in list(_calendar_changed.values()):
        k, m = fn(first=first, last=last, actor=actor, at=at, reason=reason)
        n += k
        moves += m
    return n, moves


def holiday_override_set(
    *, on: date, is_working_day: bool, note: str = "", actor: User | None = None
) -> int:
    """Declare ``on`` a working day or a rest day and recompute the deadlines it can move.

    Returns the number of petitions whose deadlines were recomputed.
    """
    with transaction.atomic():
        HolidayOverride.objects.update_or_create(
            date=on, defaults={"is_working_day": is_working_day, "note": note, "changed_by": actor}
        )
        holidays.clear_cache()
        n, _moves = calendar_changed(first=on, last=on, actor=actor, reason=note)
        return n


def holiday_override_remove(*, on: date, actor: User | None = None) -> int:
    with transaction.atomic():
        HolidayOverride.objects.filter(date=on).delete()
        holidays.clear_cache()
        n, _moves = calendar_changed(first=on, last=on, actor=actor)
        return n


def calendar_settle(*, now: datetime | None = None) -> dict[str, int]:
    """Fold again the deadlines whose stored due date no longer matches how the calendar knows
    their years, with the same promises as any calendar change (kept dates, reopened windows):

    * marked provisional for a year that no longer is — an installed chinese_calendar release
      now covers it, or another process confirmed its notice;
    * not marked provisional although they count over a provisional year — stored before this
      version, when such a year was counted Monday to Friday;
    * a window recorded as lapsed that the calendar in force shows was still open on that day,
      and not reopened since (a later step refolded it before this job saw it).

    Idempotent: once folded they match (``xinfang tick``, ADR 0012)."""
    from django.db.models import Exists, F, Max, Min, OuterRef, Q
    from django.utils.translation import gettext

    from xinfang.audit.services import audit_record
    from xinfang.deadlines.models import Deadline

    holidays.clear_cache()
    cal = holidays.calendar_in_force()
    rows = Deadline.objects.filter(outcome__in=("open", "lapsed"))
    span = rows.aggregate(first=Min("start_date"), last=Max("due_date"))
    if span["first"] is None:
        return {"years": 0, "recomputed": 0}

    first, last = span["first"].year, span["last"].year
    provisional = [y for y in range(first, last + 1) if cal.is_provisional_year(y)]

    def crossing(y: int) -> Q:
        return Q(due_date__gte=date(y, 1, 1), start_date__lt=date(y, 12, 31))

    any_provisional = Q(pk__in=[])
    for y in provisional:
        any_provisional |= crossing(y)
    # A lapsed window the calendar now shows was still open when marked expired, not reopened.
    later = Deadline.objects.filter(
        petition_id=OuterRef("petition_id"),
        code=OuterRef("code"),
        start_date__gt=OuterRef("start_date"),
    )
    lost = rows.filter(outcome="lapsed", due_date__gte=F("closed_on")).exclude(Exists(later))

    def stale(y: int) -> bool:
        if lost.filter(crossing(y)).exists():
            return True
        if y in provisional:
            return rows.filter(crossing(y), provisional=False).exists()
        return rows.filter(crossing(y), provisional=True).exclude(any_provisional).exists()

    years: list[int] = []
    done = 0
    for y in range(last, first - 1, -1):  # newest first; each fold may settle the years before
        if not stale(y):
            continue
        years.append(y)
        with transaction.atomic():
            n, moves = calendar_changed(
                first=date(y, 1, 1),
                last=date(y, 12, 31),
                actor=None,
                at=now,
                reason=gettext("%(year)s 年的节假日安排已更新") % {"year": y},
            )
            audit_record(
                kind="calendar.settle",
                object_type="holiday_year",
                object_id=y,
                data={
                    "year": y,
                    "provisional": cal.is_provisional_year(y),
                    "recomputed": n,
                    **{
                        how: sum(m.how == how for m in moves)
                        for how in ("moved", "kept", "reopened")
                    },
                },
            )
        done += n
    return {"years": len(years), "recomputed": done}


__all__ = [
    "DeadlineMove",
    "calendar_settle",
    "calendar_changed",
    "holiday_override_remove",
    "holiday_override_set",
    "on_calendar_change",
]
