"""Repeat petitions about the same matter (重信重访) in the demo data."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from xinfang.core.errors import ApplicationError
from xinfang.demo._common import A, _Clock, _ldate, _local
from xinfang.demo.organs import _Staff
from xinfang.demo.plans import _Planner
from xinfang.demo.states import _Plan
from xinfang.demo.texts import _WHY
from xinfang.directory.models import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import petition_queryset_linkable_for
from xinfang.petitions.services import (
    PetitionInput,
    petition_act,
    petition_register,
)


def _repeats(
    plans: list[_Plan],
    planner: _Planner,
    staff: _Staff,
    own: _Clock,
    rng: random.Random,
    today: date,
    errors: list[str],
) -> None:
    """After a re-review ends the matter, the petitioner raises the same facts again: the office
    refuses it (Art. 36 para 3)."""
    done = [
        p
        for p in plans
        if any(s.action == A.DECIDE_RE_REVIEW for s in p.steps)
        and p.times
        and (today - _ldate(p.times[-1])).days >= 12
    ]
    rng.shuffle(done)
    for p in done[: max(1, len(plans) // 600)]:
        organ = p.unit.po
        last = p.times[-1]
        received = _local(
            _ldate(last) + timedelta(days=rng.randint(3, (today - _ldate(last)).days - 6)), 10 * 60
        )
        fields = dict(p.fields)
        fields["title"] = f"再次反映：{fields['title']}"[:200]
        fields["channel"] = "visit"
        fields["accused_organ_id"] = (
            None if fields.get("_category") != "accusation" else fields.get("accused_organ_id")
        )
        data = PetitionInput(
            received_at=received,
            repeat_of_id=p.petition_id,
            **{k: v for k, v in fields.items() if not k.startswith("_")},
        )
        actor = staff.for_action(organ, A.REGISTER, Role.REGISTRAR)
        if not petition_queryset_linkable_for(user=actor).filter(pk=p.petition_id).exists():
            # The local office may not name the earlier petition (an accusation against it or
            # an organ above it, Art. 30 para 3; or one brought straight to a department or a
            # higher office): the petitioner goes back to the office that registered it.
            organ = Petition.objects.select_related("registering_organ").get(
                pk=p.petition_id
            ).registering_organ
            actor = staff.for_action(organ, A.REGISTER, Role.REGISTRAR)
            if not petition_queryset_linkable_for(user=actor).filter(pk=p.petition_id).exists():
                errors.append(f"repeat of {p.petition_id}: no office may name it")
                continue
        own.at = received + timedelta(minutes=30)
        try:
            with transaction.atomic():
                reg = petition_register(data=data, organ=organ, actor=actor, at=own.at)
        except ApplicationError as e:  # listed by seed_demo as a refused step; the seed goes on
            errors.append(f"repeat of {p.petition_id}: {e.message} {e.fields}")
            continue
        with transaction.atomic():
            at = received + timedelta(days=rng.randint(1, 4), hours=1)
            own.at = at
            try:
                petition_act(
                    petition_id=reg.petition.pk,
                    action=A.NOT_ACCEPT,
                    actor=actor,
                    at=at,
                    reason=_WHY["repeat"],
                    data={"ground": "same_facts_after_re_review", "confirmed": True},
                )
            except ApplicationError as e:
                errors.append(f"{reg.petition.pk} not_accept {e.message} {e.fields}")
