"""Reception days (接访日, Art. 18): the sessions an organ publishes, each with its date, time,
place (or a video link), the receiving leader, the fields it covers and how many petitioners
it can receive; and the recurring schedules ("every Tuesday morning") they are made from."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ


class SessionKind(models.TextChoices):
    LEADER = "leader", "领导接访"
    JOINT = "joint", "联合接访"
    DOWN_VISIT = "down_visit", "领导下访"
    VIDEO = "video", "视频接访"


class ReceptionSchedule(models.Model):
    """A recurring reception day; its sessions are made once, date by date, over the working
    calendar (a holiday on the weekday is skipped, never moved)."""

    organ = models.ForeignKey(
        Organ, verbose_name="接访机关", on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接访领导",
        on_delete=models.PROTECT,
        related_name="+",
    )
    weekday = models.PositiveSmallIntegerField("星期")
    starts = models.TimeField("开始时间")
    ends = models.TimeField("结束时间")
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    place = models.CharField("地点", max_length=200)
    fields = models.CharField("接访领域", max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField("可接待人数")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "接访日安排"
        ordering = ["organ_id", "weekday", "starts"]


class ReceptionSession(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="接访机关", on_delete=models.PROTECT, related_name="reception_sessions"
    )
    kind = models.CharField(
        "接访方式", max_length=12, choices=SessionKind.choices, default=SessionKind.LEADER
    )
    on = models.DateField("日期")
    starts = models.TimeField("开始时间")
    ends = models.TimeField("结束时间")
    place = models.CharField("地点", max_length=200, blank=True)
    video = models.BooleanField("视频接访", default=False)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接访领导",
        on_delete=models.PROTECT,
        related_name="reception_sessions",
    )
    fields = models.CharField("接访领域", max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField("可接待人数")
    schedule = models.ForeignKey(
        ReceptionSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    cancelled = models.BooleanField("已取消", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # The form's one-time key: posting the same form again returns the first session.
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "接访场次"
        ordering = ["on", "starts", "id"]
        indexes = [
            models.Index(fields=["organ", "on"], name="rsession_organ_on"),
            models.Index(fields=["leader", "on"], name="rsession_leader_on"),
            # The calendar walks a window of days in (date, start, id) order (the page's keyset).
            models.Index(fields=["on", "starts", "id"], name="rsession_on_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.starts:%H:%M} {self.organ}"


class SessionLevel(models.Model):
    """An organ at another level joining a video session (省市县三级视频接访): with the session's
    own organ at most three organs, each of a different level."""

    session = models.ForeignKey(ReceptionSession, on_delete=models.CASCADE, related_name="levels")
    organ = models.ForeignKey(
        Organ, verbose_name="参加机关", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "视频接访参加机关"
        constraints = [
            models.UniqueConstraint(fields=["session", "organ"], name="slevel_session_organ")
        ]
