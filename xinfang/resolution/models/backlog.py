"""Backlog cases (积案化解, regulation.md §9; Art. 18 para 2 leaders in charge, Art. 38).

- ``BacklogCriterion``: a criterion the province sets (``backlog_rules.Kind`` and a threshold),
  evaluated daily by ``xinfang tick`` (job ``resolution.backlog_propose``).
- ``BacklogCase``: one petition proposed by a criterion (or by a person), confirmed or rejected
  by a person; once confirmed it has a leader in charge (包案领导), a resolution plan, milestones,
  progress entries and a close-out. The petition carries the ``backlog`` flag while the case is
  open (``petitions.services.petition_flag_set``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition
from xinfang.resolution.backlog_rules import LABELS, Kind


class BacklogCriterion(models.Model):
    kind = models.CharField("标准类型", max_length=12, choices=[(k.value, LABELS[k]) for k in Kind])
    threshold = models.PositiveIntegerField("阈值 N")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "积案标准"

    def __str__(self) -> str:
        return f"{self.kind} ≥ {self.threshold}"


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    REJECTED = "rejected", "不列为积案"
    OPEN = "open", "化解中"
    CLOSED = "closed", "已化解"


class BacklogCase(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey(
        Organ, verbose_name="责任机关", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.PROPOSED
    )
    proposed_reason = models.CharField("列入理由", max_length=300)
    proposed_on = models.DateField("提出日期")
    decided_on = models.DateField("确认日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField("确认说明", max_length=500, blank=True)
    leader = models.CharField("包案领导", max_length=100, blank=True)
    plan = models.TextField("化解方案", blank=True)
    closed_on = models.DateField("化解日期", null=True, blank=True)
    outcome = models.TextField("化解情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "积案"
        constraints = [
            # one live case per petition: a rejected or closed one may be followed by a new one
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(status__in=["proposed", "open"]),
                name="backlog_one_live_case",
            )
        ]
        indexes = [models.Index(fields=["organ", "status"], name="backlog_organ_status")]

    def __str__(self) -> str:
        return f"积案 {self.pk}"


class BacklogMilestone(models.Model):
    case = models.ForeignKey(BacklogCase, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("计划完成日期")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "化解节点"
        ordering = ["due_on", "pk"]


class BacklogProgress(models.Model):
    case = models.ForeignKey(BacklogCase, on_delete=models.CASCADE, related_name="progress")
    note = models.TextField("进展")
    on = models.DateField("日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "化解进展"
        ordering = ["on", "pk"]
