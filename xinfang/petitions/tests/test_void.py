"""作废 (void) of a mistaken or duplicate registration (issue 12, item 5): with a reason, only by
the office that registered it, audited, on the timeline, never deleted, counted nowhere, and
refused once a notice has told the petitioner anything."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


def _registered(register, **over):  # type: ignore[no-untyped-def]
    over.setdefault("received_at", local(2025, 8, 28))
    return register(at=local(2025, 8, 29), **over).petition


def test_the_registering_office_voids_a_duplicate_with_its_reason_and_nothing_is_deleted(
    world, register
):
    from xinfang.audit.models import AuditRecord
    from xinfang.petitions.selectors import petition_detail_for_user

    p = _registered(register)
    act(world, p, "void", world.clerk, (2025, 8, 29), "重复登记，原件查询码 ABCD")
    p = Petition.objects.get(pk=p.pk)  # still there
    assert (p.state, p.is_open, p.next_due) == ("voided", False, None)
    assert not p.deadlines.filter(outcome="open").exists()  # T1 no longer runs
    d = petition_detail_for_user(user=world.clerk, petition_id=p.pk)
    last = d["timeline"][-1]
    assert (last["action"], last["reason"], last["to_state"]) == ("void", "重复登记，原件查询码 ABCD", "voided")
    assert d["available_actions"] == []  # nothing follows a void
    assert AuditRecord.objects.filter(kind="petition.void", object_id=str(p.pk)).exists()


def test_a_void_needs_a_reason(world, register):
    p = _registered(register)
    with pytest.raises(ApplicationError) as e:
        act(world, p, "void", world.clerk, (2025, 8, 29), "  ")
    assert "reason" in e.value.fields
    assert Petition.objects.get(pk=p.pk).state == "registered"


def test_only_the_registering_office_may_void(world, register):
    p = _registered(register)
    for other in (world.city_clerk, world.head, world.handler, world.analyst):
        with pytest.raises(Forbidden):
            act(world, p, "void", other, (2025, 8, 29), "登记错误")
    assert Petition.objects.get(pk=p.pk).state == "registered"


def test_once_a_notice_went_out_the_registration_is_the_petitioners_and_cannot_be_voided(
    world, register
):
    p = _registered(register)
    act(world, p, "transfer", world.clerk, (2025, 8, 29), to_organ_id=world.housing.pk)
    with pytest.raises(ApplicationError) as e:
        act(world, p, "void", world.clerk, (2025, 8, 30), "重复登记")
    assert e.value.code == "guard_refused" and "不能作废" in e.value.message
    assert Petition.objects.get(pk=p.pk).state == "transferred"


def test_the_notice_steps_of_the_guard_are_the_documents_the_petitioner_gets():
    from xinfang.documents.selectors import ACTION_KIND
    from xinfang.petitions.gate import NOTICE_ACTIONS

    assert {a.value for a in NOTICE_ACTIONS} == set(ACTION_KIND)


def test_a_voided_registration_leaves_the_counts_and_the_same_matter_list(world, register):
    from xinfang.analytics.models import PetitionTally
    from xinfang.analytics.services import tally_rebuild
    from xinfang.petitions.selectors import petition_detail_for_user
    from xinfang.petitions.selectors.lists import worklist_for_user

    first = _registered(register)
    dup = _registered(register, repeat_of_id=first.pk)

    def tally() -> int:
        return sum(PetitionTally.objects.values_list("n", flat=True))

    def worklist() -> set[int]:
        return {x.pk for x in worklist_for_user(user=world.clerk).items}

    assert tally() == 2 and worklist() == {first.pk, dup.pk}
    linked = petition_detail_for_user(user=world.clerk, petition_id=first.pk)["linked"]
    assert [x["id"] for x in linked] == [dup.pk]
    act(world, dup, "void", world.clerk, (2025, 8, 29), "重复登记")
    assert tally() == 1 and worklist() == {first.pk}
    assert petition_detail_for_user(user=world.clerk, petition_id=first.pk)["linked"] == []
    tally_rebuild()
    assert tally() == 1


def test_the_page_offers_void_to_the_registrar_marks_the_reason_and_keeps_it_on_a_refusal(
    client, world, register
):
    p = _registered(register)
    client.force_login(world.clerk)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f'action="/petitions/{p.pk}/act/void/"' in html
    r = client.post(f"/petitions/{p.pk}/act/void/", {"reason": ""})
    assert r.status_code == 400 and "请说明作废的理由" in r.content.decode()
    r = client.post(f"/petitions/{p.pk}/act/void/", {"reason": "重复登记"})
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "已作废" in html and "重复登记" in html
    assert Petition.objects.get(pk=p.pk).state == "voided"


def test_the_petitioner_reads_in_plain_words_that_a_registration_was_voided(
    client, world, register
):
    from tests.flows import portal_open

    p = _registered(register)
    act(world, p, "void", world.clerk, (2025, 8, 29), "重复登记")
    portal_open(client, p)
    html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "已作废（重复或误登记" in html
