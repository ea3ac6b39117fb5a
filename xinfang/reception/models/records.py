"""The reception record (接谈记录): who came (the petitioner; for a collective visit its
representatives, at most five, Art. 20 para 3), who received them, what was asked, said and
promised. Each promise is a task with an owner and a due date, on the owner's worklist and the
leader's board until it is done. The record is an entry of the petition's timeline; it never
changes the petition's state (a legal step goes through ``petition_act``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition
from xinfang.reception.models.appointments import Appointment
from xinfang.reception.models.sessions import ReceptionSession
from xinfang.reception.models.visits import VisitPlan


class ReceptionRecord(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey(
        Organ, verbose_name="接访机关", on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        ReceptionSession, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    # A meeting on a down-visit (下访): recorded as reception of the same kind as any other.
    visit = models.ForeignKey(
        VisitPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="record"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接访领导",
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField("接谈时间")
    attendees = models.CharField("来访人", max_length=500)
    representatives = models.JSONField("代表", default=list, blank=True)
    # A video session's participants by level: [{"organ_id", "organ", "level", "people"}].
    participants = models.JSONField("各级参加人员", default=list, blank=True)
    asked = models.TextField("诉求")
    said = models.TextField("接谈情况和答复")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "接谈记录"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["petition", "received_at"], name="rrecord_petition")]


class PromiseStatus(models.TextChoices):
    OPEN = "open", "待落实"
    DONE = "done", "已落实"


class Promise(models.Model):
    record = models.ForeignKey(ReceptionRecord, on_delete=models.CASCADE, related_name="promises")
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    description = models.TextField("承诺事项")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        on_delete=models.PROTECT,
        related_name="reception_promises",
    )
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=8, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    done_on = models.DateField("落实日期", null=True, blank=True)
    done_note = models.TextField("落实情况", blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "接访承诺事项"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="promise_owner"),
            models.Index(fields=["petition", "status"], name="promise_petition"),
        ]
