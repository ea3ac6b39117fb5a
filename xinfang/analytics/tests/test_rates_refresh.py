"""The hourly rate refresh recomputes only the petitions changed since the last build, and its
result equals a full rebuild after random registrations and steps; a new day rebuilds in full."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from conftest import local
from xinfang.analytics.models import RateFact, RatesAsOf, RateTally, VolumeTally
from xinfang.analytics.services import rates_rebuild, rates_refresh
from xinfang.core.errors import ApplicationError
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
TODAY = date(2025, 9, 1)


def _snapshot() -> tuple[Counter, Counter, Counter]:  # type: ignore[type-arg]
    fact = ("petition_id", "current_organ_id", "accused_organ_id", "region_id", "channel",
            "category", "metric", "organ_id", "month", "outcome", "days")
    tally = fact[1:]
    rt: Counter = Counter()  # type: ignore[type-arg]
    for r in RateTally.objects.values_list(*tally, "n"):
        rt[r[:-1]] += r[-1]
    vt: Counter = Counter()  # type: ignore[type-arg]
    for r in VolumeTally.objects.values_list("current_organ_id", "accused_organ_id", "region_id",
                                             "category", "channel", "repeat", "month", "n"):
        vt[r[:-1]] += r[-1]
    return Counter(RateFact.objects.values_list(*fact)), +rt, +vt


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_refresh_equals_a_full_rebuild_after_random_steps(world, register, seed, monkeypatch):
    from xinfang.analytics import services

    monkeypatch.setattr(services, "REREAD_IDS", 0)  # else a small test re-reads every petition
    rnd = random.Random(seed)
    organs = [world.housing, world.court, world.county_gov]
    ps = []
    for _ in range(8):
        when = local(2025, rnd.randint(3, 8), rnd.randint(1, 28))
        ps.append(register(received_at=when, at=when,
                           channel=rnd.choice(["letter", "visit", "online"])).petition)
    for p in ps[:5]:
        petition_act(petition_id=p.pk, action="transfer", actor=world.clerk,
                     at=p.received_at, data={"to_organ_id": rnd.choice(organs).pk})
    assert rates_refresh(as_of=TODAY)[0] == "full"  # nothing built yet
    # random steps after the build, with their paper dates in the past
    for _ in range(12):
        p = rnd.choice(ps)
        p.refresh_from_db()
        step = rnd.choice(["acknowledge", "transfer", "register"])
        try:
            if step == "register":
                when = local(2025, rnd.randint(3, 8), rnd.randint(1, 28))
                ps.append(register(received_at=when, at=when).petition)
            elif step == "transfer":
                petition_act(petition_id=p.pk, action="transfer", actor=world.clerk,
                             at=local(2025, 8, 30), data={"to_organ_id": rnd.choice(organs).pk})
            else:
                handler = {world.housing.pk: world.handler}.get(p.current_organ_id, world.head)
                petition_act(petition_id=p.pk, action="acknowledge", actor=handler,
                             at=local(2025, 8, 31))
        except ApplicationError:
            continue  # not a lawful step in the petition's state: another one
    how, n = rates_refresh(as_of=TODAY)
    assert how == "changed" and 0 < n < len(ps)  # not every petition: only those changed
    incremental = _snapshot()
    rates_rebuild(as_of=TODAY)
    assert incremental == _snapshot()


def test_a_new_day_rebuilds_in_full_and_a_quiet_hour_recomputes_nothing_new(world, register):
    register(received_at=local(2025, 8, 1), at=local(2025, 8, 1))
    rates_rebuild(as_of=TODAY)
    assert RatesAsOf.objects.get().last_petition_id > 0
    how, _ = rates_refresh(as_of=TODAY)
    assert how == "changed"
    assert rates_refresh(as_of=date(2025, 9, 2))[0] == "full"
    assert RatesAsOf.objects.get().as_of == date(2025, 9, 2)
