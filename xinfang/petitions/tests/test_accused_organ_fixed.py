"""The accused organ (被检举控告单位) is fixed at registration: who may never see the petition
(Art. 30 para. 3, ``accusation_exclusions``) and the accountability drill-down by accused organ
are read from it. Steps keep it; a step that would change it (a fault of the code: an effect,
a hook) is refused in the one writer, ``petition_act``, and nothing of the step is written.

Planted fault: the check in ``act._step`` removed: the changed organ is saved and the test
fails."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from xinfang.petitions import services
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.services import act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _accusation(world, register):  # type: ignore[no-untyped-def]
    return register(
        category="accusation", route=None, at=local(2025, 3, 4), accused_organ_id=world.city_po.pk
    ).petition


def _transfer(world, p):  # type: ignore[no-untyped-def]
    services.petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.clerk,
        at=date(2025, 3, 5),
        data={"to_organ_id": world.housing.pk},
    )


def test_a_step_keeps_the_accused_organ(world, register):
    p = _accusation(world, register)
    _transfer(world, p)
    assert Petition.objects.get(pk=p.pk).accused_organ_id == world.city_po.pk


def test_a_step_that_would_change_the_accused_organ_is_refused_and_writes_nothing(
    world, register, monkeypatch
):
    p = _accusation(world, register)
    before = Petition.objects.values().get(pk=p.pk)
    events = PetitionEvent.objects.filter(petition=p).count()
    real = act._apply_effects

    def moving(petition, *a, **kw):  # type: ignore[no-untyped-def]
        real(petition, *a, **kw)
        petition.accused_organ_id = world.housing.pk  # the accusation now "against" another

    monkeypatch.setattr(act, "_apply_effects", moving)
    with pytest.raises(act.AccusedOrganFixed):
        _transfer(world, p)
    assert Petition.objects.values().get(pk=p.pk) == before
    assert PetitionEvent.objects.filter(petition=p).count() == events
