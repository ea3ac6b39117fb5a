"""The supervision pages: issue, refresh, a refused form keeps what was typed, bad input is a
4xx, the reply, the escalations page, the menu only for roles that may open them, English."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local
from xinfang.resolution.models import SupervisionNotice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

KEY = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"


def _new(client, world, held, **over):
    data = {
        "submission": KEY,
        "organ": str(world.housing.pk),
        "reasons": ["delay", "perfunctory"],
        "petitions": held.tracking_code,
        "facts": "转送后逾期未告知受理情况。",
        "reply_due": "2025-10-01",
    }
    data.update(over)
    return client.post("/resolution/supervision/new/", data)


def test_an_office_issues_a_notice_and_a_refresh_issues_nothing_more(client, world, held):
    client.force_login(world.clerk)
    assert (
        client.get(f"/resolution/supervision/new/?petitions={held.tracking_code}").status_code
        == 200
    )
    r = _new(client, world, held)
    assert r.status_code == 302
    n = SupervisionNotice.objects.get()
    assert r["Location"] == f"/resolution/supervision/{n.pk}/"
    assert _new(client, world, held).status_code == 302
    assert SupervisionNotice.objects.count() == 1
    html = client.get(r["Location"]).content.decode()
    assert n.number in html and "推诿" not in html and "拖延" in html and "敷衍" in html
    assert held.tracking_code in html and "2025-10-01" in html


def test_the_supervision_role_at_the_petition_office_issues_a_notice(client, world, held):
    """Walker item 10: 督查督办 (Role.SUPERVISOR) at the county petition office got 403 on the
    new notice while the clerk could; Art. 40 makes supervising the petition office's act."""
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    sup = staff_create(username="dc1", password=None, organ=world.county_po,
                       roles=[Role.SUPERVISOR])
    client.force_login(sup)
    assert client.get("/resolution/supervision/new/").status_code == 200
    assert 'href="/resolution/supervision/new/' in client.get("/resolution/supervision/").content.decode()
    r = _new(client, world, held)
    assert r.status_code == 302
    assert SupervisionNotice.objects.get().issued_by_id == sup.pk
    from xinfang.directory.permissions import CAPABILITIES, Cap
    from xinfang.petitions.flags import FLAGS, Flag

    # the notice's flag is set by exactly the roles that issue notices (one table, not two)
    assert FLAGS[Flag.SUPERVISED].roles == {r for r, c in CAPABILITIES.items() if Cap.SUPERVISE in c}
    # outside a petition office the role still issues nothing (Art. 40)
    other = staff_create(username="dc2", password=None, organ=world.housing, roles=[Role.SUPERVISOR])
    client.force_login(other)
    assert client.get("/resolution/supervision/new/").status_code == 403


def test_a_refused_form_keeps_what_was_typed(client, world, held):
    client.force_login(world.clerk)
    r = _new(client, world, held, reasons=[], facts="保留这段文字")
    html = r.content.decode()
    assert r.status_code == 400 and "请从第四十条所列情形中选择督办事由" in html
    assert "保留这段文字" in html and held.tracking_code in html
    assert SupervisionNotice.objects.count() == 0
    r = _new(client, world, held, petitions="NOSUCHCODE")
    assert r.status_code == 400 and "NOSUCHCODE" in r.content.decode()


@pytest.mark.parametrize(
    "over",
    [
        {"organ": "abc"},
        {"organ": "99999999999999999999"},
        {"reply_due": "2025-13-45"},
        {"facts": "x\x00y"},
        {"reasons": ["nope"]},
        {"petitions": "A" * 5000},
    ],
)
def test_bad_input_is_a_4xx(client, world, held, over):
    client.force_login(world.clerk)
    assert _new(client, world, held, **over).status_code == 400


@pytest.mark.parametrize("query", ["status=nope", "cursor=x", "cursor=" + "9" * 30])
def test_bad_list_filters_are_a_400(client, world, query):
    client.force_login(world.clerk)
    assert client.get(f"/resolution/supervision/?{query}").status_code == 400


def test_an_organ_cannot_issue_and_a_stranger_sees_nothing(client, world, issue):
    n = issue()
    client.force_login(world.head)  # housing's head: may reply, may not issue
    assert client.get("/resolution/supervision/new/").status_code == 403
    assert (
        'href="/resolution/supervision/new/"'
        not in client.get("/resolution/supervision/").content.decode()
    )
    client.force_login(world.analyst)
    assert client.get(f"/resolution/supervision/{n.pk}/").status_code == 403
    assert client.get("/resolution/supervision/999999/").status_code == 403


def test_the_organ_replies_in_writing_on_the_page(client, world, issue):
    n = issue()
    client.force_login(world.handler)
    html = client.get(f"/resolution/supervision/{n.pk}/").content.decode()
    assert n.number in html and 'name="reply"' not in html  # the handler may not sign it
    client.force_login(world.head)
    html = client.get(f"/resolution/supervision/{n.pk}/").content.decode()
    assert 'name="reply"' in html
    r = client.post(f"/resolution/supervision/{n.pk}/reply/", {"reply": " "})
    assert r.status_code == 400 and "请填写书面反馈的内容" in r.content.decode()
    r = client.post(f"/resolution/supervision/{n.pk}/reply/", {"reply": "已书面告知受理。"})
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "已书面告知受理。" in html and "青山信督复〔2025〕1号" in html and "按期反馈" in html
    # a second post (a refresh) records nothing more
    client.post(f"/resolution/supervision/{n.pk}/reply/", {"reply": "另一份"})
    n.refresh_from_db()
    assert n.reply == "已书面告知受理。"
    # the office reads the reply
    client.force_login(world.clerk)
    assert "已书面告知受理。" in client.get(f"/resolution/supervision/{n.pk}/").content.decode()


def test_the_escalations_page_lists_the_steps_addressed_to_the_organ(client, world, issue):
    from xinfang.resolution.services import escalate

    n = issue()
    escalate(now=local(2025, 10, 7))
    client.force_login(world.head)
    html = client.get("/resolution/escalations/").content.decode()
    assert n.number in html and "逾期告知机关负责人" in html
    client.force_login(world.city_clerk)  # the next-higher office
    html = client.get("/resolution/escalations/").content.decode()
    assert "逾期报上一级信访部门" in html


def test_the_menu_links_supervision_only_for_roles_that_may_open_it(client, world):
    for user, shown in ((world.clerk, True), (world.handler, True), (world.analyst, False)):
        client.force_login(user)
        menu = client.get("/search/" if shown else "/").content.decode()
        assert ('href="/resolution/supervision/"' in menu) == shown
        assert client.get("/resolution/supervision/").status_code == (200 if shown else 403)


def test_the_list_query_count_is_pinned(client, world, issue):
    issue()
    client.force_login(world.clerk)
    client.get("/resolution/supervision/")
    with CaptureQueriesContext(connection) as q:
        client.get("/resolution/supervision/")
    n = len(q)
    for _ in range(5):
        issue()
    with CaptureQueriesContext(connection) as q:
        html = client.get("/resolution/supervision/").content.decode()
    assert len(re.findall(r'href="/resolution/supervision/\d+/"', html)) == 6
    assert len(q) == n <= 12


def test_the_pages_are_in_english_with_the_language_cookie(client, world, issue, settings):
    n = issue()
    client.force_login(world.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "/resolution/supervision/": [
            "Supervision notice",
            "Issue a supervision notice",
            "Listed supervision only",
        ],
        f"/resolution/supervision/{n.pk}/": ["Delay", "Written reply"],
        "/resolution/supervision/new/": ["Reasons for supervision (Art. 40)"],
        "/resolution/escalations/": ["Escalations"],
    }
    for url, words in pages.items():
        html = client.get(url).content.decode()
        for w in words:
            assert w in html, (url, w)
        for zh in ("督办通知", "返回", "催办提醒"):
            assert zh not in html, (url, zh)
