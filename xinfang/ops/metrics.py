"""Prometheus metrics (``prometheus_client``), served at ``/-/metrics``.

Counted in the web processes: requests and their latency by route pattern (never the raw path
or query, which may carry a name searched for), and registrations (``xinfang.core.metrics``).
Under gunicorn every worker process writes its counts to files in
``PROMETHEUS_MULTIPROC_DIR`` (set by ``xinfang serve``) and the scrape adds them up
(``MultiProcessCollector``). Read from the database at each scrape, cheaply: the worker's
heartbeat, the queues, the periodic jobs, and the overdue counts that the tick measured.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics import Counter
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

HTTP_REQUESTS = Counter(
    "xinfang_http_requests",
    "HTTP requests answered, by method, route pattern and status code",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "xinfang_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route pattern",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PETITIONS_REGISTERED = Counter(
    "xinfang_petitions_registered",
    "Petitions registered or received online (counted when their transaction commits), by channel",
    ["channel"],
)


def registrations_count(*, petitions: Sequence[Any]) -> None:
    """Hook of the registration services: count the new petitions once they commit."""
    from django.db import transaction

    by_channel = collections.Counter(str(p.channel) for p in petitions)

    def count() -> None:
        for channel, n in by_channel.items():
            PETITIONS_REGISTERED.labels(channel).inc(n)

    transaction.on_commit(count)


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time (small tables and indexed counts)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count

        from xinfang.ops.models import JobState
        from xinfang.ops.selectors import heartbeat_age, measurements

        age = heartbeat_age("worker")
        g = GaugeMetricFamily(
            "xinfang_worker_heartbeat_age_seconds",
            "Seconds since xinfang worker last said it was alive (absent: never)",
        )
        if age is not None:
            g.add_metric([], age)
        yield g
        yield GaugeMetricFamily(
            "xinfang_search_queue_depth",
            "Registered petitions whose search words are not indexed yet",
            value=_search_queue_depth(),
        )
        from django_tasks_db.models import DBTaskResult

        tasks = GaugeMetricFamily("xinfang_tasks", "Background tasks by status", labels=["status"])
        by_status = dict(
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
            .values_list("status")
            .annotate(n=Count("id"))
        )
        for status in ("READY", "RUNNING"):
            tasks.add_metric([status.lower()], by_status.get(status, 0))
        yield tasks
        overdue = GaugeMetricFamily(
            "xinfang_deadlines_overdue",
            "Open statutory duties past their due date, by limit (measured by xinfang tick)",
            labels=["code"],
        )
        for code, n in sorted(measurements("deadlines_overdue").items()):
            overdue.add_metric([code], n)
        yield overdue
        last_ok = GaugeMetricFamily(
            "xinfang_job_last_success_timestamp_seconds",
            "When each periodic job last succeeded (Unix time)",
            labels=["job"],
        )
        failing = GaugeMetricFamily(
            "xinfang_job_failing", "1 if the last run of the periodic job failed", labels=["job"]
        )
        for s in JobState.objects.all():
            if s.last_ok_at is not None:
                last_ok.add_metric([s.name], s.last_ok_at.timestamp())
            failing.add_metric([s.name], 0 if s.last_ok or s.last_finished_at is None else 1)
        yield last_ok
        yield failing


def _search_queue_depth() -> int:
    from xinfang.workbench.models import SearchPending

    return SearchPending.objects.count()


def metrics_text() -> bytes:
    """The exposition text of every metric of every web process, and the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return generate_latest(processes) + generate_latest(database)
