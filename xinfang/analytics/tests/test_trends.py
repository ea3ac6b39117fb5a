"""Trends: the rollup equals the direct count through the gate for every role; regions are
listed by code; every chart has its table; plotly.js is served from the installed package."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from conftest import local
from xinfang.analytics.services import rates_rebuild
from xinfang.analytics.trends import trends_for_user

pytestmark = [pytest.mark.django_db]


def test_trends_from_the_rollup_equal_the_direct_counts_for_every_role():
    from xinfang.demo import demo_seed
    from xinfang.directory.models import Organ, Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import petition_queryset_for_statistics

    demo_seed(petitions=120, seed=6)
    users = [staff_create(username=f"t{o.pk}", password=None, organ=o,  # type: ignore[arg-type]
                          roles=[Role.LEADER if o.pk % 2 else Role.ANALYST])
             for o in Organ.objects.order_by("path")[::6]]
    accused = Petition.objects.filter(accused_organ__isnull=False).select_related("accused_organ")
    for p in accused[:2]:
        users.append(staff_create(username=f"x{p.pk}", password=None, organ=p.accused_organ,  # type: ignore[arg-type]
                                  roles=[Role.ANALYST]))
    named = accused.first()
    if named is not None:
        u = staff_create(username="nm", password=None, organ=named.current_organ, roles=[Role.ANALYST])  # type: ignore[arg-type]
        named.accused_staff.add(u)
        users.append(u)
    # two mistaken registrations voided (issue 12, item 5): they count nowhere, the accusation
    # subtraction included (planted fault: volume_rebuild without the VOIDED exclusion fails)
    voided = [p.pk for p in accused[:1]] + list(
        Petition.objects.filter(accused_organ__isnull=True).values_list("pk", flat=True)[:1])
    Petition.objects.filter(pk__in=voided).update(state="voided", is_open=False)
    rates_rebuild()
    from xinfang.core import clock

    months = sorted({clock.local_date(d).replace(day=1)
                     for d in Petition.objects.values_list("received_at", flat=True)})
    ranges = [(None, None), (months[len(months) // 3], months[2 * len(months) // 3])]
    seen = 0
    for user in users:
        for lo, hi in ranges:
            direct = [
                (clock.local_date(r).replace(day=1), c or "", ch, rep is not None, rg)
                for r, c, ch, rep, rg in petition_queryset_for_statistics(user=user).values_list(
                    "received_at", "category", "channel", "repeat_of_id", "region_id")
                .exclude(state="voided")
            ]
            direct = [d for d in direct if (lo is None or d[0] >= lo) and (hi is None or d[0] <= hi)]
            t = trends_for_user(user=user, month_from=lo, month_to=hi)
            got = Counter({(m, c): n for m, per in t.by_month_category.items() for c, n in per.items()})
            assert got == Counter((d[0], d[1]) for d in direct), user.username
            assert {k: n for k, _, n in t.channels} == dict(Counter(d[2] for d in direct))
            assert {m: v for m, v in t.first_repeat.items()} == {
                m: (sum(1 for d in direct if d[0] == m and not d[3]),
                    sum(1 for d in direct if d[0] == m and d[3]))
                for m in {d[0] for d in direct}
            }
            assert [(c, n) for c, _, n in t.regions] == sorted(Counter(d[4] for d in direct).items())
            seen += t.total
    assert seen > 0


def test_the_page_has_a_table_beside_every_chart_and_regions_in_code_order(client, world, register):
    from xinfang.directory.models import Level, Region

    Region.objects.create(code="990101", name="东湖区", level=Level.COUNTY,
                          parent=Region.objects.get(code="990100"))
    for code, when in (("990102", local(2025, 3, 3)), ("990102", local(2025, 4, 3)),
                       ("990101", local(2025, 4, 5))):
        register(region_code=code, received_at=when, at=when, organ=world.city_po,
                 actor=world.city_clerk)
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    analyst = staff_create(username="ca", password=None, organ=world.city_po, roles=[Role.ANALYST])
    rates_rebuild(as_of=date(2025, 9, 1))
    client.force_login(analyst)
    page = client.get("/analytics/trends/").content.decode()
    for chart, table in (("chart-volume", "volume"), ("chart-channels", "channels"),
                         ("chart-repeat", "repeat")):
        assert f'data-chart="{chart}"' in page and f'id="{table}"' in page
        assert f'<script id="{chart}" type="application/json">' in page
    # 990101 (one petition) before 990102 (two): code order, not count order
    assert page.index("<code>990101</code>") < page.index("<code>990102</code>")
    assert "2025-03" in page and "2025-04" in page
    assert "cdn" not in page.lower()
    assert client.get("/analytics/trends/?month_from=2025-99").status_code == 400
    js = client.get("/analytics/plotly.min.js")
    assert js.status_code == 200 and js["Content-Type"].startswith("text/javascript")
    assert b"plotly" in js.content[:2000].lower()


def test_the_trends_menu_item_and_page_only_for_roles_that_may_count(client, world):
    client.force_login(world.handler)
    assert client.get("/analytics/trends/").status_code == 403
    assert "/analytics/trends/" not in client.get("/").content.decode()
    client.force_login(world.analyst)
    assert "/analytics/trends/" in client.get("/analytics/").content.decode()
