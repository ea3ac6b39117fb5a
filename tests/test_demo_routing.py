"""The demo province's routing rules (issue 20): every demo category × route × region routes
to exactly one organ, of the kind the law's tracks ask for, and the rule check page shows no
gap and no conflict for the province's administrator."""

from __future__ import annotations

import random

import pytest

from xinfang.directory.models import OrganKind, Region, Role
from xinfang.directory.services import staff_create
from xinfang.routing.selectors import CHECK_CELLS, routing_suggest, rules_check_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_province():
    from xinfang.demo.organs import _directory
    from xinfang.demo.routing import routing_seed

    province, cities, counties = _directory(random.Random(7))
    routing_seed([province, *cities, *counties])
    return province, cities, counties


def test_every_category_and_route_in_every_demo_region_routes_to_one_organ(demo_province):
    province, _, counties = demo_province
    admin = staff_create(
        username="padmin", password="x-pass-123456", organ=province.gov, roles=[Role.ADMIN]
    )
    rows = rules_check_for_user(user=admin)
    regions = Region.objects.count()
    assert len(rows) == regions * len(CHECK_CELLS)
    problems = [(r.region_code, r.category, r.route) for r in rows if r.decision.organ_id is None]
    assert problems == []
    kinds = {r.decision.rule.organ_kind for r in rows if r.category == "appeal" and r.route == 1}
    assert kinds == {OrganKind.POLITICAL_LEGAL}
    accusation = {r.decision.rule.organ_kind for r in rows if r.category == "accusation"}
    assert accusation == {OrganKind.DISCIPLINE}


def test_a_county_matter_goes_to_its_own_department_by_topic(demo_province):
    from xinfang.insight.models import Topic

    _, _, counties = demo_province
    county = counties[0]
    housing = Topic.objects.get(parent=None, name="城乡建设")
    decision, organ = routing_suggest(
        region_code=county.region.code, category="appeal", route=6, topic=housing
    )
    assert organ == county.depts["housing"]
    decision, organ = routing_suggest(
        region_code=county.region.code, category="appeal", route=1, text="派出所不予立案"
    )
    assert organ == county.police
    decision, organ = routing_suggest(
        region_code=county.region.code,
        category="accusation",
        accused_organ_ids=[county.discipline.pk],
    )
    # the discipline organ itself accused: the county's own rule is skipped, the city's applies
    assert organ == county.parent.discipline
