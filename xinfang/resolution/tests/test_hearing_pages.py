"""The hearing pages: the list, a new hearing by its form, the hearing with its notice and the
T10 clock, open and close by forms (a refresh adds nothing), a refused form keeps what was
typed, bad input is a 4xx, who may act, the query count of each page."""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.resolution.models import Hearing
from xinfang.resolution.tests.test_hearing import re_review_requested, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def feb3():
    import time_machine

    with time_machine.travel(local(2026, 2, 3), tick=False):
        yield


FORM = {
    "reason": "事实争议较大",
    "scheduled_for": "2026-02-10T09:00",
    "place": "东湖市人民政府信访听证室",
    "role_0": "presiding",
    "name_0": "周主持",
    "role_1": "petitioner",
    "name_1": "张三",
}


def test_a_hearing_is_scheduled_opened_and_closed_by_its_forms(client, world, register, feb3):
    import time_machine

    p = re_review_requested(world, register)
    client.force_login(world.prov_head)
    assert "安排听证" in client.get("/resolution/hearings/").content.decode()
    html = client.get(f"/resolution/hearings/new/?petition={p.tracking_code}").content.decode()
    assert p.tracking_code in html
    data = {**FORM, "petition": p.tracking_code, "once": "h1"}
    for _ in range(2):  # a refresh schedules nothing more
        r = client.post("/resolution/hearings/new/", data)
        assert r.status_code in (302, 303)
    h = Hearing.objects.get()
    assert r["Location"] == f"/resolution/hearings/{h.pk}/"
    html = client.get(r["Location"]).content.decode()
    assert h.notice_number in html and "周主持" in html and "2026-02-24" in html
    with time_machine.travel(local(2026, 2, 24), tick=False):
        client.force_login(world.prov_head)  # the session of 3 Feb has lapsed
        for _ in range(2):
            r = client.post(f"/resolution/hearings/{h.pk}/open/", {"on": "2026-02-10", "once": "o"})
            assert r.status_code in (302, 303)
        assert "暂停计算" in client.get(f"/resolution/hearings/{h.pk}/").content.decode()
        r = client.post(
            f"/resolution/hearings/{h.pk}/close/",
            {"on": "2026-02-24", "record": "笔录", "outcome": "意见", "once": "c"},
        )
        assert r.status_code in (302, 303)
        html = client.get(f"/resolution/hearings/{h.pk}/").content.decode()
    h.refresh_from_db()
    assert (h.status, h.paused_days) == ("concluded", 15)
    assert "2026-03-06" in html and "第三十六条第二款" in html and 'id="clock-reason"' in html


def test_a_refused_form_keeps_what_was_typed(client, world, register, feb3):
    p = re_review_requested(world, register)
    client.force_login(world.prov_head)
    data = {**FORM, "petition": p.tracking_code, "name_1": "", "role_1": "", "once": "h2"}
    r = client.post("/resolution/hearings/new/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert (
        "主持人和信访人" in html and "事实争议较大" in html and "东湖市人民政府信访听证室" in html
    )
    # the summary takes the focus (page walk: focus stayed on <body>); one summary per page
    assert (
        html.count('id="error-summary"') == 1
        and "autofocus" in html.split('id="error-summary"')[1][:30]
    )
    h = schedule(world, p)
    r = client.post(f"/resolution/hearings/{h.pk}/close/", {"record": "x", "outcome": "y"})
    assert r.status_code == 400 and "x" in r.content.decode()


def test_a_start_before_the_notice_date_is_refused_and_the_date_kept(client, world, register, feb3):
    """The open form refuses a start date before the notice (3 Feb) with a clear message, the
    typed date still in the field, and offers no earlier date (``min``)."""
    import time_machine

    p = re_review_requested(world, register)
    h = schedule(world, p)
    with time_machine.travel(local(2026, 2, 10), tick=False):
        client.force_login(world.prov_head)
        html = client.get(f"/resolution/hearings/{h.pk}/").content.decode()
        assert 'min="2026-02-03"' in html
        r = client.post(f"/resolution/hearings/{h.pk}/open/", {"on": "2026-02-02", "once": "e"})
        html = r.content.decode()
        assert r.status_code == 400
        assert "日期不能早于听证通知日期 2026-02-03" in html and 'value="2026-02-02"' in html
    h.refresh_from_db()
    assert h.status == "scheduled"


def test_a_cancelled_hearing_offers_to_schedule_it_again(client, world, register, feb3):
    from xinfang.resolution.services import hearing_cancel

    p = re_review_requested(world, register)
    h = schedule(world, p)
    hearing_cancel(
        actor=world.prov_head, hearing_id=h.pk, reason="主持人回避", at=local(2026, 2, 3)
    )
    client.force_login(world.prov_head)
    html = client.get(f"/resolution/hearings/{h.pk}/").content.decode()
    assert f'href="/resolution/hearings/new/?petition={p.tracking_code}"' in html
    assert "重新安排听证" in html
    # the link follows hearing_schedule's own rule: in a state it refuses, no link
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.models import Petition
    from xinfang.resolution.services import hearing_schedule
    from xinfang.resolution.services.hearing import SCHEDULABLE

    assert "re_review_requested" in SCHEDULABLE
    Petition.objects.filter(pk=p.pk).update(state="replied")
    html = client.get(f"/resolution/hearings/{h.pk}/").content.decode()
    assert "重新安排听证" not in html
    with pytest.raises(ApplicationError):
        hearing_schedule(
            actor=world.prov_head,
            petition_id=p.pk,
            reason="重大复杂",
            place="听证室",
            scheduled_for=local(2026, 2, 10, 9),
            participants=[],
            at=local(2026, 2, 3),
        )


@pytest.mark.parametrize(
    "field,value",
    [
        ("petition", "AB\x00C"),
        ("scheduled_for", "not-a-time"),
        ("reason", "x\x00y"),
        ("place", "x" * 5000),
        ("role_2", "king"),
    ],
)
def test_bad_input_on_the_new_form_is_a_clear_400(client, world, register, feb3, field, value):
    p = re_review_requested(world, register)
    client.force_login(world.prov_head)
    r = client.post(
        "/resolution/hearings/new/",
        {**FORM, "petition": p.tracking_code, "name_2": "x", field: value},
    )
    assert r.status_code == 400
    assert not Hearing.objects.exists()


def test_bad_ids_and_actions_are_4xx(client, world, register, feb3):
    p = re_review_requested(world, register)
    h = schedule(world, p)
    client.force_login(world.prov_head)
    assert client.get("/resolution/hearings/99999999/").status_code == 404
    assert client.post(f"/resolution/hearings/{h.pk}/explode/").status_code == 404
    assert (
        client.post(f"/resolution/hearings/{h.pk}/open/", {"on": "2026-13-01"}).status_code == 400
    )
    assert (
        client.post(f"/resolution/hearings/{h.pk}/open/", {"on": "2030-01-01"}).status_code == 400
    )
    assert client.get("/resolution/hearings/?status=zzz").status_code == 400
    assert client.get("/resolution/hearings/?cursor=1e9").status_code == 400


def test_who_may_act_on_a_hearing(client, world, register, feb3):
    """The housing bureau's head (it handled the matter, not the re-review) reads nothing of
    the city government's hearing (outside its jurisdiction) and cannot post; the county office's
    clerk may read the list but schedules none (no hearing role)."""
    p = re_review_requested(world, register)
    h = schedule(world, p)
    client.force_login(world.head)
    assert client.get(f"/resolution/hearings/{h.pk}/").status_code == 404
    assert client.post(f"/resolution/hearings/{h.pk}/open/").status_code == 404
    client.force_login(world.clerk)
    assert client.get("/resolution/hearings/").status_code == 200
    assert "安排听证" not in client.get("/resolution/hearings/").content.decode()
    assert client.get("/resolution/hearings/new/").status_code == 403
    client.force_login(world.analyst)
    assert client.get("/resolution/hearings/").status_code == 403


def test_the_hearing_pages_keep_their_query_count(
    client, world, register, feb3, django_assert_max_num_queries
):
    p = re_review_requested(world, register)
    for i in range(3):
        h = schedule(world, p, submission=f"00000000-0000-4000-8000-00000000000{i}")
        from xinfang.resolution.services import hearing_cancel

        hearing_cancel(actor=world.prov_head, hearing_id=h.pk, reason="改期")
    h = schedule(world, p)
    client.force_login(world.prov_head)
    with django_assert_max_num_queries(12):
        assert client.get("/resolution/hearings/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/resolution/hearings/{h.pk}/").status_code == 200


def test_the_tracking_code_is_found_as_the_petition_page_shows_it(client, world, register, feb3):
    """The petition page shows the code in groups of four; copied from there (or typed in lower
    case) it was "not found" (review)."""
    from xinfang.core.ids import format_tracking_code
    from xinfang.resolution.models import Hearing

    p = re_review_requested(world, register)
    client.force_login(world.prov_head)
    shown = format_tracking_code(p.tracking_code).lower()
    assert " " in shown
    r = client.post("/resolution/hearings/new/", {**FORM, "petition": shown, "once": "h9"})
    assert r.status_code == 302, r.content.decode()[:500]
    assert Hearing.objects.get().petition_id == p.pk


def test_a_refusal_is_shown_once_and_a_time_it_cannot_read_is_kept(client, world, register, feb3):
    """Walker item 10: a refused step's message was listed twice, and an unreadable time came
    back in a datetime-local input, which the browser empties."""
    import re

    p = re_review_requested(world, register)
    client.force_login(world.prov_head)
    data = {**FORM, "petition": p.tracking_code, "scheduled_for": "2026-02-10 9点", "once": "h7"}
    html = client.post("/resolution/hearings/new/", data).content.decode()
    assert re.search(r'<input id="h-when" type="text" name="scheduled_for"[^>]*value="2026-02-10 9点"', html)
    # a refused step comes back as the summary's message and as its only error: listed once
    from django.template.loader import render_to_string

    msg = "“举行听证”在当前状态下不可办理"
    html = render_to_string("resolution/_errors.html", {"errors": {"": [msg]}, "message": msg})
    assert html.count(msg) == 1
