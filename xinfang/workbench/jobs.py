"""Periodic jobs of the workbench (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic

#: Most petitions one tick indexes (a long backlog goes on at the next tick, or in the worker).
DRAIN_PER_TICK = 20_000


@periodic("workbench.search_drain", every=timedelta(minutes=1))
def search_drain(*, now: datetime) -> dict[str, int]:
    """Index what is queued for search, in case the worker is down (it usually found the queue
    empty already). Idempotent: an indexed petition leaves the queue in the same transaction."""
    from xinfang.workbench.services import search_index_pending

    return {"indexed": search_index_pending(limit=DRAIN_PER_TICK)}
