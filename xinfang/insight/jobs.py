"""Periodic jobs of insight (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("insight.repeats_snapshot", every=timedelta(hours=1))
def repeats_snapshot(*, now: datetime) -> dict[str, int]:
    """Ask the worker to refresh the repeat index's snapshot, so a web process that starts
    loads it nearly current instead of reading every newer petition itself."""
    from xinfang.core.tasks import task_enqueue_once
    from xinfang.insight.matters.tasks import repeat_index_snapshot

    return {"enqueued": int(task_enqueue_once(repeat_index_snapshot))}


@periodic("insight.hot_precompute", every=timedelta(minutes=5))
def hot_precompute(*, now: datetime) -> dict[str, int]:
    """Compute the hot-issues page of each reader active in the last day, so its first view
    is served from the cache (kept 15 minutes: three periods)."""
    from xinfang.insight.hot.views import hot_rows_precompute

    return {"views": hot_rows_precompute(now=now, ttl_seconds=15 * 60)}
