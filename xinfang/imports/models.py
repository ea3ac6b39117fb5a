"""Imports of earlier petitions from a 台账 file (issue 16): the sources with their saved column
mapping, each file imported (a run: its dry run report, its progress, its outcome) and the rows
imported, one per row id of a source, so the same file imported twice adds nothing."""

from __future__ import annotations

from django.db import models


class ImportSource(models.Model):
    """Where the files come from (an office's old system, a county's spreadsheet), with the
    column mapping last used for it. A source is the importing organ's own (``organ``; none for
    the command line): the rows it imported answer only its own imports, so that a row id
    "already imported" never tells another organ that a petition exists (Art. 30 para 3)."""

    organ = models.ForeignKey(
        "directory.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("来源名称", max_length=100)
    mapping = models.JSONField("列对应", default=dict)  # field key -> column name
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "导入来源"
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "name"],
                condition=models.Q(organ__isnull=False),
                name="import_source_organ_name",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(organ__isnull=True),
                name="import_source_cli_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RunState(models.TextChoices):
    UPLOADED = "uploaded", "待核对列"
    CHECKING = "checking", "试导入中"
    CHECKED = "checked", "试导入完成"
    RUNNING = "running", "导入中"
    DONE = "done", "已导入"
    FAILED = "failed", "未导入"


class ImportRun(models.Model):
    """One file: uploaded, dry-run, then committed (a batch of rows per transaction)."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="runs")
    requested_by = models.ForeignKey(
        "directory.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    file = models.FileField(upload_to="imports/", blank=True)
    file_name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.UPLOADED)
    mapping = models.JSONField(default=dict)
    rows_total = models.IntegerField(default=0)
    report = models.JSONField(default=dict)  # tabular.Report.as_dict()
    imported = models.IntegerField(default=0)
    # Where the worker is (written between its batches, each its own transaction: the page
    # reads it from here, not from the file; ADR 0020).
    progress_phase = models.CharField(max_length=10, blank=True, default="")
    progress_done = models.IntegerField(default=0)
    progress_total = models.IntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="import_run_user")]


class ImportedRow(models.Model):
    """A row of a source imported as a petition: its id in the source is never imported again."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=100)
    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "已导入行"
        constraints = [models.UniqueConstraint(fields=["source", "ref"], name="imported_row_once")]
