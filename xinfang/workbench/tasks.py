"""Background tasks of the workbench (run by ``xinfang worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def search_index_drain() -> dict[str, int]:
    """Index every petition queued for search (ADR 0008), in batches."""
    from xinfang.workbench.services import search_index_pending

    return {"indexed": search_index_pending()}
