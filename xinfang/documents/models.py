"""The register of document numbers (文号): each issuing organ numbers its documents of each
kind from 1 every year, in the order they are issued (党政机关公文格式 GB/T 9704: 发文机关代字、
年份、发文顺序号, e.g. 青山信受告〔2026〕12号)."""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import Organ
from xinfang.petitions.models import PetitionEvent


class DocumentCounter(models.Model):
    """The last number an organ gave to a kind of document in a year."""

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    code = models.CharField("文种代字", max_length=10)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用到的顺序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "发文顺序号"
        constraints = [
            models.UniqueConstraint(fields=["organ", "code", "year"], name="document_counter_unique")
        ]


class DocumentNumber(models.Model):
    """The 文号 given to the document of one event, when the event was written."""

    event = models.OneToOneField(
        PetitionEvent, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("文号", max_length=60)

    class Meta:
        verbose_name = verbose_name_plural = "文号"
