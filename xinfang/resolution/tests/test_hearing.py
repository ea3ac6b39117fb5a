"""Hearings (听证, Arts. 31(6), 36 para 2) through the services, on hand-made dates."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from tests.flows import OPINION, act

PEOPLE = [
    ("presiding", "周主持", "东湖市人民政府"),
    ("panel", "吴听证员", "东湖市律师协会"),
    ("petitioner", "张三", ""),
    ("organ", "李科长", "青山县住房和城乡建设局"),
    ("recorder", "王记录", "东湖市人民政府"),
]


def re_review_requested(world, register, *, on=(2026, 1, 20)):
    """Route (6) at the county housing bureau; opinion 2025-11-10, review by the county
    government delivered 2025-12-26, re-review requested of the city government on ``on``."""
    p = register(received_at=local(2025, 10, 8), at=local(2025, 10, 8)).petition
    act(world, p, "transfer", world.clerk, (2025, 10, 9), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 10, 10), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 10, 10))
    act(world, p, "issue_opinion", world.head, (2025, 11, 10), **OPINION)
    act(world, p, "record_delivery", world.head, (2025, 11, 12), method="post", signed="true")
    act(world, p, "request_review", None, (2025, 11, 26))
    act(
        world,
        p,
        "decide_review",
        world.city_head,
        (2025, 12, 26),
        outcome="uphold",
        request="请求撤销处理意见",
        facts="复查核实，原处理意见认定事实清楚。",
        decision="维持原处理意见。",
        legal_basis="《信访工作条例》第三十五条",
    )
    act(
        world,
        p,
        "record_delivery",
        world.city_head,
        (2025, 12, 26),
        method="in_person",
        signed="true",
    )
    act(world, p, "request_re_review", None, on)
    p.refresh_from_db()
    return p


def schedule(world, p, *, day=(2026, 2, 3), when=(2026, 2, 10), **over):
    from xinfang.resolution.services import hearing_schedule

    fields = dict(
        actor=world.prov_head,
        petition_id=p.pk,
        scheduled_for=local(*when, 9),
        place="东湖市人民政府信访听证室",
        reason="涉及多户居民，事实争议较大，属重大、复杂的信访事项",
        participants=PEOPLE,
        at=local(*day),
    )
    fields.update(over)
    return hearing_schedule(**fields)


def t10(p):
    from xinfang.deadlines.models import Deadline

    return Deadline.objects.get(petition=p, code="T10")


def test_a_hearing_spanning_the_spring_festival_pauses_and_resumes_t10(world, register):
    """Re-review requested on 20 Jan 2026: T10's 30 days end on 19 Feb, inside the Spring
    Festival holiday (15-23 Feb), so the law alone gives Tuesday 24 Feb. A hearing runs from
    10 Feb to 24 Feb across the whole holiday: T10 stands still while it runs (paused, its due
    date no longer the one that binds) and resumes with the 15 calendar days the hearing
    occupied (10-24 Feb, both included; holiday days count like any day, T10 being "30日") not
    counted: 20 Jan + 30 + 15 = Friday 6 Mar 2026. The page's clock shows both dates and the
    reason.

    Planted fault: in ``deadlines/tracker.py`` ``_resume`` recompute the due date without
    ``paused_days`` - T10 then stays due on 24 Feb and this test fails."""
    from xinfang.deadlines.statutes import Status
    from xinfang.petitions.selectors.deadlines import deadlines_of
    from xinfang.resolution.selectors import hearing_clock
    from xinfang.resolution.services import hearing_close, hearing_open

    p = re_review_requested(world, register)
    assert (t10(p).start_date, t10(p).due_date) == (date(2026, 1, 20), date(2026, 2, 24))
    h = schedule(world, p)
    assert h.stage == "re_review" and h.notice_number and h.participants.count() == 5

    hearing_open(actor=world.prov_head, hearing_id=h.pk, at=local(2026, 2, 10))
    d = t10(p)
    assert d.paused and d.outcome == "open"
    view = next(v for v in deadlines_of(p, today=date(2026, 2, 27)) if v.code == "T10")
    assert view.status == Status.PAUSED  # past the old due date, yet not overdue
    h.refresh_from_db()
    clock = hearing_clock(hearing=h)
    assert clock.paused_since == date(2026, 2, 10) and "暂停" in clock.reason

    hearing_close(
        actor=world.prov_head,
        hearing_id=h.pk,
        record="主持人宣布听证开始……各方陈述意见，听证员提问……",
        outcome="听证员多数意见：原复查意见认定事实清楚。",
        at=local(2026, 2, 24),
    )
    d = t10(p)
    assert (d.paused, d.paused_days, d.due_date) == (False, 15, date(2026, 3, 6))
    h.refresh_from_db()
    assert h.paused_days == 15  # the hearing's own count is the tracker's
    clock = hearing_clock(hearing=h)
    assert (clock.statutory_due, clock.paused_days, clock.due) == (
        date(2026, 2, 24),
        15,
        date(2026, 3, 6),
    )
    assert "15" in clock.reason and "2026-03-06" in clock.reason and "第三十六条" in clock.reason
    p.refresh_from_db()
    assert not p.in_hearing


def test_a_hearing_shifted_due_date_that_falls_in_the_festival_rolls_to_the_next_working_day(
    world, register
):
    """Requested 10 Jan: due Monday 9 Feb. A hearing 2-9 Feb (8 days, both included) moves it
    to 17 Feb, a holiday: the last day rolls to Tuesday 24 Feb, the first working day after
    it."""
    from xinfang.resolution.services import hearing_close, hearing_open

    p = re_review_requested(world, register, on=(2026, 1, 10))
    h = schedule(world, p, day=(2026, 1, 26), when=(2026, 2, 2))
    hearing_open(actor=world.prov_head, hearing_id=h.pk, at=local(2026, 2, 2))
    hearing_close(
        actor=world.prov_head, hearing_id=h.pk, record="笔录", outcome="意见", at=local(2026, 2, 9)
    )
    d = t10(p)
    assert (d.paused_days, d.due_date) == (8, date(2026, 2, 24))


@pytest.mark.parametrize(
    ("inclusive", "days", "due"), [(True, 1, date(2026, 2, 5)), (False, 0, date(2026, 2, 4))]
)
def test_a_one_day_hearing_pauses_t10_by_one_day(world, register, settings, inclusive, days, due):
    """Re-review requested on 5 Jan 2026: T10 due Wednesday 4 Feb. A hearing opened and closed
    on Wednesday 28 Jan took that day, which is not counted (Art. 36 para 2): due Thursday
    5 Feb. With ``XINFANG_HEARING_DAYS_INCLUSIVE=False`` (end minus start) it counts 0 days.

    Planted fault: count ``(end - start).days`` in ``deadlines.tracker.hearing_days`` - the
    default case then pauses T10 by 0 days and this test fails."""
    from xinfang.resolution.services import hearing_close, hearing_open

    settings.XINFANG_HEARING_DAYS_INCLUSIVE = inclusive
    p = re_review_requested(world, register, on=(2026, 1, 5))
    assert t10(p).due_date == date(2026, 2, 4)
    h = schedule(world, p, day=(2026, 1, 20), when=(2026, 1, 28))
    hearing_open(actor=world.prov_head, hearing_id=h.pk, at=local(2026, 1, 28, 9))
    hearing_close(
        actor=world.prov_head,
        hearing_id=h.pk,
        record="笔录",
        outcome="意见",
        at=local(2026, 1, 28, 17),
    )
    d = t10(p)
    h.refresh_from_db()
    assert (d.paused_days, h.paused_days, d.due_date) == (days, days, due)


def test_a_hearing_in_handling_leaves_the_sixty_days_running(world, register):
    """Art. 31(6): a hearing while handling; the law excludes no time from T6."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.selectors import hearing_clock
    from xinfang.resolution.services import hearing_close, hearing_open

    p = register(received_at=local(2025, 10, 8), at=local(2025, 10, 8)).petition
    act(world, p, "transfer", world.clerk, (2025, 10, 9), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 10, 10), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 10, 10))
    before = Deadline.objects.get(petition=p, code="T6").due_date
    h = schedule(world, p, day=(2025, 10, 20), when=(2025, 10, 28), actor=world.head)
    assert h.stage == "handling" and hearing_clock(hearing=h) is None
    hearing_open(actor=world.head, hearing_id=h.pk, at=local(2025, 10, 28))
    hearing_close(
        actor=world.head, hearing_id=h.pk, record="笔录", outcome="意见", at=local(2025, 11, 4)
    )
    assert Deadline.objects.get(petition=p, code="T6").due_date == before


def test_a_hearing_is_not_opened_or_cancelled_before_its_notice_date(world, register):
    """The notice goes out on 3 Feb 2026; the re-review was requested on 20 Jan, so the
    petition's own steps would let a start on 2 Feb through. It is refused on the date field
    and nothing moves: the hearing stays scheduled and T10 is not paused back in time. On the
    notice's own day it opens.

    Planted fault: drop ``_not_before_notice`` in ``hearing_open`` (or ``hearing_cancel``) -
    the hearing then opens (is cancelled) on 2 Feb and this test fails."""
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.services import hearing_cancel, hearing_open

    p = re_review_requested(world, register)
    h = schedule(world, p)
    assert h.notice_on == date(2026, 2, 3)
    with pytest.raises(ApplicationError) as e:
        hearing_open(actor=world.prov_head, hearing_id=h.pk, at=local(2026, 2, 2, 15))
    assert "2026-02-03" in e.value.fields["on"][0]
    with pytest.raises(ApplicationError) as e:
        hearing_cancel(actor=world.prov_head, hearing_id=h.pk, reason="改期", at=local(2026, 2, 2))
    assert "on" in e.value.fields
    h.refresh_from_db()
    p.refresh_from_db()
    assert (h.status, h.started_on, p.in_hearing) == ("scheduled", None, False)
    hearing_open(actor=world.prov_head, hearing_id=h.pk, at=local(2026, 2, 3, 15))
    h.refresh_from_db()
    assert (h.status, h.started_on) == ("in_progress", date(2026, 2, 3))


def test_a_hearing_is_refused_where_the_law_gives_none_and_twice_at_once(world, register):
    from xinfang.core.errors import ApplicationError, Forbidden

    p = register(received_at=local(2025, 10, 8), at=local(2025, 10, 8)).petition
    with pytest.raises((ApplicationError, Forbidden)):  # not accepted yet, not route (6)
        schedule(world, p, actor=world.clerk, day=(2025, 10, 9), when=(2025, 10, 20))
    p = re_review_requested(world, register)
    with pytest.raises(Forbidden):  # the housing bureau does not hold the re-review
        schedule(world, p, actor=world.head)
    with pytest.raises(ApplicationError) as e:
        schedule(world, p, participants=[("panel", "吴", "")])
    assert "participants" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        schedule(world, p, when=(2026, 2, 1))  # before the notice
    assert "scheduled_for" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        schedule(world, p, when=(9999, 12, 31))  # a typing mistake, not a plan (page walk)
    assert "scheduled_for" in e.value.fields
    schedule(world, p)
    with pytest.raises(ApplicationError) as e:
        schedule(world, p)
    assert "petition" in e.value.fields


def test_a_repeated_schedule_post_returns_the_first_hearing(world, register):
    p = re_review_requested(world, register)
    key = "0b7a4f3e-1a2b-4c3d-8e9f-001122334455"
    assert schedule(world, p, submission=key).pk == schedule(world, p, submission=key).pk


def test_publication_only_after_a_re_review_hearing_and_its_opinion(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.services import hearing_close, hearing_open, hearing_publish

    p = re_review_requested(world, register)
    h = schedule(world, p)
    hearing_open(actor=world.prov_head, hearing_id=h.pk, at=local(2026, 2, 10))
    hearing_close(
        actor=world.prov_head, hearing_id=h.pk, record="笔录", outcome="意见", at=local(2026, 2, 12)
    )
    with pytest.raises(ApplicationError):  # the re-review opinion is not issued yet
        hearing_publish(
            actor=world.prov_head, hearing_id=h.pk, publication="公示", at=local(2026, 2, 13)
        )
    act(
        world,
        p,
        "decide_re_review",
        world.prov_head,
        (2026, 2, 26),
        request="请求撤销",
        facts="经听证查明事实清楚。",
        decision="维持复查意见。",
        legal_basis="《信访工作条例》第三十六条",
    )
    h = hearing_publish(
        actor=world.prov_head,
        hearing_id=h.pk,
        publication="经听证，复核维持复查意见。",
        at=local(2026, 2, 27),
    )
    assert h.published_on == date(2026, 2, 27)


def test_a_cancelled_hearing_frees_the_petition_for_a_new_one(world, register):
    from xinfang.resolution.services import hearing_cancel

    p = re_review_requested(world, register)
    h = schedule(world, p)
    hearing_cancel(
        actor=world.prov_head, hearing_id=h.pk, reason="主持人回避，另行安排", at=local(2026, 2, 4)
    )
    assert schedule(world, p, day=(2026, 2, 5)).pk != h.pk
