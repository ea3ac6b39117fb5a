"""Staff pages: login, worklist and petition page, each with a refusal and a pinned query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_pages_need_a_login(client, world):
    r = client.get("/worklist/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_a_staff_user_logs_in_and_sees_their_organs_worklist_in_chinese(client, world, register):
    register(title="餐馆油烟扰民", received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    r = client.post("/login/", {"username": "clerk", "password": "test-pass-123"})
    assert r.status_code == 302
    r = client.get("/worklist/")
    html = r.content.decode()
    assert r.status_code == 200 and "餐馆油烟扰民" in html and "待办" in html
    assert 'lang="zh-hans"' in html


def test_the_worklist_colours_deadlines(client, world, register):
    register(title="已超期", received_at=local(2025, 8, 1), at=local(2025, 8, 2))
    register(title="将到期", received_at=local(2025, 8, 18), at=local(2025, 8, 19))
    register(title="期限内", received_at=local(2025, 8, 30), at=local(2025, 8, 31))
    client.force_login(world.clerk)
    html = client.get("/worklist/").content.decode()
    assert html.index("due-overdue") < html.index("due-due_soon") < html.index("due-running")


def test_the_worklist_query_count_is_pinned(client, world, register):
    for i in range(3):
        register(received_at=local(2025, 8, 10 + i), at=local(2025, 8, 21))
    client.force_login(world.clerk)
    client.get("/worklist/")
    with CaptureQueriesContext(connection) as q:
        client.get("/worklist/")
    for i in range(10):
        register(received_at=local(2025, 8, 1 + i), at=local(2025, 8, 21))
    with CaptureQueriesContext(connection) as q2:
        client.get("/worklist/")
    assert len(q2) == len(q)


def test_the_petition_page_offers_only_the_actions_allowed_now(client, world, register):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    client.force_login(world.clerk)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "转送" in html and "出具处理意见书" not in html
    assert "第二十二条" in html  # the legal basis of T1


def test_a_petition_of_another_organ_is_not_shown(client, world, register):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    client.force_login(world.handler)
    assert client.get(f"/petitions/{p.pk}/").status_code == 404


def test_an_action_form_transfers_and_a_bad_one_shows_the_field_error(client, world, register):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    client.force_login(world.clerk)
    r = client.post(f"/petitions/{p.pk}/act/transfer/", {"to_organ_id": "", "at": ""})
    assert r.status_code == 400 and "请选择接收机关" in r.content.decode()
    r = client.post(
        f"/petitions/{p.pk}/act/transfer/",
        {"to_organ_id": str(world.housing.pk), "at": "2025-08-30"},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == "transferred" and p.current_organ_id == world.housing.pk


def test_the_petition_page_query_count_is_pinned(client, world, register):
    """The page's queries do not grow with the petitions it lists as possibly the same matter
    (the count includes the audit write of the identity view, topics, the matter section and
    the one query of the source-prevention section and the one of the reception section, whose
    records the timeline reuses)."""
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))  # a similar one
    client.force_login(world.clerk)
    client.get(f"/petitions/{p.pk}/")
    with CaptureQueriesContext(connection) as q:
        client.get(f"/petitions/{p.pk}/")
    for _ in range(4):
        register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    client.get(f"/petitions/{p.pk}/")  # the repeat index takes in the new petitions
    with CaptureQueriesContext(connection) as q2:
        r = client.get(f"/petitions/{p.pk}/")
    assert r.content.decode().count("归入同一事项") >= 5
    # 25: the drafts of the decisions the head signs, for the timeline (issue 12, item 7);
    # 26: the federation section (its link to another installation, by petition: one index read)
    # 27: resolution's backlog, hearing and relief records for the timeline (one UNION query)
    assert len(q2) == len(q) <= 27


def test_the_petition_page_lists_attachments_and_the_earlier_petition_and_gates_downloads(
    client, world, register
):
    from xinfang.petitions.services import AttachmentInput

    first = register(
        title="第一次来信", received_at=local(2025, 8, 1), at=local(2025, 8, 2)
    ).petition
    p = register(
        title="再次来信",
        repeat_of_id=first.pk,
        received_at=local(2025, 8, 28),
        at=local(2025, 8, 29),
        attachments=[AttachmentInput("第1页.pdf", b"%PDF-1.4 page one")],
    ).petition
    a = p.attachments.get()
    client.force_login(world.clerk)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "第1页.pdf" in html and "第一次来信" in html and "前件" in html
    r = client.get(f"/petitions/{p.pk}/attachments/{a.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 page one"
    client.force_login(world.handler)  # another organ: the same gate as the page
    assert client.get(f"/petitions/{p.pk}/attachments/{a.pk}/").status_code == 404
