"""Reads of the operations app: heartbeats, the tick, readiness, measured figures."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max

from xinfang.core import clock
from xinfang.ops.models import Heartbeat, JobState, Measurement


def heartbeat_age(name: str) -> float | None:
    """Seconds since the process ``name`` last said it was alive (None: never)."""
    seen = Heartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first()
    return None if seen is None else max(0.0, (clock.now() - seen).total_seconds())


def tick_last_finished_at() -> datetime | None:
    return JobState.objects.aggregate(m=Max("last_finished_at"))["m"]


def measurements(name: str) -> dict[str, float]:
    return dict(Measurement.objects.filter(name=name).values_list("label", "value"))


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    critical: bool = True  # a failed critical check makes the process not ready (503)


_migrations_done = False


def _migrations_applied() -> bool:
    """No migration left to apply (once true, remembered: code does not change under a
    running process, and a later migrate only adds)."""
    global _migrations_done
    if not _migrations_done:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        _migrations_done = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_done


def readiness_checks() -> list[Check]:
    """What a load balancer needs before it sends requests here. The worker's heartbeat is
    reported but not critical: pages work without the worker (searches find queued petitions
    by their text), and taking every web process out because the worker stopped would turn a
    delay into an outage; monitoring alerts on ``xinfang_worker_heartbeat_age_seconds``."""
    out: list[Check] = []
    try:
        with connection.cursor() as c:
            c.execute("SELECT 1")
        out.append(Check("database", True, connection.vendor))
    except DatabaseError as e:
        out.append(Check("database", False, type(e).__name__))
        return out + [Check("migrations", False, "database unavailable")]
    try:
        applied = _migrations_applied()
        out.append(Check("migrations", applied, "applied" if applied else "pending"))
    except DatabaseError as e:
        out.append(Check("migrations", False, type(e).__name__))
    age = heartbeat_age("worker")
    limit = settings.XINFANG_WORKER_HEARTBEAT_MAX_AGE
    fresh = age is not None and age <= limit
    out.append(
        Check("worker", fresh, "never" if age is None else f"{int(age)}s ago", critical=False)
    )
    need = settings.XINFANG_MIN_FREE_DISK_MB * 1024 * 1024
    for label, folder in (("disk_data", settings.DATA_DIR), ("disk_media", settings.MEDIA_ROOT)):
        free = _free_bytes(Path(folder))
        out.append(Check(label, free is not None and free >= need, f"{(free or 0) >> 20} MB free"))
    return out


def _free_bytes(folder: Path) -> int | None:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
