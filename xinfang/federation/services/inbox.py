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

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core.errors import ApplicationError
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
from xinfang.federation.services.remedy_in import remedy_apply
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
            if envelope.kind in ("transfer", "withdraw"):
                # A transfer and its withdrawal arriving at the same moment: each checks for the
                # other, so they take turns on the peer's row (revB #2 of stop 29). Without it
                # each misses the other's uncommitted row, the late transfer is registered and
                # never marked taken back, and two offices handle one petition.
                list(Peer.objects.select_for_update().filter(pk=peer.pk).values_list("pk"))
            if envelope.kind == "transfer":
                result = _transfer_apply(peer=peer, envelope=envelope, now=now)
            elif envelope.kind == "remedy":
                result = remedy_apply(peer=peer, envelope=envelope, now=now)
            elif envelope.kind == "withdraw":
                result = _withdraw_apply(peer=peer, envelope=envelope, now=now)
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
            raise ApplicationError(gettext("附件编码有误")) from e
        if hashlib.sha256(data).hexdigest() != f["sha256"]:
            raise ApplicationError(gettext("附件内容与其摘要不符"))
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
    if InboundMessage.objects.filter(
        peer=peer, kind="withdraw", result__transfer_id=envelope.message_id
    ).exists():
        # the sender took it back, and told us, before this (late) delivery reached us
        raise ApplicationError(gettext("转出机关已取回该转送"), code="withdrawn")
    organ = Organ.objects.filter(pk=int(body["to_organ_id"]), is_active=True).first()
    if organ is None:
        raise ApplicationError(
            gettext("接收机关不存在"), fields={"to_organ_id": [gettext("本系统没有该机关")]}
        )
    accused = p.get("accused_organ_id")
    accused_organ = Organ.objects.filter(pk=int(accused)).first() if accused is not None else None
    if accused is not None and accused_organ is None:
        raise ApplicationError(
            gettext("被检举控告单位不存在"),
            fields={"accused_organ_id": [gettext("本系统没有该机关")]},
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


def _withdraw_apply(*, peer: Peer, envelope: Envelope, now: datetime) -> dict[str, Any]:
    """The sender took back a hand-over whose delivery it could not confirm (ADR 0023, revB
    #4): our copy, if the transfer reached us, is marked taken back (the petition's page warns
    its offices to agree with the sender who handles it; nothing is deleted, as on the sender's
    side). If it has not reached us, this message is kept, and the transfer is refused should
    it arrive after all (``_transfer_apply``)."""
    transfer_id = str(envelope.body["transfer_id"])
    link = Link.objects.filter(peer=peer, direction=Link.IN, transfer_id=transfer_id).first()
    if link is None:
        return {"transfer_id": transfer_id, "known": False}
    if link.withdrawn_at is None:
        Link.objects.filter(pk=link.pk).update(withdrawn_at=now)
        audit_record(
            kind="federation.withdrawn_notice",
            object_type="petitions.petition",
            object_id=link.petition_id,
            data={"peer": peer.name, "transfer_id": transfer_id},
            at=now,
        )
    return {"transfer_id": transfer_id, "known": True}


def _update_apply(*, peer: Peer, envelope: Envelope) -> dict[str, Any]:
    """A step the peer took on a petition we handed over: kept for the petitioner's portal."""
    body = envelope.body
    link = Link.objects.filter(
        peer=peer, direction=Link.OUT, transfer_id=str(body["transfer_id"])
    ).first()
    if link is None:
        raise ApplicationError(gettext("没有对应的转出事项"), fields={"transfer_id": ["unknown"]})
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
    code = (
        Petition.objects.filter(pk=link.petition_id).values_list("tracking_code", flat=True).first()
        or ""
    )
    if link.withdrawn_at is not None:
        # We took this transfer back before the peer's receipt reached us (its acknowledgement
        # was lost, or it arrived while a claim ran out; issue 20): the step is kept for the
        # sending office's page, which warns that the other side has the petition too, and is
        # not mirrored (our copy is routed here again). The answer tells the peer, whose page
        # then says so: acknowledged (200), so its outbox does not retry for ever.
        if _created:
            audit_record(
                kind="federation.after_withdrawal",
                object_type="petitions.petition",
                object_id=link.petition_id,
                data={"peer": peer.name, "transfer_id": link.transfer_id, "seq": step.seq},
            )
        return {"petition": code, "seq": step.seq, "withdrawn": True}
    if _created:
        _concluded_sync(link)
    return {"petition": code, "seq": step.seq}


def _concluded_sync(link: Link) -> None:
    """Our copy of a petition we handed over is concluded here when the latest step reported
    says it is concluded over there (not open), and open again when a later one reopens it (a
    review asked there); a step arriving after a later one changes nothing. Only for the
    latest hand-over of the petition (ADR 0018: the state stays "transferred", no clock runs)."""
    from xinfang.petitions.services import petition_remote_concluded

    # lock the petition before reading the latest step (review-revB item 4): two updates of
    # the same link applied at once then read it in turn, the later one seeing the other's step
    Petition.objects.select_for_update().filter(pk=link.petition_id).first()
    latest = RemoteStep.objects.filter(link=link).order_by("-seq").first()
    newest = (
        Link.objects.filter(petition_id=link.petition_id, direction=Link.OUT)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None or newest != link.pk:
        return
    petition_remote_concluded(
        petition_id=link.petition_id,
        concluded=not latest.is_open,
        reason=f"{link.peer.name}：{latest.state_label}",
        data={"peer": link.peer.name, "remote_seq": latest.seq, "remote_state": latest.state},
    )
