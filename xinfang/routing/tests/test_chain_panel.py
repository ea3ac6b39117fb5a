"""The transfer chain on the petition: transfers down two levels with each office's share
(T1a), an objection with its reasons going back to the sender's worklist, the re-route, and the
section "转送链" of the staff petition page (issue 20).

Planted fault (seen failing, then restored): ``chain_panel_context`` without its gate check
(``petition_passed_gate``) makes
``test_the_accused_organ_never_sees_the_chain_of_an_accusation_against_it`` fail: the context
would hand the chain to a caller that has not asked the page's gate. So does a gate mark taken
for any user (``petition_passed_gate`` not comparing the user the gate let in).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from conftest import local
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.directory.services import organ_create, staff_create
from xinfang.petitions.selectors.lists import worklist_for_user
from xinfang.petitions.services import petition_act
from xinfang.routing.chain import chain_panel_context, transfer_chain

pytestmark = pytest.mark.django_db

REASON = "本局不负责餐饮油烟噪声，应由县市场监督管理局依职责处理（第二十三条第三款）"


def act(p, action, actor, on, **kw):
    return petition_act(petition_id=p.pk, action=action, actor=actor, at=on, **kw)


@pytest.fixture
def market(world):
    organ = organ_create(
        name="青山县市场监督管理局",
        kind=OrganKind.COMPETENT,
        level=Level.COUNTY,
        region=world.county,
        parent=world.county_gov,
    )
    staff = staff_create(
        username="market", password="test-pass-123", organ=organ, roles=[Role.HANDLER]
    )
    return organ, staff


def _down_two_levels(world, register):
    """City office (3 March) -> county office (5 March) -> county housing bureau (7 March)."""
    p = register(organ=world.city_po, actor=world.city_clerk, at=local(2025, 3, 3)).petition
    act(p, "transfer", world.city_clerk, date(2025, 3, 5), data={"to_organ_id": world.county_po.pk})
    act(p, "transfer", world.clerk, date(2025, 3, 7), data={"to_organ_id": world.housing.pk})
    return p


def _codes(p):
    return list(
        Deadline.objects.filter(petition=p, code__in=("T1", "T1a", "T3", "T4"))
        .order_by("start_date", "id")
        .values_list("code", "owner_organ_id", "start_date", "due_date", "outcome")
    )


def test_a_transfer_down_two_levels_gives_the_county_office_its_share_of_the_city_s_round(
    world, register
):
    p = _down_two_levels(world, register)
    rows = _codes(p)
    # T1 at the city: 3 March + 15 = 18 March. The county's 4 days from 5 March: 9 March is a
    # Sunday, so 10 March. The housing bureau owes its notice (T3) 15 days from its own receipt.
    assert rows == [
        ("T1", world.city_po.pk, date(2025, 3, 3), date(2025, 3, 18), "met"),
        ("T1a", world.county_po.pk, date(2025, 3, 5), date(2025, 3, 10), "met"),
        ("T3", world.housing.pk, date(2025, 3, 7), date(2025, 3, 24), "open"),
        ("T4", world.housing.pk, date(2025, 3, 7), date(2025, 3, 14), "open"),
    ]
    chain = transfer_chain(petition=p, today=date(2025, 3, 8))
    hops = [(h.kind, h.from_organ, h.to_organ, h.holding.verdict.key) for h in chain["hops"]]
    assert hops == [
        ("dispatch", "东湖市信访局", "青山县信访局", "on_time"),
        ("dispatch", "青山县信访局", "青山县住房和城乡建设局", "on_time"),
    ]
    assert chain["hops"][1].holding.days == 4
    assert (chain["arrived"], chain["elapsed"], chain["late"]) == (date(2025, 3, 7), 4, False)


@override_settings(XINFANG_TRANSFER_SHARES="county=1")
def test_a_county_office_that_sits_past_its_configured_share_is_shown_late(world, register):
    p = _down_two_levels(world, register)  # the county had 1 day (6 March) and sent on the 7th
    chain = transfer_chain(petition=p, today=date(2025, 3, 8))
    county = chain["hops"][1].holding
    assert (county.days, county.due, county.verdict.key) == (1, date(2025, 3, 6), "late")
    assert chain["late"] is True


def test_an_objection_goes_back_to_the_sender_s_worklist_with_a_due_date_and_the_re_route_keeps_the_petitioner_s_notice_whole(
    world, register, market
):
    organ, _staff = market
    p = _down_two_levels(world, register)
    act(p, "object", world.handler, date(2025, 3, 10), reason=REASON)
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("objected", world.county_po.pk)
    # The county office has it back, with a new round from the return (Art. 23 para 3).
    assert p.next_due == date(2025, 3, 25)
    items = worklist_for_user(user=world.clerk).items
    assert p.pk in [x.pk for x in items]
    act(p, "objection_accept", world.clerk, date(2025, 3, 11), reason="同意，改送市场监管局")
    act(p, "transfer", world.clerk, date(2025, 3, 12), data={"to_organ_id": organ.pk})
    notices = [r for r in _codes(p) if r[0] == "T3"]
    assert notices == [
        ("T3", world.housing.pk, date(2025, 3, 7), date(2025, 3, 24), "void"),
        ("T3", organ.pk, date(2025, 3, 12), date(2025, 3, 27), "open"),
    ]
    chain = transfer_chain(petition=p, today=date(2025, 3, 13))
    kinds = [h.kind for h in chain["hops"]]
    assert kinds == ["dispatch", "dispatch", "objection", "objection_accept", "dispatch"]
    objection = chain["hops"][2]
    assert (objection.from_organ, objection.to_organ, objection.reason) == (
        "青山县住房和城乡建设局",
        "青山县信访局",
        REASON,
    )
    assert objection.window_due == date(2025, 3, 14)
    assert chain["rounds"] == 2 and chain["arrived"] == date(2025, 3, 12)


def test_the_petition_page_shows_the_chain_and_the_objection_s_reasons(client, world, register):
    p = _down_two_levels(world, register)
    act(p, "object", world.handler, date(2025, 3, 10), reason=REASON)
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert 'id="chain-panel"' in page
    assert "东湖市信访局" in page and REASON in page
    assert "本级 4 日，至 2025-03-10" in page
    # What the count counts, in plain words (issue 20: "共 2 轮" said nothing of what a round is)
    assert "把材料退回信访部门 1 次" in page and "本件共分流 2 次" in page
    assert (
        "轮"
        not in page[
            page.index('id="chain-panel"') : page.index(
                "</section>", page.index('id="chain-panel"')
            )
        ]
    )


def test_a_petition_that_never_moved_has_no_chain_section(client, world, register):
    p = register(at=local(2025, 3, 3)).petition
    client.force_login(world.clerk)
    assert 'id="chain-panel"' not in client.get(f"/petitions/{p.pk}/").content.decode()


def test_the_accused_organ_never_sees_the_chain_of_an_accusation_against_it(
    client, world, register
):
    """Art. 30 para 3, Art. 46(5): an accusation against the county government goes from the
    city office to the city housing bureau, which objects with reasons naming the matter, and
    back; the accused government's head reaches neither the page nor the chain."""
    p = register(
        organ=world.city_po,
        actor=world.city_clerk,
        at=local(2025, 3, 3),
        title="检举青山县人民政府违规发放补贴",
        category="accusation",
        route=None,
        accused_organ_id=world.county_gov.pk,
    ).petition
    act(
        p,
        "transfer",
        world.city_clerk,
        date(2025, 3, 4),
        data={"to_organ_id": world.city_housing.pk},
    )
    city_housing_staff = staff_create(
        username="cityhousing",
        password="test-pass-123",
        organ=world.city_housing,
        roles=[Role.HANDLER],
    )
    act(p, "object", city_housing_staff, date(2025, 3, 5), reason="违规发放补贴一事不属本局职权")
    p.refresh_from_db()
    accused = world.city_head  # the county government's head
    assert chain_panel_context(petition=p, user=accused) is None
    # the gate's mark on a petition it gave the office is the office's, never the accused's
    from xinfang.petitions.selectors import petition_get_for_user

    seen = petition_get_for_user(user=world.city_clerk, petition_id=p.pk)
    assert chain_panel_context(petition=seen, user=accused) is None
    client.force_login(accused)
    r = client.get(f"/petitions/{p.pk}/")
    assert r.status_code == 404
    assert "违规发放补贴" not in r.content.decode()
    # the office holding it sees the chain
    assert chain_panel_context(petition=p, user=world.city_clerk)["hops"][1].kind == "objection"
