"""The joint conference (联席会议): a meeting of member organs at one level, its agenda items
(a petition, a backlog case, a policy matter, a dispute), the decision on each, and the tasks
assigned to member organs, followed up until closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition
from xinfang.prevention.models.disputes import Dispute
from xinfang.prevention.models.policy import PolicyMatter


class Conference(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="召集机关", on_delete=models.PROTECT, related_name="conferences"
    )
    title = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("会议日期")
    place = models.CharField("地点", max_length=200, blank=True)
    chair = models.CharField("主持人", max_length=50, blank=True)
    members = models.ManyToManyField(Organ, verbose_name="成员单位", related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # The form's one-time key: posting the same form again returns the first record (a refresh
    # or a double click never records twice).
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "联席会议"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class AgendaKind(models.TextChoices):
    PETITION = "petition", "信访事项"
    BACKLOG = "backlog", "信访积案"
    POLICY = "policy", "政策类问题"
    DISPUTE = "dispute", "矛盾纠纷"
    OTHER = "other", "其他"


class AgendaItem(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("议题类型", max_length=10, choices=AgendaKind.choices)
    title = models.CharField("议题", max_length=200)
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    policy_matter = models.ForeignKey(
        PolicyMatter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField("会议决定", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议议题"
        ordering = ["id"]


class TaskStatus(models.TextChoices):
    OPEN = "open", "待办理"
    REPLIED = "replied", "已书面答复"
    CLOSED = "closed", "已办结"


class ConferenceTask(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="tasks")
    organ = models.ForeignKey(
        Organ, verbose_name="承办成员单位", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("任务")
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议任务"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organ", "status"], name="conftask_organ_status")]


class TaskEntryKind(models.TextChoices):
    REPLY = "reply", "书面答复"
    FOLLOW_UP = "follow_up", "跟踪督办"
    CLOSE = "close", "办结"


class TaskEntry(models.Model):
    task = models.ForeignKey(ConferenceTask, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField("类型", max_length=10, choices=TaskEntryKind.choices)
    on = models.DateField("日期")
    text = models.TextField("内容")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "任务答复与督办"
        ordering = ["at", "id"]
