"""The hot-issue worker at scale (issue 14): what it shows equals what is computed directly for
every reader, an unchanged scope costs no window read, a change regroups only the scopes it
reaches, a run's CPU is bounded, and a new reader of a small scope never waits."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from conftest import local
from xinfang.core import clock
from xinfang.directory.models import Role, User
from xinfang.directory.services import staff_create
from xinfang.insight.hot import snapshots
from xinfang.insight.hot.rows import hot_rows_for_user
from xinfang.insight.hot.snapshots import _reader, hot_snapshot_read, hot_snapshots_refresh
from xinfang.insight.models import HotSnapshot
from xinfang.petitions.services import PartyInput, petition_act

from .test_hot_page import DAYS, _issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def _readers() -> list[User]:
    return [u for u in User.objects.filter(is_active=True).order_by("pk") if _reader(u)]


def _shown(user: User, weeks: int = 8) -> list:  # type: ignore[type-arg]
    snap = hot_snapshot_read(user=user, weeks=weeks, now=clock.now())
    assert snap.computed_at is not None, user.username
    return snap.rows


def _more(world, register, n: int, title: str, organ=None, actor=None):  # type: ignore[no-untyped-def]
    for i in range(n):
        m, d = DAYS[i % len(DAYS)]
        register(
            title=title,
            content=f"{title}，已多次反映，请求尽快处理。",
            received_at=local(2025, m, d),
            at=local(2025, m, d),
            organ=organ,
            actor=actor,
            parties=[PartyInput(role="petitioner", name=f"群众{i}", phone=f"1370000{i:04d}")],
        )


def _leaders(world):  # type: ignore[no-untyped-def]
    return [
        staff_create(username="city-leader", password=None, organ=world.city_gov,
                     roles=[Role.LEADER]),
        staff_create(username="county-leader", password=None, organ=world.county_gov,
                     roles=[Role.LEADER]),
        staff_create(username="court-analyst", password=None, organ=world.court,
                     roles=[Role.ANALYST]),
        staff_create(username="disc-analyst", password=None, organ=world.discipline,
                     roles=[Role.ANALYST]),
    ]  # fmt: skip


def test_every_readers_issues_equal_those_computed_directly(world, register):
    """For each reader's scope the page shows exactly what ``hot_rows_for_user`` computes
    from that reader's gate, after the first run and after an incremental one; the accused
    county petition office never sees the accusations against it (Art. 30 para 3)."""
    _issue(world, register)
    _leaders(world)
    hot_snapshots_refresh()
    readers = _readers()
    assert len(readers) >= 4
    for user in readers:
        assert _shown(user) == hot_rows_for_user(user=user, weeks=8, gate=False), user.username
    assert any("好处费" in r.label for r in _shown(User.objects.get(username="city-leader")))
    assert not any("好处费" in r.label for r in _shown(world.analyst))  # the accused office

    # a change: a new matter at the county office, and one petition of the old matter moves
    _more(world, register, 3, "青山县幸福路路灯损坏多日无人维修")
    got = hot_snapshots_refresh()
    assert got["computed"] >= 1 and got["windows_read"] >= 1
    for user in readers:
        rows = _shown(user)
        assert rows == hot_rows_for_user(user=user, weeks=8, gate=False), user.username
    assert any("路灯" in r.label for r in _shown(world.analyst))
    assert not any("好处费" in r.label for r in _shown(world.analyst))

    # a change that takes petitions out of the scopes that grouped them: registrations voided
    lamp = _shown(world.analyst)
    lamp = next(r for r in lamp if "路灯" in r.label)
    for pid in lamp.member_ids[:2]:
        petition_act(petition_id=pid, action="void", actor=world.clerk, at=local(2025, 9, 1),
                     reason="重复登记")  # fmt: skip
    hot_snapshots_refresh()
    for user in readers:
        assert _shown(user) == hot_rows_for_user(user=user, weeks=8, gate=False), user.username
    assert not any("路灯" in r.label for r in _shown(world.analyst))  # one left: no issue


def test_a_run_that_finds_nothing_changed_reads_no_window_and_groups_nothing(world, register):
    _issue(world, register)
    _leaders(world)
    first = hot_snapshots_refresh()
    assert first["computed"] == first["windows"] >= 4
    assert first["grouped"] <= first["computed"]  # scopes with the same petitions grouped once
    again = hot_snapshots_refresh()
    assert again["computed"] == again["windows_read"] == again["grouped"] == 0
    # an unrelated step on a petition outside every window is a change no scope sees
    old = register(title="旧事", received_at=local(2025, 1, 6), at=local(2025, 1, 6)).petition
    petition_act(
        petition_id=old.pk, action="transfer", actor=world.clerk, at=date(2025, 9, 1),
        data={"to_organ_id": world.housing.pk},
    )  # fmt: skip
    third = hot_snapshots_refresh()
    assert third["computed"] == third["windows_read"] == 0, third


def test_a_new_petition_regroups_only_the_scopes_it_reaches(world, register):
    """A petition registered at the county court's own desk reaches the court, the county
    petition office (its region) and the governments above it, not the discipline commission
    (a sibling)."""
    _issue(world, register)
    _leaders(world)
    hot_snapshots_refresh()
    before = {(s.scope, s.weeks): s.computed_at for s in HotSnapshot.objects.all()}
    court_clerk = staff_create(
        username="court-clerk", password=None, organ=world.court, roles=[Role.REGISTRAR]
    )
    with __import__("time_machine").travel(local(2025, 9, 1, 11), tick=False):
        _more(world, register, 3, "青山县法院执行款迟迟未发放", organ=world.court,
              actor=court_clerk)  # fmt: skip
        got = hot_snapshots_refresh()
        after = {(s.scope, s.weeks): s for s in HotSnapshot.objects.all()}
    again = [k for k, s in after.items() if s.computed_at != before.get(k)]  # or a new scope
    assert got["computed"] == len(again) >= 1
    sibling = [k for k in after if k[0].split(":")[1] == str(world.discipline.pk)]
    assert sibling and not set(sibling) & set(again)  # the sibling was not regrouped
    assert any(k[0].split(":")[1] == str(world.court.pk) for k in again)
    for k in sibling:
        assert after[k].checked_at > before[k]  # type: ignore[operator]  # confirmed: fresh


def test_over_its_budget_a_run_leaves_changed_scopes_showing_their_last_result(
    world, register, settings
):
    _issue(world, register)
    hot_snapshots_refresh()
    shown = hot_snapshot_read(user=world.analyst, weeks=8, now=clock.now())
    _more(world, register, 3, "青山县幸福路路灯损坏多日无人维修")
    got = hot_snapshots_refresh(budget=1e-9)  # spent before the first grouping
    assert got["deferred"] >= 1 and got["computed"] == 0
    late = hot_snapshot_read(user=world.analyst, weeks=8, now=clock.now())
    assert late.computed_at == shown.computed_at and late.rows == shown.rows  # still shown
    assert not any("路灯" in r.label for r in late.rows)
    got = hot_snapshots_refresh()  # the next run has time: the change is grouped
    assert got["computed"] >= 1
    assert any("路灯" in r.label for r in _shown(world.analyst))


def test_a_forgotten_scope_is_never_put_off_by_the_budget(world, register):
    from xinfang.insight.hot.snapshots import hot_snapshots_forget

    _issue(world, register)
    hot_snapshots_refresh()
    hot_snapshots_forget(organ_ids=[world.county_po.pk])
    got = hot_snapshots_refresh(budget=1e-9)
    assert got["computed"] >= 1
    assert _shown(world.analyst) == hot_rows_for_user(user=world.analyst, weeks=8, gate=False)


def test_a_new_reader_of_a_small_scope_sees_its_issues_at_once(client, world, register):
    """No worker run since the reader was created: the window is small, so the page groups
    it itself (no "being computed", no task)."""
    from django_tasks_db.models import DBTaskResult

    _issue(world, register)
    leader = staff_create(username="l", password=None, organ=world.county_gov, roles=[Role.LEADER])
    client.force_login(leader)
    body = client.get("/insight/hot/").content.decode()
    assert "本页结果计算于" in body and "幸福小区楼下餐馆油烟噪声扰民" in body
    assert "好处费" in body  # above the accused office: the accusations are its to see
    assert not DBTaskResult.objects.filter(task_path__endswith="hot_snapshots_task").exists()
    assert _shown(leader) == hot_rows_for_user(user=leader, weeks=8, gate=False)


def test_a_new_reader_whose_window_holds_the_same_petitions_shares_a_snapshot(
    client, world, register, monkeypatch
):
    """A leader named in an accusation outside the window has a scope of their own whose
    window holds the same petitions as their organ's: shown at once from that snapshot, never
    grouped on the page."""
    monkeypatch.setattr(snapshots, "INLINE_MAX", 0)
    _issue(world, register)
    other = staff_create(username="l2", password=None, organ=world.city_gov, roles=[Role.LEADER])
    hot_snapshots_refresh()
    named = staff_create(username="l1", password=None, organ=world.city_gov, roles=[Role.LEADER])
    register(
        title="检举市政府某领导公车私用", content="去年的事。", organ=world.city_po,
        actor=world.city_clerk, category="accusation", route=None, accused_staff_ids=[named.pk],
        received_at=local(2024, 3, 1), at=local(2024, 3, 1),
    )  # fmt: skip

    def must_not_group(**kw):  # type: ignore[no-untyped-def]
        raise AssertionError("grouped on the page")

    monkeypatch.setattr(snapshots, "hot_rows_of", must_not_group)
    client.force_login(named)
    body = client.get("/insight/hot/").content.decode()
    assert "本页结果计算于" in body and "好处费" in body
    assert _shown(named) == _shown(other)


def test_a_window_the_page_cannot_read_at_once_is_left_to_the_worker(
    client, world, register, monkeypatch
):
    """PostgreSQL: the page reads a missing window under a short statement timeout; a slow
    read (a scan at 10^7) leaves it to the worker, and the request's other queries keep the
    usual limit."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's")
    _issue(world, register)
    real = snapshots.window_ids

    def slow(**kw):  # type: ignore[no-untyped-def]
        with connection.cursor() as c:
            c.execute("SELECT pg_sleep(0.3)")
        return real(**kw)

    monkeypatch.setattr(snapshots, "window_ids", slow)
    monkeypatch.setattr(snapshots, "FILL_QUERY_MS", 50)
    leader = staff_create(username="l", password=None, organ=world.county_gov, roles=[Role.LEADER])
    client.force_login(leader)
    body = client.get("/insight/hot/").content.decode()
    assert "正在后台计算" in body
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        assert c.fetchone()[0] != "50ms"
    monkeypatch.setattr(snapshots, "FILL_QUERY_MS", 5000)
    assert "本页结果计算于" in client.get("/insight/hot/").content.decode()


def test_only_the_bound_is_taken_for_being_computed(client, world, register, monkeypatch):
    """revA #8: a lost connection or a deadlock while the page reads a window is an error the
    operators see, not a silent "being computed" for ever; only the statement timeout of the
    bound (query_canceled, 57014) leaves the window to the worker."""
    from django.db import OperationalError

    _issue(world, register)

    def lost(**kw):  # type: ignore[no-untyped-def]
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(snapshots, "window_ids", lost)
    leader = staff_create(username="l2", password=None, organ=world.county_gov, roles=[Role.LEADER])
    client.force_login(leader)
    r = client.get("/insight/hot/")
    assert r.status_code == 503  # the database-unavailable page, not "being computed"
    assert "正在后台计算" not in r.content.decode()
