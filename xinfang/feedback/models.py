"""Satisfaction evaluations (满意度评价) given by petitioners, once per stage (regulation §8).

Petitioner-only: there is no staff path that writes a row (§8.2 cautions against proxy rating
by the evaluated unit, "责任代为评价"). Rows are never edited after they are written.
"""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import Organ


class Stage(models.TextChoices):
    """What is evaluated: the answer of one step that the petitioner received in writing."""

    HANDLING = "handling", "办理答复"  # opinion, reply, notice that closes the matter
    REVIEW = "review", "复查"
    RE_REVIEW = "re_review", "复核"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"  # counts as satisfied (§8.2)
    DISSATISFIED = "dissatisfied", "不满意"


class Evaluation(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.PROTECT, related_name="evaluations"
    )
    stage = models.CharField("评价环节", max_length=12, choices=Stage.choices)
    organ = models.ForeignKey(
        Organ, verbose_name="被评价机关", on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = verbose_name_plural = "满意度评价"
        constraints = [
            models.UniqueConstraint(fields=["petition", "stage"], name="evaluation_once_per_stage")
        ]
        indexes = [
            # Rollups per evaluated organ and evaluation date (§8.2: by evaluation date).
            models.Index(fields=["organ", "created_at"], name="evaluation_organ_date"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.get_stage_display()} {self.get_rating_display()}"
