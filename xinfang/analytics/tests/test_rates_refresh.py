"""The tick's rate refresh (``rollup.rates_refresh``) computes again only the petitions changed
since its last run (the queue the petition hooks write) and lets days pass in SQL; after any
mix of steps and days its result equals a full build in SQL (``rollup.rates_rebuild``), which
itself gives the petition-by-petition rows of ``rates.timeline`` (test_rate_rollup compares
the figures with the direct ones)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from conftest import local
from tests.flows import OPINION, act, opinion_delivered
from xinfang.analytics.facts import timed_rows_of
from xinfang.analytics.models import (
    RateDirty,
    RateFact,
    RatePending,
    RatesAsOf,
    RateTally,
    VolumeTally,
)
from xinfang.analytics.rollup import rates_rebuild, rates_refresh
from xinfang.core.errors import ApplicationError
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
TODAY = date(2025, 9, 1)
FACT = (
    "petition_id",
    "current_organ_id",
    "accused_organ_id",
    "region_id",
    "channel",
    "category",
    "metric",
    "organ_id",
    "month",
    "outcome",
    "days",
)


def _snapshot() -> tuple[Counter, ...]:  # type: ignore[type-arg]
    rt: Counter = Counter()  # type: ignore[type-arg]
    for r in RateTally.objects.values_list(*FACT[1:], "n"):
        rt[r[:-1]] += r[-1]
    vt: Counter = Counter()  # type: ignore[type-arg]
    for r in VolumeTally.objects.values_list(
        "current_organ_id",
        "accused_organ_id",
        "region_id",
        "category",
        "channel",
        "repeat",
        "month",
        "n",
    ):
        vt[r[:-1]] += r[-1]
    return (
        Counter(RateFact.objects.values_list(*FACT, "until")),
        Counter(RatePending.objects.values_list(*FACT, "since")),
        +rt,
        +vt,
    )


def _same_as_a_full_build(as_of: date) -> dict[str, int]:
    """Refresh to ``as_of``, then check a full build gives the same rollup."""
    report = rates_refresh(as_of=as_of)
    assert report["full"] == 0
    assert not RateDirty.objects.exists()
    incremental = _snapshot()
    rates_rebuild(as_of=as_of)
    full = _snapshot()
    assert incremental == full
    assert sum(incremental[2].values()) == sum(incremental[0].values())  # tally == its rows
    return report


def _python_rows(as_of: date) -> tuple[Counter, Counter]:  # type: ignore[type-arg]
    """What ``rates.timeline`` gives for every petition, split as the two tables hold it."""
    facts: Counter = Counter()  # type: ignore[type-arg]
    pending: Counter = Counter()  # type: ignore[type-arg]
    for keys, t in timed_rows_of(Petition.objects.all()):
        r = t.row
        row = (
            r.petition_id,
            keys.current_organ_id,
            keys.accused_organ_id,
            keys.region_id,
            keys.channel,
            keys.category,
            str(r.metric),
            r.organ_id,
            r.month,
            r.outcome,
            r.days,
        )
        if t.counts_on(as_of):
            facts[(*row, t.until)] += 1
        elif t.since is not None and as_of <= t.since:
            pending[(*row, t.since)] += 1
    return facts, pending


def test_a_mix_of_steps_and_days_gives_what_a_full_build_gives(world, register):
    """Registration, acceptance, transfer, extension, an answer delivered, a review ordering the
    matter redone (the handling reopened), an evaluation, and days passing: after each run
    the rollup is what a full build from nothing gives, and only the changed petitions were
    computed again."""
    from xinfang.feedback.services import evaluation_submit

    a = register(received_at=local(2025, 7, 1), at=local(2025, 7, 1)).petition
    b = register(received_at=local(2025, 8, 20), at=local(2025, 8, 20), channel="visit").petition
    c = register(received_at=local(2025, 6, 2), at=local(2025, 6, 2)).petition
    act(world, c, "transfer", world.clerk, (2025, 6, 3), to_organ_id=world.housing.pk)
    act(world, c, "acknowledge", world.head, (2025, 6, 5), category="appeal", route=6)
    act(world, c, "start_handling", world.head, (2025, 6, 5))
    e = opinion_delivered(world, register)  # answered 2025-08-25: its window ends 2025-09-24
    rates_rebuild(as_of=TODAY)  # the first build (the migration's, or xinfang manage rates_rebuild)
    assert not RateDirty.objects.exists()
    assert RatePending.objects.filter(petition=b, metric="accept").exists()  # due 2025-09-19

    # the day's work: a new petition, a transfer, an acceptance, an extension
    d = register(received_at=local(2025, 8, 30), at=local(2025, 8, 30)).petition
    act(world, a, "transfer", world.clerk, (2025, 8, 30), to_organ_id=world.housing.pk)
    act(world, a, "acknowledge", world.head, (2025, 8, 31), category="appeal", route=6)
    act(world, c, "extend", world.head, (2025, 8, 1), "需要委托鉴定", days=30)
    report = _same_as_a_full_build(TODAY)
    assert report["petitions"] == 3  # a, c, d: not b, untouched
    assert _same_as_a_full_build(TODAY)["petitions"] == 0  # a quiet hour computes nothing

    # the answer reaches the petitioner; a review orders the matter redone; answered again
    act(world, c, "issue_opinion", world.head, (2025, 8, 20), **OPINION)
    act(world, c, "record_delivery", world.head, (2025, 8, 25), method="post", signed="true")
    act(world, c, "request_review", None, (2025, 8, 28))
    act(
        world,
        c,
        "decide_review",
        world.city_head,
        (2025, 8, 29),
        outcome="redo",
        redo_days=30,
        request="请求撤销处理意见",
        facts="复查认为事实不清。",
        decision="责成重新办理。",
        legal_basis="《信访工作条例》第三十五条",
    )
    act(world, c, "issue_opinion", world.head, (2025, 8, 31), **OPINION)
    act(world, c, "record_delivery", world.head, (2025, 9, 1), method="post", signed="true")
    assert _same_as_a_full_build(TODAY)["petitions"] == 1
    evaluation_submit(
        petition=Petition.objects.get(pk=c.pk),
        stage="handling",
        rating="dissatisfied",
        at=local(2025, 9, 1, 12),
    )
    assert _same_as_a_full_build(TODAY)["petitions"] == 1

    # days pass with nothing done: acceptance of b and d falls due, a's T6 and c's windows run
    # day by day across the due days (a day early or late shows), then in longer steps
    days = [TODAY + timedelta(days=k) for k in range(1, 36)]
    for later in (*days, date(2025, 11, 5), date(2026, 1, 1)):
        report = _same_as_a_full_build(later)
        assert report["petitions"] == 0
    assert RateFact.objects.filter(petition=b, metric="accept", outcome="overdue").exists()
    assert RateFact.objects.filter(petition=a, metric="complete", outcome="overdue").exists()
    assert RateFact.objects.filter(petition=c, metric="evaluate", outcome="evaluated").exists()
    assert RateFact.objects.filter(petition=e, metric="evaluate", outcome="expired").exists()
    assert (
        not RatePending.objects.exists()
        or RatePending.objects.filter(since__gte=date(2026, 1, 1)).count()
        == RatePending.objects.count()
    )
    assert d.pk  # registered after the build, counted since


def test_the_sql_build_gives_the_rows_of_the_rules_petition_by_petition(world, register):
    """``rates_sql`` against ``rates.timeline``: every row, with the days it counts on."""
    rnd = random.Random(5)
    for _ in range(6):
        when = local(2025, rnd.randint(3, 8), rnd.randint(1, 28))
        p = register(received_at=when, at=when).petition
        if rnd.random() < 0.6:
            act(world, p, "transfer", world.clerk, (2025, 8, 30), to_organ_id=world.housing.pk)
            act(world, p, "acknowledge", world.head, (2025, 8, 31), category="appeal", route=6)
    for when in (local(2025, 3, 2), local(2025, 8, 20)):  # voided before and after its due day
        v = register(received_at=when, at=when).petition
        petition_act(petition_id=v.pk, action="void", actor=world.clerk, at=local(2025, 8, 30),
                     reason="重复登记")
    # handed over to another installation (no acceptance owed here, issue 20), and one taken
    # back since (owed here again): revA 1, the SQL counted both as overdue
    for day, taken_back in ((4, False), (6, True), (8, False)):
        x = register(received_at=local(2025, 3, day), at=local(2025, 3, day)).petition
        act(world, x, "transfer", world.clerk, (2025, 3, 10), to_organ_id=world.housing.pk)
        sent = PetitionEvent.objects.filter(petition=x, action="transfer").latest("seq")
        PetitionEvent.objects.filter(pk=sent.pk).update(data={**sent.data, "to_external": True})
        if taken_back:
            PetitionEvent.objects.create(
                petition=x, seq=sent.seq + 1, action="take_back", from_state=sent.to_state,
                to_state=sent.from_state, organ=sent.actor_organ, actor=sent.actor,
                actor_organ=sent.actor_organ, occurred_at=local(2025, 3, 20),
                recorded_at=local(2025, 3, 20), data={},
            )
    ext = [p for p in Petition.objects.order_by("-id")[:3]]
    for as_of in (TODAY, TODAY + timedelta(days=45)):
        rows = _python_rows(as_of)[0]
        assert [pid for pid in (e.pk for e in ext) if any(r[0] == pid and r[6] == "accept" for r in rows)] == [ext[1].pk]
        rates_rebuild(as_of=as_of)
        built = _snapshot()
        assert (built[0], built[1]) == _python_rows(as_of)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_refresh_equals_a_full_build_after_random_steps(world, register, seed):
    rnd = random.Random(seed)
    organs = [world.housing, world.court, world.county_gov]
    ps = []
    for _ in range(8):
        when = local(2025, rnd.randint(3, 8), rnd.randint(1, 28))
        ps.append(
            register(
                received_at=when, at=when, channel=rnd.choice(["letter", "visit", "online"])
            ).petition
        )
    rates_rebuild(as_of=TODAY)
    touched = set()
    for _ in range(12):
        p = rnd.choice(ps)
        step = rnd.choice(["acknowledge", "transfer", "register"])
        try:
            if step == "register":
                when = local(2025, rnd.randint(3, 8), rnd.randint(1, 28))
                p = register(received_at=when, at=when).petition
                ps.append(p)
            elif step == "transfer":
                petition_act(
                    petition_id=p.pk,
                    action="transfer",
                    actor=world.clerk,
                    at=local(2025, 8, 30),
                    data={"to_organ_id": rnd.choice(organs).pk},
                )
            else:
                p.refresh_from_db()
                handler = {world.housing.pk: world.handler}.get(p.current_organ_id, world.head)
                petition_act(
                    petition_id=p.pk, action="acknowledge", actor=handler, at=local(2025, 8, 31)
                )
        except ApplicationError:
            continue  # not a lawful step in the petition's state: another one
        touched.add(p.pk)
    assert _same_as_a_full_build(TODAY)["petitions"] == len(touched)
    _same_as_a_full_build(TODAY + timedelta(days=rnd.randint(1, 90)))


def test_nothing_built_or_an_earlier_day_builds_in_full(world, register):
    register(received_at=local(2025, 8, 1), at=local(2025, 8, 1))
    RatesAsOf.objects.all().delete()
    assert rates_refresh(as_of=TODAY)["full"] == 1
    assert rates_refresh(as_of=TODAY)["full"] == 0
    assert rates_refresh(as_of=date(2025, 8, 31))["full"] == 1  # the clock went back
    assert RatesAsOf.objects.get().as_of == date(2025, 8, 31)


def test_deadlines_folded_again_without_a_step_queue_their_petitions(world, register):
    """A calendar change or a recompute moves due dates without a step: the petitions go into
    the queue in the same transaction (else the tick would keep their old T6 outcomes)."""
    from xinfang.petitions.services import deadline_recompute_open

    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 1)).petition
    rates_rebuild(as_of=TODAY)
    assert not RateDirty.objects.exists()
    assert deadline_recompute_open() >= 1
    assert set(RateDirty.objects.values_list("petition_id", flat=True)) == {p.pk}
    _same_as_a_full_build(TODAY)
