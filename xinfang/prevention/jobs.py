"""Periodic jobs of source prevention (run by ``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("prevention.ledger_exports_forget", every=timedelta(hours=6))
def prevention_ledger_exports_forget(*, now: datetime) -> dict[str, int]:
    """Forget ledger exports (and their files) older than a week."""
    from xinfang.prevention.services.ledger import ledger_exports_forget

    return {"deleted": ledger_exports_forget(now=now)}
