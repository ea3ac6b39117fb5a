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
