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
    """Wake the worker to compute the hot issues of every scope a reader may ask
    (``insight.hot.snapshots``): the page only reads what it computed, so no first view waits
    for clustering (issue 14). The work is the worker's, not the tick's (seconds a scope)."""
    from xinfang.core.tasks import task_enqueue_once
    from xinfang.insight.hot.tasks import hot_snapshots_task

    return {"enqueued": int(task_enqueue_once(hot_snapshots_task))}
