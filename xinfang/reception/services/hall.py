"""The one-stop hall (一站式接待大厅, Art. 18 para 3: several organs receive in one place so a
petitioner is not sent from door to door): on the day of the session a clerk of the session's
organ marks a booked petitioner as arrived (签到) and then calls them in (叫号); the record
(``record_write``) ends the reception. Only bookings of petitions the clerk may see through the
petitions gate can be touched, so an accusation is never handled by the accused organ
(Art. 30 para 3). Neither step changes the petition's state."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.reception.models import Appointment, AppointmentStatus
from xinfang.reception.services._shared import ApplicationError, NotFound, gate


def _today_booked(actor: User, appointment_id: int, at: datetime) -> Appointment:
    a = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("session__organ")
        .filter(
            pk=appointment_id,
            petition_id__in=petition_queryset_for_user(user=actor).values("pk"),
        )
        .first()
    )
    if a is None:
        raise NotFound()
    gate(actor, Cap.RECEPTION_MANAGE, a.session.organ)
    if a.status != AppointmentStatus.BOOKED or a.session.cancelled:
        raise ApplicationError(gettext("该预约不在待接待状态"), status=409)
    if a.session.on != clock.local_date(at):
        raise ApplicationError(gettext("只能在接访当天签到和叫号"), status=409)
    return a


def appointment_arrive(
    *, actor: User, appointment_id: int, at: datetime | None = None
) -> Appointment:
    """The booked petitioner has arrived at the hall and waits (签到); a second time is a no-op."""
    at = at or clock.now()
    with transaction.atomic():
        a = _today_booked(actor, appointment_id, at)
        if a.arrived_at is None:
            a.arrived_at = at
            a.save(update_fields=["arrived_at"])
    return a


def appointment_call(
    *, actor: User, appointment_id: int, at: datetime | None = None
) -> Appointment:
    """The waiting petitioner is called in and is being received (叫号); only after arriving."""
    at = at or clock.now()
    with transaction.atomic():
        a = _today_booked(actor, appointment_id, at)
        if a.arrived_at is None:
            raise ApplicationError(gettext("请先签到"), status=409)
        if a.called_at is None:
            a.called_at = at
            a.save(update_fields=["called_at"])
    return a
