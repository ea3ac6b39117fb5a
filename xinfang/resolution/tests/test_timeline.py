"""Backlog, hearing and relief records on the petition's timeline (a merged read-only feed,
resolution/timeline.py): each step appears with its date, for a user who may see the record,
and the feed writes nothing and costs the page one query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conftest import local
from tests.flows import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(world, register):
    """Route (6) at the housing bureau with a backlog case (confirmed, a milestone done, closed),
    a hearing in handling (scheduled, held) and relief (applied, approved twice, paid)."""
    from xinfang.resolution.models import BacklogCase
    from xinfang.resolution.services import (
        backlog_close,
        backlog_decide,
        backlog_milestone_add,
        backlog_milestone_done,
        hearing_close,
        hearing_open,
        hearing_schedule,
        relief_apply,
        relief_decide,
        relief_fund_allocate,
        relief_pay,
    )

    p = register(received_at=local(2025, 10, 8), at=local(2025, 10, 8)).petition
    act(world, p, "transfer", world.clerk, (2025, 10, 9), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 10, 10), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 10, 10))
    h = hearing_schedule(
        actor=world.head,
        petition_id=p.pk,
        scheduled_for=local(2025, 10, 28, 9),
        place="青山县住建局听证室",
        reason="涉及多户居民，事实争议较大",
        participants=[("presiding", "周主持", ""), ("petitioner", "张三", "")],
        at=local(2025, 10, 20),
    )
    hearing_open(actor=world.head, hearing_id=h.pk, at=local(2025, 10, 28))
    hearing_close(
        actor=world.head, hearing_id=h.pk, record="笔录", outcome="意见", at=local(2025, 10, 29)
    )
    case = BacklogCase.objects.create(
        petition=p,
        organ=world.housing,
        proposed_reason="登记已 91 日",
        proposed_on=date(2025, 11, 1),
    )
    backlog_decide(
        actor=world.clerk, case_id=case.pk, confirm=True, leader="王副县长", at=local(2025, 11, 2)
    )
    m = backlog_milestone_add(
        actor=world.head,
        case_id=case.pk,
        title="完成核实",
        due_on=date(2025, 11, 20),
        at=local(2025, 11, 3),
    )
    backlog_milestone_done(
        actor=world.head, case_id=case.pk, milestone_id=m.pk, at=local(2025, 11, 10)
    )
    backlog_close(
        actor=world.head, case_id=case.pk, outcome="已签订补偿协议并兑现。", at=local(2025, 11, 30)
    )
    fund = relief_fund_allocate(
        actor=world.po_head, year=2025, amount=Decimal("5000"), at=local(2025, 9, 1)
    ).fund
    app = relief_apply(
        actor=world.handler,
        petition_id=p.pk,
        fund_id=fund.pk,
        reasons="家庭困难",
        hardship="重病",
        amount=Decimal("3000"),
        at=local(2025, 12, 1),
    )
    relief_decide(actor=world.head, application_id=app.pk, approve=True, at=local(2025, 12, 2))
    relief_decide(
        actor=world.po_head,
        application_id=app.pk,
        approve=True,
        amount=Decimal("2500"),
        at=local(2025, 12, 3),
    )
    relief_pay(
        actor=world.po_head, application_id=app.pk, amount=Decimal("2500"), at=local(2025, 12, 4)
    )
    p.refresh_from_db()
    return p, case, h, app


def _entries(p, user):
    from xinfang.resolution.timeline import resolution_timeline

    return [(i.at.date(), i.label, i.text) for i in resolution_timeline(petition=p, user=user)]


def test_every_step_is_an_entry_in_order_with_its_date(world, worked):
    p, case, h, app = worked
    got = _entries(p, world.po_head)
    labels = [label for _, label, _ in got]
    assert labels == [
        "听证通知",
        "列为积案",
        "积案化解节点完成",
        "积案化解办结",
        "信访救助申请",
        "信访救助审批",
        "信访救助审批",
        "信访救助发放",
    ]
    days = [d for d, _, _ in got]
    assert days == sorted(days)
    assert days[1:4] == [date(2025, 11, 2), date(2025, 11, 10), date(2025, 11, 30)]
    texts = "\n".join(t for _, _, t in got)
    assert "王副县长" in texts and "完成核实" in texts and "已签订补偿协议" in texts
    assert h.notice_number in texts and "2025-10-28 09:00" in texts
    assert app.number in texts and "3000.00 元" in texts and "批准 2500.00 元" in texts
    assert "发放 2500.00 元" in texts


def test_the_staff_petition_page_shows_them_merged_with_its_events(client, world, worked):
    """The page's own events (the hearing held: 举行听证 / 听证结束) and the feed's entries
    appear together; each entry links to its record."""
    p, case, h, app = worked
    client.force_login(world.po_head)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    for label in ("听证通知", "举行听证", "听证结束", "列为积案", "积案化解办结", "信访救助发放"):
        assert label in html, label
    assert f"/resolution/backlog/{case.pk}/" in html
    assert f"/resolution/hearings/{h.pk}/" in html and f"/resolution/relief/{app.pk}/" in html
    assert html.index("听证通知") < html.index("举行听证") < html.index("列为积案")


def test_a_user_outside_a_records_scope_gets_no_entries_and_the_feed_is_two_queries(
    world, worked, register, django_assert_num_queries
):
    """The analyst may not see resolution records: nothing. The feed reads in two queries (which
    kinds of record the petition has, then one union of those), one for a petition with none."""
    p, *_ = worked
    assert _entries(p, world.analyst) == []
    from xinfang.resolution.timeline import records_of_petition

    with django_assert_num_queries(2):
        assert records_of_petition(petition_id=p.pk, user=world.po_head)
    bare = register().petition
    with django_assert_num_queries(1):
        assert records_of_petition(petition_id=bare.pk, user=world.po_head) == []


def test_an_accusation_hides_the_relief_from_the_accused_fund_owner(world, register):
    """A petition accusing the county petition office: the relief records of it are never on
    that office's feed (Art. 30 para 3).

    Planted fault: read the applications in ``timeline.py`` without ``relief_scope(user)`` -
    the accused office's feed then carries the application and this test fails."""
    from xinfang.resolution.models import ReliefApplication, ReliefFund
    from xinfang.resolution.timeline import records_of_petition

    p = register(
        category="accusation",
        route=None,
        accused_organ_id=world.county_po.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    fund = ReliefFund.objects.create(organ=world.county_po, year=2025, balance=Decimal("100"))
    ReliefApplication.objects.create(
        petition=p,
        organ=world.housing,
        fund=fund,
        number="X-1",
        reasons="r",
        hardship="h",
        amount_requested=Decimal("10"),
        applied_on=date(2025, 9, 2),
        applied_by=world.handler,
    )
    assert records_of_petition(petition_id=p.pk, user=world.po_head) == []


def test_a_viewer_out_of_the_records_jurisdiction_gets_no_backlog_or_hearing_entries(world, worked):
    """The city housing bureau's head may view resolution records, but the case and the
    hearing are the county housing bureau's, outside his jurisdiction: nothing.

    Planted fault: read the cases and hearings in ``timeline.py`` without ``backlog_scope`` /
    ``hearing_scope`` - his feed then carries them and this test fails."""
    from xinfang.directory.models import Role
    from xinfang.directory.permissions import Cap, user_can
    from xinfang.directory.services import staff_create
    from xinfang.resolution.timeline import records_of_petition

    p, *_ = worked
    other = staff_create(
        username="cityhousing", password=None, organ=world.city_housing, roles=[Role.ORGAN_HEAD]
    )
    assert user_can(other, Cap.RESOLUTION_VIEW)
    assert records_of_petition(petition_id=p.pk, user=other) == []
    assert _entries(p, other) == []


def test_an_accusation_hides_the_backlog_case_and_hearing_from_the_accused_organ(world, register):
    """A petition accusing the county petition office, handled at the housing bureau within
    that office's region: its backlog case and its hearing are never on the office's feed
    (Art. 30 para 3); the city office, which handles the accusation, sees both.

    Planted fault: read the cases and hearings in ``timeline.py`` without ``backlog_scope`` /
    ``hearing_scope`` - the accused office's feed then carries them and this test fails."""
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.resolution.models import BacklogCase, Hearing
    from xinfang.resolution.timeline import records_of_petition

    p = register(
        category="accusation",
        route=None,
        accused_organ_id=world.county_po.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    BacklogCase.objects.create(
        petition=p,
        organ=world.housing,
        proposed_reason="登记已 91 日",
        proposed_on=date(2025, 11, 1),
        decided_on=date(2025, 11, 2),
        status="open",
    )
    Hearing.objects.create(
        petition=p,
        organ=world.housing,
        stage="handling",
        reason="事实争议较大",
        scheduled_for=local(2025, 10, 28, 9),
        place="青山县住建局听证室",
        notice_number="青住听〔2025〕1号",
        notice_on=date(2025, 10, 20),
        created_by=world.head,
        created_at=local(2025, 10, 20),
    )
    city = staff_create(
        username="citypohead", password=None, organ=world.city_po, roles=[Role.ORGAN_HEAD]
    )
    assert {r["tl_kind"] for r in records_of_petition(petition_id=p.pk, user=city)} == {
        "case_decided",
        "hearing",
    }
    assert records_of_petition(petition_id=p.pk, user=world.po_head) == []
