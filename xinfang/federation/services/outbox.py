"""The outbox: a message is written in the transaction of the step it reports (so it is never
lost: the step and its message commit together) and delivered by ``xinfang tick``
(``jobs.py``) until the peer acknowledges it. A peer that is down is tried again, later and
later; the peer's idempotent receipt makes a second delivery harmless (at-least-once)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.federation.envelope import Envelope, envelope_sign
from xinfang.federation.keys import own_key_id, own_private_key
from xinfang.federation.models import Link, OutboundMessage, Peer, RemoteOrgan
from xinfang.federation.selectors import peers_configured
from xinfang.petitions.models import Attachment, Petition
from xinfang.petitions.workflow import STATE_LABELS, State

log = logging.getLogger(__name__)

#: Steps reported back to the sending installation: the ones its petitioner's portal shows.
#: Steps between the organs over there (objections, completion reports, flags) stay there,
#: as the portal leaves them out (portal.selectors._INTERNAL).
INTERNAL = frozenset(
    {"object", "objection_accept", "objection_reject", "report_result", "flag", "take_back"}
)
#: Steps whose reason is addressed to the petitioner (portal.selectors._REASON_SHOWN).
REASON_SHOWN = frozenset(
    {
        "extend",
        "not_accept",
        "redirect",
        "channel",
        "reply",
        "request_review",
        "request_re_review",
        "reopen_window",
    }
)
#: Steps that hand a petition to a peer's organ.
HANDOVER = frozenset({"transfer", "assign"})
#: Steps that send a petition to another organ (``petitions.target_rules.SENDING_STEPS``).
SENDING = frozenset({"transfer", "assign", "refer_legal", "refer_discipline"})
INBOX_PATH = "federation/v1/messages"
#: HTTP answers after which a message is never sent again: the peer read it and refused it
#: for what it says (422); anything else (down, 5xx, a key not yet exchanged: 401) is retried.
FINAL_REFUSALS = frozenset({422})


def _retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes (``XINFANG_FEDERATION_RETRY_SECONDS`` the first), at most an hour."""
    base = settings.XINFANG_FEDERATION_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def outbox_on_step(*, petition: Petition, event: Any) -> None:
    """In the step's transaction: a hand-over to an organ a peer serves becomes a ``transfer``
    message; a step taken here on a petition a peer sent us becomes an ``update`` for it.
    Without any peer it asks nothing (issue 20: no federation query on every step).

    A step that leaves the petition with an external organ is checked first, before the
    no-peer cache (a peer added by another process within its lifetime): only a hand-over
    (``HANDOVER``) is sent to a peer, and only while an active peer serves the organ.
    Anything else would leave the petition with an organ no one works for, with no clock
    running anywhere (Arts. 22, 23), so the step is refused and its transaction undone.

    A ``take_back`` withdraws the hand-over's message (:func:`transfer_withdraw`)."""
    if event.action == "take_back":
        transfer_withdraw(petition=petition, at=event.occurred_at)
        return
    if event.action in SENDING and petition.current_organ.external:
        remote = None
        if event.action in HANDOVER:
            remote = (
                RemoteOrgan.objects.select_related("peer")
                .filter(organ_id=petition.current_organ_id, peer__is_active=True)
                .first()
            )
        if remote is None:
            raise ApplicationError(
                gettext("该机关由其他系统办理，目前无法送达：只能转送、交办，且须对方系统在用"),
                code="invalid",
                fields={"to_organ_id": [gettext("该机关目前不能接收")]},
            )
        _transfer_enqueue(petition=petition, event=event, remote=remote)
        return
    if not peers_configured():
        return
    link = Link.objects.filter(petition=petition, direction=Link.IN).select_related("peer").first()
    if link is not None:
        updates_enqueue(link=link, petition=petition, events=[event])


def enqueue(*, peer: Peer, kind: str, body: dict[str, Any], petition: Petition) -> OutboundMessage:
    """Write one message to the outbox (in the caller's transaction)."""
    now = clock.now()
    return OutboundMessage.objects.create(
        message_id=secrets.token_hex(16),
        peer=peer,
        kind=kind,
        body=body,
        petition=petition,
        created_at=now,
        next_attempt_at=now,
    )


def _enqueue(*, peer: Peer, kind: str, body: dict[str, Any], petition: Petition) -> str:
    return enqueue(peer=peer, kind=kind, body=body, petition=petition).message_id


def _transfer_enqueue(*, petition: Petition, event: Any, remote: RemoteOrgan) -> None:
    accused_remote = None
    if petition.accused_organ_id:
        accused_remote = (
            RemoteOrgan.objects.filter(organ_id=petition.accused_organ_id, peer=remote.peer)
            .values_list("remote_organ_id", flat=True)
            .first()
        )
    named = [str(u) for u in petition.accused_staff.all()]
    accused_persons = "、".join(x for x in [petition.accused_persons.strip(), *named] if x)
    if petition.accused_organ_id and accused_remote is None:
        # An accused organ the peer does not know by id still travels by name (Art. 30 para 3).
        accused_persons = "、".join(x for x in [petition.accused_organ.name, accused_persons] if x)
    body = {
        "to_organ_id": remote.remote_organ_id,
        "to_organ": petition.current_organ.name,  # as our directory names it (our pages)
        "from_organ": event.actor_organ.name if event.actor_organ_id else "",
        "transferred_at": event.occurred_at.isoformat(),
        "reason": event.reason,
        "petition": {
            "tracking_code": petition.tracking_code,
            "channel": petition.channel,
            "received_at": petition.received_at.isoformat(),
            "title": petition.title,
            "content": petition.content,
            "category": petition.category,
            "route": petition.route,
            "region_code": petition.region_id,
            "accused_organ_id": accused_remote,
            "accused_persons": accused_persons,
            "is_collective": petition.is_collective,
            "head_count": petition.head_count,
            "is_anonymous": petition.is_anonymous,
            "confidential": petition.confidential,
            "parties": [
                {
                    "role": p.role,
                    "name": p.name,
                    "id_number": p.id_number,
                    "phone": p.phone,
                    "address": p.address,
                    "is_organisation": p.is_organisation,
                }
                for p in petition.parties.order_by("id")
            ],
        },
        # The files are read and put in the message when it is sent (not kept twice here).
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in petition.attachments.order_by("id")
        ],  # fmt: skip
    }
    message_id = _enqueue(peer=remote.peer, kind="transfer", body=body, petition=petition)
    Link.objects.create(
        petition=petition,
        peer=remote.peer,
        direction=Link.OUT,
        transfer_id=message_id,
        created_at=event.occurred_at,
    )


def transfer_withdraw(*, petition: Petition, at: datetime) -> OutboundMessage:
    """In the ``take_back`` step's transaction: the message of the petition's latest hand-over
    to another installation, locked (``select_for_update``) and marked withdrawn, so that no
    tick sends it afterwards. Refused (the step is undone) when the peer acknowledged it, or
    while a tick is sending it at this moment (its claim, ``sending_until``, has not run out):
    either the take-back is refused or the message is never sent again (issue 20).

    A message the peer refused (422) is withdrawn too: nobody over there has the petition.
    A message a tick sent whose answer was lost (a timeout) may have arrived all the same: a
    ``withdraw`` message tells the peer, which marks its copy taken back (its page warns) or,
    had the transfer not arrived yet, refuses it when it does; and the peer's first update
    about it is answered with a withdrawal notice (``inbox``), docs/federation.md."""
    link = (
        Link.objects.filter(petition=petition, direction=Link.OUT, withdrawn_at__isnull=True)
        .order_by("-id")
        .first()
    )
    message = (
        OutboundMessage.objects.select_for_update()
        .filter(message_id=link.transfer_id, kind="transfer")
        .first()
        if link is not None
        else None
    )
    if message is None or message.status == OutboundMessage.DELIVERED:
        raise ApplicationError(
            gettext("对方系统已确认接收该转送，不能取回；如需收回，请与对方联系"),
            code="delivered",
            status=409,
        )
    if message.status == OutboundMessage.WITHDRAWN:  # pragma: no cover - the state says so first
        raise ApplicationError(gettext("该转送已经取回"), code="withdrawn", status=409)
    if (
        message.status == OutboundMessage.PENDING
        and message.sending_until is not None
        and message.sending_until > clock.now()
    ):
        raise ApplicationError(
            gettext("该转送消息正在发送，请一分钟后刷新页面再试"), code="sending", status=409
        )
    # Sent at least once with no answer that settles it (a timeout, a 5xx, a broken answer) or
    # claimed by a tick that never recorded the answer: it may have arrived and been applied
    # there. The other side is told, through the same outbox (revB #4, issue 20).
    may_have_arrived = message.status == OutboundMessage.PENDING and (
        message.attempts > 0 or message.sending_until is not None
    )
    message.status = OutboundMessage.WITHDRAWN
    message.sending_until = None
    message.save(update_fields=["status", "sending_until"])
    Link.objects.filter(pk=link.pk).update(withdrawn_at=at)  # type: ignore[union-attr]
    if may_have_arrived:
        enqueue(
            peer=message.peer,
            kind="withdraw",
            body={"transfer_id": message.message_id, "withdrawn_at": at.isoformat()},
            petition=petition,
        )
    return message


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def updates_enqueue(*, link: Link, petition: Petition, events: list[Any]) -> int:
    """Report steps taken here on a petition a peer sent us (the petitioner follows it there)."""
    from xinfang.documents.selectors import ACTION_KIND, document_get

    n = 0
    for e in events:
        if e.action in INTERNAL:
            continue
        document: dict[str, Any] = {}
        if e.action in ACTION_KIND:
            doc = document_get(petition=petition, seq=e.seq)
            document = _jsonable(dataclasses.asdict(doc))
            document.pop("petition_id", None)
            document.pop("tracking_code", None)  # ours; the petitioner knows the sender's
        body = {
            "transfer_id": link.transfer_id,
            "seq": e.seq,
            "action": e.action,
            "state": e.to_state,
            "state_label": STATE_LABELS[State(e.to_state)],
            "occurred_at": e.occurred_at.isoformat(),
            "organ": e.organ.name if e.organ_id else "",
            "note": e.reason if e.action in REASON_SHOWN else "",
            "document": document,
            "is_open": petition.is_open if e is events[-1] else True,
        }
        _enqueue(peer=link.peer, kind="update", body=body, petition=petition)
        n += 1
    return n


# --- delivery (xinfang tick) ---------------------------------------------------------------


def _wire(message: OutboundMessage, *, now: datetime) -> bytes:
    """The signed message as sent now: a fresh time and nonce for each attempt (the receiver
    knows a retry by its message id), the files read in and checked against their hashes."""
    body = dict(message.body)
    if message.kind == "transfer":
        files = []
        for ref in body.get("attachments", []):
            a = Attachment.objects.get(pk=ref["id"])
            with a.file.open("rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() != ref["sha256"]:
                raise OSError(f"attachment {a.pk} does not match its hash")
            files.append({**ref, "data": base64.b64encode(data).decode()})
        body["attachments"] = files
    env = Envelope(
        sender=own_key_id(),
        recipient=message.peer.key_id,
        message_id=message.message_id,
        kind=message.kind,
        ts=now,
        nonce=secrets.token_hex(16),
        body=body,
    )
    return json.dumps(envelope_sign(env, own_private_key()), ensure_ascii=False).encode()


def _post(url: str, data: bytes) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=settings.XINFANG_FEDERATION_TIMEOUT_SECONDS) as r:
            status, raw = r.status, r.read(1 << 20)
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read(1 << 20)
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


def _claim(message: OutboundMessage, *, now: datetime) -> datetime | None:
    """Claim a due message for this tick (one conditional UPDATE, nothing held while sending):
    None when it was withdrawn, delivered or claimed by another tick meanwhile. The claim ends
    at the returned time (a tick that died while sending: the message is due again then).

    ``now`` (the tick's start) decides what is due; the lease runs from the real time of the
    claim: a tick whose earlier POSTs each waited out the timeout claims later messages long
    after it started, and a lease counted from its start would already have run out, letting a
    take-back through while the message is on its way (revB 1)."""
    lease = clock.now() + timedelta(seconds=settings.XINFANG_FEDERATION_TIMEOUT_SECONDS + 60)
    claimed = OutboundMessage.objects.filter(
        pk=message.pk, status=OutboundMessage.PENDING, next_attempt_at__lte=now
    ).update(sending_until=lease, next_attempt_at=lease)
    return lease if claimed else None


def outbox_deliver(*, now: datetime, limit: int = 100) -> dict[str, int]:
    """Send the messages that are due, oldest first. Idempotent: a message is marked delivered
    only when the peer acknowledged it (200), so a crash half-way sends it again, and the peer
    does not apply it twice. Each message is claimed before it is sent (``_claim``): a transfer
    taken back (``transfer_withdraw``) before the claim is never sent, and one being sent
    cannot be taken back until the answer is recorded. Returns counts for the tick's report."""
    counts = {"delivered": 0, "retry": 0, "refused": 0}
    # ``now`` decides what is due; each message is signed, and its answer recorded, at the time
    # that happens: a peer that waits out the timeout on each of many messages leaves the later
    # ones minutes after the job began, and a signature time that old is outside the peer's
    # window (envelope.WINDOW, 5 minutes): refused as stale, again at every tick
    stamp = clock.advancing(now)
    due = list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.PENDING, next_attempt_at__lte=now, peer__is_active=True
        )
        .select_related("peer")
        .order_by("next_attempt_at", "id")[:limit]
    )
    for message in due:
        lease = _claim(message, now=now)
        if lease is None:
            continue  # withdrawn (taken back), or another tick has it
        try:
            status, answer = _post(message.peer.url + INBOX_PATH, _wire(message, now=stamp()))
            error = (
                ""
                if status == 200
                else f"HTTP {status} {answer.get('code', '')}: {answer.get('message', '')}"
            )
        except Exception as e:  # one message's failure never stops the others
            # refused connection, timeout, a broken HTTP answer, a file gone: kept and tried
            # again with back-off, while the messages behind it go out (a message that raised
            # anything else used to abort the tick and stay first in the queue for ever)
            log.warning("federation delivery failed", exc_info=True)
            status, answer, error = 0, {}, f"{type(e).__name__}: {e}"
        answered = stamp()
        with transaction.atomic():
            message = (
                OutboundMessage.objects.select_for_update()
                .select_related("peer")
                .get(pk=message.pk)
            )
            if message.status != OutboundMessage.PENDING or message.sending_until != lease:
                # This tick's claim ran out while it was sending (a tick stuck past its lease):
                # another tick has the message now, or it was taken back. The withdrawal stands;
                # an acknowledgement of it is recorded and the page warns (issue 20).
                if message.status == OutboundMessage.WITHDRAWN and status == 200:
                    message.delivered_at = answered
                    message.last_error = "delivered after it was withdrawn"
                    message.save(update_fields=["last_error", "delivered_at"])
                continue
            message.attempts += 1
            message.last_error = error[:500]
            message.sending_until = None
            if status == 200:
                message.status = OutboundMessage.DELIVERED
                message.delivered_at = answered
                if message.kind == "transfer" and answer.get("tracking_code"):
                    Link.objects.filter(
                        peer=message.peer, direction=Link.OUT, transfer_id=message.message_id
                    ).update(remote_tracking_code=str(answer["tracking_code"])[:16])
                if message.kind == "update" and answer.get("withdrawn"):
                    _withdrawn_notice(message, now=answered)
                counts["delivered"] += 1
            elif status in FINAL_REFUSALS:
                message.status = OutboundMessage.REFUSED
                counts["refused"] += 1
            else:
                message.next_attempt_at = answered + _retry_delay(message.attempts)
                counts["retry"] += 1
            message.save()
    return counts


def _withdrawn_notice(message: OutboundMessage, *, now: datetime) -> None:
    """The sender answered our update about a petition it sent us: it had taken that transfer
    back before our receipt reached it (issue 20). Recorded on our link (the page says so, so
    that the two offices agree who handles it) and audited once."""
    transfer_id = str(message.body.get("transfer_id", ""))
    marked = Link.objects.filter(
        peer=message.peer, direction=Link.IN, transfer_id=transfer_id, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    if marked:
        audit_record(
            kind="federation.withdrawn_notice",
            object_type="petitions.petition",
            object_id=message.petition_id or 0,
            data={"peer": message.peer.name, "transfer_id": transfer_id},
            at=now,
        )
