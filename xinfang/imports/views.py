"""The staff page of history imports: upload a 台账 file, map its columns with a preview of its
first rows, read the dry run's report, commit it; the worker runs both, the page shows progress.
Every POST carries its one-time token and redirects (PRG); an error shows the form again with
what was chosen."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from xinfang.core.errors import ApplicationError
from xinfang.imports.models import ImportSource, RunState
from xinfang.imports.plan import FIELDS
from xinfang.imports.reasons import reason_text, report_shown
from xinfang.imports.runs import (
    field_rows,
    import_run_get_for_user,
    import_run_map,
    import_run_progress,
    import_run_start,
    import_runs_for_user,
    run_table,
)
from xinfang.imports.tabular import TableError
from xinfang.imports.tasks import import_run_task

BUSY = (RunState.CHECKING, RunState.RUNNING)
MAPPABLE = (RunState.UPLOADED, RunState.CHECKED, RunState.FAILED)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    user = request.user
    runs = import_runs_for_user(user=user)  # type: ignore[arg-type]  # 403 for other roles
    errors: dict[str, list[str]] = {}
    source = request.POST.get("source", "")[:200]
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            run = import_run_start(
                actor=user,  # type: ignore[arg-type]
                source_name=source,
                file_name=upload.name if upload else "",
                content=upload.read() if upload else b"",
            )
        except ApplicationError as e:
            errors = e.fields or {"file": [e.message]}
        else:
            return redirect("imports:run", run_id=run.pk)
    sources = list(
        ImportSource.objects.filter(organ=user.organ)  # type: ignore[union-attr]
        .order_by("name")
        .values_list("name", flat=True)[:200]
    )
    return render(
        request,
        "imports/start.html",
        {"runs": runs, "errors": errors, "source": source.replace("\x00", ""), "sources": sources,
         "fields": FIELDS},
        status=400 if errors else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_user(user=request.user, run_id=run_id)  # type: ignore[arg-type]
    errors: list[str] = []
    table = None
    if run.state in MAPPABLE:  # the file is read for its columns only while they may be mapped
        try:
            table = run_table(run)
        except (OSError, TableError):
            errors.append(gettext("无法再读取该文件，请重新上传"))
    if request.method == "POST" and table is not None:
        mapping = {
            f.key: c
            for f in FIELDS
            if (c := request.POST.get(f"col_{f.key}", "")[:300]) and c in table.header
        }
        commit = request.POST.get("do") == "commit"
        try:
            with transaction.atomic():
                import_run_map(run=run, actor=request.user, mapping=mapping, commit=commit)  # type: ignore[arg-type]
                # queued when this commits: the worker never looks for a run not yet marked
                transaction.on_commit(
                    partial(import_run_task.enqueue, run_id=run.pk, commit=commit)
                )
        except ApplicationError as e:
            errors = [e.message, *[m for ms in e.fields.values() for m in ms]]
            run.mapping = mapping  # what was chosen is shown again
        else:
            messages.success(
                request, gettext("已开始确认导入") if commit else gettext("已开始试导入")
            )
            return redirect("imports:run", run_id=run.pk)
    progress = import_run_progress(run) if run.state in BUSY else None
    return render(
        request,
        "imports/run.html",
        {
            "run": run,
            "busy": run.state in BUSY,
            "progress": progress,
            "header": table.header if table else [],
            "preview": table.preview(5) if table else [],
            "fields": field_rows(run) if table else [],
            "report": report_shown(run.report or {}),
            "errors": [reason_text(m) for m in errors],
            "may_map": table is not None and run.state in MAPPABLE,
            "may_commit": run.state == RunState.CHECKED and not run.report.get("bad")
            and run.report.get("good"),
        },
        status=400 if errors and request.method == "POST" else 200,
    )  # fmt: skip
