"""台账 exports of the analytics lists in the background (issue 16): asked for on the list's page
(POST, one-time key), written by the worker (``tasks.list_export_run``) with the streaming
XLSX writer of the prevention ledger (``prevention.xlsx``), followed on its own page with its
progress, downloaded from there by the one who asked, and forgotten after a week.

The lists are de-identified (no party, no content): the read gate is the page's own, the
statistics gate (``view_deidentified``), applied as the requester's rights are when the file is
written (a right lost in between fails the export), so an accused organ and the staff an
accusation names never find it in a file (Art. 30 para 3, Art. 46(5))."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.utils.translation import gettext

from xinfang.analytics.models import ListExport
from xinfang.analytics.rate_selectors import Filters, drill_queryset, drill_rows
from xinfang.core import clock
from xinfang.core.errors import Forbidden, NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can

KINDS = ("rates_drill",)
CHUNK = 5000


def _require(user: User) -> None:
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        raise Forbidden(gettext("您的角色不能查看统计数据"))


def filters_as_params(metric: str, outcomes: list[str], f: Filters) -> dict[str, object]:
    month = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"metric": metric, "outcomes": outcomes, "month_from": month(f.month_from),
            "month_to": month(f.month_to), "organ_id": f.organ_id, "region_id": f.region_id,
            "channel": f.channel, "category": f.category}


def _filters(p: dict) -> Filters:  # type: ignore[type-arg]
    day = lambda v: date.fromisoformat(v) if v else None  # noqa: E731
    return Filters(month_from=day(p.get("month_from")), month_to=day(p.get("month_to")),
                   organ_id=p.get("organ_id"), region_id=p.get("region_id"),
                   channel=p.get("channel"), category=p.get("category"))


def list_export_request(
    *, actor: User, kind: str, params: dict[str, object], title: str, at: datetime | None = None
) -> ListExport:
    """Ask for the XLSX of a list as ``actor`` sees it; the worker writes it."""
    _require(actor)
    if kind not in KINDS:
        raise NotFound()
    drill_queryset(user=actor, metric=str(params.get("metric", "")))  # a bad metric: 400 now
    return ListExport.objects.create(requested_by=actor, requested_at=at or clock.now(),
                                     kind=kind, params=params, title=title[:300])


def list_export_get_for_user(*, user: User, export_id: int) -> ListExport:
    """The export if ``user`` asked for it; otherwise NotFound (the same as none at all)."""
    _require(user)
    job = ListExport.objects.filter(pk=export_id, requested_by=user).first()
    if job is None:
        raise NotFound(gettext("未找到该导出"))
    return job


HEADERS = ("查询码", "收到日期", "渠道", "类别", "状态", "计入机关", "结果", "天数")


def _rows(user: User, p: dict, progress: Callable[[int], None]) -> Iterable[list[object]]:  # type: ignore[type-arg]
    qs = drill_queryset(user=user, metric=p["metric"], outcomes=p.get("outcomes") or None,
                        filters=_filters(p))
    last, n = 0, 0
    while True:
        facts = list(qs.filter(id__gt=last).order_by("id")[:CHUNK].values_list(
            "id", "petition_id", "organ__name", "outcome", "days"))
        if not facts:
            return
        last = facts[-1][0]
        for r in drill_rows([f[1:] for f in facts]):
            yield [r.tracking_code, r.received, r.channel, r.category, r.state, r.organ,
                   r.outcome, r.days]
        n += len(facts)
        progress(n)


def list_export_write(*, export_id: int) -> ListExport:
    """Write the file of a waiting export (the worker's task), noting progress as it goes."""
    from xinfang.prevention.models import ExportState
    from xinfang.prevention.xlsx import xlsx_bytes

    job = ListExport.objects.select_related("requested_by").get(pk=export_id)
    if job.state != ExportState.WAITING:
        return job
    user, p = job.requested_by, job.params
    try:
        _require(user)
        total = drill_queryset(user=user, metric=p["metric"], outcomes=p.get("outcomes") or None,
                               filters=_filters(p)).count()
        ListExport.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, rows_total=total)

        def progress(done: int) -> None:
            ListExport.objects.filter(pk=job.pk).update(rows_done=done)

        data = xlsx_bytes(sheet=gettext("台账"), title=job.title,
                          headers=[gettext(h) for h in HEADERS],
                          rows=_rows(user, p, progress), widths=[18, 11, 10, 12, 12, 24, 12, 6],
                          types="tdtttttn")
    except Exception:  # a right lost since, or a fault: the page says it failed
        ListExport.objects.filter(pk=job.pk).update(state=ExportState.FAILED,
                                                    finished_at=clock.now())
        raise
    job.refresh_from_db()
    job.file.save(f"list-{job.pk}.xlsx", ContentFile(data), save=False)
    job.state, job.size, job.rows_done, job.finished_at = (ExportState.DONE, len(data), total,
                                                           clock.now())
    job.save(update_fields=["file", "state", "size", "rows_done", "finished_at"])
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
