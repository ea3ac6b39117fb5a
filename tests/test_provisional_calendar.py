"""A provisional holiday year end to end (ADR 0012): what staff, the API and the petitioner see;
marking a window expired on a provisional date; confirming the year, which reopens a window lost
to that date with a notice the petitioner reads on the portal and can act on.

2027 is not covered by chinesecalendar 1.11. The 2027 notice used here is made up
(xinfang/deadlines/tests/data/2027-example.txt): it adds Thursday 11 and Friday 12 February to the
provisional Spring Festival (Friday 5 – Wednesday 10 February).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache

from conftest import local
from tests.flows import OPINION, act, opinion_delivered_on, portal_open
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline

pytestmark = pytest.mark.django_db
EXAMPLE_2027 = (
    Path(__file__).resolve().parents[1]
    / "xinfang"
    / "deadlines"
    / "tests"
    / "data"
    / "2027-example.txt"
).read_text(encoding="utf-8")


@pytest.fixture
def admin(world):  # type: ignore[no-untyped-def]
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    return staff_create(
        username="sysadmin", password="test-pass-123", organ=None, roles=[Role.ADMIN]
    )


@pytest.fixture(autouse=True)
def _no_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _confirm(admin):  # type: ignore[no-untyped-def]
    from xinfang.deadlines.confirmation import calendar_notice_confirm

    return calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)


def _t7(p):  # type: ignore[no-untyped-def]
    return Deadline.objects.filter(petition=p, code="T7").order_by("-start_date", "-id").first()


# --- what everyone sees ----------------------------------------------------------------------


def test_staff_see_a_provisional_due_date_on_the_worklist_the_petition_page_and_in_the_api(
    client, world, register, admin
):
    from xinfang.api.services import token_issue

    with time_machine.travel(local(2026, 12, 21), tick=False):
        p = register(received_at=local(2026, 12, 20), at=local(2026, 12, 20)).petition
        client.force_login(world.clerk)
        worklist = client.get("/worklist/").content.decode()
        assert "2027-01-04" in worklist and 'class="provisional"' in worklist
        page = client.get(f"/petitions/{p.pk}/").content.decode()
        assert "按暂定的 2027 年节假日安排计算" in page
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
        (t1,) = client.get(f"/api/v1/petitions/{p.pk}", **auth).json()["deadlines"]
        assert (t1["code"], t1["due"], t1["provisional"], t1["provisional_years"]) == (
            "T1",
            "2027-01-04",
            True,
            [2027],
        )
        (row,) = client.get("/api/v1/worklist", **auth).json()["items"]
        assert row["next_due_provisional"] is True
        _confirm(admin)
        assert 'class="provisional"' not in client.get("/worklist/").content.decode()
        assert "按暂定的" not in client.get(f"/petitions/{p.pk}/").content.decode()
        (t1,) = client.get(f"/api/v1/petitions/{p.pk}", **auth).json()["deadlines"]
        assert (t1["provisional"], t1["provisional_years"]) == (False, [])


def test_the_petitioner_is_told_a_provisional_window_can_only_move_later(client, world, register):
    with time_machine.travel(local(2027, 1, 7), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 6))  # day 30 is Friday 5 February
        portal_open(client, p)
        html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "2027-02-11 前请求上一级机关复查" in html
    assert 'id="review-provisional"' in html and "只会推后，不会提前" in html


def test_the_administrators_menu_links_the_calendar_and_names_the_years_to_confirm(client, admin):
    with time_machine.travel(local(2026, 12, 6), tick=False):
        client.force_login(admin)
        html = client.get("/search/").content.decode()
    assert 'href="/calendar/"' in html
    assert "节假日安排待确认" in html and "2027 年" in html


# --- marking a window expired on a provisional date -----------------------------------------


def test_marking_a_provisional_window_expired_asks_the_clerk_to_confirm(client, world, register):
    with time_machine.travel(local(2027, 2, 12), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 6))
        with pytest.raises(ApplicationError) as e:
            act(world, p, "expire_window", world.head, (2027, 2, 12))
        (message,) = e.value.fields["provisional_ack"]
        assert "2027-02-11" in message and "暂定的 2027 年节假日安排" in message
        assert "系统将恢复该期限并告知信访人" in message
        # On the page: the box to tick is offered, the refusal says why, nothing is recorded.
        client.force_login(world.head)
        page = client.get(f"/petitions/{p.pk}/").content.decode()
        assert 'name="provisional_ack"' in page
        r = client.post(f"/petitions/{p.pk}/act/expire_window/", {"at": "2027-02-12"})
        assert r.status_code == 400 and "按暂定的 2027 年节假日安排计算" in r.content.decode()
        p.refresh_from_db()
        assert p.state == "opinion_issued"
        r = client.post(
            f"/petitions/{p.pk}/act/expire_window/", {"at": "2027-02-12", "provisional_ack": "on"}
        )
        assert r.status_code == 302
    p.refresh_from_db()
    ev = p.events.order_by("-seq").first()
    assert (p.state, ev.action, ev.data["provisional_ack"]) == (
        "final_no_appeal",
        "expire_window",
        True,
    )


def test_a_window_on_a_confirmed_date_is_marked_expired_without_the_box(client, world, register):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        p = register(received_at=local(2026, 8, 1), at=local(2026, 8, 2)).petition
        act(world, p, "transfer", world.clerk, (2026, 8, 3), to_organ_id=world.housing.pk)
        act(world, p, "acknowledge", world.head, (2026, 8, 5), category="appeal", route=6)
        act(world, p, "start_handling", world.head, (2026, 8, 5))
        act(world, p, "issue_opinion", world.head, (2026, 9, 1), **OPINION)
        act(world, p, "record_delivery", world.head, (2026, 9, 2), method="post", signed="true")
        client.force_login(world.head)
        assert 'name="provisional_ack"' not in client.get(f"/petitions/{p.pk}/").content.decode()
        act(world, p, "expire_window", world.head, (2026, 11, 20))
    assert "provisional_ack" not in p.events.order_by("-seq").first().data


# --- confirming the year reopens the window, with a notice ------------------------------------


def test_a_window_lost_to_a_provisional_date_is_reopened_with_a_notice_and_can_be_used(
    client, world, register, admin
):
    from xinfang.audit.models import AuditRecord
    from xinfang.documents.selectors import document_list

    with time_machine.travel(local(2027, 2, 12), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 6))
        act(world, p, "expire_window", world.head, (2027, 2, 12), provisional_ack=True)
    with time_machine.travel(local(2027, 2, 20), tick=False):
        report = _confirm(admin)
    assert [(m.code, m.how) for m in report.moves if m.petition_id == p.pk] == [("T7", "reopened")]
    p.refresh_from_db()
    assert (p.state, p.is_open) == ("opinion_issued", True)
    assert (_t7(p).start_date.isoformat(), _t7(p).due_date.isoformat()) == (
        "2027-02-20",
        "2027-03-02",
    )
    assert (
        AuditRecord.objects.filter(kind="petition.reopen_window", object_id=str(p.pk)).count() == 1
    )
    # The notice: numbered, naming the dates, the days given back and where to ask.
    (notice,) = [d for d in document_list(petition=p) if d.kind == "window_reopened"]
    text = " ".join(s.text for s in notice.sections) + notice.remedy
    assert notice.title == "信访事项申请期限恢复告知书" and "信恢告〔2027〕1号" in notice.number
    assert "原计算至2027年2月11日" in text and "2027年2月12日将其登记为期满未申请" in text
    assert "至2027年2月15日届满" in text and "第二百零三条" in text
    assert (
        "自本告知书作出之日起10日内，即在2027年3月2日前（含当日），向青山县人民政府请求复查" in text
    )
    # The petitioner reads it on the portal and asks for review on the last day given back.
    with time_machine.travel(local(2027, 3, 2, 20), tick=False):
        portal_open(client, p)
        html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
        assert "信访事项申请期限恢复告知书" in html and "恢复申请期限" in html
        assert "2027-03-02 前请求上一级机关复查" in html
        r = client.post(f"/portal/p/{p.tracking_code}/review/", {"reason": "不服", "confirm": "1"})
        assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == "review_requested"


def test_a_window_archived_after_it_lapsed_is_reopened_too(world, register, admin):
    with time_machine.travel(local(2027, 2, 13), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 6))
        act(world, p, "expire_window", world.head, (2027, 2, 12), provisional_ack=True)
        act(world, p, "close", world.head, (2027, 2, 13))
    with time_machine.travel(local(2027, 2, 20), tick=False):
        _confirm(admin)
    p.refresh_from_db()
    assert (p.state, _t7(p).outcome) == ("opinion_issued", "open")


def test_a_window_that_had_ended_anyway_is_not_reopened(world, register, admin):
    # Delivered 4 January: day 30 is Wednesday 3 February, a working day either way.
    with time_machine.travel(local(2027, 2, 5), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 4))
        assert not _t7(p).provisional or _t7(p).due_date.isoformat() == "2027-02-03"
        act(world, p, "expire_window", world.head, (2027, 2, 4), provisional_ack=True)
    with time_machine.travel(local(2027, 2, 20), tick=False):
        _confirm(admin)
    p.refresh_from_db()
    assert p.state == "final_no_appeal" and _t7(p).outcome == "lapsed"


def test_no_one_may_reopen_a_window_by_hand(client, world, register):
    from xinfang.api.services import token_issue
    from xinfang.directory.permissions import PERMISSIONS
    from xinfang.petitions.workflow import Action

    assert all(Action.REOPEN_WINDOW not in actions for actions in PERMISSIONS.values())
    with time_machine.travel(local(2027, 2, 12), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 6))
        act(world, p, "expire_window", world.head, (2027, 2, 12), provisional_ack=True)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.head)}"}
        r = client.post(
            f"/api/v1/petitions/{p.pk}/actions/reopen_window",
            {"data": {"window": "T7", "days": 30}},
            content_type="application/json",
            **auth,
        )
    assert r.status_code == 403
    p.refresh_from_db()
    assert p.state == "final_no_appeal"


def test_the_extension_notice_says_a_provisional_date_may_move(world, register):
    from xinfang.documents.selectors import document_list
    from xinfang.documents.selectors.texts import PROVISIONAL_DATE

    with time_machine.travel(local(2026, 12, 10), tick=False):
        p = register(received_at=local(2026, 11, 2), at=local(2026, 11, 2)).petition
        act(world, p, "transfer", world.clerk, (2026, 11, 3), to_organ_id=world.housing.pk)
        act(world, p, "acknowledge", world.head, (2026, 11, 5), category="appeal", route=6)
        act(world, p, "start_handling", world.head, (2026, 11, 5))
        act(world, p, "extend", world.head, (2026, 12, 10), "需要委托监测", days=30)
    (notice,) = [d for d in document_list(petition=p) if d.kind == "extension_notice"]
    text = " ".join(s.text for s in notice.sections)
    # 5 November + 60 + 30 days = 3 February 2027, a provisional year.
    assert "延长后的办理期限至2027年2月3日" in text and PROVISIONAL_DATE in text
