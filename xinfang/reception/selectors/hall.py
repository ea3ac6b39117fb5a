"""The one-stop hall (一站式接待大厅, Art. 18 para 3): the day's sessions in the user's scope,
organ by organ, with who is expected, who has arrived and waits, who is being received and how
many were received. Bookings are read only for petitions the petitions gate lets the user see,
so an accusation is never shown (or counted) on the accused organ's hall (Art. 30 para 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xinfang.directory.models import User
from xinfang.petitions.selectors import petition_visible
from xinfang.reception.models import Appointment, AppointmentStatus, ReceptionSession
from xinfang.reception.selectors.sessions import _seen

HALL_SESSIONS = 200  # the most sessions one day's hall lists


@dataclass
class HallSession:
    session: ReceptionSession
    expected: list[Appointment] = field(default_factory=list)  # booked, not yet arrived
    waiting: list[Appointment] = field(default_factory=list)  # arrived, not yet called in
    receiving: list[Appointment] = field(default_factory=list)  # called in, record not written
    received: int = 0
    waitlist: int = 0


def hall_for_user(*, user: User, day: date) -> list[HallSession]:
    """The day's sessions (cancelled ones left out) by organ and time; three queries."""
    sessions = list(
        ReceptionSession.objects.filter(_seen(user), on=day, cancelled=False)
        .select_related("organ", "leader")
        .order_by("organ__path", "starts", "id")[:HALL_SESSIONS]
    )
    out = {s.pk: HallSession(session=s) for s in sessions}
    if not out:
        return []
    rows = (
        Appointment.objects.filter(petition_visible(user=user), session_id__in=list(out))
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("petition")
        .order_by("arrived_at", "booked_at", "id")
    )
    for a in rows:
        h = out[a.session_id]
        if a.status == AppointmentStatus.RECEIVED:
            h.received += 1
        elif a.status == AppointmentStatus.WAITING:
            h.waitlist += 1
        elif a.called_at is not None:
            h.receiving.append(a)
        elif a.arrived_at is not None:
            h.waiting.append(a)
        else:
            h.expected.append(a)
    return list(out.values())
