"""The escalation ladder on every deadline, run by ``xinfang tick``: each step once."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _notice_steps(n):
    from xinfang.resolution.models import Escalation

    return list(
        Escalation.objects.filter(notice=n)
        .order_by("pk")
        .values_list("step", "to_organ_id", "fired_on")
    )


def test_the_ladder_on_a_notice_fires_each_step_once_however_often_tick_runs(world, issue):
    from xinfang.resolution.services import escalate

    n = issue()  # 2025-09-01, reply due 2025-10-01
    escalate(now=local(2025, 9, 24))
    assert _notice_steps(n) == []
    for _ in range(2):
        escalate(now=local(2025, 9, 25))
    assert _notice_steps(n) == [("warn", world.housing.pk, date(2025, 9, 25))]
    for _ in range(2):
        escalate(now=local(2025, 10, 1))  # the due day: not overdue yet
        escalate(now=local(2025, 10, 2))
    assert [s[0] for s in _notice_steps(n)] == ["warn", "head"]
    for _ in range(2):
        escalate(now=local(2025, 10, 7))
    assert _notice_steps(n) == [
        ("warn", world.housing.pk, date(2025, 9, 25)),
        ("head", world.housing.pk, date(2025, 10, 2)),
        # the county office's notice goes up to the city office
        ("higher", world.city_po.pk, date(2025, 10, 7)),
    ]


def test_a_tick_that_missed_days_records_every_step_still_true_once(world, issue):
    from xinfang.resolution.services import escalate

    n = issue()
    escalate(now=local(2025, 12, 1))
    escalate(now=local(2025, 12, 1, 11))
    # the pre-deadline warning is not sent after the deadline (walker finding 9)
    assert [s[0] for s in _notice_steps(n)] == ["head", "higher"]


def test_a_ladder_first_run_after_the_due_day_tells_the_head_without_a_late_warning(world, held):
    """T4 due 2026-12-02, the tick first runs on 2026-12-07: the organ's head is told it is
    overdue (Art. 40); no "warning before the deadline" dated five days after it."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate

    d = Deadline.objects.create(
        petition=held,
        code="T4",
        owner_organ=world.housing,
        start_date=date(2026, 10, 3),
        due_date=date(2026, 12, 2),
    )
    for hour in (10, 11):  # ticks repeat: each step once
        escalate(now=local(2026, 12, 7, hour))
    rows = list(
        Escalation.objects.filter(deadline=d).values_list("step", "to_organ_id", "fired_on")
    )
    assert rows == [("head", world.housing.pk, date(2026, 12, 7))]
    escalate(now=local(2026, 12, 8))
    escalate(now=local(2026, 12, 8, 12))
    assert sorted(Escalation.objects.filter(deadline=d).values_list("step", flat=True)) == [
        "head",
        "higher",
    ]


def test_a_replied_notice_climbs_no_further(world, issue):
    from xinfang.resolution.services import escalate, supervision_reply

    n = issue()
    escalate(now=local(2025, 9, 26))
    supervision_reply(actor=world.head, notice_id=n.pk, reply="已办理。")
    escalate(now=local(2025, 12, 1))
    assert [s[0] for s in _notice_steps(n)] == ["warn"]


def test_the_ladder_climbs_a_petition_deadline_and_a_paused_one_waits(world, held):
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate

    d = Deadline.objects.filter(petition=held, outcome="open", owner_organ=world.housing).first()
    assert d is not None  # T3: housing must tell the petitioner whether it accepts
    escalate(now=local(2026, 6, 1))
    escalate(now=local(2026, 6, 1, 12))
    rows = list(
        Escalation.objects.filter(deadline=d).order_by("pk").values_list("step", "to_organ_id")
    )
    assert rows == [
        ("head", world.housing.pk),
        ("higher", world.city_po.pk),
    ]
    other = Deadline.objects.create(
        petition=held,
        code="T10",
        owner_organ=world.housing,
        start_date=date(2025, 9, 1),
        due_date=date(2025, 10, 1),
        paused=True,
    )
    escalate(now=local(2026, 6, 2))
    assert not Escalation.objects.filter(deadline=other).exists()


def test_the_tick_job_is_registered_and_reports_what_it_did(world, issue):
    from xinfang.core import periodic
    from xinfang.ops.services import jobs_discover

    jobs_discover()
    job = {j.name: j for j in periodic.periodic_jobs()}["resolution.escalate"]
    issue()
    first = job.run(now=local(2025, 10, 2))  # the day after the reply date: no late warning
    assert "notice_warn" not in first and first["notice_head"] == 1
    second = job.run(now=local(2025, 10, 2, 11))
    assert second.get("notice_warn", 0) == 0 and second.get("notice_head", 0) == 0


def test_the_share_and_the_days_are_settings(settings, world, issue):
    from xinfang.resolution.services import escalate

    settings.XINFANG_ESCALATION_WARN_PERCENT = 50
    settings.XINFANG_ESCALATION_HIGHER_DAYS = 0
    n = issue()
    escalate(now=local(2025, 9, 16))  # half of 30 days
    assert [s[0] for s in _notice_steps(n)] == ["warn"]
    escalate(now=local(2025, 10, 2))
    assert [s[0] for s in _notice_steps(n)] == ["warn", "head", "higher"]


def test_the_ladder_s_records_survive_every_step_and_no_rung_is_sent_twice(world, held):
    """Every step folds the petition's deadlines again; the rows keep their identity while the
    duty is the same, so the records of the ladder (the head told, the office above told:
    Art. 40 supervision) stay, and the next hour sends no rung again (fix3, tick item 4)."""
    from xinfang.deadlines.models import Deadline
    from xinfang.petitions.services import deadline_recompute, petition_act
    from xinfang.petitions.workflow import Action
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate

    def records():
        return sorted(
            Escalation.objects.filter(deadline__petition=held).values_list(
                "deadline__code", "deadline_id", "step", "to_organ_id", "fired_on"
            )
        )

    escalate(now=local(2026, 6, 1))
    before = records()
    assert {(c, s) for c, _d, s, _o, _f in before} >= {("T3", "head"), ("T3", "higher")}
    assert len(before) >= 4

    deadline_recompute(petition=held)  # what every step does, alone
    assert records() == before
    escalate(now=local(2026, 6, 1, 13))
    assert records() == before  # nothing sent again

    # A real step: housing acknowledges; T3 is met (its records stay, as history), T4 void.
    petition_act(
        petition_id=held.pk,
        action=Action.ACKNOWLEDGE,
        actor=world.handler,
        data={"category": "appeal", "route": 6},
    )
    assert records() == before
    t3 = Deadline.objects.get(pk=next(d for c, d, *_ in before if c == "T3"))
    assert t3.outcome == "met"
    escalate(now=local(2026, 6, 2))
    assert [r for r in records() if r[0] == "T3"] == [r for r in before if r[0] == "T3"]


def test_the_ladder_s_records_survive_a_calendar_change_that_moves_the_due_dates(world, held):
    """A holiday override folds again every petition whose open deadline counted the day: the
    rows move their due dates in place and keep the ladder's records (fix3)."""
    from xinfang.deadlines.models import Deadline
    from xinfang.deadlines.services import holiday_override_set
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate

    def records():
        return sorted(
            Escalation.objects.filter(deadline__petition=held).values_list(
                "deadline_id", "step", "fired_on"
            )
        )

    escalate(now=local(2026, 6, 1))
    before = records()
    assert len(before) >= 4
    dues = dict(Deadline.objects.filter(petition=held).values_list("pk", "due_date"))
    assert holiday_override_set(on=date(2025, 9, 3), is_working_day=False) == 1
    after = dict(Deadline.objects.filter(petition=held).values_list("pk", "due_date"))
    assert after.keys() == dues.keys()  # the same rows
    assert any(after[k] > dues[k] for k in dues)  # a working day fewer: a due date moved
    assert records() == before
    escalate(now=local(2026, 6, 1, 13))
    assert records() == before


def test_a_step_s_record_outlives_a_duty_the_fold_no_longer_has(world, held, client, monkeypatch):
    """A fold that no longer has a duty at all (a rule or a policy of the fold changed) deletes
    its row; the ladder's records on it stay, keyed by the duty (petition, limit, start): who
    was told, when, of which due date (Arts. 40, 43, 45), still on the escalations page and in
    its 台账. Planted fault: ``on_delete=CASCADE`` on ``Escalation.deadline`` - the records go."""
    from xinfang.deadlines.models import Deadline
    from xinfang.petitions.services import deadline_recompute
    from xinfang.petitions.services import deadlines as fold
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services import escalate

    escalate(now=local(2026, 6, 1))
    t3 = Deadline.objects.get(petition=held, code="T3")

    def told():
        return sorted(
            Escalation.objects.filter(petition=held, code="T3").values_list(
                "step", "to_organ_id", "due_date", "fired_on", "start_date"
            )
        )

    before = told()
    assert {s for s, *_ in before} >= {"head", "higher"}
    assert all(start == t3.start_date for *_, start in before)

    real = fold.deadline_facts
    monkeypatch.setattr(
        fold, "deadline_facts", lambda *a, **k: [f for f in real(*a, **k) if f.code != "T3"]
    )
    deadline_recompute(petition=held)
    assert not Deadline.objects.filter(pk=t3.pk).exists()
    assert told() == before
    assert not Escalation.objects.filter(petition=held, code="T3", deadline__isnull=False)

    client.force_login(world.city_clerk)  # the office above was told: its page lists the step
    html = client.get("/resolution/escalations/").content.decode()
    assert f"T3 · {held.title}" in html and "逾期报上一级信访部门" in html
