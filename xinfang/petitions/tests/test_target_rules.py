"""The one rule for where a step may send a petition (``target_rules``, issue 12 item 10): the
picker offers exactly what the step accepts. The first tests read the pure rule; the last one
checks, on every organ of a tree with every kind and level, that the picker's query
(``selectors.targets.target_q``) and the step's check (``_validate_step``) agree with it.

Planted fault (watched failing, then restored): ``within`` made to accept any organ for a
petition office - ``test_a_petition_office_never_sends_upward`` and the service test fail."""

from __future__ import annotations

import pytest

from xinfang.petitions.target_rules import (
    ACCUSED,
    OUTSIDE,
    SELF,
    WRONG_KIND,
    OrganFacts,
    target_refusals,
)

PROV = OrganFacts(pk=1, path="/1/", kind="competent", level="province", region_id="990000")
CITY_GOV = OrganFacts(pk=2, path="/1/2/", kind="competent", level="city", region_id="990100")
CITY_HOUSING = OrganFacts(pk=3, path="/1/2/3/", kind="competent", level="city", region_id="990100")
COUNTY_GOV = OrganFacts(pk=4, path="/1/2/4/", kind="competent", level="county", region_id="990102")
COUNTY_PO = OrganFacts(
    pk=5, path="/1/2/4/5/", kind="petition_office", level="county", region_id="990102"
)
HOUSING = OrganFacts(pk=6, path="/1/2/4/6/", kind="competent", level="county", region_id="990102")
COURT = OrganFacts(
    pk=7, path="/1/2/4/7/", kind="political_legal", level="county", region_id="990102"
)
OTHER_COUNTY = OrganFacts(
    pk=8, path="/1/2/8/", kind="competent", level="county", region_id="990103"
)


def test_a_petition_office_never_sends_upward_nor_to_another_county():
    for up in (PROV, CITY_GOV, CITY_HOUSING, OTHER_COUNTY):
        for action in ("transfer", "assign"):
            r = target_refusals(action=action, holder=COUNTY_PO, to=up, accused=None)
            assert r == [OUTSIDE], (up, action)
    # its own region, even outside its own subtree (属地管理)
    assert target_refusals(action="transfer", holder=COUNTY_PO, to=HOUSING, accused=None) == []
    assert target_refusals(action="assign", holder=COUNTY_PO, to=COUNTY_GOV, accused=None) == []


def test_a_competent_organ_sends_only_down_its_own_system():
    assert target_refusals(action="transfer", holder=HOUSING, to=COURT, accused=None) == [OUTSIDE]
    assert target_refusals(action="transfer", holder=COUNTY_GOV, to=HOUSING, accused=None) == []


def test_never_the_holder_nor_the_accused_subtree_and_referrals_go_to_their_kind():
    assert SELF in target_refusals(action="transfer", holder=COUNTY_PO, to=COUNTY_PO, accused=None)
    r = target_refusals(action="transfer", holder=COUNTY_PO, to=HOUSING, accused=COUNTY_GOV)
    assert r == [ACCUSED]  # Art. 30 para 3: the accused organ's subtree
    assert target_refusals(action="refer_legal", holder=COUNTY_PO, to=COURT, accused=None) == []
    # a referral goes to its kind wherever it sits, but never to another kind (Art. 22 (4)-(5))
    assert target_refusals(action="refer_legal", holder=HOUSING, to=COURT, accused=None) == []
    assert target_refusals(action="refer_discipline", holder=COUNTY_PO, to=COURT, accused=None) == [
        WRONG_KIND
    ]


@pytest.mark.django_db
def test_the_pickers_query_and_the_steps_check_agree_with_the_rule_on_every_organ(world, register):
    from xinfang.core import clock
    from xinfang.core.errors import ApplicationError
    from xinfang.directory.models import Organ
    from xinfang.petitions.selectors.access import organ_facts
    from xinfang.petitions.selectors.targets import target_q
    from xinfang.petitions.services.steps import _validate_step
    from xinfang.petitions.workflow import Action

    plain = register().petition
    accusation = register(
        category="accusation", route=None, accused_organ_id=world.housing.pk
    ).petition
    organs = list(Organ.objects.all())
    for p in (plain, accusation):
        accused = organ_facts(p.accused_organ) if p.accused_organ_id else None
        for action in (Action.TRANSFER, Action.ASSIGN, Action.REFER_LEGAL, Action.REFER_DISCIPLINE):
            offered = set(
                Organ.objects.filter(target_q(petition=p, action=action)).values_list(
                    "pk", flat=True
                )
            )
            for o in organs:
                ok = not target_refusals(
                    action=action.value,
                    holder=organ_facts(p.current_organ),
                    to=organ_facts(o),
                    accused=accused,
                )
                assert (o.pk in offered) == ok, (p.pk, action, o.name)
                data = {"to_organ_id": o.pk, "report_due": "2099-01-01"}
                try:
                    _validate_step(p, action, "理由", data, clock.now())
                    accepted = True
                except ApplicationError as e:
                    accepted = "to_organ_id" not in e.fields
                assert accepted == ok, (p.pk, action, o.name)
