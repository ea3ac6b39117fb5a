"""The state-machine defects of issue 10 §2, each through the services as a user meets it, each
refusal with the article that grounds it.

Dates: the petition reaches the county petition office on Fri 2025-08-01 and is transferred to
the county housing bureau on Sun 2025-08-03 (T3: 15 days, due Mon 2025-08-18).
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import local
from tests.flows import OPINION, act, opinion_delivered, review_decided
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _late_summer():  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2025, 8, 28), tick=False):
        yield


def _rows(p, code):  # type: ignore[no-untyped-def]
    return list(Deadline.objects.filter(petition=p, code=code).order_by("start_date", "id"))


def _transferred(world, register, **over):  # type: ignore[no-untyped-def]
    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2), **over).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    return p


# --- 1. Art. 33: mediation only in 申诉求决类 matters -------------------------------------------


def test_an_accusation_cannot_be_settled_by_mediation_art_33(world, register):
    p = _transferred(world, register, category="accusation", route=None)
    act(world, p, "acknowledge", world.head, (2025, 8, 5))
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    with pytest.raises(ApplicationError) as e:
        act(world, p, "settle", world.head, (2025, 8, 20), agreement="mediation", summary="和解")
    assert e.value.code == "guard_refused"
    assert "第三十三条" in e.value.message and "申诉求决类" in e.value.message
    p.refresh_from_db()
    assert p.state == "in_handling"
    assert "settle" not in _offered(world, p)


def test_an_appeal_may_still_be_settled_by_mediation_art_33(world, register):
    p = _transferred(world, register)
    act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    assert "settle" in _offered(world, p)
    act(
        world, p, "settle", world.head, (2025, 8, 20), agreement="mediation", summary="双方达成调解"
    )
    p.refresh_from_db()
    assert p.state == "settled"


def _offered(world, p):  # type: ignore[no-untyped-def]
    from xinfang.petitions.selectors import petition_actions_for_user

    return petition_actions_for_user(user=world.head, petition=Petition.objects.get(pk=p.pk))


# --- 2. Art. 23 para 3: one objection; after its rejection the item stays -------------------


def test_a_second_objection_after_the_office_rejected_the_first_is_refused_art_23(world, register):
    p = _transferred(world, register)
    act(world, p, "object", world.handler, (2025, 8, 5), "不属本局职权")
    act(world, p, "objection_reject", world.po_head, (2025, 8, 6), "属住建局职权")
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("transferred", world.housing.pk)
    with pytest.raises(ApplicationError) as e:
        act(world, p, "object", world.handler, (2025, 8, 7), "仍不属本局职权")
    assert e.value.code == "guard_refused" and "第二十三条第三款" in e.value.message
    assert "object" not in _offered(world, p)


def test_the_notice_period_keeps_running_from_the_transfer_after_a_rejected_objection_art_23(
    world, register
):
    p = _transferred(world, register)
    act(world, p, "object", world.handler, (2025, 8, 5), "不属本局职权")
    act(world, p, "objection_reject", world.po_head, (2025, 8, 6), "属住建局职权")
    t3 = _rows(p, "T3")
    assert [(d.start_date, d.due_date, d.outcome) for d in t3] == [
        (date(2025, 8, 3), date(2025, 8, 18), "open")
    ]
    assert [d.outcome for d in _rows(p, "T4")] == ["met"]  # no second objection window
    p.refresh_from_db()
    assert p.next_due == date(2025, 8, 18)


def test_an_upheld_objection_and_a_new_transfer_leave_the_next_organ_its_own_objection_art_23(
    world, register
):
    p = _transferred(world, register)
    act(world, p, "object", world.handler, (2025, 8, 5), "不属本局职权")
    act(world, p, "objection_accept", world.po_head, (2025, 8, 6), "同意")
    act(world, p, "transfer", world.clerk, (2025, 8, 7), to_organ_id=world.housing.pk)
    act(world, p, "object", world.handler, (2025, 8, 8), "材料不全，仍不属本局职权")
    p.refresh_from_db()
    assert p.state == "objected"


# --- 4. Arts. 35, 36: a delivery is recordable whatever step follows ------------------------


def _opinion_issued_not_delivered(world, register):  # type: ignore[no-untyped-def]
    p = _transferred(world, register)
    act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    act(world, p, "issue_opinion", world.head, (2025, 8, 20), **OPINION)
    return p


def test_an_opinions_delivery_is_recorded_after_the_petitioner_already_asked_for_review_art_35(
    world, register
):
    p = _opinion_issued_not_delivered(world, register)
    act(world, p, "request_review", world.city_head, (2025, 8, 22), "不服")
    act(world, p, "record_delivery", world.city_head, (2025, 8, 23), method="post", signed="true")
    p.refresh_from_db()
    assert (p.state, p.delivery_pending) == ("review_requested", "")
    ev = p.events.get(action="record_delivery")
    assert ev.data["document"] == "opinion" and ev.occurred_at.date() == date(2025, 8, 23)
    assert _rows(p, "T7") == []  # the window was used before the receipt was recorded


def test_a_review_opinion_does_not_overwrite_an_opinion_still_awaiting_its_delivery_art_35_36(
    world, register
):
    p = _opinion_issued_not_delivered(world, register)
    act(world, p, "request_review", world.city_head, (2025, 8, 22), "不服")
    act(
        world,
        p,
        "decide_review",
        world.city_head,
        (2025, 8, 26),
        outcome="uphold",
        request="请求撤销处理意见",
        facts="复查核实",
        decision="维持",
        legal_basis="第三十五条",
    )
    p.refresh_from_db()
    assert p.delivery_pending.split() == ["opinion", "review_opinion"]
    act(world, p, "record_delivery", world.city_head, (2025, 8, 27), method="post", signed="true")
    act(
        world,
        p,
        "record_delivery",
        world.city_head,
        (2025, 8, 27),
        method="in_person",
        signed="true",
        document="review_opinion",
    )
    p.refresh_from_db()
    assert p.delivery_pending == ""
    docs = list(p.events.filter(action="record_delivery").values_list("data__document", flat=True))
    assert docs == ["opinion", "review_opinion"]
    t9 = _rows(p, "T9")
    assert [(d.start_date, d.outcome) for d in t9] == [(date(2025, 8, 27), "open")]


def test_a_delivery_of_a_document_that_is_not_pending_is_refused(world, register):
    p = _opinion_issued_not_delivered(world, register)
    with pytest.raises(ApplicationError) as e:
        act(
            world,
            p,
            "record_delivery",
            world.head,
            (2025, 8, 21),
            method="post",
            signed="true",
            document="review_opinion",
        )
    assert "document" in e.value.fields


# --- 5. Art. 34: T6 runs from acceptance, so it may be extended from then ------------------


def test_the_handling_period_can_be_extended_right_after_acceptance_art_34(world, register):
    p = _transferred(world, register)
    act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    (t6,) = _rows(p, "T6")
    assert t6.due_date == date(2025, 10, 9)  # 60 days from 08-05 fall on 10-04, in the break
    act(world, p, "extend", world.head, (2025, 8, 6), "需要委托鉴定", days=10)
    p.refresh_from_db()
    (t6,) = _rows(p, "T6")
    assert (p.state, p.extended, t6.extension_days) == ("acknowledged", True, 10)
    assert t6.due_date == date(2025, 10, 14)


# --- 6. Art. 23: nobody to notify of an anonymous item ------------------------------------


def test_an_anonymous_item_transferred_to_an_organ_starts_no_notice_period_art_23(world, register):
    p = _transferred(world, register, is_anonymous=True, parties=[])
    assert _rows(p, "T3") == []
    assert [d.outcome for d in _rows(p, "T4")] == ["open"]  # the organ may still object


def test_a_named_item_transferred_to_an_organ_starts_the_notice_period_art_23(world, register):
    p = _transferred(world, register)
    assert [(d.start_date, d.due_date) for d in _rows(p, "T3")] == [
        (date(2025, 8, 3), date(2025, 8, 18))
    ]


# --- 7. Art. 22(3): the report date the assigning office set is kept as set ---------------


def test_a_report_date_set_on_a_saturday_stays_on_that_saturday_art_22(world, register):
    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    act(
        world,
        p,
        "assign",
        world.clerk,
        (2025, 8, 3),
        to_organ_id=world.housing.pk,
        report_due="2025-08-16",
    )
    (t5,) = _rows(p, "T5")
    assert date(2025, 8, 16).isoweekday() == 6
    assert t5.due_date == date(2025, 8, 16)


# --- 3. Art. 36 para 3: a matter ended by re-review is not accepted again on the same facts --


def _terminated(world, register):  # type: ignore[no-untyped-def]
    """The matter of tests/flows.py, taken through review and re-review to its end (终结)."""
    with time_machine.travel(local(2025, 10, 20), tick=False):
        p = opinion_delivered(world, register)
        act(world, p, "request_review", world.city_head, (2025, 9, 5))
        review_decided(world, p)
        act(world, p, "request_re_review", world.prov_head, (2025, 9, 15))
        act(world, p, "decide_re_review", world.prov_head, (2025, 10, 10), **OPINION)
    p.refresh_from_db()
    assert p.state == "terminated"
    return p


@pytest.fixture
def repeat(world, register):  # type: ignore[no-untyped-def]
    """The petitioner comes again to the city petition office, which sees the earlier file (the
    city government decided the re-review)."""
    prior = _terminated(world, register)
    with time_machine.travel(local(2025, 11, 3), tick=False):
        return register(
            organ=world.city_po,
            actor=world.city_clerk,
            received_at=local(2025, 11, 3),
            at=local(2025, 11, 3),
            repeat_of_id=prior.pk,
        ).petition


def test_a_petition_repeating_a_matter_ended_by_re_review_is_not_transferred_unasked_art_36(
    world, repeat
):
    with time_machine.travel(local(2025, 11, 4), tick=False):
        with pytest.raises(ApplicationError) as e:
            act(world, repeat, "transfer", world.city_clerk, (2025, 11, 4),
                to_organ_id=world.housing.pk)
        assert "第三十六条第三款" in e.value.fields["new_facts"][0]
        assert "2025-10-10" in e.value.fields["new_facts"][0]
        assert not _rows(repeat, "T3")
        # A person who finds new facts or reasons decides to go on; the event records it.
        act(world, repeat, "transfer", world.city_clerk, (2025, 11, 4),
            to_organ_id=world.housing.pk, new_facts="on")
    repeat.refresh_from_db()
    assert repeat.state == "transferred"
    assert repeat.events.get(action="transfer").data["new_facts"] is True


def test_a_petition_repeating_a_matter_ended_by_re_review_may_be_refused_on_that_ground_art_36(
    world, repeat
):
    with time_machine.travel(local(2025, 11, 4), tick=False):
        act(world, repeat, "not_accept", world.city_clerk, (2025, 11, 4), "同一事实和理由",
            ground="same_facts_after_re_review", confirmed=True)
    repeat.refresh_from_db()
    assert repeat.state == "not_accepted"


def test_the_petition_page_shows_the_earlier_matters_state_and_the_art_36_prompt(
    client, world, repeat
):
    from xinfang.petitions.selectors import petition_detail_for_user

    with time_machine.travel(local(2025, 11, 4), tick=False):
        d = petition_detail_for_user(user=world.city_clerk, petition_id=repeat.pk)
        assert [(x["earlier"], x["state"]) for x in d["linked"]] == [(True, "terminated")]
        assert d["art36_prior"] == {
            "terminated_on": date(2025, 10, 10),
            "id": repeat.repeat_of_id,
            "title": repeat.repeat_of.title,
        }
        client.force_login(world.city_clerk)
        html = client.get(f"/petitions/{repeat.pk}/").content.decode()
    assert "所关联的前件已于 2025-10-10 复核终结" in html and "第三十六条第三款" in html
    assert "复核终结" in html.split("同一事项的其他信访")[1]  # the linked list names its state
    assert 'name="new_facts"' in html


def test_a_petition_linked_to_a_matter_still_open_needs_no_confirmation(world, register):
    with time_machine.travel(local(2025, 8, 28), tick=False):
        prior = opinion_delivered(world, register)
        p = register(received_at=local(2025, 8, 27), at=local(2025, 8, 27),
                     repeat_of_id=prior.pk).petition
        act(world, p, "transfer", world.clerk, (2025, 8, 28), to_organ_id=world.housing.pk)
    p.refresh_from_db()
    assert p.state == "transferred" and "new_facts" not in p.events.get(action="transfer").data
