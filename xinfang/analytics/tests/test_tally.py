"""The analytics rollup counts exactly what the live table counts, through the same gate.
The comparison for every reader on a seeded demo is in test_rate_rollup.py, which seeds one
demo for all the rollups' comparisons."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from xinfang.analytics.models import PetitionTally
from xinfang.analytics.selectors import _month_split

pytestmark = [pytest.mark.django_db]


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


def test_a_transfer_moves_the_petition_between_keys(world, register):
    from conftest import local
    from xinfang.petitions.services import petition_act

    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    assert PetitionTally.objects.get(current_organ=world.county_po, state="registered").n == 1
    petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.clerk,
        at=local(2025, 8, 30),
        data={"to_organ_id": world.housing.pk},
    )
    assert PetitionTally.objects.get(current_organ=world.county_po, state="registered").n == 0
    moved = PetitionTally.objects.get(current_organ=world.housing)
    assert (moved.state, moved.n, moved.month) == (
        p.__class__.objects.get(pk=p.pk).state,
        1,
        date(2025, 8, 1),
    )


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


def test_the_rebuild_in_sql_puts_each_petition_in_the_cell_the_services_gave_it(world, register):
    """The rebuild is one GROUP BY in the database (issue 16: it read every petition into
    Python). Received on the 1st at 00:00–08:00 local time is the previous month in UTC: the
    rebuild counts the local month, as the services do; a voided registration counts nowhere."""
    from conftest import local
    from xinfang.analytics.services import TALLY_COLUMNS, tally_rebuild
    from xinfang.petitions.services import petition_act

    register(received_at=local(2025, 9, 1, 0), at=local(2025, 9, 1, 9))
    register(received_at=local(2025, 8, 31, 23), at=local(2025, 9, 1, 9))
    gone = register(received_at=local(2025, 8, 20), at=local(2025, 8, 21)).petition
    petition_act(
        petition_id=gone.pk, action="void", actor=world.clerk, at=local(2025, 8, 22),
        reason="重复登记",
    )  # fmt: skip

    def cells():  # type: ignore[no-untyped-def]
        return sorted(r for r in PetitionTally.objects.values_list(*TALLY_COLUMNS, "n") if r[-1])

    by_services = cells()
    assert {r[5] for r in by_services} == {date(2025, 9, 1), date(2025, 8, 1)}
    PetitionTally.objects.all().delete()
    assert tally_rebuild() == 2
    assert cells() == by_services
