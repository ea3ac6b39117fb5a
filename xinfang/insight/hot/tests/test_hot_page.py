"""The hot-issues page: matters and places, counts only, within the user's jurisdiction."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from conftest import local
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.petitions.services import PartyInput, petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

DAYS = [(8, 4), (8, 11), (8, 18), (8, 25), (8, 27), (8, 29)]


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def computed() -> dict:  # type: ignore[type-arg]
    """What the worker does every few minutes (``insight.hot_precompute`` wakes it)."""
    from xinfang.insight.hot.snapshots import hot_snapshots_refresh

    return hot_snapshots_refresh()


def _issue(world, register):
    for i, (m, d) in enumerate(DAYS):
        register(
            title=f"幸福小区楼下餐馆油烟噪声扰民{'（再次反映）' if i % 2 else ''}",
            content="青山县幸福小区楼下三家餐馆每晚营业至凌晨，油烟和噪声严重影响居民休息，请求依法处理。",
            received_at=local(2025, m, d),
            at=local(2025, m, d),
            parties=[PartyInput(role="petitioner", name=f"居民{i}号", phone=f"1380000000{i % 4}")],
        )
    for i, (m, d) in enumerate(DAYS[:4]):
        p = register(
            title="检举青山县信访局工作人员索要好处费",
            content="青山县信访局某工作人员在接待时索要好处费五千元，承诺帮助加快办理，请求查处。",
            organ=world.city_po,
            actor=world.city_clerk,
            category="accusation",
            route=None,
            accused_organ_id=world.county_po.pk,
            received_at=local(2025, m, d),
            at=local(2025, m, d),
            parties=[PartyInput(role="petitioner", name=f"检举人{i}", phone=f"1390000000{i}")],
        ).petition
        petition_act(
            petition_id=p.pk,
            action="transfer",
            actor=world.city_clerk,
            at=date(2025, m, d),
            data={"to_organ_id": world.discipline.pk},
        )


def test_an_analyst_sees_the_issue_counted_but_no_one_named(client, world, register):
    _issue(world, register)
    computed()
    client.force_login(world.analyst)
    r = client.get("/insight/hot/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "幸福小区楼下餐馆油烟噪声扰民" in body
    assert "<td>6</td>" in body and "<td>4</td>" in body  # 6 petitions, 4 distinct petitioners
    assert "青山县" in body  # the region
    assert "<strong>幸福小区</strong>" in body  # the place its titles name
    assert "居民" not in body and "1380000000" not in body  # no names, no phones
    # The county petition office is accused: the accusations are not counted for it.
    assert "好处费" not in body and "检举" not in body


def test_a_leader_above_sees_the_accusations_as_an_issue_too(client, world, register):
    _issue(world, register)
    leader = staff_create(
        username="leader", password="x-Pass-123", organ=world.city_gov, roles=[Role.LEADER]
    )
    computed()
    client.force_login(leader)
    body = client.get("/insight/hot/", {"weeks": "8"}).content.decode()
    assert "好处费" in body and "检举人" not in body and "1390000000" not in body


@pytest.fixture
def no_inline(monkeypatch):
    """Windows too large to group on the page (as at 10^6): the worker computes them."""
    from xinfang.insight.hot import snapshots

    monkeypatch.setattr(snapshots, "INLINE_MAX", 0)


def test_the_window_is_a_query_parameter(client, world, register, no_inline):
    _issue(world, register)
    computed()
    client.force_login(world.analyst)
    # A window no one asked for before: the page answers at once and the worker is woken.
    body = client.get("/insight/hot/", {"weeks": "1"}).content.decode()
    assert "正在后台计算" in body and "幸福小区" not in body
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(
        status="READY", task_path__endswith="hot_snapshots_task"
    ).exists()
    assert computed()["computed"] == 1  # that window alone: the others are unchanged
    body = client.get("/insight/hot/", {"weeks": "1"}).content.decode()
    # Only two petitions of the matter fall in the last week: fewer than three make no issue.
    assert "所选期间没有形成热点问题" in body
    assert computed()["computed"] == 0  # nothing changed: nothing clustered again


def test_a_registrar_may_not_open_the_hot_page(client, world):
    client.force_login(world.clerk)
    assert client.get("/insight/hot/").status_code == 403


def test_the_worker_computes_every_readers_page_before_its_first_view(
    client, world, register, monkeypatch
):
    """Issue 14: the first view clustered every petition of the period (2 minutes at 10^5).
    The tick wakes the worker, which computes the scope of every user who may read hot issues
    (logged in or not); the page then only reads, and says when it was computed."""
    import importlib

    from xinfang.core import clock
    from xinfang.insight.hot import snapshots, views

    jobs = importlib.import_module("xinfang.insight.jobs")  # as `xinfang tick` finds it
    _issue(world, register)
    assert jobs.hot_precompute(now=clock.now()) == {"enqueued": 1}
    assert jobs.hot_precompute(now=clock.now()) == {"enqueued": 0}  # one waiting run is enough
    got = computed()
    assert got["computed"] == got["windows"] >= 1

    def must_not_cluster(**kw):  # type: ignore[no-untyped-def]
        raise AssertionError("the page clustered on its first view")

    monkeypatch.setattr(views, "hot_rows_for_user", must_not_cluster)
    monkeypatch.setattr(snapshots, "hot_rows_of", must_not_cluster)
    newcomer = staff_create(
        username="new-analyst", password=None, organ=world.analyst.organ, roles=[Role.ANALYST]
    )
    client.force_login(newcomer)  # never logged in before: the scope is the organ's
    body = client.get("/insight/hot/").content.decode()
    assert "幸福小区楼下餐馆油烟噪声扰民" in body and "本页结果计算于" in body


def test_a_staff_member_an_accusation_names_has_a_scope_of_their_own(client, world, register):
    """Two leaders of the city government: an accusation naming one of them is an issue for
    the other, never for the one it names (Art. 30 para 3), although they share an organ."""
    named = staff_create(username="l1", password=None, organ=world.city_gov, roles=[Role.LEADER])
    other = staff_create(username="l2", password=None, organ=world.city_gov, roles=[Role.LEADER])
    for i, (m, d) in enumerate(DAYS[:4]):
        register(
            title="检举市政府某领导违规插手工程招标",
            content="市政府某领导违规插手幸福路改造工程招标，请求查处。",
            organ=world.city_po,
            actor=world.city_clerk,
            category="accusation",
            route=None,
            accused_staff_ids=[named.pk],
            received_at=local(2025, m, d),
            at=local(2025, m, d),
            parties=[PartyInput(role="petitioner", name=f"检举人{i}", phone=f"1390000001{i}")],
        )
    computed()
    client.force_login(other)
    assert "插手工程招标" in client.get("/insight/hot/").content.decode()
    client.force_login(named)
    body = client.get("/insight/hot/").content.decode()
    assert "本页结果计算于" in body and "插手工程招标" not in body


def test_a_snapshot_never_outlives_an_accusation_naming_its_reader(
    client, world, register, no_inline
):
    """Review A item 2: a petition that names a reader after its snapshot was computed leaves
    the reader's page at once (Art. 30 para 3), not when the worker next runs; and a snapshot
    the worker has not confirmed for two periods reads as "being computed" (a stopped worker)."""
    from datetime import timedelta

    import time_machine

    from xinfang.petitions.services import petition_accused_set

    named = staff_create(username="l1", password=None, organ=world.city_gov, roles=[Role.LEADER])

    def accusation(title: str, i: int, staff: list[int]):  # type: ignore[no-untyped-def]
        m, d = DAYS[i]
        return register(
            title=title,
            content=f"{title}，请求查处。",
            organ=world.city_po,
            actor=world.city_clerk,
            category="accusation",
            route=None,
            accused_staff_ids=staff,
            received_at=local(2025, m, d),
            at=local(2025, m, d),
            parties=[PartyInput(role="petitioner", name=f"检举人{i}", phone=f"1390000002{i}")],
        ).petition

    accusation("检举市政府某领导公车私用", 5, [named.pk])  # the reader's scope is their own
    later = [accusation("检举违规插手幸福路工程招标", i, []) for i in range(4)]
    computed()
    client.force_login(named)
    assert "插手幸福路工程招标" in client.get("/insight/hot/").content.decode()
    for p in later:  # the handling organ records whom they accuse: the reader
        petition_accused_set(petition_id=p.pk, actor=world.city_clerk, staff_ids=[named.pk])
    body = client.get("/insight/hot/").content.decode()
    assert "插手幸福路工程招标" not in body
    # forgotten, then filled at once from a snapshot that holds exactly the petitions the
    # reader's gate now lets through (none here), or "being computed"
    assert "正在后台计算" in body or "所选期间没有形成热点问题" in body
    computed()
    body = client.get("/insight/hot/").content.decode()
    assert "本页结果计算于" in body and "插手幸福路工程招标" not in body

    # the worker stops: two periods on the snapshot is no longer shown, nor given to prevention
    from xinfang.insight.hot.views import hot_rows_cached

    with time_machine.travel(local(2025, 9, 1) + timedelta(minutes=11), tick=False):
        assert "正在后台计算" in client.get("/insight/hot/").content.decode()
        computed()  # the same petitions: confirmed, shown again
        assert "本页结果计算于" in client.get("/insight/hot/").content.decode()
        assert hot_rows_cached(user=named, gate=False) is not None


def test_a_window_a_reader_waits_on_is_computed_before_the_others(
    client, world, register, monkeypatch, no_inline
):
    """Issue 14/16: another window than the default is not left behind every scope's
    recomputation: the worker takes the window a reader asked for (and waits on) first, even
    one asked while its run is under way; the waiting page offers a refresh and the window
    computed ahead."""
    from xinfang.insight.hot import snapshots

    _issue(world, register)
    computed()
    leader = staff_create(
        username="leader", password=None, organ=world.county_gov, roles=[Role.LEADER]
    )
    register(title="新的一件", received_at=local(2025, 8, 31), at=local(2025, 8, 31))
    client.force_login(world.analyst)
    body = client.get("/insight/hot/", {"weeks": "2"}).content.decode()
    assert "正在后台计算" in body and '<a href="?weeks=8">' in body
    order = []
    real = snapshots.hot_rows_of

    def spy(*, ids, weeks, now, bank=None):  # type: ignore[no-untyped-def]
        order.append(weeks)
        if len(order) == 1:  # a reader asks for a window while the run is under way
            client.force_login(leader)
            client.get("/insight/hot/", {"weeks": "3"})
        return real(ids=ids, weeks=weeks, now=now, bank=bank)

    monkeypatch.setattr(snapshots, "hot_rows_of", spy)
    got = computed()
    assert order[0] == 2, order  # the analyst's
    assert order[1] == 3, order  # the leader's scope (any reader of it computes it)
    assert len(order) > 2 and got["computed"] > 2  # the defaults the new petition changed


def test_the_english_page_separates_terms_and_places_with_commas(client, world, register):
    """walker #12: words and places joined with "、" and "Surge weeks：" on the English page."""
    _issue(world, register)
    computed()
    client.force_login(world.analyst)
    zh = client.get("/insight/hot/").content.decode()
    client.cookies["django_language"] = "en"
    en = client.get("/insight/hot/").content.decode()
    assert "Hot issues" in en or "hot issues" in en.lower()
    table = en[en.index("<table") :]
    assert "、" not in table and "：" not in table
    assert "、" in zh[zh.index("<table") :]


@pytest.mark.parametrize("weeks", ["0", "53", "999", "abc", "1.5", "٣", "9" * 40])
def test_a_week_count_it_cannot_use_is_refused_at_the_field_with_the_form_kept(
    client, world, weeks
):
    """fixui item 5: "0", "abc" or "999" silently showed 8, 1 or 52 weeks as if asked for."""
    from django.conf import settings

    client.force_login(world.analyst)
    r = client.get("/insight/hot/", {"weeks": weeks})
    body = r.content.decode()
    assert r.status_code == 400
    assert 'id="hot-weeks-error"' in body and "周数应为 1 至 52 之间的整数" in body
    assert f'value="{weeks[:20]}"' in body  # what was typed, kept in the form
    assert "正在后台计算" not in body and '<a href="?weeks=8">' in body  # the way out
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/insight/hot/", {"weeks": weeks}).content.decode()
    assert "The number of weeks must be a whole number from 1 to 52" in en
    assert client.get("/insight/hot/", {"weeks": ""}).status_code == 200  # empty: the default
    assert client.get("/insight/hot/", {"weeks": " 52 "}).status_code == 200
