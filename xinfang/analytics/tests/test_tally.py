"""The analytics rollup counts exactly what the live table counts, through the same gate."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db.models import Count

from xinfang.analytics.models import PetitionTally
from xinfang.analytics.selectors import _counted, _month_split, statistics_for_user

pytestmark = [pytest.mark.django_db]


def _live(user, lo, hi):  # type: ignore[no-untyped-def]
    """The counts taken straight from the petitions table through the statistics gate."""
    qs = _counted(user, lo, hi)
    by_cs = qs.values("category", "state").annotate(n=Count("id"))
    by_region = qs.values("region_id").annotate(n=Count("id"))
    cells = Counter({(r["category"] or "", r["state"]): r["n"] for r in by_cs})
    regions = Counter({r["region_id"]: r["n"] for r in by_region})
    return +cells, +regions


def _rolled(user, lo, hi):  # type: ignore[no-untyped-def]
    s = statistics_for_user(user=user, received_from=lo, received_to=hi)
    return (
        Counter({(c.category, c.state): c.count for c in s.by_category_state}),
        Counter({r.region_code: r.count for r in s.by_region}),
    )


def test_the_month_split_covers_each_day_once():
    rng = random.Random(5)
    for _ in range(300):
        lo = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400)) if rng.random() < 0.9 else None
        hi = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400)) if rng.random() < 0.9 else None
        whole, partial = _month_split(lo, hi)
        days = set()
        for d1, d2 in partial:
            days |= {d1 + timedelta(days=i) for i in range((d2 - d1).days + 1)}
        start, end = date(2024, 12, 1), date(2026, 3, 31)
        if whole is not None:
            first, last = whole
            m = first or start
            while m <= (last or end):
                nxt = (m + timedelta(days=32)).replace(day=1)
                month_days = {m + timedelta(days=i) for i in range((nxt - m).days)}
                assert not days & month_days
                days |= month_days
                m = nxt
        want = {
            start + timedelta(days=i)
            for i in range((end - start).days + 1)
            if (lo is None or start + timedelta(days=i) >= lo)
            and (hi is None or start + timedelta(days=i) <= hi)
        }
        assert {d for d in days if start <= d <= end} == want, (lo, hi)


def test_the_rollup_counts_what_the_live_table_counts_for_every_analyst():
    """A demo province in every state (transfers, reviews, accusations), analysts at every
    level and in accused organs, one named in an accusation; whole, partial and open ranges."""
    from xinfang.demo import demo_seed
    from xinfang.directory.models import Organ, Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.models import Petition

    demo_seed(petitions=150, seed=3)
    assert PetitionTally.objects.exists()
    analysts = [
        staff_create(username=f"a{o.pk}", password=None, organ=o, roles=[Role.ANALYST])  # type: ignore[arg-type]
        for o in Organ.objects.order_by("path")[::9]
    ]
    accused = Petition.objects.filter(accused_organ__isnull=False).select_related("accused_organ")
    for p in accused[:3]:
        analysts.append(
            staff_create(username=f"acc{p.pk}", password=None, organ=p.accused_organ, roles=[Role.ANALYST])  # type: ignore[arg-type]
        )
    named = accused.first()
    if named is not None:
        u = staff_create(username="named", password=None, organ=named.current_organ, roles=[Role.ANALYST])  # type: ignore[arg-type]
        named.accused_staff.add(u)
        analysts.append(u)
    received = sorted(Petition.objects.values_list("received_at", flat=True))
    first, last = received[0].date(), received[-1].date()
    rng = random.Random(9)
    ranges = [(None, None), (first, last), (date(first.year, first.month, 1), None)]
    for _ in range(6):
        a = first + timedelta(days=rng.randint(0, (last - first).days))
        b = a + timedelta(days=rng.randint(0, 120))
        ranges.append((a, b))
    checked = 0
    for user in analysts:
        for lo, hi in ranges:
            assert _rolled(user, lo, hi) == _live(user, lo, hi), (user.username, lo, hi)
            checked += sum(_live(user, lo, hi)[0].values())
    assert checked > 0


def test_a_transfer_moves_the_petition_between_keys(world, register):
    from conftest import local
    from xinfang.petitions.services import petition_act

    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    assert PetitionTally.objects.get(current_organ=world.county_po, state="registered").n == 1
    petition_act(
        petition_id=p.pk, action="transfer", actor=world.clerk, at=local(2025, 8, 30),
        data={"to_organ_id": world.housing.pk},
    )
    assert PetitionTally.objects.get(current_organ=world.county_po, state="registered").n == 0
    moved = PetitionTally.objects.get(current_organ=world.housing)
    assert (moved.state, moved.n, moved.month) == (p.__class__.objects.get(pk=p.pk).state, 1, date(2025, 8, 1))


def test_the_rebuild_command_recounts_what_sql_changed(world, register):
    """An import in SQL bypasses the services; the command brings the rollup back in line."""
    from io import StringIO

    from django.core.management import call_command

    from conftest import local
    from xinfang.petitions.models import Petition

    register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    Petition.objects.update(state="closed")  # what an import in SQL would do
    assert PetitionTally.objects.get(state="registered").n == 1
    out = StringIO()
    call_command("tally_rebuild", stdout=out)
    assert "1 件" in out.getvalue()
    assert list(PetitionTally.objects.values_list("state", "n")) == [("closed", 1)]


def test_registrations_of_one_key_write_to_different_rows(world, register):
    """Issue 14: every registration at one office upserted the same tally row and held it to
    commit, so the office's clerks registered one at a time. Consecutive petitions of one key
    now land in different slots (rows), and the counts the readers sum stay right."""
    from conftest import local
    from xinfang.analytics.models import TALLY_SLOTS

    for _ in range(3):
        register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    rows = PetitionTally.objects.filter(current_organ=world.county_po, state="registered")
    assert rows.count() == 3
    assert sorted(rows.values_list("n", flat=True)) == [1, 1, 1]
    assert len({s % TALLY_SLOTS for s in rows.values_list("slot", flat=True)}) == 3
