"""The register of document numbers (文号): each issuing organ numbers its documents of each
kind from 1 every year, in the order they are issued (党政机关公文格式 GB/T 9704: 发文机关代字、
年份、发文顺序号, e.g. 青山信受告〔2026〕12号)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition, PetitionEvent


class DocumentCounter(models.Model):
    """The last number an organ gave to a kind of document in a year."""

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    code = models.CharField("文种代字", max_length=10)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用到的顺序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "发文顺序号"
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "code", "year"], name="document_counter_unique"
            )
        ]


class DocumentNumber(models.Model):
    """The 文号 given to the document of one event, when the event was written."""

    event = models.OneToOneField(
        PetitionEvent, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("文号", max_length=60)

    class Meta:
        verbose_name = verbose_name_plural = "文号"


class DraftStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("草稿")
    SUBMITTED = "submitted", gettext_noop("待签发")
    RETURNED = "returned", gettext_noop("退回修改")
    APPROVED = "approved", gettext_noop("已签发")
    DISCARDED = "discarded", gettext_noop("已撤销")


#: A draft in one of these may still change; at most one per petition and step.
OPEN_DRAFT = (DraftStatus.DRAFT, DraftStatus.SUBMITTED, DraftStatus.RETURNED)


class Draft(models.Model):
    """A decision the organ's head signs, drafted by its handler (Arts. 32, 34–36): the handling
    opinion, an extension, a review or re-review opinion. It reaches the petitioner only as the
    event the head's approval writes (``petition_act``); until then it is the organ's own paper,
    never shown on the portal (issue 12, item 7)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("步骤", max_length=30)
    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=12, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    data = models.JSONField("内容", default=dict)
    reason = models.TextField("理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    note = models.TextField("退回意见", blank=True)
    # Each submission, return, approval and discard: {"at", "kind", "actor", "note", "version"}.
    history = models.JSONField(default=list)
    event = models.OneToOneField(
        PetitionEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "文书草稿"
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "action"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="draft_one_open_per_step",
            )
        ]
        indexes = [models.Index(fields=["organ", "status"], name="draft_organ_status")]
