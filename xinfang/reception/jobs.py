"""Periodic jobs of reception (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("reception.remind", every=timedelta(hours=1))
def reception_remind(*, now: datetime) -> dict[str, int]:
    """The day-before reminder to petitioners who chose it, and due-soon reminders of promises
    and assisting tasks to their staff; each sent once (marked on the row)."""
    from xinfang.reception.services.reminders import reminders_send

    return reminders_send(now=now)
