"""Background tasks of insight (run by ``xinfang worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def repeat_index_snapshot() -> dict:
    """Write the repeat index's snapshot, current with the database, for the web processes."""
    from xinfang.insight.matters.index import repeat_index_save

    out = repeat_index_save()
    return {"petitions": out["petitions"], "seconds": out["seconds"]}
