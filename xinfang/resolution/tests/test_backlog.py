"""Backlog cases (积案化解): proposed by a criterion, confirmed or rejected by a person, a plan,
milestones, progress and a close-out; the petition's ``backlog`` flag follows the case."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden, NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def criteria(db):
    from xinfang.resolution.models import BacklogCriterion

    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="open_days", threshold=90)
    BacklogCriterion.objects.create(kind="repeats", threshold=3)


@pytest.fixture
def proposed(held, criteria):
    from xinfang.resolution.models import BacklogCase
    from xinfang.resolution.services import backlog_propose_due

    backlog_propose_due(now=local(2025, 12, 1))  # 91 days after registration
    return BacklogCase.objects.get(petition=held)


def test_a_petition_open_past_the_threshold_is_proposed_once(held, criteria):
    from xinfang.resolution.models import BacklogCase
    from xinfang.resolution.services import backlog_propose_due

    assert backlog_propose_due(now=local(2025, 11, 30)) == {"proposed": 0}  # day 90
    assert backlog_propose_due(now=local(2025, 12, 1)) == {"proposed": 1}
    assert backlog_propose_due(now=local(2025, 12, 2)) == {"proposed": 0}  # run again: no double
    case = BacklogCase.objects.get(petition=held)
    assert case.status == "proposed" and case.organ_id == held.current_organ_id
    assert "91" in case.proposed_reason and case.proposed_on == date(2025, 12, 1)
    held.refresh_from_db()
    assert not held.backlog  # a proposal is not yet a backlog case


def test_an_inactive_criterion_proposes_nothing(held, criteria):
    from xinfang.resolution.models import BacklogCriterion
    from xinfang.resolution.services import backlog_propose_due

    BacklogCriterion.objects.update(is_active=False)
    assert backlog_propose_due(now=local(2026, 6, 1)) == {"proposed": 0}


def test_a_proposal_a_person_rejects_is_not_proposed_again(world, proposed):
    from xinfang.resolution.models import BacklogCase
    from xinfang.resolution.services import backlog_decide, backlog_propose_due

    with pytest.raises(ApplicationError) as e:
        backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=False)
    assert "note" in e.value.fields  # a rejection gives its reason
    backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=False, note="已按期办理中")
    assert backlog_propose_due(now=local(2025, 12, 5)) == {"proposed": 0}
    assert BacklogCase.objects.get().status == "rejected"


def test_a_confirmed_case_flags_the_petition_and_names_its_leader(world, held, proposed):
    from xinfang.petitions.models import PetitionEvent
    from xinfang.resolution.services import backlog_decide

    with pytest.raises(ApplicationError) as e:
        backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=True)
    assert "leader" in e.value.fields  # Art. 18 para 2: a leader in charge
    case = backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=True, leader="王副县长")
    assert case.status == "open" and case.leader == "王副县长"
    held.refresh_from_db()
    assert held.backlog
    ev = PetitionEvent.objects.filter(petition=held, action="flag").last()
    assert ev.data == {"flag": "backlog", "on": True, "basis": ev.data["basis"]}
    with pytest.raises(ApplicationError):  # decided once
        backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=False, note="x")


def test_a_case_is_worked_off_by_plan_milestones_progress_and_closed(world, held, proposed):
    from xinfang.audit.models import AuditRecord
    from xinfang.resolution.services import (
        backlog_close,
        backlog_decide,
        backlog_milestone_add,
        backlog_milestone_done,
        backlog_plan,
        backlog_progress_add,
    )

    backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=True, leader="王副县长")
    backlog_plan(actor=world.head, case_id=proposed.pk, plan="一、核实情况；二、协调补偿。")
    m = backlog_milestone_add(
        actor=world.head, case_id=proposed.pk, title="完成核实", due_on=date(2025, 9, 15)
    )
    backlog_milestone_done(actor=world.head, case_id=proposed.pk, milestone_id=m.pk)
    m.refresh_from_db()
    assert m.done_on == date(2025, 9, 1)
    backlog_progress_add(actor=world.head, case_id=proposed.pk, note="已约见信访人。")
    with pytest.raises(ApplicationError) as e:
        backlog_close(actor=world.head, case_id=proposed.pk, outcome=" ")
    assert "outcome" in e.value.fields
    case = backlog_close(actor=world.head, case_id=proposed.pk, outcome="已达成补偿协议并兑现。")
    assert case.status == "closed" and case.closed_on == date(2025, 9, 1)
    held.refresh_from_db()
    assert not held.backlog
    kinds = set(
        AuditRecord.objects.filter(object_type="backlog_case").values_list("kind", flat=True)
    )
    assert {"backlog.confirm", "backlog.plan", "backlog.close", "backlog.progress"} <= kinds
    with pytest.raises(ApplicationError):  # a closed case takes no more progress
        backlog_progress_add(actor=world.head, case_id=proposed.pk, note="x")


def test_bad_input_is_refused_on_its_field(world, proposed):
    from xinfang.resolution.services import backlog_decide, backlog_milestone_add, backlog_plan

    backlog_decide(actor=world.clerk, case_id=proposed.pk, confirm=True, leader="王副县长")
    with pytest.raises(ApplicationError) as e:
        backlog_plan(actor=world.head, case_id=proposed.pk, plan="a\x00b")
    assert "plan" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        backlog_milestone_add(actor=world.head, case_id=proposed.pk, title="x", due_on=None)
    assert "due_on" in e.value.fields


def test_only_staff_with_the_right_in_scope_work_a_case(world, proposed):
    from xinfang.resolution.services import backlog_decide

    with pytest.raises(Forbidden):  # a handler reads cases but does not decide them
        backlog_decide(actor=world.handler, case_id=proposed.pk, confirm=True, leader="x")
    with pytest.raises(NotFound):  # the city bureau's head is outside the county's cases
        backlog_decide(actor=world.city_head, case_id=proposed.pk + 1000, confirm=True, leader="x")
