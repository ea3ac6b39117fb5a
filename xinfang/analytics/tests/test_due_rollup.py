"""The rates page's open duties per organ (overdue, due soon) read from the rollup
(``DueTally``) plus the petitions changed since its last fold (issue 16): equal, at the moment
of reading, to the count over every open deadline, whatever was folded, queued or named, and
whatever day it is."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.conf import settings

from conftest import local
from xinfang.analytics.models import DueFact, DueTally, RateDirty
from xinfang.analytics.rate_selectors import due_by_organ
from xinfang.analytics.rollup import rates_refresh
from xinfang.analytics.services import rates_rebuild
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db]


def _live(user, today: date) -> Counter:  # type: ignore[no-untyped-def,type-arg]
    """The old reading: every open statutory duty of the petitions the user may count."""
    from xinfang.deadlines.models import Deadline
    from xinfang.deadlines.statutes import STATUTES, Kind
    from xinfang.petitions.selectors import petition_queryset_for_statistics

    soon = today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
    out: Counter = Counter()  # type: ignore[type-arg]
    for owner, due in Deadline.objects.filter(
        outcome="open",
        paused=False,
        owner_organ__isnull=False,
        due_date__lte=soon,
        petition_id__in=petition_queryset_for_statistics(user=user).values("id"),
        code__in=[c for c, st in STATUTES.items() if st.kind == Kind.DUTY],
    ).values_list("owner_organ_id", "due_date"):
        out[(owner, "overdue" if due < today else "soon")] += 1
    return out


def _shown(user, today: date) -> Counter:  # type: ignore[no-untyped-def,type-arg]
    got: Counter = Counter()  # type: ignore[type-arg]
    for d in due_by_organ(user=user, today=today):
        got[(d.organ_id, "overdue")] += d.overdue
        got[(d.organ_id, "soon")] += d.due_soon
    return +got


def _tally_is_its_facts() -> None:
    from django.db.models import Count

    facts = Counter(
        {
            (r["current_organ_id"], r["accused_organ_id"], r["owner_organ_id"], r["due_date"]): r[
                "k"
            ]
            for r in DueFact.objects.values(
                "current_organ_id", "accused_organ_id", "owner_organ_id", "due_date"
            ).annotate(k=Count("id"))
        }
    )
    tally = Counter(
        {
            (t.current_organ_id, t.accused_organ_id, t.owner_organ_id, t.due_date): t.n
            for t in DueTally.objects.all()
        }
    )
    assert tally == facts


def act(p, action, actor, on, **kw):  # type: ignore[no-untyped-def]
    return petition_act(petition_id=p.pk, action=action, actor=actor, at=on, **kw)


def test_the_open_duties_equal_every_open_deadline_folded_queued_named_and_as_days_pass(
    world, register
):
    """Registered, transferred, accepted (T1 met, T3/T6 started), an accusation naming one
    analyst: after the full build, after more steps queued but not folded (the page reads them
    live), after the fold, and on the days the due dates pass. Plant: without the queued
    petitions' live deadlines the second reading differs (a transfer moves a duty to another
    organ, an acceptance ends one)."""
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    named = staff_create(
        username="n1", password=None, organ=world.city_housing, roles=[Role.ANALYST]
    )
    control = staff_create(
        username="c1", password=None, organ=world.city_housing, roles=[Role.ANALYST]
    )
    readers = [world.analyst, named, control]
    day = date(2025, 3, 3)
    ps = [register(at=local(2025, 3, 3), received_at=local(2025, 3, 3)).petition for _ in range(4)]
    accusation = register(
        at=local(2025, 3, 3),
        received_at=local(2025, 3, 3),
        category="accusation",
        route=None,
        accused_organ_id=world.county_gov.pk,
        accused_staff_ids=[named.pk],
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    act(ps[0], "transfer", world.clerk, day, data={"to_organ_id": world.housing.pk})
    rates_rebuild(as_of=day)
    assert not RateDirty.objects.exists()
    _tally_is_its_facts()
    checked = 0
    for user in readers:
        for today in (day, day + timedelta(days=14), day + timedelta(days=40)):
            assert _shown(user, today) == +_live(user, today), (user.username, today)
            checked += sum(_live(user, today).values())
    assert checked
    # steps after the fold: queued, not yet folded; the page reads them as they are now
    act(ps[0], "acknowledge", world.handler, day + timedelta(days=2))
    act(
        ps[1],
        "transfer",
        world.clerk,
        day + timedelta(days=1),
        data={"to_organ_id": world.housing.pk},
    )
    act(
        accusation,
        "transfer",
        world.city_clerk,
        day + timedelta(days=1),
        data={"to_organ_id": world.city_housing.pk},
    )
    late = register(at=local(2025, 3, 5), received_at=local(2025, 3, 5)).petition
    assert set(RateDirty.objects.values_list("petition_id", flat=True)) >= {
        ps[0].pk,
        ps[1].pk,
        accusation.pk,
        late.pk,
    }
    for user in readers:
        for today in (day + timedelta(days=3), day + timedelta(days=16), day + timedelta(days=60)):
            assert _shown(user, today) == +_live(user, today), (user.username, today)
    # the accusation has open duties its named analyst never counts, queued or folded
    assert _live(named, day + timedelta(days=60)) != _live(control, day + timedelta(days=60))
    rates_refresh(as_of=day + timedelta(days=3))
    assert not RateDirty.objects.exists()
    _tally_is_its_facts()
    for user in readers:
        for today in (day + timedelta(days=3), day + timedelta(days=16), day + timedelta(days=60)):
            assert _shown(user, today) == +_live(user, today), (user.username, today)


def test_the_open_duties_are_read_in_one_statement(world, register, django_assert_num_queries):
    """The tally, the queued and the named parts in one UNION ALL (a fold committing meanwhile
    is seen whole or not at all), then the organs' names."""
    register(at=local(2025, 3, 3), received_at=local(2025, 3, 3))
    rates_rebuild(as_of=date(2025, 3, 3))
    register(at=local(2025, 3, 4), received_at=local(2025, 3, 4))  # queued
    user = world.analyst
    user.organ  # noqa: B018  (the gate reads the user's organ: not this statement)
    with django_assert_num_queries(3) as q:  # ancestors of the user's organ, the union, names
        lines = due_by_organ(user=user, today=date(2025, 3, 20))
    assert sum(line.overdue for line in lines) == 2
    assert sum("UNION ALL" in x["sql"] for x in q.captured_queries) == 1
