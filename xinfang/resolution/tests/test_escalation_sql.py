"""The escalation ladder's selection in SQL (``escalation_due_deadlines``, issue 14) finds exactly
the steps the rule of ``ladder.py`` finds when every open deadline is read in Python (the job
as it was, kept here as the oracle), over the edges: the due day itself, each step's first day
and the day before it, spans of 0 and 1 day and negative ones, extended deadlines whose steps
were recorded on the old due date, a reopened petition's new deadline beside the met one,
a deadline counted over the National Day holiday, paused and ownerless ones, several ladders."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

T = date(2025, 9, 1)  # the frozen today: the rows below are laid out around it

LADDERS = [(80, 5), (50, 0), (1, 1), (99, 9), (67, 3)]


def _oracle(ladder, today):  # type: ignore[no-untyped-def]
    """The job as it was: every open, running, owned deadline read and the rule applied in
    Python; the steps already recorded left out."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import Escalation

    done = set(
        Escalation.objects.filter(deadline__isnull=False).values_list("deadline_id", "step")
    )
    out = set()
    rows = Deadline.objects.filter(
        outcome="open", paused=False, owner_organ__isnull=False
    ).values_list("pk", "start_date", "due_date", "owner_organ_id")
    for pk, start, due, organ in rows:
        for s in ladder.due_steps(start=start, due=due, today=today):
            if (pk, s.value) not in done:
                out.add((pk, due, organ, s))
    return out


@pytest.fixture
def edges(world, held):  # type: ignore[no-untyped-def]
    """Deadlines laid out on every edge around ``T``, some steps already recorded."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import Audience, Escalation

    rng = random.Random(14)
    rows = []
    for span in (-3, -1, 0, 1, 2, 3, 4, 5, 7, 10, 15, 29, 30, 31, 60):
        for since in range(-2, max(span, 0) + 12):  # today - start
            start = T - timedelta(days=since)
            rows.append(Deadline(petition=held, code="T6", owner_organ=world.housing,
                                 start_date=start, due_date=start + timedelta(days=span)))
    # extended: 30 days, then 30 more; the head and the office above were told on the old date
    extended = []
    for since in (29, 31, 32, 37, 45, 50, 59, 60, 61):
        start = T - timedelta(days=since)
        extended.append(Deadline(petition=held, code="T6", owner_organ=world.housing,
                                 start_date=start, due_date=start + timedelta(days=60),
                                 extension_days=30))
    # a reopened petition: the met deadline (all told) and the new one from the reopening
    met = Deadline(petition=held, code="T6", owner_organ=world.housing, outcome="met",
                   closed_on=T - timedelta(days=20), start_date=T - timedelta(days=90),
                   due_date=T - timedelta(days=30))
    reopened = Deadline(petition=held, code="T6", owner_organ=world.housing,
                        start_date=T - timedelta(days=19), due_date=T + timedelta(days=41))
    # counted over the National Day holiday (2025-10-01..08; 09-28 and 10-11 worked): 15
    # working days from 09-26 end on 10-24, a span of 28 calendar days, which the ladder counts
    holiday = Deadline(petition=held, code="T3", owner_organ=world.housing,
                       start_date=date(2025, 9, 26), due_date=date(2025, 10, 24))
    others = [
        Deadline(petition=held, code="T10", owner_organ=world.housing, paused=True,
                 start_date=T - timedelta(days=40), due_date=T - timedelta(days=10)),
        Deadline(petition=held, code="T1", owner_organ=None,
                 start_date=T - timedelta(days=40), due_date=T - timedelta(days=10)),
        Deadline(petition=held, code="T6", owner_organ=world.housing, outcome="void",
                 start_date=T - timedelta(days=40), due_date=T - timedelta(days=10)),
        Deadline(petition=held, code="T6", owner_organ=world.housing, outcome="lapsed",
                 start_date=T - timedelta(days=40), due_date=T - timedelta(days=10)),
    ]
    made = Deadline.objects.bulk_create(rows + extended + [met, reopened, holiday] + others)
    told = []
    for d in made[: len(rows)]:
        for step in ("warn", "head", "higher"):
            if rng.random() < 0.25:
                told.append((d, step))
    for d in made[len(rows) : len(rows) + len(extended)]:
        told += [(d, "head"), (d, "higher")]
    told += [(made[len(rows) + len(extended)], s) for s in ("warn", "head", "higher")]
    Escalation.objects.bulk_create(
        Escalation(step=s, deadline=d, petition_id=d.petition_id, code=d.code,
                   start_date=d.start_date, to_organ=world.housing, audience=Audience.HANDLER,
                   due_date=d.due_date, fired_on=T - timedelta(days=1), recorded_at=local(2025, 8, 31))
        for d, s in told
    )
    return made


@pytest.mark.parametrize("warn_percent,higher_days", LADDERS)
def test_the_sql_selection_finds_exactly_the_steps_the_rule_finds(edges, warn_percent, higher_days):
    from xinfang.resolution.ladder import Ladder, Step
    from xinfang.resolution.services.escalation import escalation_due_deadlines

    ladder = Ladder(warn_percent=warn_percent, higher_days=higher_days)
    seen = {s: 0 for s in Step}
    for shift in range(-3, 70):
        today = T + timedelta(days=shift)
        got = escalation_due_deadlines(ladder=ladder, today=today)
        assert len(got) == len(set(got))
        want = _oracle(ladder, today)
        assert set(got) == want, (today, sorted(set(got) ^ want))
        for *_, s in got:
            seen[s] += 1
    assert all(seen.values()), seen  # every step was found somewhere (the test can fail)


def test_a_rung_boundary_day_by_day(world, held):
    """A 30-day deadline from 2025-09-01 at 80 % and five days: the warning on 09-25 (day 24)
    up to the due day 10-01, the head from 10-02, the office above from 10-07."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.ladder import Ladder
    from xinfang.resolution.services.escalation import escalation_due_deadlines

    d = Deadline.objects.create(petition=held, code="T6", owner_organ=world.housing,
                                start_date=date(2025, 9, 1), due_date=date(2025, 10, 1))
    ladder = Ladder(warn_percent=80, higher_days=5)

    def steps(day):  # type: ignore[no-untyped-def]
        return [s.value for pk, *_, s in escalation_due_deadlines(ladder=ladder, today=day)
                if pk == d.pk]

    assert steps(date(2025, 9, 24)) == []
    assert steps(date(2025, 9, 25)) == ["warn"]
    assert steps(date(2025, 10, 1)) == ["warn"]  # the due day itself: not overdue yet
    assert steps(date(2025, 10, 2)) == ["head"]  # a warning "before the deadline" no more
    assert steps(date(2025, 10, 6)) == ["head"]
    assert steps(date(2025, 10, 7)) == ["head", "higher"]


def test_the_job_records_day_by_day_what_the_rule_finds_and_nothing_twice(edges, world):
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate
    from xinfang.resolution.services.escalation import ladder_from_settings

    ladder = ladder_from_settings()
    recorded = 0
    for shift in range(0, 40, 3):
        today = T + timedelta(days=shift)
        want = {(pk, s.value) for pk, _due, _organ, s in _oracle(ladder, today)}
        before = set(Escalation.objects.filter(deadline__isnull=False)
                     .values_list("deadline_id", "step"))
        for hour in (10, 11):  # an hourly job: the second run records nothing
            escalate(now=local(today.year, today.month, today.day, hour))
        after = set(Escalation.objects.filter(deadline__isnull=False)
                    .values_list("deadline_id", "step"))
        assert after - before == want, today
        recorded += len(want)
    assert recorded > 0


def test_an_owner_with_no_office_above_is_not_selected_again_every_hour(world, held):
    """The province's organs have no higher petition office: the step "the office above" is
    never recorded for them, so the hourly query must leave it out rather than return the same
    deadlines every hour for ever (reviewer B, item 7)."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.ladder import Step
    from xinfang.resolution.services.escalation import (
        _HigherOffices,
        escalate,
        escalation_due_deadlines,
        ladder_from_settings,
    )

    higher = _HigherOffices()
    top = world.prov_gov
    assert higher.of(top.pk) is None and higher.of(world.housing.pk) is not None
    late = date(2025, 7, 1)  # overdue long past every step
    d_top = Deadline.objects.create(petition=held, code="T6", owner_organ=top,
                                    start_date=late - timedelta(days=30), due_date=late)
    d_low = Deadline.objects.create(petition=held, code="T6", owner_organ=world.housing,
                                    start_date=late - timedelta(days=30), due_date=late)
    escalate(now=local(2025, 9, 1))
    again = escalation_due_deadlines(ladder=ladder_from_settings(), today=T,
                                     no_higher=higher.organs_without())
    assert [(pk, s) for pk, *_, s in again if pk in (d_top.pk, d_low.pk)] == []
    # without the exclusion the top organ's step would come back every hour
    plain = escalation_due_deadlines(ladder=ladder_from_settings(), today=T)
    assert [(pk, s) for pk, *_, s in plain if pk in (d_top.pk, d_low.pk)] == [(d_top.pk, Step.HIGHER)]
