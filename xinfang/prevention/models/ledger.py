"""What the ledger pages read instead of the live table (design.md: pages do not aggregate the
live table).

- ``DisputeCount``: the number of ledger entries per (organ, cycle, kind, status), kept by the
  dispute services in the same transaction as the entry they write, so the ledger's totals, its
  roll-up by organ and the monthly report sum at most organs × cycles × kinds × statuses rows
  whatever the size of the ledger (tests/test_rollup.py checks it equals the live count).
- ``LedgerExport``: an XLSX export of the ledger asked for by a user and written by the
  background worker (10^5 entries take seconds), with its progress and, when done, the file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.directory.models import Organ


class DisputeCount(models.Model):
    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    cycle = models.DateField()
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=12)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "台账计数"
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "cycle", "kind", "status"], name="dispute_count_cell"
            ),
            models.CheckConstraint(condition=models.Q(n__gte=0), name="dispute_count_not_negative"),
        ]


class ExportState(models.TextChoices):
    WAITING = "waiting", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class LedgerExport(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField()
    # the ledger filter as the page had it (cycle, kind, status, organ) and the file's title
    filters = models.JSONField(default=dict)
    title = models.CharField(max_length=300)
    #: the language of the request that asked for it (the worker writes the file in it)
    language = models.CharField(max_length=10, default="zh-hans")
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.WAITING)
    rows_total = models.IntegerField(default=0)
    rows_done = models.IntegerField(default=0)
    file = models.FileField(upload_to="prevention/exports/", blank=True)
    size = models.IntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导出"
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="ledger_export_user")
        ]
