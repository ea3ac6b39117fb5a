"""Appointments (预约接访): a petition booked into a reception session, by the petitioner on
the portal or by a clerk at the desk, with a booking code; a waiting list when the session is
full. Booking asks for nothing the law does not (no household registration, no approval from
the petitioner's locality): a phone number to reach them, and the matter."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.petitions.models import Petition
from xinfang.reception.models.sessions import ReceptionSession


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    WAITING = "waiting", "候补"
    CANCELLED = "cancelled", "已取消"
    RECEIVED = "received", "已接待"


ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.WAITING)


class Appointment(models.Model):
    session = models.ForeignKey(
        ReceptionSession, on_delete=models.PROTECT, related_name="appointments"
    )
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    code = models.CharField("预约码", max_length=12, unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    notify = models.BooleanField("接收提醒", default=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The one-stop hall (一站式接待大厅): the petitioner has arrived and waits (签到), then is
    # called in and is being received (叫号) until the record is written (status received).
    arrived_at = models.DateTimeField("签到时间", null=True, blank=True, editable=False)
    called_at = models.DateTimeField("开始接谈", null=True, blank=True, editable=False)
    # The form's one-time key (a refresh never books twice).
    submission = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "预约接访"
        ordering = ["booked_at", "id"]
        indexes = [models.Index(fields=["session", "status"], name="appt_session_status")]
