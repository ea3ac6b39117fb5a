"""台账 exports of the staff lists (issue 16): ONE mechanism for every list of the registry
(``export_kinds``). An export is asked for on the list's page (POST, one-time key) with the
page's filters; a small list (at most ``XINFANG_EXPORT_BACKGROUND_ROWS`` rows) is written at
once and downloaded, a long one is written by the worker (``tasks.list_export_run``) with the
streaming XLSX writer of the prevention ledger (``prevention.xlsx``) and followed on its own page
with its progress. Only the one who asked opens it; exports are forgotten after a week.

The rows are read through the list's own gate and scope as the requester's rights are when the
file is written (a right lost in between fails the export), so an accused organ and the staff an
accusation names never find it in a file (Art. 30 para 3, Art. 46(5)); personal data are masked
unless ``user_may_see_identity``. Every file written is one ``export`` audit record (the kind,
the filters, the rows, the petitions whose parties it showed unmasked)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils.translation import gettext

from xinfang.analytics.export_base import Kind
from xinfang.analytics.export_kinds import kind_get
from xinfang.analytics.models import ListExport
from xinfang.analytics.rate_selectors import Filters
from xinfang.core import clock
from xinfang.core.errors import NotFound
from xinfang.core.language import language_in, language_now
from xinfang.directory.models import User


def filters_as_params(metric: str, outcomes: list[str], f: Filters) -> dict[str, object]:
    month = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "metric": metric,
        "outcomes": outcomes,
        "month_from": month(f.month_from),
        "month_to": month(f.month_to),
        "organ_id": f.organ_id,
        "region_id": f.region_id,
        "channel": f.channel,
        "category": f.category,
    }


def list_export_request(
    *,
    actor: User,
    kind: str,
    params: dict[str, object],
    title: str,
    at: datetime | None = None,
    language: str | None = None,
) -> ListExport:
    """Ask for the XLSX of a list as ``actor`` sees it (``params``: the page's filters, as the
    kind's ``params`` parsed them); the worker, or ``list_export_write`` at once, writes it in
    ``language`` (default: the request's, so a background file reads as the page did)."""
    k = kind_get(kind)
    k.require(actor)
    if kind == "rates_drill":
        from xinfang.analytics.rate_selectors import drill_queryset

        drill_queryset(user=actor, metric=str(params.get("metric", "")))  # a bad metric: 400 now
    return ListExport.objects.create(
        requested_by=actor,
        requested_at=at or clock.now(),
        kind=kind,
        params=params,
        title=title[:300],
        language=language or language_now(),
    )


def list_export_count(*, actor: User, kind: str, params: dict[str, object]) -> int:
    """How many rows the export would have now (small ones are written at once)."""
    k = kind_get(kind)
    k.require(actor)
    return k.count(actor, params)


def list_export_get_for_user(*, user: User, export_id: int) -> ListExport:
    """The export if ``user`` asked for it; otherwise NotFound (the same as none at all)."""
    job = ListExport.objects.filter(pk=export_id, requested_by=user).first()
    if job is None:
        raise NotFound(gettext("未找到该导出"))
    kind_get(job.kind).require(user)  # a right lost since: the file is not theirs to take
    return job


def _write(
    k: Kind, user: User, job: ListExport, progress: Callable[[int], None]
) -> tuple[bytes, int, list[int]]:
    from xinfang.prevention.xlsx import xlsx_bytes

    shown: list[int] = []
    n = [0]

    def rows() -> Iterable[list[object]]:
        for r in k.iter_rows(user, job.params, shown, progress):
            n[0] += 1
            yield r

    data = xlsx_bytes(
        sheet=gettext("台账"),
        title=job.title,
        headers=[gettext(h) for h in k.headers],
        rows=rows(),
        widths=list(k.widths),
        types=k.types,
    )
    return data, n[0], shown


def list_export_write(*, export_id: int) -> ListExport:
    """Write the file of a waiting export (the worker's task), noting progress as it goes, in
    the language of the request that asked for it (headers, states, channels, categories)."""
    job = ListExport.objects.only("language").get(pk=export_id)
    with language_in(job.language):
        return _list_export_write(export_id)


def _unsealed(job: ListExport) -> dict[str, object]:
    """The export's filters without those its kind keeps secret (``Kind.secret``)."""
    try:
        secret = kind_get(job.kind).secret
    except NotFound:
        secret = ()
    return {x: v for x, v in job.params.items() if x not in secret}


def _list_export_write(export_id: int) -> ListExport:
    from xinfang.audit.services import audit_record
    from xinfang.prevention.models import ExportState

    job = ListExport.objects.select_related("requested_by").get(pk=export_id)
    # claimed in one statement: a retried or duplicate task (two workers) finds it taken and
    # writes neither a second file nor a second audit record (review A item 4)
    claimed = ListExport.objects.filter(pk=job.pk, state=ExportState.WAITING).update(
        state=ExportState.RUNNING
    )
    if claimed != 1:
        job.refresh_from_db()
        return job
    user = job.requested_by
    try:
        k = kind_get(job.kind)
        k.require(user)  # the rights of now, not of the moment it was asked for
        total = k.count(user, job.params)
        ListExport.objects.filter(pk=job.pk).update(rows_total=total)

        def progress(done: int) -> None:
            ListExport.objects.filter(pk=job.pk).update(rows_done=done)

        data, rows, shown = _write(k, user, job, progress)
    except Exception:  # a right lost since, or a fault: the page says it failed
        ListExport.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, finished_at=clock.now(), params=_unsealed(job)
        )
        raise
    job.refresh_from_db()
    job.params = _unsealed(job)  # a sealed search term is kept no longer than the file needs it
    job.file.save(f"list-{job.pk}.xlsx", ContentFile(data), save=False)
    job.state, job.size, job.rows_done, job.rows_total, job.finished_at = (
        ExportState.DONE,
        len(data),
        rows,
        rows,
        clock.now(),
    )
    job.save(
        update_fields=["params", "file", "state", "size", "rows_done", "rows_total", "finished_at"]
    )
    audit_record(
        kind="export",
        actor=user,
        object_type="list_export",
        object_id=job.pk,
        data={
            "format": "xlsx",
            "kind": job.kind,
            "filters": job.params,  # unsealed above
            "rows": rows,
            "identities_shown": shown,
        },
    )
    return job


def list_exports_forget(*, now: datetime, days: int = 7) -> int:
    """Delete exports asked for more than ``days`` days ago, with their files."""
    n = 0
    for job in ListExport.objects.filter(requested_at__lt=now - timedelta(days=days)).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        n += 1
    return n
