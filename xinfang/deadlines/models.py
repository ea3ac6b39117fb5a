"""Deadline rows (a projection of the event log) and admin-edited holiday overrides."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xinfang.directory.models import Organ, User


class Deadline(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="deadlines"
    )
    code = models.CharField("期限", max_length=4)
    owner_organ = models.ForeignKey(
        Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("起算日")
    due_date = models.DateField("届满日")
    outcome = models.CharField(max_length=8, default="open")  # open | met | void | lapsed
    closed_on = models.DateField(null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(default=0)
    paused_days = models.PositiveSmallIntegerField(default=0)
    paused = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "办理期限"
        ordering = ["petition_id", "start_date", "id"]
        indexes = [
            models.Index(
                fields=["owner_organ", "due_date"],
                name="deadline_open_due",
                condition=Q(outcome="open"),
            ),
            models.Index(fields=["petition"], name="deadline_petition"),
        ]


class HolidayOverride(models.Model):
    """A date whose working-day status differs from the chinese-calendar package (or a year it lacks)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=200, blank=True)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_working_day else '休息日'}"
