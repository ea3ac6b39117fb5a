"""Relief (信访救助, regulation.md §4.3 "Other handling rules", §10; Art. 37).

- ``ReliefFund``: an organ's relief fund for one year, with its balance (never below zero: the
  service refuses a payment the balance cannot cover, and a check constraint stands behind it).
- ``FundEntry``: one line of the fund's ledger: an allocation (拨入) or a payment (支出).
- ``ReliefApplication``: an application linked to a petition: the reasons and the hardship
  facts, the amount asked; approved by the handler's organ head, then by the fund owner's head;
  paid in one or more payments.
- ``ReliefDecision``: one step of the approval chain, recorded.

Relief is help for a person in real hardship (Art. 37). It is never conditional on withdrawing
a petition, on not petitioning again or on not going to a higher level: there is deliberately
no field, step or document text for any such condition (tests/test_relief.py checks it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class ReliefFund(models.Model):
    organ = models.ForeignKey(
        Organ, verbose_name="资金管理机关", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    balance = models.DecimalField("余额（元）", max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信访救助资金"
        constraints = [
            models.UniqueConstraint(fields=["organ", "year"], name="relief_fund_organ_year"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="relief_fund_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organ} {self.year}"


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", "拨入"
    PAYMENT = "payment", "支出"


class ReliefStatus(models.TextChoices):
    SUBMITTED = "submitted", "待机关负责人审核"
    HEAD_APPROVED = "head_approved", "待资金管理机关审批"
    APPROVED = "approved", "已批准，待发放"
    PAID = "paid", "已发放"
    REJECTED = "rejected", "未批准"


class ReliefApplication(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey(
        Organ, verbose_name="申请机关", on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        ReliefFund, verbose_name="救助资金", on_delete=models.PROTECT, related_name="applications"
    )
    number = models.CharField("编号", max_length=60)
    reasons = models.TextField("申请理由")
    hardship = models.TextField("困难情况")
    amount_requested = models.DecimalField("申请金额（元）", max_digits=12, decimal_places=2)
    amount_approved = models.DecimalField(
        "批准金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_total = models.DecimalField("已发放（元）", max_digits=12, decimal_places=2, default=0)
    status = models.CharField(
        "状态", max_length=14, choices=ReliefStatus.choices, default=ReliefStatus.SUBMITTED
    )
    applied_on = models.DateField("申请日期")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submission = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "信访救助申请"
        indexes = [models.Index(fields=["organ", "status"], name="relief_organ_status")]

    def __str__(self) -> str:
        return self.number


class ReliefDecision(models.Model):
    application = models.ForeignKey(
        ReliefApplication, on_delete=models.CASCADE, related_name="decisions"
    )
    step = models.CharField("环节", max_length=8)  # head | fund
    approve = models.BooleanField("同意")
    note = models.CharField("意见", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "救助审批"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "step"], name="relief_step_once")
        ]


class FundEntry(models.Model):
    fund = models.ForeignKey(ReliefFund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类型", max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    balance_after = models.DecimalField("余额（元）", max_digits=14, decimal_places=2)
    on = models.DateField("日期")
    note = models.CharField("摘要", max_length=200, blank=True)
    application = models.ForeignKey(
        ReliefApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "救助资金台账"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_positive")
        ]
