"""Deadline rows (a projection of the event log), the confirmed State Council holiday notices,
the due dates kept when a year was confirmed, and admin-edited holiday overrides."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xinfang.directory.models import Organ, User


class Deadline(models.Model):
    # indexed once, by ``deadline_petition`` below (not a second time as a foreign key)
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="deadlines", db_index=False
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
    # Its count crossed a day of a year whose holidays are provisional (no confirmed notice, not
    # in chinese_calendar): the due date may still move (ADR 0012).
    provisional = models.BooleanField("暂定", default=False)

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
            # The escalation ladder's hourly selection (resolution.escalate): the running
            # deadlines past or near their due day, without reading every open one.
            models.Index(
                fields=["due_date"],
                name="deadline_running_due",
                condition=Q(outcome="open", paused=False),
            ),
            # The petitions to recompute when a year is confirmed, and the admin's banner.
            models.Index(
                fields=["due_date"], name="deadline_provisional", condition=Q(provisional=True)
            ),
        ]


class HolidayNotice(models.Model):
    """A State Council notice of a year's holiday arrangement (国务院办公厅关于某年部分节假日安排的
    通知), confirmed by an admin (``calendar_notice_confirm``): from then on the year's days are
    the notice's, not provisional. Confirming the year again replaces the row."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    title = models.CharField("标题", max_length=200)
    issued_on = models.DateField("发布日期", null=True, blank=True)
    text = models.TextField("通知文本（导入的文件）")
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")
    report = models.JSONField("确认时重新计算的结果", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（已确认）"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class HolidayNoticeDay(models.Model):
    """A day a confirmed notice declares: a rest day, or a make-up working day (调休上班)."""

    notice = models.ForeignKey(HolidayNotice, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期")
    is_working_day = models.BooleanField("是否工作日")
    festival = models.CharField("节日", max_length=40)

    class Meta:
        verbose_name = verbose_name_plural = "通知安排的日期"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["notice", "date"], name="notice_day_unique")]


class KeptDueDate(models.Model):
    """A due date kept when confirming a year would have moved it earlier (ADR 0012): a
    petitioner's window shown with this date, or an organ's duty the move would have put in the
    wrong. The tracker never lets that deadline's due date fall before it."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    code = models.CharField("期限", max_length=4)
    start_date = models.DateField("起算日")
    due_date = models.DateField("保留的届满日")
    year = models.PositiveSmallIntegerField("确认的年份")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "保留的届满日"
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "code", "start_date"], name="kept_due_unique"
            )
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
