"""Background task of the hot issues (run by ``xinfang worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def hot_snapshots_task() -> dict:  # type: ignore[type-arg]
    """Compute the hot issues of every scope a reader may ask (``snapshots``)."""
    from xinfang.insight.hot.snapshots import hot_snapshots_refresh

    return hot_snapshots_refresh()
