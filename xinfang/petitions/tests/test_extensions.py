"""The hooks of the apps above petitions run inside the petition's own transaction."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from xinfang.analytics.models import PetitionTally
from xinfang.petitions import extensions
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.services import petition_act
from xinfang.workbench.models import SearchPending

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


class Refused(Exception):
    pass


@pytest.fixture
def hook():
    """Register a hook for one test, and remove it afterwards."""
    added = []

    def _add(kind, fn):
        {"registered": extensions.on_registered, "acted": extensions.on_acted}[kind](fn)
        added.append((kind, fn))

    yield _add
    for kind, fn in added:
        table = extensions._registered if kind == "registered" else extensions._acted
        table.pop(extensions._key(fn), None)


def test_registration_queues_the_search_index_and_counts_the_petition(world, register):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    assert SearchPending.objects.filter(petition_id=p.pk).exists()
    assert sum(PetitionTally.objects.values_list("n", flat=True)) == 1


def test_a_hook_that_refuses_leaves_no_petition_and_no_queue_row_behind(world, register, hook):
    def refuse(*, petitions):
        raise Refused

    hook("registered", refuse)
    with pytest.raises(Refused):
        register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    assert not Petition.objects.exists() and not SearchPending.objects.exists()
    assert not PetitionTally.objects.exclude(n=0).exists()


def test_a_step_hook_sees_the_petition_before_and_after_the_step(world, register, hook):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    seen = []

    def record(*, petition, event, before):
        seen.append((before.state, before.current_organ_id, petition.state, event.action))

    hook("acted", record)
    petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.clerk,
        at=date(2025, 8, 30),
        data={"to_organ_id": world.housing.pk},
    )
    assert seen == [("registered", world.county_po.pk, "transferred", "transfer")]


def test_a_step_hook_that_refuses_leaves_the_petition_as_it_was(world, register, hook):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition

    def refuse(*, petition, event, before):
        raise Refused

    hook("acted", refuse)
    with pytest.raises(Refused):
        petition_act(
            petition_id=p.pk,
            action="transfer",
            actor=world.clerk,
            at=date(2025, 8, 30),
            data={"to_organ_id": world.housing.pk},
        )
    p.refresh_from_db()
    assert p.state == "registered" and p.current_organ_id == world.county_po.pk
    assert PetitionEvent.objects.filter(petition=p).count() == 2


def test_registering_the_same_hook_twice_runs_it_once(world, register, hook):
    calls = []

    def count(*, petitions):
        calls.append(len(petitions))

    hook("registered", count)
    hook("registered", count)
    register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    assert calls == [1]
