"""Periodic jobs of the installation itself (registered into ``xinfang tick``)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Count

from xinfang.core.periodic import periodic

#: Finished background tasks are kept this long (for the admin and for troubleshooting).
TASK_RESULTS_KEPT = timedelta(days=7)


@periodic("ops.overdue", every=timedelta(minutes=5))
def overdue_measure(*, now: datetime) -> dict[str, int]:
    """Count the open statutory duties past their due date, per limit (T1..T10), for
    ``/-/metrics`` (a count over the whole deadline table is too costly for every scrape)."""
    from django.utils import timezone

    from xinfang.deadlines.models import Deadline
    from xinfang.deadlines.statutes import STATUTES, Kind
    from xinfang.ops.services import measurement_set

    duty = sorted(code for code, st in STATUTES.items() if st.kind == Kind.DUTY)
    today = timezone.localdate(now)
    rows = (
        Deadline.objects.filter(outcome="open", paused=False, code__in=duty, due_date__lt=today)
        .values("code")
        .annotate(n=Count("id"))
    )
    counts = Counter({code: 0 for code in duty})
    counts.update({r["code"]: r["n"] for r in rows})
    measurement_set(name="deadlines_overdue", values=dict(counts), at=now)
    return {"overdue": sum(counts.values())}


@periodic("ops.tasks_prune", every=timedelta(hours=1))
def tasks_prune(*, now: datetime) -> dict[str, int]:
    """Delete background-task results finished more than a week ago."""
    from django_tasks_db.models import DBTaskResult

    deleted, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULTS_KEPT).delete()
    )
    return {"deleted": deleted}


@periodic("ops.sessions_clear", every=timedelta(days=1))
def sessions_clear(*, now: datetime) -> dict[str, int]:
    """Delete expired login sessions (Django's ``clearsessions``)."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return {"deleted": deleted}


@periodic("ops.sqlite_analyze", every=timedelta(days=1))
def sqlite_analyze(*, now: datetime) -> dict[str, int]:
    """SQLite's planner statistics brought up to date (an approximate ANALYZE: a few seconds
    at 10^6 petitions); nothing on PostgreSQL, whose autovacuum keeps its own."""
    from xinfang.core.planner import planner_statistics_refresh

    return planner_statistics_refresh()


@periodic("ops.partitions", every=timedelta(hours=1))
def partitions_maintain(*, now: datetime) -> dict[str, int]:
    """pg_partman's maintenance on PostgreSQL once partitioned (ADR 0019): the partitions of the
    coming years made ahead. Nothing on SQLite or before ``xinfang manage partitions setup``."""
    from xinfang.ops.partitions import partitions_maintain as maintain

    return maintain()
