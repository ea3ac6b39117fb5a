"""Periodic jobs of the federation (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("federation.outbox", every=timedelta(minutes=1))
def outbox(*, now: datetime) -> dict[str, int]:
    """Send the signed messages that are due to the other installations; a peer that is down
    is tried again later (at-least-once; the peer applies each message once)."""
    from xinfang.federation.services import outbox_deliver

    return outbox_deliver(now=now)


@periodic("federation.nonces_prune", every=timedelta(hours=1))
def nonces_prune(*, now: datetime) -> dict[str, int]:
    """Forget the nonces older than twice the time window: a message that old is refused by
    its time anyway (``envelope.freshness_problem``)."""
    from xinfang.federation.envelope import WINDOW
    from xinfang.federation.models import SeenNonce

    deleted, _ = SeenNonce.objects.filter(seen_at__lt=now - 2 * WINDOW).delete()
    return {"deleted": deleted}
