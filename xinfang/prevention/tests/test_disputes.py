"""The dispute screening ledger's life cycle: recorded, mediated, closed with its outcome; bad
input refused clearly and nothing half saved; the ledger of an organ and those below it."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.prevention.models import Dispute, DisputeParty, DisputeStep
from xinfang.prevention.selectors import LedgerFilter, dispute_ledger, dispute_monthly_report
from xinfang.prevention.services import (
    PartyInput,
    dispute_close,
    dispute_step_add,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_recorded_dispute_belongs_to_the_cycle_it_was_found_in(town, record):
    d = record(found_on=date(2025, 8, 20))
    assert d.status == "open" and d.cycle == date(2025, 8, 1)
    assert [(p.side, p.name) for p in d.parties.all()] == [
        ("applicant", "赵大"),
        ("respondent", "钱二"),
    ]


def test_a_quarterly_cycle_is_a_setting(town, record, settings):
    settings.XINFANG_SCREENING_CYCLE_MONTHS = 3
    assert record(found_on=date(2025, 8, 20)).cycle == date(2025, 7, 1)


def test_posting_the_same_form_twice_records_one_dispute(town, record):
    a = record(submission="7d3c1c8e-7d0a-4a57-9c39-0a0e1f2b3c4d")
    b = record(submission="7d3c1c8e-7d0a-4a57-9c39-0a0e1f2b3c4d")
    assert a.pk == b.pk and Dispute.objects.count() == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"place": "  "}, "place"),
        ({"summary": ""}, "summary"),
        ({"responsible": ""}, "responsible"),
        ({"found_on": date(2025, 9, 2)}, "found_on"),
        ({"parties": []}, "parties"),
        ({"parties": [PartyInput(side="applicant", name="", asks="要求赔偿")]}, "parties"),
        ({"parties": [PartyInput(side="boss", name="赵大")]}, "parties"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(town, record, over, field):
    with pytest.raises(ApplicationError) as e:
        record(**over)
    assert e.value.status == 400 and field in e.value.fields
    assert Dispute.objects.count() == 0 and DisputeParty.objects.count() == 0


@pytest.mark.parametrize("value", ["地点\x00", "长" * 201])
def test_nul_bytes_and_overlong_text_are_a_clear_400(town, record, value):
    with pytest.raises(ApplicationError) as e:
        record(place=value)
    assert e.value.status == 400 and Dispute.objects.count() == 0


def test_only_recording_roles_in_scope_record(town, record, world):
    with pytest.raises(Forbidden):
        record(actor=town.leader)  # leaders read and decide; they do not keep the ledger
    with pytest.raises(NotFound):
        record(actor=world.handler)  # the housing bureau's staff: not their organ's ledger
    with pytest.raises(NotFound):
        record(actor=town.analyst)
    assert Dispute.objects.count() == 0


def test_a_mediation_step_makes_the_entry_mediating(town, record):
    d = record()
    dispute_step_add(
        actor=town.clerk,
        dispute_id=d.pk,
        kind="mediation",
        on=date(2025, 8, 25),
        note="组织双方到村委会调解",
    )
    d.refresh_from_db()
    assert d.status == "mediating" and d.steps.count() == 1


def test_a_step_before_the_dispute_was_found_or_in_the_future_is_refused(town, record):
    d = record(found_on=date(2025, 8, 20))
    for on in (date(2025, 8, 19), date(2025, 9, 2)):
        with pytest.raises(ApplicationError) as e:
            dispute_step_add(actor=town.clerk, dispute_id=d.pk, kind="visit", on=on, note="走访")
        assert "on" in e.value.fields
    assert DisputeStep.objects.count() == 0


def test_settled_closes_the_entry_and_it_takes_no_more_steps(town, record):
    d = record()
    dispute_close(
        actor=town.clerk, dispute_id=d.pk, outcome="settled", on=date(2025, 8, 30), note="达成协议"
    )
    d.refresh_from_db()
    assert (d.status, d.outcome, d.closed_on) == ("settled", "settled", date(2025, 8, 30))
    with pytest.raises(ApplicationError) as e:
        dispute_step_add(
            actor=town.clerk, dispute_id=d.pk, kind="visit", on=date(2025, 8, 31), note="回访"
        )
    assert e.value.status == 409
    with pytest.raises(ApplicationError) as e:
        dispute_close(
            actor=town.clerk,
            dispute_id=d.pk,
            outcome="court",
            on=date(2025, 8, 31),
            referred_to="青山县人民法院",
        )
    assert e.value.status == 409
    d.refresh_from_db()
    assert d.outcome == "settled" and d.referred_to == ""


def test_a_referral_names_where_the_matter_went(town, record):
    d = record()
    with pytest.raises(ApplicationError) as e:
        dispute_close(actor=town.clerk, dispute_id=d.pk, outcome="court", on=date(2025, 8, 30))
    assert "referred_to" in e.value.fields
    d.refresh_from_db()
    assert d.status == "open"  # nothing half saved
    dispute_close(
        actor=town.clerk,
        dispute_id=d.pk,
        outcome="arbitration",
        on=date(2025, 8, 30),
        referred_to="青山县劳动人事争议仲裁委员会",
    )
    d.refresh_from_db()
    assert d.status == "referred" and d.referred_to.startswith("青山县劳动")


def test_a_dispute_turned_into_a_petition_keeps_the_link(town, record, register, world):
    from xinfang.core.ids import format_tracking_code

    p = register(
        title="承包地边界争议", received_at=local(2025, 8, 28), at=local(2025, 8, 28)
    ).petition
    d = record()
    with pytest.raises(
        ApplicationError
    ) as e:  # the township cannot see the county office's petition
        dispute_close(
            actor=town.clerk,
            dispute_id=d.pk,
            outcome="petition",
            on=date(2025, 8, 30),
            tracking_code=p.tracking_code,
        )
    assert "tracking_code" in e.value.fields
    # The county government's head sees both (the petition is at the county petition office,
    # in the county's region: not in the county government's subtree, so it is moved there).
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action

    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": town.organ.pk},
    )
    dispute_close(
        actor=town.clerk,
        dispute_id=d.pk,
        outcome="petition",
        on=date(2025, 8, 30),
        tracking_code=format_tracking_code(p.tracking_code).lower(),
    )
    d.refresh_from_db()
    assert d.status == "petition" and d.petition_id == p.pk
    assert list(p.disputes.all()) == [d]


def test_the_county_ledger_rolls_up_its_townships_and_a_township_sees_only_its_own(
    town, record, world
):
    from xinfang.directory.services import staff_create

    record()
    record(kind="wages")
    other_clerk = staff_create(
        username="otherclerk", password="test-pass-123", organ=town.other, roles=["registrar"]
    )
    record(actor=other_clerk, organ=town.other, kind="neighbours")
    county = dispute_ledger(user=town.county_head)
    assert county.total == 3
    assert {r.organ: r.total for r in county.by_organ} == {"青山镇人民政府": 2, "白水乡人民政府": 1}
    assert dispute_ledger(user=town.clerk).total == 2
    assert dispute_ledger(user=other_clerk).total == 1
    # the county petition office sees its region's ledgers; the housing bureau sees none
    assert dispute_ledger(user=world.po_head).total == 3
    assert dispute_ledger(user=world.head).total == 0
    assert dispute_ledger(user=town.analyst).total == 0
    assert dispute_ledger(user=town.clerk, flt=LedgerFilter(kind="wages")).total == 1
    assert dispute_ledger(user=town.clerk, flt=LedgerFilter(cycle=date(2025, 7, 1))).total == 0


def test_the_ledger_pages_by_keyset(town, record, monkeypatch):
    from xinfang.prevention.selectors import disputes as sel

    monkeypatch.setattr(sel, "PAGE_SIZE", 2)
    ids = [record().pk for _ in range(5)]
    first = dispute_ledger(user=town.clerk)
    second = dispute_ledger(user=town.clerk, cursor=first.next_cursor)
    third = dispute_ledger(user=town.clerk, cursor=second.next_cursor)
    seen = [d.pk for page in (first, second, third) for d in page.rows]
    assert seen == sorted(ids, reverse=True) and third.next_cursor is None


def test_the_monthly_report_counts_the_cycle_and_what_earlier_cycles_left_open(town, record):
    record(found_on=date(2025, 7, 10))
    b = record(found_on=date(2025, 8, 5), kind="wages")
    record(found_on=date(2025, 8, 6), kind="wages")
    dispute_close(actor=town.clerk, dispute_id=b.pk, outcome="settled", on=date(2025, 8, 20))
    rep = dispute_monthly_report(user=town.clerk, cycle=date(2025, 8, 1))
    assert rep.found == 2 and rep.carried_open == 1
    assert rep.by_kind == [("劳资欠薪", 2)]
    assert rep.closed_in_cycle == {"settled": 1} and rep.settled_share == 1.0
