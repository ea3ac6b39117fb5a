"""Joint handling (联合接访、联合办理, Art. 18 para 3): a petition handled by a lead organ with
assisting organs. Each assisting organ has its own task and due date, never past the
petition's statutory limit, and replies in writing; the lead organ sees every reply and signs
the one answer the petitioner receives."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class JointHandling(models.Model):
    petition = models.OneToOneField(Petition, on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(
        Organ, verbose_name="牵头机关", on_delete=models.PROTECT, related_name="+"
    )
    limit = models.DateField("法定期限")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    answer = models.TextField("统一答复", blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合办理"


class JointTask(models.Model):
    joint = models.ForeignKey(JointHandling, on_delete=models.CASCADE, related_name="tasks")
    organ = models.ForeignKey(
        Organ, verbose_name="协办机关", on_delete=models.PROTECT, related_name="+"
    )
    task = models.TextField("协办任务")
    due_on = models.DateField("完成时限")
    reply = models.TextField("书面答复", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "协办任务"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organ", "replied_on"], name="jointtask_organ")]
