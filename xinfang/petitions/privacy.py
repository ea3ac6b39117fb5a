"""Personal data of the parties: what a petitioner may download, how long it is kept, and (in
``selectors.parties``) who sees identities. Identity numbers and phones are encrypted at rest
(core.crypto).

* Who sees identities, masked or not, and the audit record of an unmasked display:
  ``xinfang.petitions.selectors.parties`` (importable from here as before).
* ``petition_personal_data_export`` is what the portal gives a petitioner who asks what is
  held about their petition (个人信息保护法 Arts. 44–45).
* ``party_anonymise_expired`` removes the identities of parties of petitions closed longer than
  ``XINFANG_RETENTION_YEARS`` (the petition file itself stays, as the archive rules require).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from xinfang.core import clock
from xinfang.petitions.models import Party, Petition
from xinfang.petitions.seal import petition_seal
from xinfang.petitions.selectors.parties import (
    identity_restricted,
    parties_for_user,
    user_may_see_identity,
)

__all__ = [
    "ANONYMISED_NAME",
    "identity_restricted",
    "parties_for_user",
    "party_anonymise_expired",
    "petition_personal_data_export",
    "user_may_see_identity",
]


ANONYMISED_NAME = "（已匿名化）"


def petition_personal_data_export(*, petition: Petition) -> dict[str, Any]:
    """Everything held about ``petition`` that concerns its petitioner, for the petitioner.

    The caller (the portal) has already checked the tracking code and query password. Staff
    are named by organ only; identities are given in full because they are the requester's
    own. The request itself is recorded in the audit trail."""
    from xinfang.audit.services import audit_record
    from xinfang.petitions.selectors.deadlines import deadlines_of
    from xinfang.petitions.workflow import ACTION_LABELS, STATE_LABELS, Action, State

    labels = {a.value: lbl for a, lbl in ACTION_LABELS.items()} | {"receive": "接收"}
    public_data = ("decision", "remedy", "outcome", "legal_basis", "request", "facts", "days")
    events = petition.events.select_related("organ").order_by("seq")
    out = {
        "generated_at": clock.now().isoformat(),
        "controller": petition.current_organ.name,
        "legal_basis": "《信访工作条例》第十七条至第三十六条；《个人信息保护法》第十三条第一款第三项、第三十四条",
        "retention": (
            f"信访事项办结后，当事人身份信息保存 {settings.XINFANG_RETENTION_YEARS} 年后匿名化；"
            "信访档案按档案管理规定保存"
        ),
        "petition": {
            "tracking_code": petition.tracking_code,
            "channel": petition.get_channel_display(),
            "received_at": petition.received_at.isoformat(),
            "registered_at": petition.registered_at.isoformat() if petition.registered_at else None,
            "title": petition.title,
            "content": petition.content,
            "category": petition.get_category_display() if petition.category else "",
            "region": petition.region.name,
            "is_collective": petition.is_collective,
            "head_count": petition.head_count,
            "is_anonymous": petition.is_anonymous,
            "confidential": petition.confidential,
            "state": STATE_LABELS[State(petition.state)],
            "current_organ": petition.current_organ.name,
        },
        "parties": [
            {
                "role": x.get_role_display(),
                "name": x.name,
                "id_number": x.id_number,
                "phone": x.phone,
                "address": x.address,
                "is_organisation": x.is_organisation,
                "anonymised": x.anonymised_at is not None,
            }
            for x in petition.parties.order_by("id")
        ],
        "attachments": [
            {
                "name": a.original_name,
                "type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "uploaded_at": a.uploaded_at.isoformat(),
            }
            for a in petition.attachments.order_by("id")
        ],
        "timeline": [
            {
                "date": e.occurred_at.isoformat(),
                "step": labels.get(e.action, e.action),
                "organ": e.organ.name if e.organ else None,
                "reason": e.reason if e.action != Action.REPORT_RESULT else "",
                **{k: e.data[k] for k in public_data if k in (e.data or {})},
            }
            for e in events
        ],
        "deadlines": [
            {
                "step": d.step,
                "legal_basis": d.basis,
                "start": d.start.isoformat(),
                "due": d.due.isoformat(),
                "status": d.status.value,
            }
            for d in deadlines_of(petition)
        ],
    }
    audit_record(kind="personal_data.export", object_type="petition", object_id=petition.pk)
    return out


def party_anonymise_expired(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Remove the identities of the parties of petitions closed for longer than the retention
    period. Idempotent; returns how many parties were (or, with ``dry_run``, would be) changed."""
    from xinfang.audit.services import audit_record

    now = now or clock.now()
    cutoff = now - timedelta(days=365 * settings.XINFANG_RETENTION_YEARS)
    parties = Party.objects.filter(
        anonymised_at__isnull=True,
        petition__is_open=False,
        petition__last_event_at__lt=cutoff,
    )
    if dry_run:
        return parties.count()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(parties.select_for_update().order_by("id")[:1000])
            if not batch:
                break
            for x in batch:
                x.name = ANONYMISED_NAME
                x.id_number = ""
                x.phone = ""
                x.address = ""
                x.id_digest = ""
                x.phone_digest = ""
                x.anonymised_at = now
            Party.objects.bulk_update(
                batch,
                [
                    "name",
                    "id_number",
                    "phone",
                    "address",
                    "id_digest",
                    "phone_digest",
                    "anonymised_at",
                ],
            )
            # the seal covers the parties: seal the anonymised ones as they are now
            petition_seal(petition_ids={x.petition_id for x in batch})
            total += len(batch)
    audit_record(
        kind="personal_data.anonymise",
        object_type="party",
        data={"count": total, "closed_before": cutoff},
    )
    return total
