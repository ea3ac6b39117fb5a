"""The organ picker offers an organ another installation serves only while an active peer
serves it, and only for the steps that can hand a petition over (issue 20): the picker, its
server search, the page and the step's own check agree (``petitions.target_rules``).

Planted fault (watched failing, then restored): ``target_q`` without the external-organ
condition - the picker, the search and the page offered 江西省信访局 after its peer was switched
off, and the agreement test failed on it."""

from __future__ import annotations

import pytest

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Level, Organ, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.services import peer_add, peer_deactivate, remote_organ_set
from xinfang.federation.tests.test_handover import OTHER
from xinfang.petitions.selectors.access import organ_facts
from xinfang.petitions.selectors.targets import organ_target_search, organ_targets, target_q
from xinfang.petitions.services.steps import _validate_step
from xinfang.petitions.target_rules import UNSERVED, OrganFacts, target_refusals
from xinfang.petitions.workflow import Action

PO = OrganFacts(pk=5, path="/1/5/", kind="petition_office", level="county", region_id="990102")
JX = dict(pk=9, path="/9/", kind="petition_office", level="county", region_id="990102")


def test_an_external_organ_is_a_target_only_of_a_handover_while_its_peer_serves_it():
    served = OrganFacts(**JX, external=True, served=True)
    off = OrganFacts(**JX, external=True, served=False)
    for action in ("transfer", "assign"):
        assert target_refusals(action=action, holder=PO, to=served, accused=None) == []
        assert target_refusals(action=action, holder=PO, to=off, accused=None) == [UNSERVED]
    court = OrganFacts(**{**JX, "kind": "political_legal"}, external=True, served=True)
    assert UNSERVED in target_refusals(action="refer_legal", holder=PO, to=court, accused=None)


@pytest.fixture
def two_remote(world):
    """Two organs other installations serve: one whose peer is on, one whose peer is off."""
    on = peer_add(name="江西省信访系统", url="https://xf.jx.example/", public_key=e.public_key_text(OTHER))  # fmt: skip
    off = peer_add(name="广东省信访系统", url="https://xf.gd.example/", public_key=e.public_key_text(e.private_key_from_secret("gd")))  # fmt: skip
    jx = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.county)  # fmt: skip
    gd = organ_create(name="广东省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.county)  # fmt: skip
    gd_court = organ_create(name="广东省某法院", kind=OrganKind.POLITICAL_LEGAL, level=Level.COUNTY, region=world.county)  # fmt: skip
    remote_organ_set(organ=jx, peer=on, remote_organ_id=17)
    remote_organ_set(organ=gd, peer=off, remote_organ_id=18)
    remote_organ_set(organ=gd_court, peer=off, remote_organ_id=19)
    peer_deactivate(peer=off, actor=None)
    return on, off, Organ.objects.get(pk=jx.pk), Organ.objects.get(pk=gd.pk)


@pytest.mark.django_db
def test_the_picker_and_its_search_leave_out_an_organ_whose_peer_is_off(
    world, register, two_remote
):
    on, off, jx, gd = two_remote
    p = register().petition
    offered = {o.name for o in organ_targets(petition=p, actions=[Action.TRANSFER])[Action.TRANSFER].organs}  # fmt: skip
    assert jx.name in offered and gd.name not in offered
    assert world.housing.name in offered  # our own organs as before
    assert [o.name for o in organ_target_search(petition=p, action=Action.TRANSFER, query="广东").organs] == []  # fmt: skip
    assert [o.name for o in organ_target_search(petition=p, action=Action.TRANSFER, query="江西").organs] == [jx.name]  # fmt: skip
    # never by a referral, even where an active peer serves the organ
    legal = organ_targets(petition=p, actions=[Action.REFER_LEGAL])[Action.REFER_LEGAL].organs
    assert all(not o.external for o in legal)
    # the step refuses what the picker leaves out, with the reason at the field
    with pytest.raises(ApplicationError) as refused:
        _validate_step(p, Action.TRANSFER, "", {"to_organ_id": gd.pk}, clock.now())
    assert "对方系统在用" in " ".join(refused.value.fields["to_organ_id"])
    # switched on again (its organs are served again): offered again
    type(on).objects.filter(pk=off.pk).update(is_active=True)
    offered = {o.name for o in organ_targets(petition=p, actions=[Action.TRANSFER])[Action.TRANSFER].organs}  # fmt: skip
    assert gd.name in offered


@pytest.mark.django_db
def test_the_page_offers_an_external_organ_only_while_its_peer_is_on(world, register, two_remote, client):  # fmt: skip
    on, _off, jx, gd = two_remote
    p = register().petition
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    # walker #10: the option says the organ is served by another installation, and by which
    assert f'value="{jx.pk}">{jx.name}（外部系统 · 江西省信访系统）<' in page and gd.name not in page
    assert f'>{world.housing.name}<' in page  # our own organs unmarked
    found = client.get(f"/petitions/{p.pk}/targets/transfer/", {"q": "江西"}).json()["organs"]
    assert [o["name"] for o in found] == ["江西省信访局（外部系统 · 江西省信访系统）"]
    peer_deactivate(peer=on, actor=None)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert jx.name not in page
    r = client.get(f"/petitions/{p.pk}/targets/transfer/", {"q": "江西"})
    assert r.status_code == 200 and r.json()["organs"] == []


@pytest.mark.django_db
def test_the_pickers_query_and_the_steps_check_agree_on_external_organs(world, register, two_remote):  # fmt: skip
    p = register().petition
    for action in (Action.TRANSFER, Action.ASSIGN, Action.REFER_LEGAL):
        offered = set(Organ.objects.filter(target_q(petition=p, action=action)).values_list("pk", flat=True))  # fmt: skip
        for o in Organ.objects.filter(external=True):
            ok = not target_refusals(action=action.value, holder=organ_facts(p.current_organ), to=organ_facts(o), accused=None)  # fmt: skip
            assert (o.pk in offered) == ok, (action, o.name)
            try:
                _validate_step(p, action, "理由", {"to_organ_id": o.pk, "report_due": "2099-01-01"}, clock.now())  # fmt: skip
                accepted = True
            except ApplicationError as err:
                accepted = "to_organ_id" not in err.fields
            assert accepted == ok, (action, o.name)
