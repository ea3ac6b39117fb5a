"""Reads of appointments: a session's bookings as the user may see them (only petitions the
petitions gate lets the user see: an accusation is never listed or counted for the accused
organ, Art. 30 para 3), and the sessions open to booking on the portal."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from xinfang.directory.models import User
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.reception.models import Appointment, ReceptionSession

PORTAL_DAYS = 60


def appointments_of_session(*, user: User, session: ReceptionSession) -> QuerySet[Appointment]:
    visible = petition_queryset_for_user(user=user).values("pk")
    return (
        Appointment.objects.filter(session=session, petition_id__in=visible)
        .select_related("petition", "booked_by")
        .order_by("booked_at", "id")
    )


def sessions_open_for_booking(*, today: date) -> QuerySet[ReceptionSession]:
    """Sessions published for the coming weeks (Art. 18 para 1: times and places are public)."""
    return (
        ReceptionSession.objects.filter(
            cancelled=False, on__gte=today, on__lte=today + timedelta(days=PORTAL_DAYS)
        )
        .select_related("organ", "leader")
        .order_by("on", "starts", "id")
    )


def appointment_by_code(*, code: str) -> Appointment | None:
    """A booking by its code, for the page that confirms it to the browser that made it."""
    return (
        Appointment.objects.select_related("session__organ", "session__leader")
        .filter(code=code)
        .first()
    )
