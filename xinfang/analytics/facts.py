"""Load petitions as ``rates.PetitionFacts`` (their steps, handling limits, evaluation windows
and evaluations), in chunks, with a fixed number of queries per chunk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet

from xinfang.analytics.rates import (
    Duty,
    PetitionFacts,
    Rated,
    Row,
    Step,
    Timed,
    Window,
    outcomes,
    timeline,
)
from xinfang.core import clock
from xinfang.deadlines.models import Deadline
from xinfang.feedback.models import Evaluation
from xinfang.feedback.selectors import answers_opened, evaluation_window_days
from xinfang.petitions.models import Petition, PetitionEvent


@dataclass(frozen=True)
class Keys:
    """The petition's keys every row of it carries (gate and breakdowns)."""

    current_organ_id: int
    accused_organ_id: int
    region_id: str
    channel: str
    category: str


def acceptance_days() -> int:
    """§8.2: accepted no later than registration + 30 days (15 under Art. 22 + 15 under Art. 23)."""
    return int(getattr(settings, "XINFANG_TIMELY_ACCEPTANCE_DAYS", 30))


def rows_of(petitions: QuerySet[Petition], *, as_of: date, chunk: int = 2000) -> Iterator[tuple[Keys, Row]]:
    """Every counted row of ``petitions`` on day ``as_of``, with the petition's keys."""
    acc = acceptance_days()
    for keys, facts in facts_of(petitions, chunk=chunk):
        for row in outcomes(facts, as_of=as_of, acceptance_days=acc):
            yield keys, row


def timed_rows_of(petitions: QuerySet[Petition], *, chunk: int = 2000) -> Iterator[tuple[Keys, Timed]]:
    """Every row of ``petitions`` on any day, with the days it counts on (``rates.timeline``)."""
    acc = acceptance_days()
    for keys, facts in facts_of(petitions, chunk=chunk):
        for timed in timeline(facts, acceptance_days=acc):
            yield keys, timed


def facts_of(petitions: QuerySet[Petition], *, chunk: int = 2000) -> Iterator[tuple[Keys, PetitionFacts]]:
    """``petitions`` as ``PetitionFacts``, with their keys, a fixed number of queries a chunk."""
    fields = ("id", "received_at", "current_organ_id", "route", "accused_organ_id", "region_id",
              "channel", "category")
    ids_seen = 0
    last = 0
    base = petitions.order_by("id").values_list(*fields)
    window = timedelta(days=evaluation_window_days())
    while True:
        batch = list(base.filter(id__gt=last)[:chunk])
        if not batch:
            return
        last = batch[-1][0]
        ids = [b[0] for b in batch]
        ids_seen += len(ids)
        events = defaultdict(list)
        for e in (
            PetitionEvent.objects.filter(petition_id__in=ids)
            .only("petition_id", "action", "occurred_at", "organ_id", "data")
            .order_by("petition_id", "seq")
        ):
            events[e.petition_id].append(e)
        duties = defaultdict(list)
        for pid, owner, due, outcome, closed in Deadline.objects.filter(
            petition_id__in=ids, code="T6"
        ).order_by("start_date", "id").values_list(
            "petition_id", "owner_organ_id", "due_date", "outcome", "closed_on"
        ):
            duties[pid].append(Duty(owner, due, outcome, closed))
        rated = defaultdict(list)
        for pid, stage, organ, rating, at in Evaluation.objects.filter(
            petition_id__in=ids
        ).values_list("petition_id", "stage", "organ_id", "rating", "created_at"):
            rated[pid].append(Rated(stage, organ, rating, clock.local_date(at)))
        for pid, received, current, route, accused, region, channel, category in batch:
            evs = events.get(pid, [])
            windows = [
                Window(stage, e.organ_id, on + window)  # type: ignore[attr-defined]
                for stage, (on, e) in answers_opened(evs).items()
                if e.organ_id  # type: ignore[attr-defined]
            ]
            facts = PetitionFacts(
                petition_id=pid,
                received=clock.local_date(received),
                current_organ_id=current,
                route=route,
                steps=[Step(e.action, clock.local_date(e.occurred_at), e.organ_id, e.data or {})
                       for e in evs],
                duties=duties.get(pid, []),
                windows=windows,
                ratings=rated.get(pid, []),
            )
            yield Keys(current, accused or 0, region, channel, category or ""), facts
