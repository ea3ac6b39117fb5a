"""Imported petitions count in the statistics with their original dates (issue 16): the rate
rollup (regulation.md §8.2) and the count rollup read them as petitions registered then."""

from __future__ import annotations

import pytest

from xinfang.analytics.models import PetitionTally, RateFact
from xinfang.analytics.services import rates_rebuild
from xinfang.imports.tests.test_import import TODAY, row, run

pytestmark = [pytest.mark.django_db]


def test_imported_rows_appear_in_the_rates_with_their_original_dates(world):
    late = row(**{"行号": "B-2", "收到日期": "2023-01-05", "转送日期": "2023-01-06",
                  "受理日期": "2023-02-20", "答复日期": "2023-03-01", "送达日期": "2023-03-02",
                  "归档日期": "2023-04-20", "评价": "不满意", "评价日期": "2023-03-05"})  # fmt: skip
    assert run([row(), late]).committed
    rates_rebuild(as_of=TODAY)
    facts = {
        (f.metric, f.month.isoformat(), f.outcome, f.organ.name)
        for f in RateFact.objects.select_related("organ")
    }
    housing = "青山县住房和城乡建设局"
    # 及时受理: received 2024-03-04, due 30 days later (April), accepted on 03-10: on time
    assert ("accept", "2024-04-01", "on_time", housing) in facts
    # received 2023-01-05, due 2023-02-04, accepted 02-20: late, counted in February 2023
    assert ("accept", "2023-02-01", "late", housing) in facts
    # 满意率 in the month of the evaluation, at the organ evaluated
    assert ("satisfy", "2024-04-01", "satisfied", housing) in facts
    assert ("satisfy", "2023-03-01", "dissatisfied", housing) in facts
    # 按期办结: the T6 duty from the acceptance, met with the opinion
    assert {f for f in facts if f[0] == "complete"} == {
        ("complete", "2024-05-01", "on_time", housing),
        ("complete", "2023-04-01", "on_time", housing),
    }
    months = {(t.month.isoformat(), t.state): t.n for t in PetitionTally.objects.filter(n__gt=0)}
    assert months == {("2024-03-01", "closed"): 1, ("2023-01-01", "closed"): 1}


def test_a_rate_page_counts_the_imported_petitions(world):
    from xinfang.analytics.rate_selectors import rate_lines
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    assert run([row()]).committed
    rates_rebuild(as_of=TODAY)
    leader = staff_create(username="lead", password=None, organ=world.county_gov,
                          roles=[Role.LEADER])  # fmt: skip
    total = rate_lines(user=leader, metric="accept")[0]
    assert total.counts == {"on_time": 1}
