"""The ledger's XLSX export in the background: asked for from the ledger page (POST, one-time
key), written by the worker (``tasks.ledger_export_run``), followed on its own page with its
progress, and downloaded from there when done, by the one who asked only."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core.errors import ApplicationError
from xinfang.core.once import FIELD, once
from xinfang.core.once_forms import once_by_view
from xinfang.directory.permissions import Cap
from xinfang.prevention.models import ExportState
from xinfang.prevention.selectors import ledger_export_get_for_user
from xinfang.prevention.services.ledger import ledger_export_request
from xinfang.prevention.tasks import ledger_export_run
from xinfang.prevention.views._shared import XLSX, need
from xinfang.prevention.views.disputes import ledger_filter, ledger_title


@once_by_view
@login_required
@require_POST
def ledger_export_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    need(request, Cap.EXPORT)
    flt = ledger_filter(request, request.POST)
    with once(scope="prevention.ledger_export", key=request.POST.get(FIELD)) as claim:
        if claim.prior is not None:  # a refresh or a double click: the export first asked
            return redirect("prevention:ledger_export", export_id=claim.prior["export_id"])
        job = ledger_export_request(
            actor=request.user,  # type: ignore[arg-type]
            filters={
                "cycle": flt.cycle.isoformat() if flt.cycle else "",
                "kind": flt.kind,
                "status": flt.status,
                "organ_id": flt.organ_id,
            },
            title=ledger_title(request, flt),
        )
        claim.result = {"export_id": job.pk}
        # enqueued when the request commits: a worker never looks for an export not there
        transaction.on_commit(partial(ledger_export_run.enqueue, export_id=job.pk))
    return redirect("prevention:ledger_export", export_id=job.pk)


@login_required
@require_GET
def ledger_export_page(request: HttpRequest, export_id: int) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    job = ledger_export_get_for_user(user=request.user, export_id=export_id)  # type: ignore[arg-type]
    busy = job.state in (ExportState.WAITING, ExportState.RUNNING)
    share = round(100 * job.rows_done / job.rows_total) if job.rows_total else 0
    return render(
        request,
        "prevention/ledger_export.html",
        {"job": job, "busy": busy, "share": share},
    )


@login_required
@require_GET
def ledger_export_file(request: HttpRequest, export_id: int) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    need(request, Cap.EXPORT)
    job = ledger_export_get_for_user(user=request.user, export_id=export_id)  # type: ignore[arg-type]
    if job.state != ExportState.DONE or not job.file:
        raise ApplicationError(gettext("导出文件尚未生成"), status=409)
    stamp = job.requested_at.strftime("%Y-%m-%d")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"dispute-ledger-{stamp}.xlsx",
        content_type=XLSX,
    )
