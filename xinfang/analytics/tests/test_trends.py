"""Trends: the rollup equals the direct count through the gate for every role; regions are
listed by code; every chart has its table; plotly.js is served from the installed package.
The comparison for every role on a seeded demo is in test_rate_rollup.py, which seeds one demo
for all the rollups' comparisons."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from xinfang.analytics.services import rates_rebuild

pytestmark = [pytest.mark.django_db]


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
    # months on the axes as the tables write them, not plotly's English date labels ("Jul 2025")
    import json
    import re

    for chart in ("chart-volume", "chart-repeat"):
        fig = json.loads(re.search(rf'<script id="{chart}" type="application/json">(.*?)</script>',
                                   page, re.S).group(1))
        assert fig["layout"]["xaxis"] == {"type": "category"}, chart
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
