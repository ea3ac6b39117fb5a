"""A policy matter (分类管理): the policy problem behind many petitions, solved once by the organ
that owns the policy; each linked petition keeps its own lawful procedure and deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class PolicyStatus(models.TextChoices):
    OPEN = "open", "研究中"
    RESPONDED = "responded", "已出台政策措施"


class ResponseKind(models.TextChoices):
    RULE = "rule", "制定或修改规定"
    FUND = "fund", "设立资金"
    MEASURE = "measure", "工作措施"
    OTHER = "other", "其他"


class PolicyMatter(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="政策主管机关", on_delete=models.PROTECT, related_name="policy_matters"
    )
    title = models.CharField("政策问题", max_length=200)
    description = models.TextField("问题说明")
    status = models.CharField(
        "状态", max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.OPEN
    )
    response_kind = models.CharField(
        "政策回应方式", max_length=10, choices=ResponseKind.choices, blank=True
    )
    response = models.TextField("政策回应", blank=True)
    responded_on = models.DateField("出台日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # The form's one-time key: posting the same form again returns the first record (a refresh
    # or a double click never records twice).
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "政策类问题"

    def __str__(self) -> str:
        return self.title


class LinkSource(models.TextChoices):
    MANUAL = "manual", "人工确认"
    SAME_MATTER = "same_matter", "同一事项提示"
    HOT_ISSUE = "hot_issue", "热点问题提示"


class PolicyMatterPetition(models.Model):
    """A petition a person confirmed to be about the policy matter (one matter per petition)."""

    matter = models.ForeignKey(PolicyMatter, on_delete=models.CASCADE, related_name="links")
    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="policy_link")
    source = models.CharField("来源", max_length=12, choices=LinkSource.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "政策类问题关联信访事项"
        ordering = ["id"]
