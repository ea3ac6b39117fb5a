"""The rate rollup gives exactly the figures computed directly from the petitions the user may
count, for every role and breakdown; the drill-down lists exactly the petitions counted."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from xinfang.analytics.facts import rows_of
from xinfang.analytics.rate_selectors import BY, Filters, drill_down, rate_lines, stage_days
from xinfang.analytics.rates import MEDIAN, P90, RATES, STAGES, quantile, rate_of
from xinfang.analytics.services import rates_rebuild

pytestmark = [pytest.mark.django_db]


def _direct(user, as_of, filters):  # type: ignore[no-untyped-def]
    """Every row straight from the petitions through the statistics gate."""
    from xinfang.petitions.selectors import petition_queryset_for_statistics

    out = []
    for keys, row in rows_of(petition_queryset_for_statistics(user=user), as_of=as_of):
        rec = {"organ_id": row.organ_id, "region_id": keys.region_id, "channel": keys.channel,
               "category": keys.category, "month": row.month, "metric": str(row.metric),
               "outcome": row.outcome, "days": row.days, "petition_id": row.petition_id}
        if filters.month_from and row.month < filters.month_from:
            continue
        if filters.month_to and row.month > filters.month_to:
            continue
        if filters.organ_id is not None and row.organ_id != filters.organ_id:
            continue
        out.append(rec)
    return out


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One seeded demo for both tests, which only read it (seeded per test it took a minute or
    more each, on both databases)."""
    from conftest import shared_data

    with shared_data(django_db_blocker):
        yield _seed()


def _seed():  # type: ignore[no-untyped-def]
    from xinfang.demo import demo_seed
    from xinfang.directory.models import Organ, Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.models import Petition

    demo_seed(petitions=150, seed=4)
    users = []
    for i, o in enumerate(Organ.objects.order_by("path")[::10]):
        role = [Role.ANALYST] if i % 2 else [Role.LEADER]
        users.append(staff_create(username=f"u{o.pk}", password=None, organ=o, roles=role))  # type: ignore[arg-type]
    accused = (
        Petition.objects.filter(accused_organ__isnull=False)
        .select_related("accused_organ")
        .order_by("id")
    )
    for p in accused[:6]:
        users.append(staff_create(username=f"acc{p.pk}", password=None, organ=p.accused_organ,  # type: ignore[arg-type]
                                  roles=[Role.ANALYST]))
    named = accused.first()
    if named is not None:
        u = staff_create(username="named", password=None, organ=named.current_organ,  # type: ignore[arg-type]
                         roles=[Role.ANALYST])
        named.accused_staff.add(u)
        users.append(u)
    # petitioners evaluate about two answers in three (only they can: feedback.services)
    from conftest import local
    from xinfang.feedback.selectors import evaluation_windows
    from xinfang.feedback.services import evaluation_submit

    rng = random.Random(4)
    ratings = ["satisfied", "basically_satisfied", "dissatisfied"]
    for p in Petition.objects.order_by("id"):
        for w in evaluation_windows(petition=p, today=date(2100, 1, 1)):
            if rng.random() < 0.67:
                on = w.opens + timedelta(days=rng.randint(0, 30))
                evaluation_submit(petition=p, stage=w.stage, rating=rng.choice(ratings),
                                  at=local(on.year, on.month, on.day, 12))
    received = sorted(Petition.objects.values_list("received_at", flat=True))
    as_of = received[-1].date() + timedelta(days=40)
    rates_rebuild(as_of=as_of)
    return users, as_of


def test_every_rate_from_the_rollup_equals_the_direct_figure_for_every_role(seeded):
    users, as_of = seeded
    rng = random.Random(11)
    checked = Counter()
    for user in users:
        filters = [Filters()]
        for _ in range(1):
            a = date(as_of.year - 1, rng.randint(1, 12), 1)
            filters.append(Filters(month_from=a, month_to=(a + timedelta(days=rng.randint(0, 200))).replace(day=1)))
        for f in filters:
            direct = _direct(user, as_of, f)
            for metric in RATES:
                rows = [r for r in direct if r["metric"] == metric.value]
                for by, field in BY.items():
                    want: dict[object, Counter] = {}
                    for r in rows:
                        want.setdefault(r[field], Counter())[r["outcome"]] += 1
                    got = rate_lines(user=user, metric=metric, by=by, filters=f)
                    assert got[0].rate == rate_of(metric, Counter(r["outcome"] for r in rows))
                    assert {ln.key: ln.rate for ln in got[1:]} == {
                        k: rate_of(metric, c) for k, c in want.items()
                    }, (user.username, metric, by, f)
                    checked[metric.value] += got[0].rate.d
                drilled, total = drill_down(user=user, metric=metric, filters=f, limit=10_000)
                assert total == len(rows)
                assert sorted(d.petition_id for d in drilled) == sorted(r["petition_id"] for r in rows)
            lines = stage_days(user=user, by="organ", filters=f)
            for m in STAGES:
                hist = Counter(r["days"] for r in direct if r["metric"] == m.value)
                if lines:
                    assert lines[0].stages[m.value] == (
                        sum(hist.values()), quantile(hist, MEDIAN), quantile(hist, P90)
                    ), (user.username, m)
    # the seed gives every rate something to count
    assert all(checked[m.value] > 0 for m in RATES), checked


def test_the_accused_organ_never_counts_an_accusation_against_it(seeded):
    """Plant: an analyst in the accused organ; the rows of accusations against it are in the
    rollup, and none reaches the analyst's figures or drill-down."""
    from xinfang.analytics.models import RateFact
    from xinfang.petitions.models import Petition

    users, _ = seeded
    accusers = [u for u in users if u.username.startswith("acc")]
    assert accusers
    planted = 0
    for u in accusers:
        against = set(Petition.objects.filter(accused_organ_id=u.organ_id).values_list("id", flat=True))
        if not RateFact.objects.filter(petition_id__in=against).exists():
            continue  # this organ's accusations count in no rate yet (the seed's dates decide)
        planted += 1
        for metric in RATES:
            drilled, _ = drill_down(user=u, metric=metric, limit=10_000)
            assert not against & {d.petition_id for d in drilled}
    assert planted, "no accusation of the seed counts in a rate: the test would check nothing"
