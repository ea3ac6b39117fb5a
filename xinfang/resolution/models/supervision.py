"""Supervision of organs by a petition office (督办, regulation.md §9.2, Art. 40) and the
escalation ladder on deadlines (``ladder.py``).

- ``SupervisionNotice``: a petition office's numbered notice (督办通知) to an organ: the reasons
  from the Art. 40 list, the petitions concerned, the facts and what is asked, a written-reply
  date (``XINFANG_SUPERVISION_REPLY_DAYS``, 30 by default after R05 Art. 36), listed
  supervision (挂牌督办) for serious cases; the organ's numbered written reply (书面反馈).
- ``Escalation``: one step of the ladder, recorded once, on a notice's reply date or on a
  petition's statutory deadline (``deadlines.Deadline``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class Reason(models.TextChoices):
    """The problems for which Art. 40 para 1 has the petition office supervise."""

    ACCEPTANCE = "acceptance", "违反规定受理信访事项"
    HANDLING = "handling", "违反规定办理信访事项"
    BUCK_PASSING = "buck_passing", "推诿"
    PERFUNCTORY = "perfunctory", "敷衍"
    DELAY = "delay", "拖延"
    FALSIFICATION = "falsification", "弄虚作假"
    NOT_EXECUTING = "not_executing", "拒不执行信访处理意见"


class NoticeStatus(models.TextChoices):
    OPEN = "open", "待书面反馈"
    REPLIED = "replied", "已书面反馈"


class SupervisionNotice(models.Model):
    office = models.ForeignKey(
        Organ, verbose_name="督办的信访部门", on_delete=models.PROTECT, related_name="+"
    )
    organ = models.ForeignKey(
        Organ,
        verbose_name="被督办机关",
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    reasons = models.JSONField("督办事由", default=list)
    facts = models.TextField("存在的问题和督办要求")
    listed = models.BooleanField("挂牌督办", default=False)
    number = models.CharField("文号", max_length=60)
    issued_on = models.DateField("督办日期")
    reply_due = models.DateField("书面反馈期限")
    status = models.CharField(
        "状态", max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    reply = models.TextField("书面反馈", blank=True)
    reply_number = models.CharField("反馈文号", max_length=60, blank=True)
    replied_on = models.DateField("反馈日期", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("登记时间")
    petitions = models.ManyToManyField(
        Petition, through="SupervisionPetition", related_name="supervision_notices"
    )
    # the form's one-time key: the same form posted again returns the first notice
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "督办通知"
        indexes = [
            models.Index(fields=["organ", "status", "reply_due"], name="supervision_organ"),
            models.Index(fields=["office", "issued_on"], name="supervision_office"),
            models.Index(fields=["status", "reply_due"], name="supervision_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def late(self) -> bool:
        """Replied after the reply date (on the day itself is on time)."""
        return self.replied_on is not None and self.replied_on > self.reply_due

    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [labels.get(r, r) for r in self.reasons]


class SupervisionPetition(models.Model):
    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "督办的信访事项"
        constraints = [
            models.UniqueConstraint(fields=["notice", "petition"], name="supervision_petition")
        ]


class Audience(models.TextChoices):
    HANDLER = "handler", "承办人"
    HEAD = "organ_head", "机关负责人"
    OFFICE = "office", "上一级信访部门"


class Escalation(models.Model):
    """One step of the ladder on one deadline: recorded once (the unique constraints), by
    ``xinfang tick`` (job ``resolution.escalate``).

    A step on a petition's deadline names the duty by a key of its own: the petition, the limit
    and its start (``code``, ``start_date``), as ``petitions.services.deadlines.deadline_store``
    pairs a fold's duties with their rows. The row (``deadline``) is the ladder's link while the
    duty is folded; when a later fold no longer has that duty at all (a rule or policy changed
    the fold), the row goes and the record stays, with its key, its dates and whom it told
    (Arts. 40, 43, 45: who was told what, when, is what accountability reads)."""

    step = models.CharField("环节", max_length=8)  # ladder.Step
    notice = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField("期限", max_length=4, blank=True)  # the duty's limit (T1…T10)
    start_date = models.DateField("起算日", null=True, blank=True)
    to_organ = models.ForeignKey(
        Organ, verbose_name="告知机关", on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField("告知对象", max_length=12, choices=Audience.choices)
    due_date = models.DateField("期限届满日")
    fired_on = models.DateField("告知日期")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "催办升级"
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "step"],
                condition=Q(notice__isnull=False),
                name="escalation_notice_once",
            ),
            models.UniqueConstraint(
                fields=["deadline", "step"],
                condition=Q(deadline__isnull=False),
                name="escalation_deadline_once",
            ),
            # a notice's step, or a step on a petition's duty (its row gone or not)
            models.CheckConstraint(
                condition=Q(notice__isnull=False, deadline__isnull=True, petition__isnull=True)
                | Q(notice__isnull=True, petition__isnull=False, start_date__isnull=False),
                name="escalation_one_subject_key",
            ),
        ]
        indexes = [models.Index(fields=["to_organ", "fired_on"], name="escalation_to_organ")]
