"""A signed message received from a peer: checked (docs/federation.md), then applied once.

Checks, in order: the shape, a known and active peer, the signature, addressed to us, the time
window, the nonce not seen (a replay within the window), then the message id: a message
applied before is acknowledged again without being applied (idempotent receipt).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ
from xinfang.directory.selectors import petition_office_for
from xinfang.federation.envelope import (
    WINDOW,
    Envelope,
    EnvelopeError,
    envelope_parse,
    freshness_problem,
    signature_ok,
)
from xinfang.federation.keys import own_key_id
from xinfang.federation.models import InboundMessage, Link, Peer, RemoteStep, SeenNonce
from xinfang.federation.selectors import peers_configured_forget
from xinfang.federation.services.outbox import updates_enqueue
from xinfang.petitions.models import Petition


class InboxRefusal(Exception):
    """The message is refused: ``status`` (HTTP), ``code`` (stable) and a message."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


@dataclass(frozen=True)
class Receipt:
    duplicate: bool
    result: dict[str, Any]


def inbox_receive(*, raw: bytes, now: datetime) -> Receipt:
    """Check and apply one message; raises :class:`InboxRefusal`."""
    try:
        envelope, sig = envelope_parse(json.loads(raw))
    except (ValueError, UnicodeDecodeError) as e:  # EnvelopeError is a ValueError
        code = e.code if isinstance(e, EnvelopeError) else "malformed"
        raise InboxRefusal(400, code, str(e) if isinstance(e, EnvelopeError) else "not JSON") from e
    peer = Peer.objects.filter(key_id=envelope.sender, is_active=True).first()
    if peer is None:
        raise InboxRefusal(401, "unknown_peer", "sender key is not a known peer")
    peers_configured_forget()  # a peer exists: this process's steps report to it from now on
    if not signature_ok(envelope, sig, peer.public_key):
        _audit_refusal(peer, envelope, "bad_signature")
        raise InboxRefusal(401, "bad_signature", "signature does not match the message")
    if envelope.recipient != own_key_id():
        _audit_refusal(peer, envelope, "wrong_recipient")
        raise InboxRefusal(400, "wrong_recipient", "message is addressed to another installation")
    if problem := freshness_problem(envelope, now=now):
        _audit_refusal(peer, envelope, problem)
        raise InboxRefusal(400, problem, f"message time outside ±{WINDOW} of ours")
    try:
        with transaction.atomic():
            SeenNonce.objects.create(peer=peer, nonce=envelope.nonce, seen_at=now)
    except IntegrityError as e:
        _audit_refusal(peer, envelope, "replay")
        raise InboxRefusal(409, "replay", "nonce already used: a replayed message") from e
    seen = InboundMessage.objects.filter(peer=peer, message_id=envelope.message_id).first()
    if seen is not None:
        return Receipt(duplicate=True, result=seen.result)
    try:
        with transaction.atomic():
            # First the row that makes a second, concurrent delivery wait here and then fail.
            record = InboundMessage.objects.create(
                peer=peer,
                message_id=envelope.message_id,
                kind=envelope.kind,
                received_at=now,
            )
            if envelope.kind == "transfer":
                result = _transfer_apply(peer=peer, envelope=envelope, now=now)
            elif envelope.kind == "remedy":
                result = _remedy_apply(peer=peer, envelope=envelope, now=now)
            else:
                result = _update_apply(peer=peer, envelope=envelope)
            record.result = result
            record.save(update_fields=["result"])
            audit_record(
                kind="federation.receive",
                object_type="federation.peer",
                object_id=peer.pk,
                data={"message_id": envelope.message_id, "kind": envelope.kind, **result},
                at=now,
            )
    except IntegrityError:
        seen = InboundMessage.objects.filter(peer=peer, message_id=envelope.message_id).first()
        if seen is None:
            raise
        return Receipt(duplicate=True, result=seen.result)
    except ApplicationError as e:
        # the reasons at the fields too: the sender shows the petitioner why (e.g. the window)
        said = [str(m) for ms in e.fields.values() for m in ms if str(m) != e.message]
        message = " ".join([e.message, *said])
        _audit_refusal(peer, envelope, f"refused: {message}")
        raise InboxRefusal(422, "refused", message, e.fields) from e
    except (KeyError, TypeError, ValueError, AttributeError) as e:  # a body of another shape
        _audit_refusal(peer, envelope, "bad_body")
        raise InboxRefusal(422, "bad_body", f"message body incomplete: {e}") from e
    return Receipt(duplicate=False, result=result)


def _audit_refusal(peer: Peer, envelope: Envelope, why: str) -> None:
    audit_record(
        kind="federation.refuse",
        object_type="federation.peer",
        object_id=peer.pk,
        data={"message_id": envelope.message_id, "kind": envelope.kind, "why": why[:200]},
    )


def _receiving_office(organ: Organ, accused: Organ | None) -> Organ:
    """Where a handed-over petition is registered: the organ itself when it is a petition
    office, else the petition office of its region or the nearest above (which hands it on at
    once); an office at or below the accused organ is passed over (Art. 30 para 3)."""
    if organ.is_petition_office:
        return organ
    return petition_office_for(region_code=organ.region_id, accused=accused) or organ


def _files(body: dict[str, Any]) -> list[Any]:
    from xinfang.petitions.services import AttachmentInput

    out = []
    for f in body.get("attachments", []):
        try:
            data = base64.b64decode(f["data"], validate=True)
        except (binascii.Error, ValueError) as e:
            raise ApplicationError("附件编码有误") from e
        if hashlib.sha256(data).hexdigest() != f["sha256"]:
            raise ApplicationError("附件内容与其摘要不符")
        out.append(AttachmentInput(name=str(f["name"]), content=data))
    return out


def _transfer_apply(*, peer: Peer, envelope: Envelope, now: datetime) -> dict[str, Any]:
    """A petition handed over by a peer: registered here as received *now* (the statutory
    clock runs from our receipt: Art. 22 para 1 for a petition office, Art. 23 para 3 for the
    organ it is handed to), with its documents, its confidentiality and its accusation."""
    from xinfang.petitions.services import (
        PartyInput,
        PetitionInput,
        petition_act,
        petition_register,
    )

    body = envelope.body
    p = body["petition"]
    organ = Organ.objects.filter(pk=int(body["to_organ_id"]), is_active=True).first()
    if organ is None:
        raise ApplicationError("接收机关不存在", fields={"to_organ_id": ["本系统没有该机关"]})
    accused = p.get("accused_organ_id")
    accused_organ = Organ.objects.filter(pk=int(accused)).first() if accused is not None else None
    if accused is not None and accused_organ is None:
        raise ApplicationError(
            "被检举控告单位不存在", fields={"accused_organ_id": ["本系统没有该机关"]}
        )
    office = _receiving_office(organ, accused_organ)
    data = PetitionInput(
        channel=str(p["channel"]),
        title=str(p["title"]),
        content=str(p["content"]),
        region_code=str(p["region_code"]),
        received_at=now,
        category=str(p.get("category") or ""),
        route=p.get("route"),
        accused_organ_id=int(accused) if accused is not None else None,
        accused_persons=str(p.get("accused_persons") or ""),
        is_collective=bool(p.get("is_collective")),
        head_count=int(p.get("head_count") or 1),
        is_anonymous=bool(p.get("is_anonymous")),
        confidential=bool(p.get("confidential")),
        parties=[
            PartyInput(
                role=str(x["role"]),
                name=str(x.get("name") or ""),
                id_number=str(x.get("id_number") or ""),
                phone=str(x.get("phone") or ""),
                address=str(x.get("address") or ""),
                is_organisation=bool(x.get("is_organisation")),
            )
            for x in p.get("parties", [])
        ],
        attachments=_files(body),
    )
    petition = petition_register(data=data, organ=office, actor=None, at=now).petition
    link = Link.objects.create(
        petition=petition,
        peer=peer,
        direction=Link.IN,
        transfer_id=envelope.message_id,
        remote_tracking_code=str(p.get("tracking_code") or "")[:16],
        created_at=now,
    )
    updates_enqueue(link=link, petition=petition, events=list(petition.events.order_by("seq")))
    if organ.pk != office.pk:
        # Handed on to the organ it was sent to, at the moment of receipt (the hook reports it).
        petition_act(
            petition_id=petition.pk,
            action="transfer",
            actor=None,
            at=now,
            reason=f"{peer.name}（{body.get('from_organ', '')}）转来",
            data={"to_organ_id": organ.pk},
        )
    return {"tracking_code": petition.tracking_code}


def _update_apply(*, peer: Peer, envelope: Envelope) -> dict[str, Any]:
    """A step the peer took on a petition we handed over: kept for the petitioner's portal."""
    body = envelope.body
    link = Link.objects.filter(
        peer=peer, direction=Link.OUT, transfer_id=str(body["transfer_id"])
    ).first()
    if link is None:
        raise ApplicationError("没有对应的转出事项", fields={"transfer_id": ["unknown"]})
    step, _created = RemoteStep.objects.get_or_create(
        link=link,
        seq=int(body["seq"]),
        defaults={
            "action": str(body["action"])[:24],
            "state": str(body["state"])[:24],
            "state_label": str(body.get("state_label", ""))[:100],
            "occurred_at": datetime.fromisoformat(str(body["occurred_at"])),
            "organ": str(body.get("organ", ""))[:200],
            "note": str(body.get("note", "")),
            "document": body.get("document") or {},
            "is_open": bool(body.get("is_open", True)),
        },
    )
    return {
        "petition": Petition.objects.filter(pk=link.petition_id)
        .values_list("tracking_code", flat=True)
        .first()
        or "",
        "seq": step.seq,
    }


#: The requests a peer may forward for its petitioner (Arts. 35, 36).
REMEDIES = frozenset({"request_review", "request_re_review"})


def _remedy_apply(*, peer: Peer, envelope: Envelope, now: datetime) -> dict[str, Any]:
    """A review or re-review request the petitioner made at the peer, for a petition the peer
    handed to us (services.remedy): the step is taken here as of the day they asked, so the
    30-day window is judged by that day (Arts. 35, 36), wherever the message spent the time
    between; it is reported back as any step. A window recorded here as lapsed before the
    request arrived, although they asked within it, is reopened for it first (a lawful step:
    ``reopen_window``, with the day asked, on the timeline and in the audit). A request asked
    after the window, or a step not open now, is refused: a 422 the peer shows them."""
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.services.steps import remedy_asked_at

    body = envelope.body
    action = str(body["action"])
    if action not in REMEDIES:
        raise ApplicationError("不能转来的请求", fields={"action": [action[:40]]})
    link = Link.objects.filter(
        peer=peer, direction=Link.IN, transfer_id=str(body["transfer_id"])
    ).first()
    if link is None:
        raise ApplicationError("没有对应的转入事项", fields={"transfer_id": ["unknown"]})
    asked = datetime.fromisoformat(str(body["requested_at"]))
    # the sender's clock may run ahead of ours by as much as the envelope allows (WINDOW)
    if asked.tzinfo is None or asked > now + WINDOW:
        raise ApplicationError("请求时间无效", fields={"requested_at": ["invalid"]})
    asked = min(asked, now)  # dated no later than our now
    token = remedy_asked_at.set(asked)
    try:
        reopened = _reopen_if_asked_in_time(
            peer=peer, envelope=envelope, petition_id=link.petition_id, action=action,
            asked=asked, now=now,
        )  # fmt: skip
        last = Petition.objects.filter(pk=link.petition_id).values_list("last_event_at", flat=True)[
            0
        ]
        petition = petition_act(
            petition_id=link.petition_id,
            action=action,
            actor=None,
            at=max(asked, last),  # never before the step already recorded (the event order)
            reason=str(body.get("reason") or "")[:5000],
            data={"asked_at": asked.isoformat(), "via": peer.name[:100]},
        )
    finally:
        remedy_asked_at.reset(token)
    result = {"tracking_code": petition.tracking_code, "action": action, "state": petition.state}
    if reopened:
        result["reopened"] = reopened
    return result


#: The window each request is made within (Art. 35: T7, the review; Art. 36: T9, re-review).
_WINDOW = {"request_review": ("T7", "复查", "第三十五条"), "request_re_review": ("T9", "复核", "第三十六条")}  # fmt: skip


def _reopen_if_asked_in_time(
    *, peer: Peer, envelope: Envelope, petition_id: int, action: str, asked: datetime, now: datetime
) -> str:
    """Reopen the window ``action`` is made within when it was recorded here as lapsed and the
    petitioner asked within it (returns its code; "" when nothing was lapsed). A request
    asked after it is refused with the day it ran out."""
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import State

    state = Petition.objects.filter(pk=petition_id).values_list("state", flat=True)[0]
    if state not in (State.FINAL_NO_APPEAL, State.CLOSED):
        return ""
    code, step, article = _WINDOW[action]
    lapsed = (
        Deadline.objects.filter(petition_id=petition_id, code=code, outcome="lapsed")
        .order_by("-start_date")
        .first()
    )
    if lapsed is None or lapsed.closed_on is None:
        return ""  # nothing lapsed: the procedure itself answers (e.g. no such step now)
    asked_on = clock.local_date(asked)
    if asked_on > lapsed.due_date:
        message = gettext(
            "%(step)s请求于 %(asked)s 提出，申请期限已于 %(due)s 届满（%(article)s）"
        ) % {
            "step": gettext(step),
            "asked": asked_on,
            "due": lapsed.due_date,
            "article": gettext(article),
        }
        raise ApplicationError(message, fields={"requested_at": [message]})
    petition_act(
        petition_id=petition_id,
        action="reopen_window",
        actor=None,  # the system's step on the petitioner's signed request; audited
        at=now,
        reason=(
            f"信访人于{asked_on.isoformat()}通过{peer.name}提出{step}请求，在申请期限"
            f"（至{lapsed.due_date.isoformat()}）内；请求送达本系统时，该期限已于"
            f"{lapsed.closed_on.isoformat()}登记为期满未申请。申请的权利以信访人提出请求的"
            f"时间为准（《信访工作条例》{article}）。"
        ),
        data={
            "window": code,
            "days": settings.XINFANG_REOPENED_WINDOW_MIN_DAYS,
            "via": peer.name[:100],
            "message_id": envelope.message_id,
        },
    )
    return code
