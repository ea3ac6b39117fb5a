"""Periodic jobs of ``core`` (run by ``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.once import once_expire
from xinfang.core.periodic import periodic


@periodic("core.once_expire", every=timedelta(hours=6))
def core_once_expire(*, now: datetime) -> dict[str, int]:
    """Forget one-time form tokens and Idempotency-Keys older than XINFANG_ONCE_DAYS days."""
    return {"deleted": once_expire(now=now)}


@periodic("core.held_uploads_forget", every=timedelta(hours=1))
def core_held_uploads_forget(*, now: datetime) -> dict[str, int]:
    """Forget files held for forms that came back with an error and were never sent again
    (after a day; ``xinfang.core.held``)."""
    from xinfang.core.held import held_uploads_forget

    return {"deleted": held_uploads_forget(now=now)}
