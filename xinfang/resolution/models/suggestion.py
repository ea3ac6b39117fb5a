"""People's suggestions (建议意见类, 信访工作条例 Art. 29; regulation.md §4.1).

- ``Suggestion``: the study of a petition of the suggestion category by the competent organ
  (state ``suggestion_review``). It is decided - adopted, partly adopted or not adopted - with a
  written, reasoned reply: the ``reply`` step of ``petition_act`` (the one writer of state),
  whose event carries the numbered 答复意见书 of the documents app. An adopted (or partly
  adopted) suggestion is listed on the public portal with the organ's subject and reply summary
  only: never the suggester's name or contacts, unless the suggester consented to be credited
  (``credit_name``).
- ``SuggestionRecognition``: a valuable suggestion commended or rewarded (表彰、奖励, Art. 29
  last sentence), with its own number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition, PetitionEvent


class SuggestionStatus(models.TextChoices):
    STUDYING = "studying", gettext_noop("研究中")
    ADOPTED = "adopted", gettext_noop("予以采纳")
    PARTLY = "partly", gettext_noop("部分采纳")
    NOT_ADOPTED = "not_adopted", gettext_noop("不予采纳")


#: The decisions that put a suggestion on the public list (Art. 29: 予以采纳).
ADOPTED = (SuggestionStatus.ADOPTED, SuggestionStatus.PARTLY)


class RecognitionKind(models.TextChoices):
    COMMEND = "commend", gettext_noop("表彰")
    REWARD = "reward", gettext_noop("奖励")


class Suggestion(models.Model):
    petition = models.OneToOneField(Petition, on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey(
        Organ, verbose_name="研究办理的机关", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.STUDYING,
    )
    subject = models.CharField("建议主题（可公开）", max_length=200)
    study = models.TextField("研究论证情况", blank=True)
    reply_summary = models.CharField("答复摘要（可公开）", max_length=1000, blank=True)
    public = models.BooleanField("在网上公开", default=False)
    credit_name = models.CharField("经本人同意公开的署名", max_length=100, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply_event = models.OneToOneField(
        PetitionEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "人民建议"
        indexes = [
            models.Index(fields=["organ", "status"], name="suggestion_organ_status"),
            models.Index(fields=["public", "decided_on"], name="suggestion_public"),
        ]

    def __str__(self) -> str:
        return self.subject


class SuggestionRecognition(models.Model):
    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.PROTECT, related_name="recognitions"
    )
    kind = models.CharField("方式", max_length=10, choices=RecognitionKind.choices)
    number = models.CharField("文号", max_length=60)
    description = models.TextField("表彰奖励内容")
    decided_on = models.DateField("决定日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "建议表彰奖励"
        ordering = ["pk"]
