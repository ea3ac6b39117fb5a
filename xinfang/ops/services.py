"""Writes of the operations app: the tick (periodic jobs), heartbeats, measurements."""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.module_loading import autodiscover_modules

from xinfang.core import clock
from xinfang.core.periodic import PeriodicJob, periodic_jobs
from xinfang.ops.lock import exclusive
from xinfang.ops.models import Heartbeat, JobState, Measurement

log = logging.getLogger("xinfang.ops.tick")

#: A job is due again when this much less than ``every`` has passed, so a tick started by cron
#: a little earlier than a minute after the last one still runs the one-minute jobs.
_SLACK_MAX = timedelta(seconds=10)


@dataclass(frozen=True)
class JobOutcome:
    name: str
    status: str  # "ran" | "failed" | "not_due"
    seconds: float = 0.0
    result: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""


def jobs_discover() -> list[PeriodicJob]:
    """Import every installed app's ``jobs`` module; return every registered job."""
    autodiscover_modules("jobs")
    return periodic_jobs()


def job_due(job: PeriodicJob, state: JobState | None, now: datetime) -> bool:
    if state is None or not state.last_ok or state.last_ok_at is None:
        return True
    slack = min(job.every / 10, _SLACK_MAX)
    return now - state.last_ok_at >= job.every - slack


def tick_run(
    *, now: datetime | None = None, only: Sequence[str] = (), force: bool = False
) -> list[JobOutcome]:
    """Run every due periodic job once, one after another, under the ``tick`` lock (raises
    ``LockBusy`` at once if another tick holds it). A job that fails is recorded and retried
    at the next tick; the others run regardless.

    Each job gets the time it starts as its ``now`` (what is due, and when what it records
    happened), not the tick's start: the jobs before it may have taken minutes, and a reminder
    sent or an escalation recorded at 10:05 must say 10:05 (a time the accountability of Arts.
    40, 43 and 45 is read from). A ``now`` given (tests, a replay) is every job's."""
    jobs = jobs_discover()
    unknown = set(only) - {j.name for j in jobs}
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    out: list[JobOutcome] = []
    with exclusive("tick"):
        states = {s.name: s for s in JobState.objects.all()}
        for job in jobs:
            if only and job.name not in only:
                continue
            job_now = now or clock.now()
            if not force and not job_due(job, states.get(job.name), job_now):
                out.append(JobOutcome(job.name, "not_due"))
                continue
            out.append(_run_one(job, job_now))
    return out


def _run_one(job: PeriodicJob, now: datetime) -> JobOutcome:
    JobState.objects.get_or_create(name=job.name)
    JobState.objects.filter(name=job.name).update(last_started_at=clock.now())
    started = time.perf_counter()
    try:
        result = job.run(now=now)
    except Exception as e:  # a failed job is recorded and retried; the tick goes on
        seconds = round(time.perf_counter() - started, 3)
        error = "".join(traceback.format_exception_only(type(e), e)).strip()[:2000]
        log.error("job failed", extra={"job": job.name, "seconds": seconds}, exc_info=True)
        JobState.objects.filter(name=job.name).update(
            last_finished_at=clock.now(),
            last_ok=False,
            last_error=error,
            runs=F("runs") + 1,
            failures=F("failures") + 1,
        )
        return JobOutcome(job.name, "failed", seconds, error=error)
    seconds = round(time.perf_counter() - started, 3)
    result = {str(k): _plain(v) for k, v in result.items()}
    log.info("job ran", extra={"job": job.name, "seconds": seconds, "result": result})
    JobState.objects.filter(name=job.name).update(
        last_finished_at=clock.now(),
        last_ok_at=now,
        last_ok=True,
        last_result=result,
        last_error="",
        runs=F("runs") + 1,
    )
    return JobOutcome(job.name, "ran", seconds, result)


def _plain(v: Any) -> Any:
    return v if isinstance(v, int | float | str | bool) or v is None else str(v)


def heartbeat_beat(*, name: str, started_at: datetime) -> None:
    """Say that the process ``name`` is alive now (one row per process name)."""
    now = clock.now()
    Heartbeat.objects.update_or_create(
        name=name,
        defaults={
            "seen_at": now,
            "started_at": started_at,
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def measurement_set(*, name: str, values: Mapping[str, float], at: datetime) -> None:
    """Replace the figures of ``name`` (one per label) in one transaction."""
    with transaction.atomic():
        Measurement.objects.filter(name=name).exclude(label__in=list(values)).delete()
        for label, value in values.items():
            Measurement.objects.update_or_create(
                name=name, label=label, defaults={"value": float(value), "measured_at": at}
            )
