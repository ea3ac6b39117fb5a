"""A draft major decision or project and its social-stability risk assessment (社会稳定风险评估,
重大行政决策程序暂行条例 Arts. 22–24). The risk belongs to the decision, never to a person."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition
from xinfang.prevention.models.disputes import Dispute


class DecisionKind(models.TextChoices):
    DECISION = "decision", "重大决策"
    PROJECT = "project", "重大工程项目"


class DecisionStatus(models.TextChoices):
    ASSESSING = "assessing", "评估中"
    CONCLUDED = "concluded", "已作出评估结论"


class Conclusion(models.TextChoices):
    PROCEED = "proceed", "可以实施"
    PROCEED_WITH_MEASURES = "proceed_with_measures", "采取措施后实施"
    ADJUST = "adjust", "调整后再评估"
    DO_NOT_PROCEED = "do_not_proceed", "暂缓或不予实施"


class Decision(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="决策机关", on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField("类型", max_length=10, choices=DecisionKind.choices)
    title = models.CharField("决策事项名称", max_length=200)
    scope = models.TextField("涉及范围")
    people_affected = models.PositiveIntegerField("涉及人数（约）")
    summary = models.TextField("主要内容")
    status = models.CharField(
        "状态", max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.ASSESSING
    )
    assessor = models.CharField("第三方评估机构", max_length=200, blank=True)
    contingency_plan = models.TextField("应急处置预案", blank=True)
    conclusion = models.CharField("评估结论", max_length=24, choices=Conclusion.choices, blank=True)
    conclusion_reason = models.TextField("结论理由", blank=True)
    concluded_on = models.DateField("结论日期", null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间")
    # The form's one-time key: posting the same form again returns the first record (a refresh
    # or a double click never records twice).
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "重大决策"
        indexes = [models.Index(fields=["organ", "status"], name="decision_organ_status")]

    def __str__(self) -> str:
        return self.title


class WorkKind(models.TextChoices):
    PUBLIC_COMMENT = "public_comment", "公开征求意见"
    HEARING = "hearing", "听证会"
    EXPERT = "expert", "专家论证"
    SURVEY = "survey", "问卷调查"
    VISIT = "visit", "走访座谈"


class AssessmentWork(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="works")
    kind = models.CharField("评估方式", max_length=16, choices=WorkKind.choices)
    held_on = models.DateField("日期")
    participants = models.PositiveIntegerField("参与人次", default=0)
    findings = models.TextField("主要意见")

    class Meta:
        verbose_name = verbose_name_plural = "评估工作"
        ordering = ["held_on", "id"]


class Grade(models.IntegerChoices):
    LOW = 1, "低"
    MEDIUM = 2, "中"
    HIGH = 3, "高"


class RiskPoint(models.Model):
    """A risk the draft decision carries (e.g. "安置补偿标准低于周边项目"): a matter, with its
    likelihood, impact and the measures that reduce it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField("风险点")
    likelihood = models.PositiveSmallIntegerField("发生可能性", choices=Grade.choices)
    impact = models.PositiveSmallIntegerField("影响程度", choices=Grade.choices)
    measures = models.TextField("防范化解措施", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "风险点"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__in=[1, 2, 3]) & models.Q(impact__in=[1, 2, 3]),
                name="riskpoint_grades",
            )
        ]


class DecisionLink(models.Model):
    """A petition or dispute raised later about the decision, against the risk foreseen (none:
    a risk the assessment did not foresee, for the next assessment to learn from)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="decision_links"
    )
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.CASCADE, related_name="decision_links"
    )
    risk = models.ForeignKey(
        RiskPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    note = models.CharField("说明", max_length=500, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "决策关联事项"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(petition__isnull=False, dispute__isnull=True)
                    | models.Q(petition__isnull=True, dispute__isnull=False)
                ),
                name="decisionlink_one_of",
            ),
            models.UniqueConstraint(fields=["decision", "petition"], name="decisionlink_petition"),
            models.UniqueConstraint(fields=["decision", "dispute"], name="decisionlink_dispute"),
        ]
