"""Reads of the federation app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xinfang.federation.models import Link, OutboundMessage, Peer, RemoteStep


def peer_list() -> list[Peer]:
    return list(Peer.objects.order_by("name"))


@dataclass(frozen=True)
class RemoteHandling:
    """How another installation handles a petition we handed over (the portal shows it)."""

    peer: str
    remote_tracking_code: str
    sent: bool  # the transfer message was delivered
    refused: str  # why the other side refused it ("" when it did not)
    steps: list[RemoteStep]
    is_open: bool


def remote_handling(*, petition: Any) -> list[RemoteHandling]:
    """Each hand-over of ``petition`` to another installation, with the steps reported back
    (in two queries and one per hand-over; a petition is handed over once or twice)."""
    links = list(
        Link.objects.filter(petition=petition, direction=Link.OUT)
        .select_related("peer")
        .order_by("id")
    )
    if not links:
        return []
    messages = {
        m.message_id: m
        for m in OutboundMessage.objects.filter(message_id__in=[lk.transfer_id for lk in links])
    }
    out = []
    for lk in links:
        steps = list(lk.steps.order_by("seq"))
        m = messages.get(lk.transfer_id)
        out.append(
            RemoteHandling(
                peer=lk.peer.name,
                remote_tracking_code=lk.remote_tracking_code,
                sent=m is not None and m.status == OutboundMessage.DELIVERED,
                refused=m.last_error
                if m is not None and m.status == OutboundMessage.REFUSED
                else "",
                steps=steps,
                is_open=steps[-1].is_open if steps else True,
            )
        )
    return out


def outbox_pending_count() -> int:
    return OutboundMessage.objects.filter(status=OutboundMessage.PENDING).count()
