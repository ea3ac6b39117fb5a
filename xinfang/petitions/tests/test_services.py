"""Services with a database: registration, the one writer of state, dates and refusals."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.deadlines.models import Deadline
from xinfang.petitions.models import AppendOnlyError, Petition, PetitionEvent
from xinfang.petitions.services import (
    AttachmentInput,
    PartyInput,
    petition_act,
    petition_register_many,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
OPINION = {
    "outcome": "not_support",
    "request": "请求拆除",
    "facts": "经查",
    "decision": "不予支持",
    "legal_basis": "《某条例》",
}


def act(p, action, actor, on, **kw):
    return petition_act(petition_id=p.pk, action=action, actor=actor, at=on, **kw)


def handled(world, register):
    p = register(at=local(2025, 3, 4)).petition
    act(p, "transfer", world.clerk, date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    act(p, "acknowledge", world.handler, date(2025, 3, 10))
    act(p, "start_handling", world.handler, date(2025, 3, 11))
    return Petition.objects.get(pk=p.pk)


def test_registration_writes_the_petition_its_two_events_and_the_t1_deadline(world, register):
    reg = register(at=local(2025, 3, 4))
    p = reg.petition
    assert p.state == "registered"
    assert len(reg.query_password) == 8 and len(p.tracking_code) == 16
    assert list(p.events.values_list("action", "to_state")) == [
        ("receive", "received"),
        ("register", "registered"),
    ]
    t1 = Deadline.objects.get(petition=p)
    # 15 calendar days from 2025-03-03 (start day not counted): 2025-03-18, a Tuesday.
    assert (t1.code, t1.start_date, t1.due_date, t1.owner_organ_id) == (
        "T1",
        date(2025, 3, 3),
        date(2025, 3, 18),
        world.county_po.pk,
    )
    assert p.next_due == date(2025, 3, 18)


def test_bad_registration_is_refused_field_by_field_and_saves_nothing(world, register):
    with pytest.raises(ApplicationError) as e:
        register(title="", content="", region_code="123", channel="pigeon", parties=[])
    f = e.value.fields
    assert {"title", "content", "region_code", "channel", "parties"} <= set(f)
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_a_collective_visit_may_name_at_most_five_representatives(world, register):
    reps = [PartyInput(role="representative", name=f"代表{i}") for i in range(6)]
    with pytest.raises(ApplicationError) as e:
        register(
            is_collective=True,
            head_count=40,
            parties=[PartyInput(role="petitioner", name="李四"), *reps],
        )
    assert "第二十条" in e.value.fields["parties"][0]
    ok = register(
        is_collective=True,
        head_count=40,
        parties=[PartyInput(role="petitioner", name="李四"), *reps[:5]],
    )
    assert ok.petition.parties.count() == 6


def test_an_anonymous_petition_is_registered_without_identity(world, register):
    p = register(is_anonymous=True, parties=[]).petition
    assert p.is_anonymous and p.state == "registered"


def test_an_identity_number_with_a_wrong_check_digit_is_refused(world, register):
    with pytest.raises(ApplicationError) as e:
        register(
            parties=[PartyInput(role="petitioner", name="王五", id_number="110101199003071234")]
        )
    assert "校验位" in e.value.fields["parties[0].id_number"][0]
    register(parties=[PartyInput(role="petitioner", name="王五", id_number="11010119900307803X")])


def test_attachments_are_checked_by_content_not_by_name(world, register):
    with pytest.raises(ApplicationError) as e:
        register(attachments=[AttachmentInput("scan.pdf", b"\x00\x01binary-not-a-pdf")])
    assert "attachments[0]" in e.value.fields
    p = register(attachments=[AttachmentInput("scan.pdf", b"%PDF-1.4 minimal")]).petition
    a = p.attachments.get()
    assert a.content_type == "application/pdf" and a.size == 16


def test_an_attachment_over_the_size_limit_is_refused(world, register, settings):
    settings.XINFANG_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ApplicationError) as e:
        register(attachments=[AttachmentInput("big.txt", b"x" * 11)])
    assert "attachments[0]" in e.value.fields


def test_a_clerk_without_the_registrar_role_cannot_register(world, register):
    with pytest.raises(Forbidden):
        register(actor=world.analyst)


def test_an_illegal_action_is_refused_with_a_clear_message_and_nothing_changes(world, register):
    p = register(at=local(2025, 3, 4)).petition
    with pytest.raises(ApplicationError) as e:
        act(p, "issue_opinion", world.po_head, date(2025, 3, 5), data=OPINION)
    assert e.value.status == 409 and "不能" in e.value.message
    assert Petition.objects.get(pk=p.pk).state == "registered"
    assert p.events.count() == 2


def test_an_event_date_in_the_future_or_before_the_previous_event_is_refused(world, register):
    p = register(at=local(2025, 3, 4)).petition
    with pytest.raises(ApplicationError) as e:
        act(p, "transfer", world.clerk, date(2025, 9, 2), data={"to_organ_id": world.housing.pk})
    assert "at" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        act(p, "transfer", world.clerk, date(2025, 3, 1), data={"to_organ_id": world.housing.pk})
    assert "at" in e.value.fields


def test_only_the_organ_holding_the_petition_may_act(world, register):
    p = register(at=local(2025, 3, 4)).petition
    with pytest.raises(Forbidden):
        act(p, "acknowledge", world.handler, date(2025, 3, 5))


def test_an_objection_after_five_working_days_is_refused(world, register):
    p = register(at=local(2025, 9, 26)).petition
    with time_machine.travel(local(2025, 10, 20), tick=False):
        act(p, "transfer", world.clerk, date(2025, 9, 30), data={"to_organ_id": world.housing.pk})
        # 5 working days after 2025-09-30 across National Day (Oct 1–8 off; Oct 11 Sat works):
        # Oct 9, 10, 11, 13, 14 -> due 2025-10-14.
        t4 = Deadline.objects.get(petition=p, code="T4")
        assert t4.due_date == date(2025, 10, 14)
        with pytest.raises(ApplicationError) as e:
            act(p, "object", world.handler, date(2025, 10, 15), reason="不属本局职权")
        assert "五个工作日" in e.value.fields["at"][0]
        act(p, "object", world.handler, date(2025, 10, 14), reason="不属本局职权")
    p.refresh_from_db()
    assert p.state == "objected" and p.current_organ_id == world.county_po.pk


def test_an_accusation_is_never_transferred_to_the_accused_organ(world, register):
    p = register(
        category="accusation", route=None, accused_organ_id=world.housing.pk, at=local(2025, 3, 4)
    ).petition
    with pytest.raises(ApplicationError) as e:
        act(p, "transfer", world.clerk, date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    assert "第三十条" in e.value.fields["to_organ_id"][0]
    act(
        p,
        "refer_discipline",
        world.clerk,
        date(2025, 3, 5),
        data={"to_organ_id": world.discipline.pk},
    )
    assert Petition.objects.get(pk=p.pk).state == "referred_discipline"


def test_an_extension_is_at_most_thirty_days_once_with_a_reason(world, register):
    p = handled(world, register)
    with pytest.raises(ApplicationError) as e:
        act(p, "extend", world.head, date(2025, 4, 1), reason="", data={"days": 31})
    assert {"reason", "days"} <= set(e.value.fields)
    with pytest.raises(Forbidden):
        act(p, "extend", world.handler, date(2025, 4, 1), reason="需鉴定", data={"days": 30})
    act(p, "extend", world.head, date(2025, 4, 1), reason="需鉴定", data={"days": 30})
    t6 = Deadline.objects.get(petition=p, code="T6")
    # 60 + 30 days from 2025-03-10 is 2025-06-08, a Sunday: it rolls to Monday 2025-06-09.
    assert (t6.extension_days, t6.due_date) == (30, date(2025, 6, 9))
    with pytest.raises(ApplicationError) as e:
        act(p, "extend", world.head, date(2025, 4, 2), reason="再延", data={"days": 5})
    assert "一次" in e.value.message


def test_an_opinion_must_state_request_facts_decision_and_basis(world, register):
    p = handled(world, register)
    with pytest.raises(ApplicationError) as e:
        act(p, "issue_opinion", world.head, date(2025, 4, 1), data={"outcome": "support"})
    assert {"request", "facts", "decision", "legal_basis"} <= set(e.value.fields)
    act(p, "issue_opinion", world.head, date(2025, 4, 1), data=OPINION)
    ev = p.events.get(action="issue_opinion")
    assert "30日内" in ev.data["remedy"] and "青山县人民政府" in ev.data["remedy"]


def test_a_review_request_after_thirty_days_from_delivery_is_refused(world, register):
    p = handled(world, register)
    act(p, "issue_opinion", world.head, date(2025, 4, 1), data=OPINION)
    act(
        p,
        "record_delivery",
        world.handler,
        date(2025, 4, 3),
        data={"method": "post", "signed": "true"},
    )
    t7 = Deadline.objects.get(petition=p, code="T7")
    assert t7.due_date == date(
        2025, 5, 6
    )  # 30 days after 04-03 is Sat 05-03, in the May Day holiday -> Tue 05-06
    with pytest.raises(ApplicationError) as e:
        act(p, "request_review", world.city_head, date(2025, 5, 7))
    assert "第三十五条" in e.value.fields["at"][0]
    act(p, "request_review", world.city_head, date(2025, 5, 6))
    p.refresh_from_db()
    assert (p.state, p.current_organ_id, p.review_organ_id) == (
        "review_requested",
        world.county_gov.pk,
        world.county_gov.pk,
    )


def test_an_unused_review_window_makes_the_opinion_final(world, register):
    p = handled(world, register)
    act(p, "issue_opinion", world.head, date(2025, 4, 1), data=OPINION)
    act(
        p,
        "record_delivery",
        world.handler,
        date(2025, 4, 3),
        data={"method": "in_person", "signed": "true"},
    )
    with pytest.raises(ApplicationError):
        act(p, "expire_window", world.handler, date(2025, 5, 6))
    act(p, "expire_window", world.handler, date(2025, 5, 7))
    assert Petition.objects.get(pk=p.pk).state == "final_no_appeal"


def test_review_redo_sends_it_back_to_the_original_organ_with_a_new_deadline(world, register):
    p = handled(world, register)
    act(p, "issue_opinion", world.head, date(2025, 4, 1), data=OPINION)
    act(p, "request_review", world.city_head, date(2025, 4, 10))
    act(
        p,
        "decide_review",
        world.city_head,
        date(2025, 4, 20),
        data={**OPINION, "outcome": "redo", "redo_days": 30},
    )
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("in_handling", world.housing.pk)
    t6 = Deadline.objects.filter(petition=p, code="T6", outcome="open").get()
    assert (t6.start_date, t6.due_date) == (date(2025, 4, 20), date(2025, 5, 20))


def test_a_repeat_of_a_terminated_matter_is_refused_only_with_staff_confirmation(world, register):
    p = handled(world, register)
    act(p, "issue_opinion", world.head, date(2025, 4, 1), data=OPINION)
    act(p, "request_review", world.city_head, date(2025, 4, 10))
    act(
        p,
        "decide_review",
        world.city_head,
        date(2025, 4, 20),
        data={**OPINION, "outcome": "uphold"},
    )
    act(
        p,
        "record_delivery",
        world.city_head,
        date(2025, 4, 22),
        data={"method": "post", "signed": "true"},
    )
    act(p, "request_re_review", world.prov_head, date(2025, 5, 6))
    act(p, "decide_re_review", world.prov_head, date(2025, 5, 30), data=OPINION)
    again = register(
        repeat_of_id=p.pk, received_at=local(2025, 7, 1), at=local(2025, 7, 1)
    ).petition
    with pytest.raises(ApplicationError) as e:
        act(
            again,
            "not_accept",
            world.clerk,
            date(2025, 7, 2),
            reason="同一事项",
            data={"ground": "same_facts_after_re_review"},
        )
    assert "confirmed" in e.value.fields
    act(
        again,
        "not_accept",
        world.clerk,
        date(2025, 7, 2),
        reason="同一事项",
        data={"ground": "same_facts_after_re_review", "confirmed": True},
    )
    assert Petition.objects.get(pk=again.pk).state == "not_accepted"
    fresh = register(received_at=local(2025, 7, 1), at=local(2025, 7, 1)).petition
    with pytest.raises(ApplicationError) as e:
        act(
            fresh,
            "not_accept",
            world.clerk,
            date(2025, 7, 2),
            reason="x",
            data={"ground": "same_facts_after_re_review", "confirmed": True},
        )
    assert "第三十六条" in e.value.fields["ground"][0]


def test_events_are_append_only(world, register):
    p = register().petition
    ev = p.events.first()
    ev.reason = "改写"
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(AppendOnlyError):
        ev.delete()


def test_a_holiday_override_recomputes_open_deadlines(world, register):
    from xinfang.deadlines.services import holiday_override_set

    p = register(received_at=local(2025, 3, 3), at=local(2025, 3, 4)).petition
    assert Deadline.objects.get(petition=p).due_date == date(2025, 3, 18)
    n = holiday_override_set(on=date(2025, 3, 18), is_working_day=False, note="地方假日")
    assert n == 1
    assert Deadline.objects.get(petition=p).due_date == date(2025, 3, 19)
    assert Petition.objects.get(pk=p.pk).next_due == date(2025, 3, 19)


def test_bulk_registration_writes_the_same_rows_as_single_registration(world, register):
    from xinfang.petitions.services import PetitionInput

    item = PetitionInput(
        channel="online",
        title="道路破损",
        content="某路段破损严重。",
        region_code="990102",
        received_at=local(2025, 3, 3),
        parties=[PartyInput(role="petitioner", name="赵六")],
    )
    regs = petition_register_many(items=[item, item], organ=world.county_po, actor=world.clerk)
    for r in regs:
        p = Petition.objects.get(pk=r.petition.pk)
        assert p.state == "registered" and p.next_due == date(2025, 3, 18)
        assert p.events.count() == 2 and p.deadlines.count() == 1 and p.parties.count() == 1
    with pytest.raises(ApplicationError) as e:
        petition_register_many(
            items=[item, PetitionInput(channel="x", title="", content="", region_code="")],
            organ=world.county_po,
            actor=world.clerk,
        )
    assert "items[1]" in e.value.fields
    assert Petition.objects.count() == 2


def test_a_city_office_transfers_down_to_the_county_office_which_routes_it_on(world, register):
    p = register(organ=world.city_po, actor=world.city_clerk, at=local(2025, 3, 4)).petition
    act(p, "transfer", world.city_clerk, date(2025, 3, 5), data={"to_organ_id": world.county_po.pk})
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("transferred", world.county_po.pk)
    # the county office now owes routing within its share of the city's 15 days (T1a: county
    # 4 days from 5 March; the round ends on 19 March), not an acceptance notice
    open_rows = list(
        Deadline.objects.filter(petition=p, outcome="open").values_list("code", "due_date")
    )
    assert open_rows == [("T1a", date(2025, 3, 10))]
    with pytest.raises(ApplicationError):
        act(p, "acknowledge", world.clerk, date(2025, 3, 6))
    act(p, "transfer", world.clerk, date(2025, 3, 6), data={"to_organ_id": world.housing.pk})
    act(p, "acknowledge", world.handler, date(2025, 3, 7))
    assert Petition.objects.get(pk=p.pk).state == "acknowledged"
