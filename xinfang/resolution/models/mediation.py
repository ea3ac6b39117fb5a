"""Mediation and settlement (调解、和解, 信访工作条例 Art. 33; regulation.md §4.3).

- ``Mediation``: with both sides' consent the organ handling a 申诉求决类 matter mediates (调解)
  or guides the parties to settle (和解). The record keeps the date, place, mediator, who was
  present and what was agreed; the agreement lists who must sign.
- ``MediationSigner``: each party's signature, recorded with when and how (in person, or a
  written signature sent back), or their refusal. When every listed party has signed, the
  ``settle`` step of ``petition_act`` (the one writer of state) ends the matter: ``settled``, a
  final state ([SD Art. 46(1)]: a mediation agreement ends the matter), and the numbered 调解
  （和解）协议书 of the documents app prints the signatures and the remedy route. A party who
  refuses to sign means there is no agreement: the mediation fails and the matter continues.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition, PetitionEvent


class MediationKind(models.TextChoices):
    MEDIATION = "mediation", gettext_noop("调解")
    SETTLEMENT = "settlement", gettext_noop("和解")


class MediationStatus(models.TextChoices):
    SIGNING = "signing", gettext_noop("待签字")
    SETTLED = "settled", gettext_noop("已签订协议")
    FAILED = "failed", gettext_noop("未达成协议")


class SignerSide(models.TextChoices):
    PETITIONER = "petitioner", gettext_noop("信访人一方")
    OTHER = "other", gettext_noop("对方当事人")


class SignMethod(models.TextChoices):
    IN_PERSON = "in_person", gettext_noop("当面签字")
    WRITTEN = "written", gettext_noop("书面签署")


class Mediation(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey(
        Organ, verbose_name="主持调解的机关", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("方式", max_length=10, choices=MediationKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=MediationStatus.choices, default=MediationStatus.SIGNING
    )
    held_on = models.DateField("调解日期")
    place = models.CharField("地点", max_length=200)
    mediator = models.CharField("调解人", max_length=100)
    present = models.TextField("到场人员")
    agreed = models.TextField("达成的协议内容")
    failed_reason = models.CharField("未达成协议的原因", max_length=500, blank=True)
    settle_event = models.OneToOneField(
        PetitionEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "调解和解"
        constraints = [
            # one agreement awaiting signatures per petition
            models.UniqueConstraint(
                fields=["petition"], condition=Q(status="signing"), name="mediation_one_open"
            )
        ]
        indexes = [models.Index(fields=["organ", "status"], name="mediation_organ_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class MediationSigner(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="signers")
    side = models.CharField("一方", max_length=12, choices=SignerSide.choices)
    name = models.CharField("姓名或名称", max_length=100)
    signed = models.BooleanField("已签字", null=True)  # None: not yet; False: refused
    signed_on = models.DateField("签字日期", null=True, blank=True)
    method = models.CharField("签字方式", max_length=10, choices=SignMethod.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "协议签字"
        ordering = ["pk"]
