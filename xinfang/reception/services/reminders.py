"""Reminders through the notification interface (``reception.notify``): the petitioner the
day before their booked reception (only if they chose it), a promise's owner two days before it
is due. Idempotent: each row is marked when its reminder went out."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.petitions.models import Party, PartyRole
from xinfang.reception.models import Appointment, AppointmentStatus, Promise, PromiseStatus
from xinfang.reception.notify import Backend, NotAllowed, Recipient, notify

DUE_SOON_DAYS = 2


def reminders_send(*, now: datetime | None = None, via: Backend | None = None) -> dict[str, int]:
    """``now`` decides what is due; each reminder is marked with the time it is sent (an SMS
    gateway may take seconds a message: the thousandth is not sent at the job's start)."""
    now = now or clock.now()
    stamp = clock.advancing(now)
    today = clock.local_date(now)
    sent = {"petitioners": 0, "staff": 0, "refused": 0}
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        notify=True,
        reminded_at__isnull=True,
        session__on=today + timedelta(days=1),
        session__cancelled=False,
    ).select_related("session__organ", "petition")
    for a in due[:1000]:
        with transaction.atomic():
            if not Appointment.objects.filter(pk=a.pk, reminded_at__isnull=True).update(
                reminded_at=stamp()
            ):
                continue
            phone = next(
                (
                    x.phone
                    for x in Party.objects.filter(
                        petition_id=a.petition_id, role=PartyRole.PETITIONER
                    )
                    if x.phone
                ),
                "",
            )
            s = a.session
            text = gettext("明天 %(t)s 在 %(p)s 接访，预约码 %(c)s") % {
                "t": s.starts.strftime("%H:%M"),
                "p": s.place or s.organ.name,
                "c": a.code,
            }
            try:
                notify(
                    petition=a.petition,
                    to=Recipient("petitioner", phone=phone or ""),
                    subject=gettext("接访提醒"),
                    text=text,
                    via=via,
                )
                sent["petitioners"] += 1
            except NotAllowed:
                sent["refused"] += 1
    soon = Promise.objects.filter(
        status=PromiseStatus.OPEN,
        reminded_at__isnull=True,
        due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
    ).select_related("petition", "owner")
    for p in soon[:1000]:
        with transaction.atomic():
            if not Promise.objects.filter(pk=p.pk, reminded_at__isnull=True).update(
                reminded_at=stamp()
            ):
                continue
            try:
                notify(
                    petition=p.petition,
                    to=Recipient("staff", email=p.owner.email, user_id=p.owner_id),
                    subject=gettext("承诺事项即将到期"),
                    text=f"{p.description}（{p.due_on:%Y-%m-%d}）",
                    via=via,
                )
                sent["staff"] += 1
            except NotAllowed:
                sent["refused"] += 1
    return sent
