"""A township under the county government of the shared world, with its staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest


@dataclass
class Town:
    region: object
    organ: object
    other: object  # a second township, for the county roll-up
    clerk: object  # registrar at the township: records disputes
    head: object  # organ head at the township
    county_head: object  # organ head at the county government: sees both townships
    leader: object  # county leader: reads, decides, names masked
    analyst: object


@pytest.fixture
def town(world) -> Town:
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create

    region = Region.objects.create(
        code="990102001", name="青山镇", level=Level.TOWNSHIP, parent=world.county
    )
    other_region = Region.objects.create(
        code="990102002", name="白水乡", level=Level.TOWNSHIP, parent=world.county
    )
    organ = organ_create(
        name="青山镇人民政府",
        kind=OrganKind.COMPETENT,
        level=Level.TOWNSHIP,
        region=region,
        parent=world.county_gov,
    )
    other = organ_create(
        name="白水乡人民政府",
        kind=OrganKind.COMPETENT,
        level=Level.TOWNSHIP,
        region=other_region,
        parent=world.county_gov,
    )
    pw = "test-pass-123"
    return Town(
        region,
        organ,
        other,
        clerk=staff_create(username="townclerk", password=pw, organ=organ, roles=[Role.REGISTRAR]),
        head=staff_create(username="townhead", password=pw, organ=organ, roles=[Role.ORGAN_HEAD]),
        county_head=world.city_head,  # organ head at 青山县人民政府
        leader=staff_create(
            username="countyleader", password=pw, organ=world.county_gov, roles=[Role.LEADER]
        ),
        analyst=world.analyst,
    )


@pytest.fixture
def record(town):
    """Record a dispute at the township (override any field)."""
    from xinfang.prevention.services import PartyInput, dispute_record

    def _record(**over):
        fields = dict(
            actor=town.clerk,
            organ=town.organ,
            kind="land",
            place="青山镇东村三组",
            summary="两户村民因承包地边界发生争执，一方在地界上砌墙。",
            found_on=date(2025, 8, 20),
            responsible="王调解",
            parties=[
                PartyInput(side="applicant", name="赵大", asks="拆除越界围墙"),
                PartyInput(side="respondent", name="钱二", asks="按原承包合同确认地界"),
            ],
        )
        fields.update(over)
        return dispute_record(**fields)

    return _record
