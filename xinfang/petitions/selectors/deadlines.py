"""A petition's deadlines as pages show them, and the colour of a due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from xinfang.core import clock
from xinfang.deadlines import holidays
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.statutes import STATUTES, Kind, Status, status_on
from xinfang.petitions.models import Petition


@dataclass(frozen=True)
class DeadlineView:
    code: str
    step: str
    basis: str
    kind: str
    owner: str
    start: date
    due: date
    status: Status
    days_left: int
    extension_days: int
    paused_days: int
    closed_on: date | None
    provisional: bool = False  # counted over a year whose holidays are provisional (ADR 0012)
    provisional_years: tuple[int, ...] = ()


def deadline_rows(petition: Petition) -> list[Deadline]:
    """The petition's deadline rows, oldest first, with their owners (one query)."""
    return list(
        Deadline.objects.filter(petition=petition)
        .select_related("owner_organ")
        .order_by("start_date", "id")
    )


def deadlines_of(
    petition: Petition, today: date | None = None, rows: list[Deadline] | None = None
) -> list[DeadlineView]:
    """``rows``: the petition's ``deadline_rows`` when the caller has read them already."""
    today = today or clock.today()
    cal = holidays.calendar_in_force()
    out = []
    if rows is None:
        rows = deadline_rows(petition)
    for d in rows:
        st = STATUTES[d.code]
        if d.outcome == "lapsed":
            status = Status.EXPIRED
        else:
            status = status_on(
                due=d.due_date,
                today=today,
                kind=st.kind,
                met=d.outcome == "met",
                void=d.outcome == "void",
                paused=d.paused,
                due_soon_days=settings.XINFANG_DUE_SOON_DAYS,
            )
        out.append(
            DeadlineView(
                code=d.code,
                step=st.step,
                basis=st.basis,
                kind=st.kind.value,
                owner=d.owner_organ.name
                if d.owner_organ
                else ("信访人" if st.kind == Kind.WINDOW else ""),
                start=d.start_date,
                due=d.due_date,
                status=status,
                days_left=(d.due_date - today).days,
                extension_days=d.extension_days,
                paused_days=d.paused_days,
                closed_on=d.closed_on,
                provisional=d.provisional,
                provisional_years=cal.provisional_years(d.start_date, d.due_date)
                if d.provisional
                else (),
            )
        )
    return out


def due_status(next_due: date | None, today: date | None = None) -> str:
    """Colour of a worklist row: running (green), due_soon (amber), overdue (red), none."""
    if next_due is None:
        return "none"
    today = today or clock.today()
    return status_on(
        due=next_due, today=today, kind=Kind.DUTY, due_soon_days=settings.XINFANG_DUE_SOON_DAYS
    ).value
