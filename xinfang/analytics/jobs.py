"""Periodic jobs of analytics (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("analytics.rates", every=timedelta(hours=1))
def rates_refresh(*, now: datetime) -> dict[str, int]:
    """Bring the rate rollup (regulation.md §8.2) to today: rebuilt in full on a new day
    (overdue and expired depend on the day), else only the petitions changed since the last
    run are recomputed (``services.rates_refresh``). Idempotent."""
    from django.utils import timezone

    from xinfang.analytics.services import rates_refresh

    how, n = rates_refresh(as_of=timezone.localdate(now))
    return {"petitions": n, "full": int(how == "full")}


@periodic("analytics.exports_forget", every=timedelta(hours=6))
def exports_forget(*, now: datetime) -> dict[str, int]:
    """Delete the 台账 exports asked for more than a week ago, with their files."""
    from xinfang.analytics.exports import list_exports_forget

    return {"deleted": list_exports_forget(now=now)}
