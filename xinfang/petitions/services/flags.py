"""The one writer of a petition's cross-cutting facts (regulation.md §6.1): major or urgent
(Art. 25) and its report, supervised (Art. 40), a leader in charge (Art. 18 para 2), backlog,
joint handling (Art. 18 para 3). The rules are the pure table ``petitions.flags``.

A flag never changes the state or a deadline. The mechanism that owns a fact (a reception
session, a supervision notice, a backlog plan) records it here; so does the petition page.
"""

from __future__ import annotations

import copy
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import OrganKind, User
from xinfang.directory.permissions import user_roles
from xinfang.petitions.flags import FLAGS, Flag, flag_refusal
from xinfang.petitions.models import Petition
from xinfang.petitions.seal import petition_seal
from xinfang.petitions.services._shared import _event_time, _new_event
from xinfang.petitions.services.worklist_tally import worklist_tally_move


def petition_flags(petition: Petition) -> dict[Flag, bool]:
    """The flags as they stand on the row."""
    return {f: bool(getattr(petition, f.value)) for f in Flag}


def petition_flag_set(
    *,
    petition_id: int,
    flag: Flag | str,
    on: bool,
    actor: User,
    at: datetime | date | None = None,
    reason: str = "",
    leader: str = "",
    ended_by: str = "",
) -> Petition:
    """Set or clear one flag, with a ``flag`` event (the state stays) and its audit record.

    The actor must see the petition (the jurisdiction gate) and hold a role the flag's rule
    names; supervision is for a petition office (Art. 40). Clearing "major or urgent" clears
    its report too; clearing "leader in charge" clears the leader's name.

    ``ended_by``: the number of a mechanism's record whose completion ends the fact (the organ's
    written reply to a supervision notice ends the supervision, Art. 40 para 4). The mechanism's
    service has checked the actor's right to that record, so the flag's role rule and the
    jurisdiction gate are not applied again; only clearing is possible this way, and a flag
    already off is left as it is (no event)."""
    from xinfang.petitions.selectors.access import petition_get_for_user

    try:
        flag = Flag(flag)
    except ValueError:
        raise ApplicationError(
            gettext("没有这种标记"), code="invalid", fields={"flag": [gettext("没有这种标记")]}
        ) from None
    leader = (leader or "").strip()
    if len(leader) > 100:
        raise ApplicationError(
            gettext("操作信息有误，请按提示修改"),
            code="invalid",
            fields={"leader": [gettext("包案领导不超过 100 字")]},
        )
    if len(reason) > 2000:
        raise ApplicationError(
            gettext("操作信息有误，请按提示修改"),
            code="invalid",
            fields={"reason": [gettext("说明不超过 2000 字")]},
        )
    if ended_by and on:
        raise ValueError("ended_by only clears a flag")
    if not ended_by:
        petition_get_for_user(user=actor, petition_id=petition_id)  # NotFound outside jurisdiction
    now = clock.now()
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update(of=("self",))
            .select_related("current_organ")
            .get(pk=petition_id)
        )
        organ = actor.organ
        if ended_by and not getattr(petition, flag.value):
            return petition  # already off: nothing to end
        why = (
            None
            if ended_by
            else flag_refusal(
                flag,
                on,
                roles=set(user_roles(actor)),
                at_petition_office=organ is not None and organ.kind == OrganKind.PETITION_OFFICE,
                current=petition_flags(petition),
                leader=leader,
            )
        )
        if why is not None:
            kind, message = why
            if kind == "forbidden":
                raise Forbidden(gettext(message))
            raise ApplicationError(gettext(message), code="flag_refused", status=409)
        when = _event_time(at, petition.last_event_at, now)
        before = copy.copy(petition)  # the worklist's counts: its old cell
        setattr(petition, flag.value, on)
        data: dict[str, object] = {"flag": flag.value, "on": on, "basis": FLAGS[flag].basis}
        if ended_by:
            data["ended_by"] = ended_by
        if flag == Flag.LEADER_CASE:
            petition.leader_in_charge = leader if on else ""
            if on:
                data["leader"] = leader
        if flag == Flag.MAJOR_URGENT and not on:
            petition.major_urgent_reported = False
        last = petition.events.order_by("-seq").values_list("seq", flat=True).first() or 0
        ev = _new_event(
            petition,
            last + 1,
            "flag",
            petition.state,
            petition.state,
            actor,
            petition.current_organ,
            when,
            now,
            reason=reason,
            data=data,
        )
        ev.save()
        petition.last_event_at = max(petition.last_event_at, when)
        petition.save(update_fields=[*(f.value for f in Flag), "leader_in_charge", "last_event_at"])
        worklist_tally_move(before=before, after=petition)
        # last: the step's record carrying the seal of what was written (ADR 0014, 0026)
        petition_seal(petition_ids=[petition.pk], actor=actor, events=[ev])
    return petition
