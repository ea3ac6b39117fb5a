"""The ledger's counts (``DisputeCount``) equal the live count of entries after any sequence of
what the services do, and the pages read them, not the live table."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db.models import Count, Sum

from xinfang.prevention.models import Dispute, DisputeCount

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

KINDS = ["land", "wages", "neighbours"]
OUTCOMES = ["settled", "court", "organ"]


def _live() -> dict[tuple, int]:
    return {
        (o, c, k, s): n
        for o, c, k, s, n in Dispute.objects.order_by()
        .values_list("organ_id", "cycle", "kind", "status")
        .annotate(n=Count("id"))
    }


def _counted() -> dict[tuple, int]:
    return {
        (o, c, k, s): n
        for o, c, k, s, n in DisputeCount.objects.values_list(
            "organ_id", "cycle", "kind", "status", "n"
        )
        if n
    }


@pytest.mark.parametrize("seed", range(6))
def test_the_counts_equal_the_live_count_after_any_sequence_of_services(town, record, seed):
    from xinfang.core.errors import ApplicationError
    from xinfang.prevention.services import dispute_close, dispute_step_add

    rnd = random.Random(seed)
    made: list[Dispute] = []
    for _ in range(40):
        op = rnd.choice(["record", "record", "step", "close", "bad"])
        if op == "record" or not made:
            organ = rnd.choice([town.organ, town.other])
            made.append(
                record(
                    organ=organ,
                    kind=rnd.choice(KINDS),
                    found_on=date(2025, rnd.randint(5, 8), rnd.randint(1, 28)),
                    actor=town.clerk if organ == town.organ else town.county_head,
                )
            )
            continue
        d = rnd.choice(made)
        try:
            if op == "step":
                dispute_step_add(
                    actor=town.county_head, dispute_id=d.pk, kind="talk", on=d.found_on, note="走访"
                )
            elif op == "close":
                dispute_close(
                    actor=town.county_head,
                    dispute_id=d.pk,
                    outcome=rnd.choice(OUTCOMES),
                    on=d.found_on + timedelta(days=1),
                    referred_to="青山县人民法院",
                )
            else:  # refused: nothing may move
                dispute_close(
                    actor=town.county_head, dispute_id=d.pk, outcome="court", on=d.found_on
                )
        except ApplicationError:
            pass  # closed already, or refused: the counts must not have moved either
        assert _counted() == _live()


def test_a_rebuild_gives_the_same_counts(town, record):
    from xinfang.prevention.services.ledger import dispute_counts_rebuild

    for k in KINDS:
        record(kind=k)
    before = _counted()
    dispute_counts_rebuild()
    assert _counted() == before == _live()


def test_the_ledger_page_reads_the_counts_not_the_live_table(client, town, record):
    record()
    record(organ=town.other, actor=town.county_head)
    client.force_login(town.county_head)
    html = client.get("/prevention/disputes/").content.decode()
    assert 'id="ledger-total">2<' in html
    # a count the services did not keep (planted) is what the page shows: it reads the counts
    DisputeCount.objects.filter(organ=town.other).update(n=5)
    html = client.get("/prevention/disputes/").content.decode()
    assert 'id="ledger-total">6<' in html
    assert DisputeCount.objects.aggregate(n=Sum("n"))["n"] == 6
