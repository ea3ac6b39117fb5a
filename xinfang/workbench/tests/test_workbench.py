"""The workbench: worklist filters, saved filters and search, each with a refusal and a pinned
query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local
from xinfang.petitions.services import PartyInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def township(world):
    from xinfang.directory.models import Level, Region

    return Region.objects.create(
        code="990102001", name="幸福街道", level=Level.TOWNSHIP, parent=world.county
    )


@pytest.fixture
def three(register):
    """Three petitions at the county office: overdue, due soon, running (as of 2025-09-01)."""
    return {
        "overdue": register(title="已超期", received_at=local(2025, 8, 1), at=local(2025, 8, 2)),
        "due_soon": register(title="将到期", received_at=local(2025, 8, 18), at=local(2025, 8, 19)),
        "running": register(title="期限内", received_at=local(2025, 8, 30), at=local(2025, 8, 31)),
    }


@pytest.fixture(params=["queued", "indexed"])
def settle(request):
    """Text search must give the same answer for a petition still queued for the index (found
    by its text) and for one the indexer has done (found by its words): each test runs both."""
    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.services import search_index_pending

    def _settle():
        if request.param == "indexed":
            search_index_pending()
            assert not SearchPending.objects.exists()
        else:
            assert SearchPending.objects.exists()

    return _settle


def _titles(page):
    return [p.title for p in page.items]


# --- worklist filters ------------------------------------------------------------------------


def test_the_worklist_filters_by_deadline_status(world, three):
    from xinfang.petitions.selectors import worklist_for_user

    for due in ("overdue", "due_soon", "running"):
        page = worklist_for_user(user=world.clerk, due=due)
        assert [p.pk for p in page.items] == [three[due].petition.pk], due
    assert worklist_for_user(user=world.clerk, due="nonsense").items == []


def test_the_deadline_filter_follows_the_row_colour(world, three):
    from xinfang.petitions.selectors import due_status, worklist_for_user

    for due in ("overdue", "due_soon", "running"):
        assert all(
            due_status(p.next_due) == due
            for p in worklist_for_user(user=world.clerk, due=due).items
        )


def test_the_worklist_filters_by_region_including_subregions(world, register, township):
    register(title="县里的事")
    register(title="街道的事", region_code=township.code)
    from xinfang.petitions.selectors import worklist_for_user

    assert sorted(_titles(worklist_for_user(user=world.clerk, region="990102"))) == [
        "县里的事",
        "街道的事",
    ]
    assert _titles(worklist_for_user(user=world.clerk, region="990102001")) == ["街道的事"]
    assert sorted(_titles(worklist_for_user(user=world.clerk, region="990100"))) == [
        "县里的事",
        "街道的事",
    ]
    assert _titles(worklist_for_user(user=world.clerk, region="110000")) == []


def test_keyset_pagination_keeps_the_filters(world, register, township):
    from xinfang.petitions.selectors import worklist_for_user

    for i in range(5):
        register(title=f"街道{i}", region_code=township.code, received_at=local(2025, 8, 26 + i))
        register(title=f"县{i}", received_at=local(2025, 8, 26 + i))
    seen, cursor = [], None
    while True:
        page = worklist_for_user(
            user=world.clerk, region=township.code, due="running", cursor=cursor, limit=2
        )
        seen += _titles(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == [f"街道{i}" for i in range(5)]


def test_the_worklist_api_and_page_take_the_new_filters(client, world, three):
    from xinfang.api.services import token_issue

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    r = client.get("/api/v1/worklist", {"due": "overdue", "region": "990102"}, **auth)
    assert r.status_code == 200 and [x["title"] for x in r.json()["items"]] == ["已超期"]
    client.force_login(world.clerk)
    html = client.get("/worklist/", {"due": "due_soon"}).content.decode()
    shown = {k for k, reg in three.items() if f"/petitions/{reg.petition.pk}/" in html}
    assert shown == {"due_soon"}


def test_the_filtered_worklist_query_count_is_pinned(client, world, register):
    client.force_login(world.clerk)
    for i in range(3):
        register(received_at=local(2025, 8, 10 + i), at=local(2025, 8, 21))
    url = "/worklist/?due=running&region=990102&state=registered"
    client.get(url)
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    for i in range(10):
        register(received_at=local(2025, 8, 1 + i), at=local(2025, 8, 21))
    with CaptureQueriesContext(connection) as q2:
        client.get(url)
    assert len(q2) == len(q) <= 12


# --- saved filters ---------------------------------------------------------------------------


def test_a_user_saves_uses_and_deletes_a_filter(client, world, three):
    client.force_login(world.clerk)
    r = client.post(
        "/worklist/filters/", {"name": "超期的", "query": "due=overdue&cursor=x&evil=1"}
    )
    assert r.status_code == 302 and r["Location"].endswith("?due=overdue")
    html = client.get("/worklist/").content.decode()
    assert "超期的" in html and 'href="?due=overdue"' in html
    from xinfang.workbench.models import SavedFilter

    f = SavedFilter.objects.get(user=world.clerk)
    assert f.query == "due=overdue"
    assert client.post(f"/worklist/filters/{f.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.exists()


def test_a_filter_needs_a_name_and_a_condition(client, world):
    client.force_login(world.clerk)
    client.post("/worklist/filters/", {"name": "", "query": "due=overdue"})
    client.post("/worklist/filters/", {"name": "空的", "query": "cursor=1"})
    from xinfang.workbench.models import SavedFilter

    assert not SavedFilter.objects.exists()


def test_another_user_neither_sees_nor_deletes_my_filter(client, world):
    from xinfang.workbench.models import SavedFilter
    from xinfang.workbench.services import saved_filter_create

    mine = saved_filter_create(user=world.clerk, name="我的筛选", query="due=overdue")
    client.force_login(world.po_head)
    assert "我的筛选" not in client.get("/worklist/").content.decode()
    assert client.post(f"/worklist/filters/{mine.pk}/delete/").status_code == 404
    assert client.get(f"/worklist/filters/{mine.pk}/delete/").status_code == 405
    assert SavedFilter.objects.filter(pk=mine.pk).exists()


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def token(world):
    from xinfang.api.services import token_issue

    def _auth(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}

    return _auth


def test_search_by_tracking_code_ignores_spaces_and_case(client, world, register, token):
    from xinfang.core.ids import format_tracking_code

    p = register().petition
    register(title="别的事项")
    code = format_tracking_code(p.tracking_code).lower()
    r = client.get("/api/v1/search", {"q": f" {code} ", "by": "code"}, **token(world.clerk))
    assert [x["id"] for x in r.json()["items"]] == [p.pk]


def test_search_by_phone_uses_the_blind_index(client, world, register, token):
    p = register(parties=[PartyInput(role="petitioner", name="王五", phone="13911112222")]).petition
    register()
    auth = token(world.clerk)
    # by identity: in the body (POST), never in the URL (issue 11)
    r = client.post(
        "/api/v1/search",
        {"q": "+86 139-1111-2222", "by": "phone"},
        content_type="application/json",
        **auth,
    )
    assert [x["id"] for x in r.json()["items"]] == [p.pk]
    for q in ({"q": "+86 139-1111-2222", "by": "phone"}, {"q": "王五", "by": "name"}):
        r = client.get("/api/v1/search", q, **auth)
        assert r.status_code == 400 and r.json()["code"] == "identity_in_url", q
    r = client.get("/api/v1/search", {"q": "13911112222"}, **auth)  # a phone as words
    assert r.status_code == 400
    r = client.post(
        "/api/v1/search", {"q": "王五", "by": "name"}, content_type="application/json", **auth
    )
    assert [x["id"] for x in r.json()["items"]] == [p.pk]
    from xinfang.audit.models import AuditRecord

    logged = list(AuditRecord.objects.filter(kind="identity.search").values_list("data", flat=True))
    assert len(logged) == 2 and all(d["petition_ids"] == [p.pk] for d in logged)
    assert "13911112222" not in str(logged) and "王五" not in str(logged)


def test_search_by_identity_needs_the_view_identity_capability(client, world, register, token):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    register()
    supervisor = staff_create(
        username="sup", password="x-pass-123456", organ=world.county_po, roles=[Role.SUPERVISOR]
    )
    for by in ("phone", "name"):
        r = client.post(
            "/api/v1/search",
            {"q": "13800000000" if by == "phone" else "张三", "by": by},
            content_type="application/json",
            **token(supervisor),
        )
        assert r.status_code == 403, by
    client.force_login(supervisor)
    assert client.get("/search/", {"q": "张三", "by": "name"}).status_code == 403
    html = client.get("/search/").content.decode()
    assert 'value="phone"' not in html and 'value="code"' in html


def test_full_text_search_in_chinese_needs_every_word(client, world, register, token, settle):
    a = register(title="餐馆油烟扰民", content="楼下餐馆每晚排放油烟，噪声很大").petition
    b = register(title="拖欠农民工工资", content="工地拖欠工资三个月").petition
    settle()
    auth = token(world.clerk)

    def ids(q, **kw):
        return [
            x["id"] for x in client.get("/api/v1/search", {"q": q, **kw}, **auth).json()["items"]
        ]

    assert ids("油烟") == [a.pk]
    assert ids("拖欠工资") == [b.pk]
    assert ids("油烟 工资") == []
    assert ids("噪声") == [a.pk]  # a word of the content
    assert ids("油") == []  # one character is no word


def test_search_filters_by_state_category_and_dates(client, world, register, token, settle):
    a = register(title="油烟一", received_at=local(2025, 8, 1)).petition
    b = register(
        title="油烟二", received_at=local(2025, 8, 20), category="suggestion", route=None
    ).petition
    settle()
    auth = token(world.clerk)

    def ids(**kw):
        return [
            x["id"]
            for x in client.get("/api/v1/search", {"q": "油烟", **kw}, **auth).json()["items"]
        ]

    assert ids() == [b.pk, a.pk]
    assert ids(category="suggestion") == [b.pk]
    assert ids(state="registered") == [b.pk, a.pk] and ids(state="closed") == []
    assert ids(received_from="2025-08-10") == [b.pk]
    assert ids(received_to="2025-08-01") == [a.pk]


def test_search_pages_by_keyset(client, world, register, token, settle):
    made = [register(title=f"油烟{i}").petition.pk for i in range(5)]
    settle()
    auth = token(world.clerk)
    seen, cursor = [], None
    while True:
        q = {"q": "油烟", "limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/search", q, **auth).json()
        seen += [x["id"] for x in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(made, reverse=True)


def test_search_never_shows_other_jurisdictions_or_accusations_to_the_accused(
    client, world, register, token, settle
):
    from xinfang.directory.models import Level, OrganKind, Role
    from xinfang.directory.services import organ_create, staff_create

    register(title="油烟本县")
    register(
        title="油烟检举信访局",
        organ=world.city_po,
        actor=world.city_clerk,
        category="accusation",
        route=None,
        accused_organ_id=world.county_po.pk,
    )
    other_region = organ_create(
        name="别县信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.province
    )
    outsider = staff_create(
        username="outsider", password="x-pass-123456", organ=other_region, roles=[Role.REGISTRAR]
    )

    settle()

    def titles(user, **kw):
        body = {"q": "油烟", **kw}  # POST: the phone search's number stays out of the URL
        r = client.post("/api/v1/search", body, content_type="application/json", **token(user))
        return sorted(x["title"] for x in r.json()["items"])

    assert titles(world.clerk) == ["油烟本县"]  # the accused office: never the accusation
    assert titles(world.clerk, by="phone", q="13800000000") == ["油烟本县"]
    assert titles(world.city_clerk) == ["油烟本县", "油烟检举信访局"]
    assert titles(outsider) == []
    assert titles(world.analyst) == []


def test_the_search_page_query_count_is_pinned(client, world, register, settle):
    client.force_login(world.clerk)
    for i in range(3):
        register(title=f"油烟扰民{i}")
    settle()
    url = "/search/?q=油烟扰民&state=registered&from=2025-01-01"
    client.get(url)
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.content.decode().count("油烟扰民") >= 3
    for i in range(10):
        register(title=f"油烟扰民{i}")
    settle()
    with CaptureQueriesContext(connection) as q2:
        client.get(url)
    assert len(q2) == len(q) <= 9  # 8 when the queue is empty, plus its EXISTS otherwise


def test_reindex_rebuilds_the_index(world, register):
    from django.core.management import call_command

    from xinfang.workbench.services import search_index_pending
    from xinfang.workbench.words import words_delete, words_of

    p = register(title="餐馆油烟").petition
    search_index_pending()
    words_delete(petition_ids=[p.pk])
    assert words_of(petition_ids=[p.pk]) == {}
    call_command("search_reindex", verbosity=0)
    assert "油烟" in words_of(petition_ids=[p.pk])[p.pk]


def test_registration_queues_and_the_indexer_drains(world, register):
    """Registration writes no words (they cost half its time); it queues the petition, and a
    drain writes its words and empties the queue, in batches, and is safe to repeat."""
    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.services import search_index_pending
    from xinfang.workbench.words import words_of

    made = [register(title=f"油烟{i}号").petition for i in range(5)]
    ids = [p.pk for p in made]
    assert set(SearchPending.objects.values_list("petition_id", flat=True)) == set(ids)
    assert words_of(petition_ids=ids) == {}
    assert search_index_pending(batch=2, limit=3) == 3
    assert SearchPending.objects.count() == 2
    assert search_index_pending(batch=2) == 2
    assert search_index_pending() == 0
    assert not SearchPending.objects.exists()
    assert {pid for pid, ws in words_of(petition_ids=ids).items() if "油烟" in ws} == set(ids)


def test_a_queued_petition_is_found_by_text_only_while_queued(world, register):
    """The direct text match is for queued petitions only: an indexed petition whose words
    were removed is not found by its text any more (so the two paths cannot mask each other)."""
    from xinfang.workbench.selectors import petition_search_for_user
    from xinfang.workbench.services import search_index_pending
    from xinfang.workbench.words import words_delete

    p = register(title="餐馆油烟").petition

    def found():
        return [x.pk for x in petition_search_for_user(user=world.clerk, q="油烟").items]

    assert found() == [p.pk]
    search_index_pending()
    assert found() == [p.pk]
    words_delete(petition_ids=[p.pk])
    assert found() == []


def test_reindex_takes_queued_petitions_off_the_queue(world, register):
    from django.core.management import call_command

    from xinfang.workbench.models import SearchPending

    register(title="餐馆油烟")
    call_command("search_reindex", verbosity=0)
    assert not SearchPending.objects.exists()


def test_registration_asks_the_worker_once_and_the_worker_indexes_the_queue(
    world, register, settings, monkeypatch
):
    """With XINFANG_SEARCH_INDEXER on (the default), registration enqueues one drain task in
    its transaction, however many petitions wait; the worker's run of it indexes them all."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.words import words_of

    settings.XINFANG_SEARCH_INDEXER = True
    p = register(title="餐馆油烟").petition
    register(title="道路积水")
    waiting = DBTaskResult.objects.filter(status="READY")
    assert list(waiting.values_list("task_path", flat=True)) == [
        "xinfang.workbench.tasks.search_index_drain"
    ]
    # the worker's loop, less its recycling of connections (this test is one transaction)
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    ).run()  # fmt: skip
    assert not SearchPending.objects.exists()
    assert "油烟" in words_of(petition_ids=[p.pk])[p.pk]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_refused_registration_enqueues_no_task(world, register, settings):
    from django_tasks_db.models import DBTaskResult

    from xinfang.core.errors import ApplicationError

    settings.XINFANG_SEARCH_INDEXER = True
    with pytest.raises(ApplicationError):
        register(title="")
    assert not DBTaskResult.objects.exists()


def test_the_search_index_command_drains_the_queue(world, register):
    from io import StringIO

    from django.core.management import call_command

    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.words import words_of

    p = register(title="餐馆油烟").petition
    out = StringIO()
    call_command("search_index", stdout=out)
    assert "1 件" in out.getvalue()
    assert not SearchPending.objects.exists()
    assert "油烟" in words_of(petition_ids=[p.pk])[p.pk]
