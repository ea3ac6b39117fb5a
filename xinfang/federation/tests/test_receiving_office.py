"""A peer's organ placed in a region (docs/federation.md) is a hand-over target only: it never
becomes the office that receives a petition here (review-b #1; Art. 30 para 3 climbs to the
next office this installation operates)."""

from __future__ import annotations

import pytest

from xinfang.directory.selectors import petition_office_for
from xinfang.federation.tests.test_handover import remote  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_an_external_office_never_receives_an_accusation_or_a_petition(world, remote):  # noqa: F811
    code = world.county.code
    office = petition_office_for(region_code=code, accused=world.county_gov)
    assert office is not None and not office.external
    assert office != remote.organ
    plain = petition_office_for(region_code=code)
    assert plain is not None and not plain.external
