"""A petition's deadlines: the projection of its events onto the time limits (T1–T10), folded
by the pure ``deadlines.tracker`` and stored as ``deadlines.Deadline`` rows, in the caller's
transaction. Here, not in ``deadlines``, because it reads petitions (``deadlines`` sits below
``petitions``); ``deadlines.services`` asks for a recomputation through ``on_calendar_change``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings

from xinfang.core import clock
from xinfang.deadlines import holidays
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.tracker import DeadlineFact, EventFact, Facts, next_due, track
from xinfang.directory.models import OrganKind
from xinfang.petitions.workflow import Category, Route


def petition_facts(petition) -> Facts:  # type: ignore[no-untyped-def]
    return Facts(
        received_at_petition_office=petition.registering_organ.kind == OrganKind.PETITION_OFFICE,
        anonymous=petition.is_anonymous,
        route6=petition.category == Category.APPEAL and petition.route == Route.PETITION,
    )


def event_facts(events: Iterable) -> list[EventFact]:  # type: ignore[type-arg]
    out = []
    for e in events:
        data = dict(e.data or {})
        for key in ("report_due",):
            if isinstance(data.get(key), str):
                data[key] = date.fromisoformat(data[key])
        out.append(EventFact(e.action, clock.local_date(e.occurred_at), e.organ_id, data))
    return out


def deadline_facts(petition, events: Sequence) -> list[DeadlineFact]:  # type: ignore[no-untyped-def,type-arg]
    return track(
        event_facts(events),
        petition_facts(petition),
        holidays.calendar_in_force(),
        roll_to_working_day=settings.XINFANG_ROLL_DEADLINE_TO_WORKING_DAY,
    )


def deadline_rows(petition, facts: Sequence[DeadlineFact]) -> list[Deadline]:  # type: ignore[no-untyped-def]
    return [
        Deadline(
            petition=petition,
            code=f.code,
            owner_organ_id=f.owner_organ_id,
            start_date=f.start,
            due_date=f.due,
            outcome=f.outcome,
            closed_on=f.closed_on,
            extension_days=f.extension_days,
            paused_days=f.paused_days,
            paused=f.paused_since is not None,
        )
        for f in facts
    ]


def deadline_recompute(*, petition, events: Sequence | None = None) -> list[DeadlineFact]:  # type: ignore[no-untyped-def,type-arg]
    """Fold the petition's events into its deadlines and store them (inside the caller's transaction)."""
    if events is None:
        events = list(petition.events.order_by("seq"))
    facts = deadline_facts(petition, events)
    Deadline.objects.filter(petition=petition).delete()
    Deadline.objects.bulk_create(deadline_rows(petition, facts))
    petition.next_due = next_due(facts, petition.current_organ_id)
    return facts


def deadline_recompute_open(*, since: date | None = None, batch: int = 500) -> int:
    """Recompute every petition that has an open deadline started on or before ``since``."""
    from xinfang.petitions.models import Petition

    qs = Deadline.objects.filter(outcome="open")
    if since is not None:
        qs = qs.filter(start_date__lte=since)
    ids = sorted(set(qs.values_list("petition_id", flat=True)))
    done = 0
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        petitions = Petition.objects.select_related("registering_organ").filter(pk__in=chunk)
        for p in petitions:
            deadline_recompute(petition=p)
            Petition.objects.filter(pk=p.pk).update(next_due=p.next_due)
            done += 1
    return done
