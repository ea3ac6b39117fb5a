"""Source prevention (源头预防, regulation §10): about matters, decisions and organs, never people.

- ``Dispute``: an entry of the dispute screening ledger (矛盾纠纷排查化解台账) kept by a township,
  street or village organ, with the parties as far as mediation needs them (``DisputeParty``:
  a name and what that side asks, nothing else) and its mediation steps (``DisputeStep``).
- ``Decision``: a draft major decision or project whose social-stability risk is assessed
  (重大决策社会稳定风险评估): the assessment work, its risk points (likelihood × impact of a
  *matter*), measures, contingency plan and conclusion; petitions and disputes later raised
  about it are linked (``DecisionLink``) against the risks foreseen.
- ``Conference``: a joint-conference meeting (联席会议) with member organs, agenda items,
  decisions and tasks for member organs (``ConferenceTask``) followed up until closed.
- ``PolicyMatter``: a policy problem behind many petitions (分类管理), its owner organ and the
  policy response; each linked petition keeps its own procedure and deadline.

No model here has a field that rates, flags or lists a person (tests/test_no_person_risk.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class DisputeKind(models.TextChoices):
    LAND = "land", "土地承包"
    WAGES = "wages", "劳资欠薪"
    RESETTLEMENT = "resettlement", "征地拆迁安置"
    NEIGHBOURS = "neighbours", "邻里纠纷"
    ENVIRONMENT = "environment", "环境污染"
    FAMILY = "family", "婚姻家庭"
    PROPERTY = "property", "物业服务"
    CONTRACT = "contract", "合同债务"
    OTHER = "other", "其他"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "在排查"
    MEDIATING = "mediating", "调解中"
    SETTLED = "settled", "已化解"
    REFERRED = "referred", "已移交"
    PETITION = "petition", "已转为信访事项"


class Outcome(models.TextChoices):
    SETTLED = "settled", "调解成功，已化解"
    COURT = "court", "引导诉讼"
    ARBITRATION = "arbitration", "引导仲裁"
    ORGAN = "organ", "移交有权处理的机关"
    PETITION = "petition", "转为信访事项"


class Dispute(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="排查单位", on_delete=models.PROTECT, related_name="disputes"
    )
    kind = models.CharField("纠纷类型", max_length=20, choices=DisputeKind.choices)
    place = models.CharField("发生地点", max_length=200)
    summary = models.TextField("纠纷简况")
    found_on = models.DateField("发现日期")
    cycle = models.DateField("排查周期", help_text="周期第一天")
    responsible = models.CharField("化解责任人", max_length=50)
    status = models.CharField(
        "状态", max_length=12, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    outcome = models.CharField("化解结果", max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("结果说明", blank=True)
    referred_to = models.CharField("移交或引导至", max_length=200, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    petition = models.ForeignKey(
        Petition,
        verbose_name="转为的信访事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")
    # The form's one-time key: posting the same form again returns the first record (a refresh
    # or a double click never records twice).
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷"
        indexes = [
            models.Index(fields=["organ", "cycle", "id"], name="dispute_organ_cycle"),
            models.Index(fields=["organ", "status"], name="dispute_organ_status"),
            # the monthly report: what was closed in the month
            models.Index(fields=["organ", "closed_on"], name="dispute_organ_closed"),
            # one month of a county's ledger, newest first: without it PostgreSQL walks the
            # primary key backwards over the other months (32 ms at 10^5), and the report's
            # month of closings is read as a range, not a scan of the table (94 ms)
            models.Index(fields=["cycle", "id"], name="dispute_cycle_id"),
            models.Index(fields=["closed_on", "organ"], name="dispute_closed_organ"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.place}"


class PartySide(models.TextChoices):
    APPLICANT = "applicant", "申请方"
    RESPONDENT = "respondent", "被申请方"
    OTHER = "other", "其他方"


class DisputeParty(models.Model):
    """A side of a dispute as mediation needs it: who, and what that side asks. Nothing more."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField("方", max_length=12, choices=PartySide.choices)
    name = models.CharField("姓名或名称", max_length=100)
    asks = models.TextField("诉求", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "纠纷当事方"
        ordering = ["id"]


class StepKind(models.TextChoices):
    VISIT = "visit", "走访了解"
    TALK = "talk", "释法明理"
    MEDIATION = "mediation", "组织调解"
    LEGAL_AID = "legal_aid", "法律援助"
    OTHER = "other", "其他"


class DisputeStep(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("方式", max_length=12, choices=StepKind.choices)
    on = models.DateField("日期")
    note = models.TextField("经过")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "调解步骤"
        ordering = ["on", "id"]
