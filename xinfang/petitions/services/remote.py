"""A petition handed to an organ another installation serves (``Organ.external``, issue 20):
what the sending side records when the other side reports the matter concluded there, or open
again (a review asked there, a window reopened).

The sending side's copy stays "transferred" (ADR 0018): its duty left with the petition and its
clock runs over there, so no state and no deadline of ours changes. What changes is whether the
matter is open here: a matter concluded over there is on no list of open matters, is no backlog
candidate and its retention runs. The one writer is :func:`petition_remote_concluded`, which
writes a ``flag`` event (on the timeline, in the seal and the audit trail)."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction

from xinfang.core import clock
from xinfang.petitions.flags import CONCLUDED_ELSEWHERE
from xinfang.petitions.models import Petition
from xinfang.petitions.seal import petition_seal
from xinfang.petitions.services._shared import _event_time, _new_event
from xinfang.petitions.services.worklist_tally import worklist_tally_move
from xinfang.petitions.workflow import OPEN_STATES


def petition_remote_concluded(
    *, petition_id: int, concluded: bool, reason: str = "", data: dict[str, Any] | None = None
) -> Petition:
    """Record that the installation holding the petition reports it ``concluded`` (or open
    again). Nothing happens unless the petition is held by an external organ and the fact
    changes (a report repeated or arriving out of order writes nothing)."""
    now = clock.now()
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update(of=("self",))
            .select_related("current_organ")
            .get(pk=petition_id)
        )
        if not petition.current_organ.external:
            return petition  # it came back, or never left: our own steps decide
        open_here = petition.state in OPEN_STATES or bool(petition.delivery_pending)
        is_open = open_here and not concluded
        if petition.is_open == is_open:
            return petition
        when = _event_time(None, petition.last_event_at, now)
        last = petition.events.order_by("-seq").values_list("seq", flat=True).first() or 0
        ev = _new_event(
            petition,
            last + 1,
            "flag",
            petition.state,
            petition.state,
            None,
            petition.current_organ,
            when,
            now,
            reason=reason,
            data={**(data or {}), "flag": CONCLUDED_ELSEWHERE, "on": concluded},
        )
        ev.save()
        before = copy.copy(petition)  # the worklist's counts: its old cell
        petition.is_open = is_open
        petition.last_event_at = max(petition.last_event_at, when)
        petition.save(update_fields=["is_open", "last_event_at"])
        worklist_tally_move(before=before, after=petition)
        petition_seal(petition_ids=[petition.pk], actor=None, events=[ev])  # last (ADR 0014)
    return petition
