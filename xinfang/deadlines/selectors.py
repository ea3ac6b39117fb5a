"""Reads of the working calendar: which years are confirmed, known from the package, or only
provisional, and which an admin should confirm (the banner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Min

from xinfang.core import clock
from xinfang.deadlines import holidays
from xinfang.deadlines.models import Deadline, HolidayNotice
from xinfang.deadlines.provisional import GIVEN_BACK, provisional_rest_days
from xinfang.deadlines.statutes import STATUTES, Kind
from xinfang.deadlines.tracker import OPEN

#: A deadline started today can reach this far: T6 with its extension (90 days) and the
#: roll-over past a Spring Festival. The banner names a provisional year from this distance on.
REACH = timedelta(days=100)


def duty_codes() -> list[str]:
    """The time limits an organ must meet (missing one is a breach, not an option lapsing)."""
    return sorted(c for c, st in STATUTES.items() if st.kind == Kind.DUTY)


@dataclass(frozen=True)
class YearStatus:
    """How the calendar knows a year: ``confirmed`` (a State Council notice an admin confirmed),
    ``package`` (chinese_calendar) or ``provisional`` (the law's statutory holidays only)."""

    year: int
    source: str
    notice: HolidayNotice | None = None
    open_provisional: int = 0  # open deadlines counted over it while it is provisional

    @property
    def provisional_days(self) -> list[tuple[date, str, bool]]:
        """The weekdays the provisional calendar rests on: (day, festival, given back)."""
        return [
            (d, why.removesuffix(GIVEN_BACK), why.endswith(GIVEN_BACK))
            for d, why in provisional_rest_days(self.year).items()
        ]


def _provisional_counts() -> dict[int, int]:
    """Open provisional deadlines per provisional year they count over: an aggregate, then one
    count per year it spans (a deadline counts over year Y when ``start < 31 Dec Y <= ...``, i.e.
    its days ``(start, due]`` reach into Y)."""
    cal = holidays.calendar_in_force()
    rows = Deadline.objects.filter(outcome=OPEN, provisional=True)
    span = rows.aggregate(first=Min("start_date"), last=Max("due_date"))
    if span["first"] is None:
        return {}
    counts: dict[int, int] = {}
    for y in range(span["first"].year, span["last"].year + 1):
        if cal.is_provisional_year(y):
            n = rows.filter(due_date__gte=date(y, 1, 1), start_date__lt=date(y, 12, 31)).count()
            if n:
                counts[y] = n
    return counts


def calendar_years(*, today: date | None = None) -> list[YearStatus]:
    """This year, the next, every year an open deadline reaches and every confirmed year, each
    with how the calendar knows it, newest first."""
    today = today or clock.today()
    cal = holidays.calendar_in_force()
    notices = {n.year: n for n in HolidayNotice.objects.select_related("confirmed_by")}
    far = (
        Deadline.objects.filter(outcome=OPEN)
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    years = set(range(today.year, max(today.year + 1, far.year if far else 0) + 1)) | set(notices)
    counts = _provisional_counts()
    out = []
    for y in sorted(years, reverse=True):
        if y in notices:
            source = "confirmed"
        elif cal.is_provisional_year(y):
            source = "provisional"
        else:
            source = "package"
        out.append(YearStatus(y, source, notices.get(y), counts.get(y, 0)))
    return out


def calendar_years_to_confirm(*, today: date | None = None) -> list[YearStatus]:
    """The provisional years an admin should confirm: those an open deadline already counts
    over, and this year or the next once a deadline started today could reach it."""
    today = today or clock.today()
    cal = holidays.calendar_in_force()
    counts = _provisional_counts()
    years = {y for y in (today.year, (today + REACH).year) if cal.is_provisional_year(y)}
    years |= set(counts)
    return [YearStatus(y, "provisional", None, counts.get(y, 0)) for y in sorted(years)]


__all__ = ["REACH", "YearStatus", "calendar_years", "calendar_years_to_confirm"]
