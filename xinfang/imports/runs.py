"""An import on the staff page: the file uploaded, its columns mapped, its dry run and its commit
run by the worker (``tasks.import_run_task``) with progress the page shows.

The worker commits a batch of rows per transaction (ADR 0020) and writes its progress to the
run's row between batches, where the page reads it (the page does not read the file again while
the worker runs).
Only the one who uploaded a file sees its run (NotFound otherwise, as for a run that does not
exist): the preview and the report show the file's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import User
from xinfang.imports.models import ImportedRow, ImportRun, RunState
from xinfang.imports.plan import FIELDS, LABELS
from xinfang.imports.services import (
    import_mapping_save,
    import_may,
    import_rows,
    import_source_get,
    mapping_for,
)
from xinfang.imports.tabular import ColumnMap, Table, TableError, read_table

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


def _require(user: User) -> None:
    if not import_may(user):
        raise Forbidden(gettext("您的角色不能导入信访事项"))


def import_run_start(*, actor: User, source_name: str, file_name: str, content: bytes) -> ImportRun:
    """Keep an uploaded file as a new run, once it reads as a table."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    if not content:
        errors["file"] = [gettext("请选择 XLSX 或 CSV 文件")]
    elif len(content) > MAX_BYTES:
        errors["file"] = [gettext("文件超过 50 MB，请分成几个文件导入")]
    table = None
    if not errors:
        try:
            table = read_table(content, name=file_name, max_rows=MAX_ROWS)
        except TableError as e:
            errors["file"] = [str(e)]
    try:
        source = import_source_get(name=source_name, organ=actor.organ)
    except ApplicationError as e:
        errors |= e.fields
    if errors or table is None:
        raise ApplicationError(gettext("请按提示修改"), fields=errors)
    name = Path(file_name.replace("\x00", "")).name[-200:] or "import"
    run = ImportRun(
        source=source, requested_by=actor, requested_at=clock.now(), file_name=name,
        rows_total=len(table.rows), mapping=mapping_for(source, table.header).columns,
    )  # fmt: skip
    run.file.save(f"import-{clock.now():%Y%m%d%H%M%S}.bin", ContentFile(content), save=False)
    run.save()
    return run


def import_run_get_for_user(*, user: User, run_id: int) -> ImportRun:
    _require(user)
    run = (
        ImportRun.objects.select_related("source").filter(pk=run_id, requested_by=user).first()
        if 0 < run_id < 2**63
        else None
    )
    if run is None:
        raise NotFound(gettext("未找到该导入"))
    return run


def import_runs_for_user(*, user: User, limit: int = 20) -> list[ImportRun]:
    _require(user)
    return list(
        ImportRun.objects.select_related("source")
        .filter(requested_by=user)
        .order_by("-requested_at")[:limit]
    )


def run_table(run: ImportRun) -> Table:
    with run.file.open("rb") as f:
        return read_table(f.read(), name=run.file_name, max_rows=MAX_ROWS)


def import_run_map(*, run: ImportRun, actor: User, mapping: dict[str, str], commit: bool) -> None:
    """Save the mapping and mark the run for the dry run (``commit`` False) or the commit, which
    the caller queues (``tasks.import_run_task``) when this commits. A commit is allowed only
    after a dry run of the same mapping found no bad row."""
    _require(actor)
    busy = (RunState.CHECKING, RunState.RUNNING, RunState.DONE)
    if run.state in busy:
        raise ApplicationError(gettext("该文件正在处理或已经导入"), code="busy", status=409)
    table = run_table(run)
    cmap = ColumnMap({k: c for k, c in mapping.items() if c})
    if problems := cmap.check(table.header, FIELDS):
        raise ApplicationError(gettext("列对应有误"), fields={"mapping": problems})
    if commit and (
        run.state != RunState.CHECKED or run.report.get("bad") or run.mapping != cmap.columns
    ):
        raise ApplicationError(
            gettext("请先试导入，全部无误后再确认导入"), code="not_checked", status=409
        )
    run.mapping = cmap.columns
    run.state = RunState.RUNNING if commit else RunState.CHECKING
    run.save(update_fields=["mapping", "state"])
    import_mapping_save(source=run.source, mapping=cmap.columns)
    _progress_write(run.pk, "check", 0, run.rows_total)


def import_run_execute(*, run_id: int, commit: bool) -> ImportRun:
    """The worker's part: the dry run or the commit of one run, as its uploader."""
    run = ImportRun.objects.select_related("source", "requested_by").get(pk=run_id)
    expected = RunState.RUNNING if commit else RunState.CHECKING
    if run.state != expected:
        return run
    try:
        assert run.requested_by is not None
        out = import_rows(
            source=run.source, table=run_table(run), mapping=ColumnMap(run.mapping),
            actor=run.requested_by, dry_run=not commit, run_id=run.pk,
            progress=lambda phase, done, total: _progress_write(run.pk, phase, done, total),
        )  # fmt: skip
    except Exception as e:
        reason = e.message if isinstance(e, ApplicationError) else gettext("导入时出现错误")
        run.report = {"error": reason}
        run.state = RunState.FAILED if commit else RunState.UPLOADED
        run.finished_at = clock.now()
        run.progress_phase = ""
        # the batches committed before the failure stay (whole petitions); say how many
        run.imported = ImportedRow.objects.filter(run_id=run.pk).count() if commit else 0
        run.save(update_fields=["report", "state", "finished_at", "progress_phase", "imported"])
        if not isinstance(e, ApplicationError):
            raise
        return run
    run.report = out.report.as_dict()
    if commit:
        run.state = RunState.DONE if out.committed else RunState.FAILED
        run.imported = out.imported
    else:
        run.state = RunState.CHECKED
        run.imported = 0
    run.finished_at = clock.now()
    run.progress_phase = ""
    run.save(update_fields=["report", "state", "imported", "finished_at", "progress_phase"])
    return run


# -- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    phase: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _progress_write(run_id: int, phase: str, done: int, total: int) -> None:
    """Between batches (no transaction open): the page sees it at once."""
    ImportRun.objects.filter(pk=run_id).update(
        progress_phase=phase[:10], progress_done=done, progress_total=total
    )


def import_run_progress(run: ImportRun) -> Progress | None:
    if not run.progress_phase:
        return None
    return Progress(run.progress_phase, run.progress_done, run.progress_total)


def field_rows(run: ImportRun) -> list[dict[str, object]]:
    """Each field with its label, whether required and the column mapped to it (the form)."""
    return [
        {"key": f.key, "label": LABELS[f.key], "required": f.required,
         "column": run.mapping.get(f.key, "")}
        for f in FIELDS
    ]  # fmt: skip
