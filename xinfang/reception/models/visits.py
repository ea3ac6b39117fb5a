"""Down-visits (下访) and accompanied visits (带案下访, 带访): officials of an organ go to a
place on a date to meet petitioners about petitions already on file (Art. 18 para 2: leaders
and officials 下访、约访、走访). A plan names the place, the date, the leading official and who
goes with them, and the petitions to be discussed; each meeting is written as an ordinary
reception record (``ReceptionRecord.visit``) with its promises, and the plan ends with its
outcome.

It is reception, not tracking: the plan says where the officials go, never where a
petitioner is; there are no fields for a petitioner's location or movements. A petition that
accuses an organ is never put on a plan of that organ or one below it (Art. 30 para 3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class VisitKind(models.TextChoices):
    DOWN = "down", "下访"
    ACCOMPANIED = "accompanied", "带案下访（带访）"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class VisitPlan(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="下访机关", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        "方式", max_length=12, choices=VisitKind.choices, default=VisitKind.DOWN
    )
    on = models.DateField("日期")
    place = models.CharField("地点", max_length=200)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="带队领导",
        on_delete=models.PROTECT,
        related_name="+",
    )
    officials = models.CharField("同行人员", max_length=500, blank=True)
    purpose = models.TextField("下访事由", blank=True)
    petitions = models.ManyToManyField(
        Petition, through="VisitItem", related_name="+", verbose_name="拟接谈的信访事项"
    )
    status = models.CharField(
        "状态", max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    outcome = models.TextField("下访结果", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "下访计划"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["organ", "on"], name="visit_organ_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.place}"


class VisitItem(models.Model):
    """A petition to be discussed on the visit."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="items")
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "下访拟接谈事项"
        constraints = [
            models.UniqueConstraint(fields=["plan", "petition"], name="visititem_plan_petition")
        ]
