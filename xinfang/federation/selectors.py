"""Reads of the federation app."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from xinfang.federation.models import Link, OutboundMessage, Peer, RemoteOrgan, RemoteStep


def peer_list() -> list[Peer]:
    return list(Peer.objects.order_by("name"))


#: Whether this installation has any peer, as this process last saw it: ``(answer, when)``.
_configured: list[tuple[bool, float]] = []


def peers_configured() -> bool:
    """Whether any peer was ever recorded (issue 20: a step of an installation without peers
    costs no federation query). A "yes" is kept for good (a peer is never deleted, only
    deactivated); a "no" is asked again after ``XINFANG_FEDERATION_PEER_CHECK_SECONDS``, so a
    server running when the first peer is added elsewhere (``federation_peer add``) sees it
    within that time; this process's own ``peer_add`` and receipts forget it at once."""
    now = time.monotonic()
    if _configured:
        answer, when = _configured[0]
        if answer or now - when < settings.XINFANG_FEDERATION_PEER_CHECK_SECONDS:
            return answer
    answer = Peer.objects.exists()
    _configured[:] = [(answer, now)]
    return answer


def peers_configured_forget() -> None:
    _configured.clear()


def remote_organs_served_q() -> Q:
    """The organs of our directory an active peer serves (a ``Q`` over ``Organ``): the only
    external organs a petition may be handed to now (``petitions.target_rules``)."""
    return Q(pk__in=RemoteOrgan.objects.filter(peer__is_active=True).values("organ_id"))


#: The request the petitioner may make after the step reported last over there (Arts. 35,
#: 36): a review of an opinion, a re-review of a review opinion.
REMEDY_AFTER = {"opinion_issued": "request_review", "review_decided": "request_re_review"}


@dataclass(frozen=True)
class RemoteRemedy:
    """A review or re-review request forwarded to the other installation (issue 20)."""

    action: str  # request_review | request_re_review
    requested_at: str
    status: str  # pending | delivered | refused (OutboundMessage)
    refused: str  # the other side's reason ("" unless refused)


@dataclass(frozen=True)
class RemoteHandling:
    """How another installation handles a petition we handed over (the portal shows it)."""

    link_id: int
    peer: str
    organ: str  # the organ over there, as our directory names it
    remote_tracking_code: str
    sent: bool  # the transfer message was delivered (the other side acknowledged it)
    peer_active: bool  # False: the peer was withdrawn, nothing is sent to it (walker finding 1)
    sent_at: Any  # when it acknowledged (None while waiting)
    refused: str  # why the other side refused it ("" when it did not)
    steps: list[RemoteStep]
    is_open: bool
    remedies: list[RemoteRemedy]
    remedy: str  # the request the petitioner may make now ("" for none)
    # Taken back by the sending office before the other side acknowledged it (issue 20).
    withdrawn_at: Any = None
    # ...and yet the other side has it: its acknowledgement or a step of it came afterwards.
    reached_after_withdrawal: bool = False
    # the other side told of the take-back (a send whose answer was lost: it may have it):
    # the ``withdraw`` message's status (pending | delivered | refused), "" when none was due
    withdraw_notice: str = ""

    @property
    def last(self) -> RemoteStep | None:
        """The latest step reported back: where the matter stands over there."""
        return self.steps[-1] if self.steps else None


def remote_handling(*, petition: Any, links: list[Link] | None = None) -> list[RemoteHandling]:
    """Each hand-over of ``petition`` to another installation, with the steps reported back
    and the review requests forwarded (in two queries and one per hand-over; a petition is
    handed over once or twice). ``links``: its outgoing links with their peers, when the
    caller read them already (the staff page's panel)."""
    if links is None:
        links = list(
            Link.objects.filter(petition=petition, direction=Link.OUT)
            .select_related("peer")
            .order_by("id")
        )
    if not links:
        return []
    ids = [lk.transfer_id for lk in links]
    messages = {}
    remedies: dict[str, list[OutboundMessage]] = {}
    notices: dict[str, str] = {}
    for m in OutboundMessage.objects.filter(
        Q(message_id__in=ids) | Q(petition=petition, kind__in=("remedy", "withdraw"))
    ).order_by("id"):
        if m.kind == "remedy":
            remedies.setdefault(str(m.body.get("transfer_id")), []).append(m)
        elif m.kind == "withdraw":
            notices[str(m.body.get("transfer_id"))] = m.status
        else:
            messages[m.message_id] = m
    out = []
    for lk in links:
        steps = list(lk.steps.order_by("seq"))
        m = messages.get(lk.transfer_id)
        asked = remedies.get(lk.transfer_id, [])
        last = steps[-1] if steps else None
        remedy = REMEDY_AFTER.get(last.state, "") if last is not None else ""
        if lk.withdrawn_at is not None:
            remedy = ""  # routed here again: nothing is asked of the other side
        if remedy and any(
            r.body.get("action") == remedy
            and r.body.get("after_seq") == last.seq  # type: ignore[union-attr]
            and r.status != OutboundMessage.REFUSED
            for r in asked
        ):
            remedy = ""  # asked already: on its way, or received there
        out.append(
            RemoteHandling(
                link_id=lk.pk,
                peer=lk.peer.name,
                organ=str(m.body.get("to_organ") or lk.peer.name) if m is not None else "",
                remote_tracking_code=lk.remote_tracking_code,
                sent=m is not None and m.status == OutboundMessage.DELIVERED,
                peer_active=lk.peer.is_active,
                sent_at=m.delivered_at if m is not None else None,
                refused=m.last_error
                if m is not None and m.status == OutboundMessage.REFUSED
                else "",
                steps=steps,
                is_open=steps[-1].is_open if steps else True,
                remedies=[
                    RemoteRemedy(
                        action=str(r.body.get("action")),
                        requested_at=str(r.body.get("requested_at", ""))[:10],
                        status=r.status,
                        refused=_refusal_text(r.last_error)
                        if r.status == OutboundMessage.REFUSED
                        else "",
                    )
                    for r in asked
                ],
                remedy=remedy,
                withdrawn_at=lk.withdrawn_at,
                reached_after_withdrawal=lk.withdrawn_at is not None
                and (bool(steps) or (m is not None and m.delivered_at is not None)),
                withdraw_notice=notices.get(lk.transfer_id, ""),
            )
        )
    return out


def _refusal_text(error: str) -> str:
    """The other side's reason without our transport prefix ("HTTP 422 refused: ...")."""
    head, sep, rest = error.partition(": ")
    return rest if sep and head.startswith("HTTP ") else error


def handover_undelivered(*, petition: Any) -> bool:
    """Whether the petition's latest hand-over to another installation has not been
    acknowledged there (its message waits, or the peer refused it): the sending office may
    take it back (``take_back``, issue 20). One query."""
    transfer_id = (
        Link.objects.filter(petition=petition, direction=Link.OUT, withdrawn_at__isnull=True)
        .order_by("-id")
        .values("transfer_id")[:1]
    )
    return OutboundMessage.objects.filter(
        message_id__in=transfer_id,
        kind="transfer",
        status__in=[OutboundMessage.PENDING, OutboundMessage.REFUSED],
    ).exists()


def transfers_waiting(*, peer: Peer, limit: int = 200) -> list[dict[str, Any]]:
    """The transfers waiting for ``peer`` (undelivered, not taken back), oldest first: the
    tracking code, the office that sent each and when, so that an administrator withdrawing the
    peer can tell those offices to take them back (no petition content: the administrator does
    not read petitions, ADR 0013). Refused ones too: they can be taken back as well
    (``handover_undelivered``) and otherwise sit with an organ nobody works for (revB #6)."""
    rows = list(
        OutboundMessage.objects.filter(
            peer=peer,
            kind="transfer",
            status__in=[OutboundMessage.PENDING, OutboundMessage.REFUSED],
            petition__isnull=False,
        )
        .order_by("created_at", "id")
        .values_list("petition_id", "petition__tracking_code", "body", "created_at", "status")[
            :limit
        ]
    )
    return [
        {
            "tracking_code": code,
            "from_organ": str(body.get("from_organ") or ""),
            "to_organ": str(body.get("to_organ") or ""),
            "since": at,
            "refused": status == OutboundMessage.REFUSED,
        }
        for _pid, code, body, at, status in rows
    ]


def outbox_pending_count() -> int:
    return OutboundMessage.objects.filter(status=OutboundMessage.PENDING).count()
