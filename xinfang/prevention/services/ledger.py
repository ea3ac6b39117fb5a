"""The ledger's counts (``DisputeCount``) and its background XLSX export (``LedgerExport``).

The counts are moved only here, called by the dispute services inside their transaction, so a
count never disagrees with the entries that committed (tests/test_rollup.py)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F

from xinfang.core import clock
from xinfang.core.language import language_in, language_now
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.prevention.access import require
from xinfang.prevention.models import Dispute, DisputeCount, ExportState, LedgerExport


def dispute_count_move(
    *, organ_id: int, cycle: date, kind: str, old: str | None, new: str | None
) -> None:
    """An entry of (organ, cycle, kind) went from status ``old`` to ``new`` (None: not there)."""
    if old == new:
        return
    if old is not None:
        DisputeCount.objects.filter(organ_id=organ_id, cycle=cycle, kind=kind, status=old).update(
            n=F("n") - 1
        )
    if new is not None:
        cell = dict(organ_id=organ_id, cycle=cycle, kind=kind, status=new)
        if not DisputeCount.objects.filter(**cell).update(n=F("n") + 1):
            try:
                with transaction.atomic():  # a savepoint: another writer may create it first
                    DisputeCount.objects.create(**cell, n=1)
            except IntegrityError:
                DisputeCount.objects.filter(**cell).update(n=F("n") + 1)


def dispute_counts_rebuild() -> int:
    """Count the live table afresh (after a bulk load, or to repair): returns the cells."""
    with transaction.atomic():
        DisputeCount.objects.all().delete()
        cells = (
            Dispute.objects.order_by()
            .values_list("organ_id", "cycle", "kind", "status")
            .annotate(n=Count("id"))
        )
        made = DisputeCount.objects.bulk_create(
            [DisputeCount(organ_id=o, cycle=c, kind=k, status=s, n=n) for o, c, k, s, n in cells],
            batch_size=2000,
        )
    return len(made)


def ledger_export_request(
    *,
    actor: User,
    filters: dict[str, object],
    title: str,
    at: datetime | None = None,
) -> LedgerExport:
    """Ask for an XLSX export of the ledger as ``actor`` sees it; the worker writes it
    (``tasks.ledger_export_run``, which the page enqueues in this transaction). The page asks
    once per form (``core.once``)."""
    require(actor, Cap.PREVENTION_VIEW)
    require(actor, Cap.EXPORT)
    return LedgerExport.objects.create(
        requested_by=actor,
        requested_at=at or clock.now(),
        filters=filters,
        title=title[:300],
        language=language_now(),
    )


def ledger_export_write(*, export_id: int) -> LedgerExport:
    """Write the file of a waiting export (the worker's task), noting progress as it goes.
    The rows are read with the requester's rights as they are now, not when they asked."""
    job = LedgerExport.objects.select_related("requested_by").get(pk=export_id)
    if job.state != ExportState.WAITING:
        return job
    with language_in(job.language):  # the request's, not the worker's (issue 16)
        return _ledger_export_write(job)


def _ledger_export_write(job: LedgerExport) -> LedgerExport:
    from xinfang.prevention.exports import ledger_xlsx
    from xinfang.prevention.selectors import LedgerFilter, disputes_for_user

    user = job.requested_by
    f = job.filters
    flt = LedgerFilter(
        cycle=date.fromisoformat(f["cycle"]) if f.get("cycle") else None,
        kind=f.get("kind", ""),
        status=f.get("status", ""),
        organ_id=f.get("organ_id"),
    )
    total = disputes_for_user(user=user, flt=flt).count()
    LedgerExport.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, rows_total=total)

    def progress(done: int) -> None:
        LedgerExport.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        require(user, Cap.PREVENTION_VIEW)
        require(user, Cap.EXPORT)
        data = ledger_xlsx(user=user, flt=flt, title=job.title, progress=progress)
    except Exception:  # a right lost since, or a fault: the page says it failed
        LedgerExport.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, finished_at=clock.now()
        )
        raise
    job.refresh_from_db()
    job.file.save(f"ledger-{job.pk}.xlsx", ContentFile(data), save=False)
    job.state, job.size, job.rows_done, job.finished_at = (
        ExportState.DONE,
        len(data),
        total,
        clock.now(),
    )
    job.save(update_fields=["file", "state", "size", "rows_done", "finished_at"])
    return job


def ledger_exports_forget(*, now: datetime, days: int = 7) -> int:
    """Delete ledger exports asked for more than ``days`` days ago, with their files (they
    hold party names: kept no longer than the download needs). Returns how many."""
    from datetime import timedelta

    old = LedgerExport.objects.filter(requested_at__lt=now - timedelta(days=days))
    n = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        n += 1
    return n
