"""Writes of the federation app: ``peers`` (key exchange, organs served by a peer; audited),
``outbox`` (messages written with the step they report, delivered by ``xinfang tick``) and
``inbox`` (a signed message received: checked, then applied once)."""

from xinfang.federation.services.inbox import InboxRefusal, inbox_receive
from xinfang.federation.services.outbox import outbox_deliver, outbox_on_step
from xinfang.federation.services.peers import (
    peer_activate,
    peer_add,
    peer_deactivate,
    remote_organ_set,
)

__all__ = [
    "InboxRefusal",
    "inbox_receive",
    "outbox_deliver",
    "outbox_on_step",
    "peer_activate",
    "peer_add",
    "peer_deactivate",
    "remote_organ_set",
]
