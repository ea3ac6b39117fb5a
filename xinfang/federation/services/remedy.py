"""A review or re-review request for a petition now handled by another installation (issue 20).

The petitioner asks where they follow the matter: the sender's portal, with the sender's
tracking code. The opinion was issued over there, so the request is theirs to take (Art. 35:
the organ above the one that issued the opinion; Art. 36 for a re-review): it is forwarded as
a signed ``remedy`` message, written in the outbox in the transaction that accepts it, so a
request is never lost while the other side is down. The other side takes the step with the
date the petitioner asked (the 30-day windows are counted against it) and reports it back as
any step; a refusal (the window ran out there, a step already taken) comes back as a 422 and
is shown to the petitioner on the portal with its reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.federation.models import Link, OutboundMessage
from xinfang.federation.selectors import remote_handling
from xinfang.federation.services.outbox import enqueue
from xinfang.petitions.models import Petition


def remedy_forward(
    *, petition: Petition, action: str, reason: str = "", at: datetime | None = None
) -> OutboundMessage:
    """Forward the petitioner's ``request_review`` / ``request_re_review`` to the installation
    that issued the opinion. Raises :class:`ApplicationError` when no remote opinion is open
    to it (nothing issued yet, or the request already forwarded)."""
    at = at or clock.now()
    with transaction.atomic():
        Petition.objects.select_for_update().filter(pk=petition.pk).first()  # one at a time
        handling = next((h for h in remote_handling(petition=petition) if h.remedy == action), None)
        if handling is None or handling.last is None:
            raise ApplicationError(
                gettext("该事项目前不能申请复查或复核，或者申请已经转送对方系统")
            )
        link = Link.objects.select_related("peer").get(pk=handling.link_id)
        body: dict[str, Any] = {
            "transfer_id": link.transfer_id,
            "action": action,
            "reason": reason,
            "requested_at": at.isoformat(),
            "after_seq": handling.last.seq,  # the opinion (or review opinion) it is about
        }
        message = enqueue(peer=link.peer, kind="remedy", body=body, petition=petition)
        audit_record(
            kind="federation.remedy_forward",
            object_type="petitions.petition",
            object_id=petition.pk,
            data={"peer": link.peer.name, "action": action, "message_id": message.message_id},
            at=at,
        )
    return message
