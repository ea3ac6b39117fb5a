"""Periodic jobs of resolution (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("resolution.escalate", every=timedelta(hours=1))
def escalate(*, now: datetime) -> dict[str, int]:
    """The escalation ladder on every open deadline (a supervision notice's reply date, a
    petition's statutory limits): warn the handler, then tell the organ head, then the
    next-higher petition office, each step once (resolution/ladder.py, Art. 40)."""
    from xinfang.resolution.services.escalation import escalate as run

    return run(now=now)


@periodic("resolution.backlog_propose", every=timedelta(days=1))
def backlog_propose(*, now: datetime) -> dict[str, int]:
    """Evaluate the province's backlog criteria (积案标准) and propose each matching open
    petition once; a person confirms or rejects each proposal (resolution/backlog_rules.py)."""
    from xinfang.resolution.services.backlog import backlog_propose_due

    return backlog_propose_due(now=now)
