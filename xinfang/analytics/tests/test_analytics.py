"""The analysts' drill-down: de-identified counts over the same jurisdiction gate."""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.api.services import token_issue
from xinfang.petitions.services import PartyInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def three(world, register):
    name = PartyInput(role="petitioner", name="李四", phone="13912345678")
    register(title="油烟一", received_at=local(2025, 8, 1), parties=[name])
    register(title="油烟二", received_at=local(2025, 8, 20), parties=[name])
    register(
        title="检举住建局",
        category="accusation",
        route=None,
        accused_organ_id=world.housing.pk,
        received_at=local(2025, 8, 21),
        parties=[name],
    )


def test_an_analyst_sees_counts_by_category_state_and_region(client, world, three):
    from xinfang.analytics.selectors import statistics_for_user

    s = statistics_for_user(user=world.analyst)
    assert s.total == 3
    cells = {(c.category, c.state): c.count for c in s.by_category_state}
    assert cells == {("accusation", "registered"): 1, ("appeal", "registered"): 2}
    assert [(r.region_code, r.count) for r in s.by_region] == [("990102", 3)]
    s = statistics_for_user(user=world.analyst, received_from=local(2025, 8, 15).date())
    assert s.total == 2

    client.force_login(world.analyst)
    r = client.get("/analytics/")
    body = r.content.decode()
    assert r.status_code == 200 and '<strong id="total">3</strong>' in body
    assert "李四" not in body and "139" not in body and "油烟" not in body
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.analyst)}"}
    data = client.get("/api/v1/analytics/summary", **auth).json()
    assert data["total"] == 3 and set(data) == {"total", "by_category_state", "by_region"}
    assert "李四" not in str(data)


def test_an_analyst_of_the_accused_organ_does_not_count_the_accusation(world, register, three):
    from xinfang.analytics.selectors import statistics_for_user
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action

    # An accusation against the county petition office, registered at the city's and sent to
    # the county discipline commission: in the county office's region, so only the exclusion
    # keeps it out of the county office analyst's counts.
    p = register(
        title="检举县信访局",
        organ=world.city_po,
        actor=world.city_clerk,
        category="accusation",
        route=None,
        accused_organ_id=world.county_po.pk,
        received_at=local(2025, 8, 28),
        at=local(2025, 8, 28),
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.city_clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": world.discipline.pk},
    )
    city = staff_create(
        username="an-city", password="Analyst-pass-1", organ=world.city_po, roles=[Role.ANALYST]
    )
    assert statistics_for_user(user=city).total == 4
    s = statistics_for_user(user=world.analyst)  # of the accused county petition office
    assert s.total == 3
    assert {(c.category, c.count) for c in s.by_category_state if c.category == "accusation"} == {
        ("accusation", 1)  # the one against the housing bureau, not the one against itself
    }


def test_roles_without_view_deidentified_are_refused(client, world, three):
    client.force_login(world.clerk)
    assert client.get("/analytics/").status_code == 403
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    assert client.get("/api/v1/analytics/summary", **auth).status_code == 403
