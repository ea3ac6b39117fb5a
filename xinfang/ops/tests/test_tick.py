"""`xinfang tick`: the job registry, due times, failures, the lock, and idempotent real jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.core import clock, periodic
from xinfang.ops.lock import LockBusy, exclusive
from xinfang.ops.models import JobState, Measurement
from xinfang.ops.services import jobs_discover, tick_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """Only the jobs a test registers (the apps' own are discovered into a copy)."""
    jobs_discover()
    monkeypatch.setattr(periodic, "_jobs", {})
    return periodic


def test_a_job_runs_once_and_a_second_tick_at_once_runs_nothing(registry):
    calls = []

    @registry.periodic("test.count", every=timedelta(minutes=5))
    def count(*, now):
        calls.append(now)
        return {"n": len(calls)}

    now = clock.now()
    first = tick_run(now=now)
    second = tick_run(now=now + timedelta(seconds=30))
    assert [(o.name, o.status, dict(o.result)) for o in first] == [("test.count", "ran", {"n": 1})]
    assert [o.status for o in second] == ["not_due"]
    assert len(calls) == 1
    # due again once `every` has passed (a tick a few seconds early still counts)
    assert [o.status for o in tick_run(now=now + timedelta(minutes=5, seconds=-5))] == ["ran"]
    state = JobState.objects.get(name="test.count")
    assert state.runs == 2 and state.last_ok and state.last_result == {"n": 2}


def test_a_failing_job_is_recorded_retried_next_tick_and_does_not_stop_the_others(registry):
    attempts = []

    @registry.periodic("test.flaky", every=timedelta(hours=1))
    def flaky(*, now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("disk full")
        return {"ok": 1}

    @registry.periodic("test.steady", every=timedelta(hours=1))
    def steady(*, now):
        return {"ok": 1}

    now = clock.now()
    out = {o.name: o for o in tick_run(now=now)}
    assert out["test.flaky"].status == "failed" and "disk full" in out["test.flaky"].error
    assert out["test.steady"].status == "ran"
    failed = JobState.objects.get(name="test.flaky")
    assert not failed.last_ok and failed.failures == 1 and "disk full" in failed.last_error

    out = {o.name: o.status for o in tick_run(now=now + timedelta(minutes=1))}
    assert out == {"test.flaky": "ran", "test.steady": "not_due"}


def test_the_tick_command_exits_non_zero_when_a_job_failed(registry):
    @registry.periodic("test.broken", every=timedelta(minutes=1))
    def broken(*, now):
        raise ValueError("boom")

    with pytest.raises(CommandError, match="test.broken"):
        call_command("tick")


def test_a_job_name_is_registered_once(registry):
    @registry.periodic("test.once", every=timedelta(minutes=1))
    def one(*, now):
        return None

    with pytest.raises(ValueError, match="registered twice"):

        @registry.periodic("test.once", every=timedelta(minutes=1))
        def other(*, now):
            return None


def test_two_ticks_never_overlap(registry):
    ran = []

    @registry.periodic("test.lock", every=timedelta(minutes=1))
    def job(*, now):
        ran.append(1)

    with exclusive("tick"):  # another tick (process) holds the lock
        with pytest.raises(LockBusy):
            tick_run()
    assert ran == []
    tick_run()
    assert ran == [1]


def test_the_installed_jobs_run_twice_and_nothing_doubles(world, register):
    """Every job the apps register, forced twice in a row: the same figures, no error."""
    register()
    first = {o.name: o for o in tick_run(force=True)}
    assert first and all(o.status == "ran" for o in first.values()), first
    measured = list(Measurement.objects.values_list("name", "label", "value"))
    second = {o.name: o for o in tick_run(force=True)}
    assert all(o.status == "ran" for o in second.values()), second
    assert list(Measurement.objects.values_list("name", "label", "value")) == measured
    from django_tasks_db.models import DBTaskResult

    # a task that waits to run is enqueued once, however often the tick asks for it
    waiting = DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    assert len(waiting) == len(set(waiting))


def test_the_overdue_count_is_measured_per_limit(world, register):
    from xinfang.deadlines.models import Deadline
    from xinfang.ops.jobs import overdue_measure
    from xinfang.ops.selectors import measurements

    register()  # received long ago: its first duties are overdue now
    overdue = Deadline.objects.filter(outcome="open", due_date__lt=clock.today())
    assert overdue.exists()
    overdue_measure(now=clock.now())
    counts = measurements("deadlines_overdue")
    assert sum(counts.values()) == overdue.filter(code__in=list(counts)).count() > 0
    from xinfang.deadlines.statutes import STATUTES, Kind

    assert set(counts) == {c for c, st in STATUTES.items() if st.kind == Kind.DUTY}


def test_each_job_runs_at_the_time_it_starts_not_the_tick_s(registry):
    """A tick's jobs run one after another: a job after a slow one gets the time it starts as
    its ``now``, so what it records is dated when it happened (a reminder sent at 10:05 says
    10:05, not the tick's 10:00). Planted fault: one ``now`` for the whole tick - 10:00."""
    import time_machine

    from conftest import local

    seen = []
    with time_machine.travel(local(2026, 3, 2, 10), tick=False) as t:

        @registry.periodic("a.slow", every=timedelta(minutes=1))
        def slow(*, now):
            t.shift(timedelta(minutes=5))  # five minutes of work

        @registry.periodic("b.after", every=timedelta(minutes=1))
        def after(*, now):
            seen.append(now)

        tick_run()
        assert seen == [local(2026, 3, 2, 10) + timedelta(minutes=5)]
        assert JobState.objects.get(name="b.after").last_ok_at == local(2026, 3, 2, 10) + timedelta(minutes=5)
