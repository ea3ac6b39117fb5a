"""台账 exports of the staff lists (``exports``): asked for on the list (POST, one-time key) with
the page's filters, written at once when small (the file is downloaded straight away) or else in
the background (followed on their own page, downloaded when done), by the one who asked only."""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.analytics.export_kinds import kind_get
from xinfang.analytics.exports import (
    filters_as_params,
    list_export_count,
    list_export_get_for_user,
    list_export_request,
    list_export_write,
)
from xinfang.analytics.query import only_known
from xinfang.analytics.rate_selectors import METRIC_LABELS, OUTCOME_LABELS
from xinfang.analytics.rate_views import DRILL_KEYS, drill_outcomes, filters_from
from xinfang.analytics.rates import Metric
from xinfang.analytics.tasks import list_export_run
from xinfang.core.errors import ApplicationError
from xinfang.core.once import FIELD, once
from xinfang.core.once_forms import once_by_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

logger = logging.getLogger(__name__)


@once_by_view
@login_required
@require_POST
def drill_export_new(request: HttpRequest) -> HttpResponse:
    """The drill-down's list as XLSX: the drill-down's own query string names the figure."""
    query = request.POST.get("query", "")
    if len(query) > 2000 or "\x00" in query:
        raise ApplicationError(gettext("参数无效"), code="bad_param", status=400)
    g = QueryDict(query)  # the drill-down's query string, parsed as the drill-down parses it
    metric = g.get("metric", "")
    only_known(g, DRILL_KEYS)
    outcomes = drill_outcomes(g)
    f = filters_from(g)
    try:
        label = str(METRIC_LABELS[Metric(metric)])
    except ValueError:
        raise ApplicationError(gettext("没有这项指标"), code="bad_metric", status=400) from None
    title = gettext("%(metric)s明细台账") % {"metric": label}
    if outcomes:
        title += "（" + "、".join(str(OUTCOME_LABELS[o]) for o in outcomes) + "）"
    with once(scope="analytics.list_export", key=request.POST.get(FIELD)) as claim:
        if claim.prior is not None:  # a refresh or a double click: the export first asked
            return redirect("analytics:export", export_id=claim.prior["export_id"])
        job = list_export_request(
            actor=request.user,
            kind="rates_drill",  # type: ignore[arg-type]
            params=filters_as_params(metric, outcomes, f),
            title=title,
        )
        claim.result = {"export_id": job.pk}
        # enqueued when the request commits: a worker never looks for an export not there
        transaction.on_commit(partial(list_export_run.enqueue, export_id=job.pk))
    return redirect("analytics:export", export_id=job.pk)


def _query(request: HttpRequest) -> QueryDict:
    """The page's filters: the button's fields ``f:<name>``, or else ``query`` (a query string,
    as a script may post it)."""
    fields = [(k[2:], v) for k, vs in request.POST.lists() if k.startswith("f:") for v in vs]
    if fields:
        if sum(len(k) + len(v) for k, v in fields) > 2000 or any(
            "\x00" in k + v for k, v in fields
        ):
            raise ApplicationError(gettext("参数无效"), code="bad_param", status=400)
        g = QueryDict(mutable=True)
        for k, v in fields:
            g.appendlist(k, v)
        return g
    query = request.POST.get("query", "")
    if len(query) > 2000 or "\x00" in query:
        raise ApplicationError(gettext("参数无效"), code="bad_param", status=400)
    return QueryDict(query)


@once_by_view
@login_required
@require_POST
def export_new(request: HttpRequest) -> HttpResponse:
    """The list's 台账 as XLSX with the page's filters (``query``: the page's query string):
    at once when at most ``XINFANG_EXPORT_BACKGROUND_ROWS`` rows, else in the background."""
    user = request.user
    kind = kind_get(request.POST.get("kind", "")[:40])
    if kind.name == "rates_drill":  # asked for from the drill-down's own form
        raise ApplicationError(gettext("参数无效"), code="bad_param", status=400)
    try:
        kind.require(user)  # type: ignore[arg-type]
        g = _query(request)
        params = kind.params(g)
    except ApplicationError as e:  # the refusal leads back to the list it came from
        pairs = [(k[2:], v) for k, vs in request.POST.lists() if k.startswith("f:") for v in vs]
        query = urlencode(pairs) if not any("\x00" in k + v for k, v in pairs) else ""
        back = reverse(kind.page_url) + ("?" + query if query and len(query) <= 2000 else "")
        return render(request, "web/error.html", {"error": e, "back": back}, status=e.status)
    keep = [(k, v) for k, v in g.items() if k != "cursor" and k in params]
    with once(scope="analytics.list_export", key=request.POST.get(FIELD)) as claim:
        if claim.prior is not None:  # a refresh or a double click: the export first asked
            return redirect("analytics:export", export_id=claim.prior["export_id"])
        n = list_export_count(actor=user, kind=kind.name, params=params)  # type: ignore[arg-type]
        job = list_export_request(
            actor=user,
            kind=kind.name,  # type: ignore[arg-type]
            params={**params, "_query": urlencode(keep)},
            title=kind.titled(user, params) if kind.titled else str(kind.title),  # type: ignore[arg-type]
        )
        claim.result = {"export_id": job.pk}
        if n <= settings.XINFANG_EXPORT_BACKGROUND_ROWS:
            try:
                list_export_write(export_id=job.pk)
            except Exception:  # marked failed: its page says so (review A item 3), never a 500
                logger.exception("list export %s failed", job.pk)
                return redirect("analytics:export", export_id=job.pk)
            return redirect("analytics:export_file", export_id=job.pk)
        # enqueued when the request commits: a worker never looks for an export not there
        transaction.on_commit(partial(list_export_run.enqueue, export_id=job.pk))
    return redirect("analytics:export", export_id=job.pk)


@login_required
@require_GET
def export_page(request: HttpRequest, export_id: int) -> HttpResponse:
    job = list_export_get_for_user(user=request.user, export_id=export_id)  # type: ignore[arg-type]
    busy = job.state in ("waiting", "running")
    share = round(100 * job.rows_done / job.rows_total) if job.rows_total else 0
    p = job.params
    if job.kind == "rates_drill":
        query = urlencode(
            [("metric", p.get("metric", "")), *(("outcome", o) for o in p.get("outcomes", []))]
        )
    else:
        query = str(p.get("_query", ""))
    kind = kind_get(job.kind)
    if kind.back is not None:
        back = kind.back(p)
    else:
        back = reverse(kind.page_url) + ("?" + query if query else "")
    return render(
        request,
        "analytics/export.html",
        {"job": job, "busy": busy, "share": share, "back": back, "kind": kind},
    )


@login_required
@require_GET
def export_file(request: HttpRequest, export_id: int) -> HttpResponse:
    job = list_export_get_for_user(user=request.user, export_id=export_id)  # type: ignore[arg-type]
    if job.state != "done" or not job.file:
        raise ApplicationError(gettext("导出文件尚未生成"), status=409)
    stamp = job.requested_at.strftime("%Y-%m-%d")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"{job.kind}-{stamp}.xlsx",
        content_type=XLSX,
    )
