"""The organs the organ picker offers for a step (issue 12, item 10; ``selectors.organ_targets``).

Planted fault (watched failing, then restored): the exclusion of the accused organ's subtree
taken out of ``organ_targets`` - the first test then finds the accused bureau offered."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act
from xinfang.petitions.selectors import organ_targets
from xinfang.petitions.workflow import Action

pytestmark = pytest.mark.django_db

A = Action


def _names(targets, action):  # type: ignore[no-untyped-def]
    return {o.name for o in targets[action].organs}


def test_an_accusation_is_never_offered_to_the_accused_organ_nor_to_the_holder(world, register):
    p = register(category="accusation", route=None, accused_organ_id=world.housing.pk).petition
    t = organ_targets(petition=p, actions=[A.TRANSFER, A.ASSIGN])
    for action in (A.TRANSFER, A.ASSIGN):
        names = _names(t, action)
        assert world.housing.name not in names  # Art. 30 para 3
        assert world.county_po.name not in names  # the holder itself
        assert {world.county_gov.name, world.court.name, world.discipline.name} <= names


def test_a_petition_office_sends_within_its_region_and_referrals_go_to_their_kind(world, register):
    p = register().petition
    t = organ_targets(petition=p, actions=[A.TRANSFER, A.REFER_LEGAL, A.REFER_DISCIPLINE])
    transfer = _names(t, A.TRANSFER)
    assert world.housing.name in transfer and world.county_gov.name in transfer
    # the city and province organs are above the county office's jurisdiction (Art. 22)
    assert world.city_housing.name not in transfer and world.prov_gov.name not in transfer
    assert _names(t, A.REFER_LEGAL) == {world.court.name}  # Art. 22 item 4
    assert _names(t, A.REFER_DISCIPLINE) == {world.discipline.name}  # Art. 22 item 5


def test_a_competent_organ_transfers_only_down_its_own_system(world, register):
    from xinfang.directory.models import Level, OrganKind
    from xinfang.directory.services import organ_create

    station = organ_create(
        name="青山县住建局城东管理站",
        kind=OrganKind.COMPETENT,
        level=Level.COUNTY,
        region=world.county,
        parent=world.housing,
    )
    p = register(received_at=local(2025, 3, 3), at=local(2025, 3, 3)).petition
    act(world, p, "transfer", world.clerk, (2025, 3, 4), to_organ_id=world.housing.pk)
    p.refresh_from_db()
    assert _names(organ_targets(petition=p, actions=[A.TRANSFER]), A.TRANSFER) == {station.name}
    assert organ_targets(petition=p, actions=[]) == {}
