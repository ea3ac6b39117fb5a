"""The registry of periodic jobs that ``xinfang tick`` runs (design.md: one periodic command).

Any app registers a job in a module ``jobs.py`` of its own, which ``xinfang tick`` imports
(Django's ``autodiscover_modules``), with two lines::

    from xinfang.core.periodic import periodic

    @periodic("sessions.clear", every=timedelta(days=1))
    def sessions_clear(*, now: datetime) -> dict[str, int]:
        ...

A job must be **idempotent**: running it twice in a row, or after a crash half-way, leaves the
same result as running it once (count from the data, never "since the last run"; take rows
with conditions, not with an in-memory list). It gets the time it starts as ``now`` (what is
due; a long job stamps what it records with ``clock.advancing(now)``, the time of each action)
and returns a small mapping of figures for the tick's report (or ``None``); it never prints. ``every`` is the
least time between two successful runs; a failed run is retried at the next tick.

This module is the mechanism only (no Django): the runner, the lock and the record of runs are
in ``xinfang.ops`` (above every app), so any app, low or high, may register.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

JobFunction = Callable[..., Mapping[str, Any] | None]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    function: JobFunction
    doc: str

    def run(self, *, now: datetime) -> Mapping[str, Any]:
        return dict(self.function(now=now) or {})


_jobs: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the periodic job ``name`` (``app.what``)."""
    if not name or len(name) > 64 or name.strip() != name:
        raise ValueError(f"a job name is 1-64 characters without spaces around: {name!r}")
    if every <= timedelta(0):
        raise ValueError(f"job {name}: 'every' must be positive")

    def register(fn: JobFunction) -> JobFunction:
        existing = _jobs.get(name)
        where = f"{fn.__module__}.{fn.__qualname__}"
        if existing is not None and existing.doc.split("\n", 1)[0] != where:
            raise ValueError(f"job {name} is registered twice ({where})")
        doc = where + ("\n" + fn.__doc__.strip() if fn.__doc__ else "")
        _jobs[name] = PeriodicJob(name=name, every=every, function=fn, doc=doc)
        return fn

    return register


def periodic_jobs() -> list[PeriodicJob]:
    """Every registered job, by name."""
    return [_jobs[k] for k in sorted(_jobs)]
