"""Periodic jobs of analytics (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("analytics.rates", every=timedelta(hours=1))
def rates_refresh(*, now: datetime) -> dict[str, int]:
    """Bring the rate rollup (regulation.md §8.2) to today: the days since the last run pass
    in a few set statements (overdue and expired rows come in, running limits past their day
    go), and only the petitions changed since (the queue the petition hooks write) are
    computed again (``rollup.rates_refresh``). The first build is ``xinfang manage
    rates_rebuild``'s (or the migration's); nothing built at all: it builds. Idempotent."""
    from django.utils import timezone

    from xinfang.analytics.rollup import rates_refresh

    return rates_refresh(as_of=timezone.localdate(now))


@periodic("analytics.dispatch", every=timedelta(hours=1))
def dispatch_refresh(*, now: datetime) -> dict[str, int]:
    """Bring the transfers and assignments per organ and month (Art. 41 item 2) that the
    trends page and the report read up to now: the differences the petition steps queued since
    the last run are added (``analytics.dispatch``); never built: the whole count. Idempotent."""
    from xinfang.analytics.dispatch import dispatch_refresh

    return dispatch_refresh(now=now)


@periodic("analytics.exports_forget", every=timedelta(hours=6))
def exports_forget(*, now: datetime) -> dict[str, int]:
    """Delete the 台账 exports asked for more than a week ago, with their files."""
    from xinfang.analytics.exports import list_exports_forget

    return {"deleted": list_exports_forget(now=now)}
