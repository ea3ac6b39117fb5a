"""Hearings (听证, regulation.md §4.3 route 6; Arts. 31(6), 36 para 2).

- ``Hearing``: a hearing of a 申诉求决类 matter on route (6), held by the organ handling it
  (stage ``handling``, Art. 31(6): major, complex or difficult matters) or by the re-review
  organ (stage ``re_review``, Art. 36 para 2). It is scheduled with its participants and a
  numbered notice (听证通知), opened and closed through ``petition_act`` (``hearing_start`` /
  ``hearing_end``: at re-review the days between are not counted in T10, the tracker
  recomputes the due date), recorded (听证笔录) with its outcome, and - only after a re-review
  hearing, once the re-review opinion is issued - published (经过听证的复核意见可以依法向社会公示).
- ``HearingParticipant``: who takes part and in which role.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.deadlines.tracker import hearing_days
from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class HearingStage(models.TextChoices):
    HANDLING = "handling", "办理阶段（第三十一条第六项）"
    RE_REVIEW = "re_review", "复核阶段（第三十六条第二款）"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已通知"
    IN_PROGRESS = "in_progress", "听证中"
    CONCLUDED = "concluded", "已结束"
    CANCELLED = "cancelled", "已取消"


class ParticipantRole(models.TextChoices):
    PRESIDING = "presiding", "主持人"
    PANEL = "panel", "听证员"
    PETITIONER = "petitioner", "信访人"
    ORGAN = "organ", "有关机关代表"
    THIRD = "third", "第三方（律师、专家、群众代表等）"
    RECORDER = "recorder", "记录人"


class Hearing(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey(
        Organ, verbose_name="举行听证的机关", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField("阶段", max_length=10, choices=HearingStage.choices)
    status = models.CharField(
        "状态", max_length=12, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    reason = models.CharField("举行听证的理由", max_length=500)
    scheduled_for = models.DateTimeField("听证时间")
    place = models.CharField("听证地点", max_length=200)
    notice_number = models.CharField("听证通知文号", max_length=60)
    notice_on = models.DateField("通知日期")
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    record = models.TextField("听证笔录", blank=True)
    outcome = models.TextField("听证意见", blank=True)
    cancel_reason = models.CharField("取消理由", max_length=500, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    publication = models.TextField("公示内容", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "听证"
        constraints = [
            # one live hearing per petition (a cancelled or concluded one may be followed)
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(status__in=["scheduled", "in_progress"]),
                name="hearing_one_live",
            )
        ]
        indexes = [models.Index(fields=["organ", "status"], name="hearing_organ_status")]

    def __str__(self) -> str:
        return self.notice_number

    @property
    def paused_days(self) -> int:
        """The calendar days the hearing took (not counted in T10 at re-review, Art. 36 para 2),
        counted as the deadline tracker counts them (``deadlines.tracker.hearing_days``)."""
        if self.started_on is None or self.ended_on is None:
            return 0
        return hearing_days(
            self.started_on, self.ended_on, inclusive=settings.XINFANG_HEARING_DAYS_INCLUSIVE
        )


class HearingParticipant(models.Model):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField("身份", max_length=12, choices=ParticipantRole.choices)
    name = models.CharField("姓名", max_length=100)
    unit = models.CharField("单位或说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "听证参加人"
        ordering = ["pk"]
