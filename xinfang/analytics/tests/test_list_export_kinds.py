"""Every staff list's 台账 export (issue 16): one mechanism, the page's own rows in its order,
personal data masked unless the user may see identities, an accusation never in the accused
organ's file, the requester's rights of the moment the file is written, asked for once, the
file for the requester only."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import local
from tests.flows import act
from xinfang.analytics.models import ListExport
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create

pytestmark = pytest.mark.django_db

#: kind -> the list page and the id of its table
PAGES = {
    "petitions": ("/worklist/", None),
    "notices": ("/resolution/supervision/", "notices"),
    "backlog": ("/resolution/backlog/", "backlog"),
    "relief": ("/resolution/relief/", "reliefs"),
    "hearings": ("/resolution/hearings/", "hearings"),
    "suggestions": ("/resolution/suggestions/", "suggestions"),
    "mediations": ("/resolution/mediations/", "mediations"),
    "escalations": ("/resolution/escalations/", "escalations"),
}
NO_PARTIES = ("notices", "escalations")  # records that name no petitioner
PHONE, MASKED = "13800000000", "138****0000"


@pytest.fixture
def today():
    import time_machine

    with time_machine.travel(local(2025, 12, 1), tick=False):
        yield


def _in_handling(world, register, day: int, **over):  # type: ignore[no-untyped-def]
    p = register(received_at=local(2025, 8, day), at=local(2025, 8, day), **over).petition
    act(world, p, "transfer", world.clerk, (2025, 8, day + 1), to_organ_id=world.housing.pk)
    category = over.get("category", "appeal")
    act(
        world,
        p,
        "acknowledge",
        world.head,
        (2025, 8, day + 2),
        category=category,
        **({"route": 6} if category == "appeal" else {}),
    )
    act(world, p, "start_handling", world.head, (2025, 8, day + 2))
    p.refresh_from_db()
    return p


@pytest.fixture
def records(world, register, today):  # type: ignore[no-untyped-def]
    """At the county housing bureau: two petitions in handling (a notice on each, a relief
    application, a hearing, a mediation), one suggestion under study; backlog proposals."""
    from xinfang.resolution import services as s
    from xinfang.resolution.models import BacklogCriterion

    ps = [_in_handling(world, register, d) for d in (1, 4)]
    for p in ps:
        s.supervision_issue(
            actor=world.clerk,
            organ=world.housing,
            petition_ids=[p.pk],
            reasons=["delay"],
            facts="逾期未告知受理情况，请依法办理并书面反馈。",
            at=local(2025, 9, 1),
        )
    fund = s.relief_fund_allocate(
        actor=world.po_head,
        year=2025,
        amount=Decimal("5000"),
        note="县财政拨入",
        at=local(2025, 9, 1),
    ).fund
    s.relief_apply(
        actor=world.handler,
        petition_id=ps[0].pk,
        fund_id=fund.pk,
        reasons="家庭生活困难",
        hardship="家中一人重病住院",
        amount="3000",
        at=local(2025, 9, 2),
    )
    s.hearing_schedule(
        actor=world.head,
        petition_id=ps[1].pk,
        scheduled_for=local(2025, 12, 10),
        place="住建局听证室",
        reason="事实争议较大，属重大、复杂的信访事项",
        participants=[("presiding", "周主持", "住建局"), ("petitioner", "张三", "")],
        at=local(2025, 11, 20),
    )
    s.mediation_record(
        actor=world.handler,
        petition_id=ps[0].pk,
        kind="mediation",
        held_on=local(2025, 9, 5).date(),
        place="调解室",
        mediator="王调解",
        present="信访人张三",
        agreed="餐馆加装隔音设施。",
        consent=True,
        signers=[("petitioner", "张三"), ("other", "餐馆经营者李四")],
        at=local(2025, 9, 5),
    )
    sp = _in_handling(
        world, register, 7, category="suggestion", route=None, title="建议老旧小区加装电梯简化审批"
    )
    s.suggestion_open(
        actor=world.handler,
        petition_id=sp.pk,
        subject="加装电梯简化审批",
        study="征求了规划、消防部门意见。",
        at=local(2025, 9, 5),
    )
    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="open_days", threshold=90)
    s.backlog_propose_due(now=local(2025, 12, 1))
    s.escalate(now=local(2025, 12, 1))  # the notices' reply dates and the deadlines passed
    return ps


@pytest.fixture
def supervisor(world):  # type: ignore[no-untyped-def]
    """Reads and exports the housing bureau's lists; identities stay masked."""
    return staff_create(
        username="sup", password="test-pass-123", organ=world.housing, roles=[Role.SUPERVISOR]
    )


def _ask(client, kind, query="", key="k-1"):  # type: ignore[no-untyped-def]
    return client.post("/analytics/exports/new/", {"once": key, "kind": kind, "query": query})


def _sheet(client, location) -> list[tuple]:  # type: ignore[no-untyped-def]
    f = client.get(location)
    assert f.status_code == 200, location
    ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True).active
    return list(ws.iter_rows(values_only=True))


def _page_first_column(client, url, table) -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get(url).content.decode()
    if table is None:  # the worklist: the tracking codes
        return [c for c in re.findall(r"<code>([0-9A-Z ]{10,})</code>", html)]
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<tr><td>(.*?)</td>", body)
    ]


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_each_list_exports_the_rows_its_page_shows_masked_unless_identities_may_be_seen(
    client, world, records, supervisor, kind
):
    url, table = PAGES[kind]
    for user, clear in ((world.head, True), (supervisor, False)):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert f'id="export-{kind}"' in page  # the button: a role that may read and export
        shown = _page_first_column(client, url, table)
        assert shown, (kind, "the page shows rows")
        r = _ask(client, kind, key=f"{kind}-{user.pk}")
        assert r.status_code == 302 and r["Location"].endswith("/file")  # small: at once
        rows = _sheet(client, r["Location"])
        assert rows[1][0] in ("查询码", "文号", "积案", "编号", "听证通知", "建议主题", "日期")
        first = [str(x[0]) for x in rows[2:]]
        if kind in ("mediations", "escalations"):  # the page's first column: a date
            first = [x[:10] for x in first]
        assert first == shown, kind  # the same rows, in the page's order
        cells = " ".join(str(c) for row in rows[2:] for c in row if c is not None)
        if kind not in NO_PARTIES:
            assert (PHONE in cells) is clear and (MASKED in cells) is not clear, (kind, user)
        if kind not in NO_PARTIES:  # the name: shown (not an accusation)
            assert "张三" in cells, kind


def test_a_small_export_that_fails_says_so_on_its_page_and_one_is_written_once(
    client, world, records, monkeypatch
):
    """Review A items 3, 4: a fault while a small export is written in the POST redirects to
    its page, which says it failed (no 500); a second writer of one export (a retried task, a
    second worker) finds it claimed and writes no second file nor audit record."""
    from xinfang.analytics import exports
    from xinfang.audit.models import AuditRecord

    client.force_login(world.head)

    def broken(*a, **kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        m.setattr(exports, "_write", broken)
        r = _ask(client, "notices", key="f-1")
    job = ListExport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/analytics/exports/{job.pk}/"
    job.refresh_from_db()
    assert job.state == "failed" and not job.file
    assert "生成失败" in client.get(r["Location"]).content.decode()

    real = exports.kind_get
    calls: list[int] = []

    failed = job.pk

    def second_writer(name):  # type: ignore[no-untyped-def]
        latest = ListExport.objects.latest("pk").pk
        if not calls and latest != failed:  # another worker runs it while this one starts
            calls.append(1)
            exports.list_export_write(export_id=latest)
        return real(name)

    monkeypatch.setattr(exports, "kind_get", second_writer)
    r = _ask(client, "notices", key="f-2")
    job = ListExport.objects.latest("pk")
    assert r.status_code == 302 and job.state == "done" and calls
    assert AuditRecord.objects.filter(kind="export", object_id=str(job.pk)).count() == 1


def test_a_role_that_may_not_read_the_list_gets_no_button_and_no_file(client, world, records):
    client.force_login(world.analyst)  # statistics only: no petitions, no resolution lists
    for kind in PAGES:
        assert _ask(client, kind, key=f"x-{kind}").status_code == 403
    leader = staff_create(
        username="leader", password="test-pass-123", organ=world.housing, roles=[Role.LEADER]
    )  # reads the notices, may not export
    client.force_login(leader)
    page = client.get("/resolution/supervision/").content.decode()
    assert 'id="notices"' in page and "export-notices" not in page
    assert _ask(client, "notices", key="x-leader").status_code == 403
    assert ListExport.objects.count() == 0


def test_the_page_filters_go_into_the_file_and_bad_ones_are_a_400(client, world, records):
    client.force_login(world.head)
    r = _ask(client, "notices", query="status=replied")
    assert _sheet(client, r["Location"])[2:] == []  # none replied
    r = _ask(client, "notices", query="status=open&cursor=5", key="k-2")
    assert len(_sheet(client, r["Location"])[2:]) == 2  # the cursor is the page's, not a filter
    assert _ask(client, "notices", query="status=nope", key="k-3").status_code == 400
    assert _ask(client, "notices", query="status=\x00", key="k-4").status_code == 400
    assert _ask(client, "nope", key="k-5").status_code == 404
    assert _ask(client, "notices", query="x=" + "a" * 3000, key="k-6").status_code == 400
    assert client.get("/analytics/exports/new/").status_code == 405


def test_the_staff_an_accusation_names_never_find_it_in_their_file(client, world, register, today):
    """An accusation naming a head of the discipline commission, held there and supervised by
    the county office: a colleague at the commission finds the notice in the notices' 台账, the
    named head (who reads the commission's notices) never does (Art. 30 para 3, Art. 46(5)).
    Planted fault: drop ``~Q(pk__in=accusing…)`` from ``resolution.access.notice_scope``."""
    from xinfang.petitions.services import PartyInput
    from xinfang.resolution.services import supervision_issue

    named, colleague = (
        staff_create(
            username=u, password="test-pass-123", organ=world.discipline, roles=[Role.ORGAN_HEAD]
        )
        for u in ("named", "colleague")
    )
    p = register(
        title="检举纪委干部",
        category="accusation",
        route=None,
        accused_staff_ids=[named.pk],
        received_at=local(2025, 8, 1),
        at=local(2025, 8, 1),
        parties=[PartyInput(role="petitioner", name="赵六", phone="13900000000")],
    ).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 2), to_organ_id=world.discipline.pk)
    n = supervision_issue(
        actor=world.clerk,
        organ=world.discipline,
        petition_ids=[p.pk],
        reasons=["delay"],
        facts="逾期未告知受理情况。",
        at=local(2025, 9, 1),
    )
    client.force_login(colleague)
    assert [r[0] for r in _sheet(client, _ask(client, "notices")["Location"])[2:]] == [n.number]
    client.force_login(named)
    assert 'id="export-notices"' in client.get("/resolution/supervision/").content.decode()
    assert _sheet(client, _ask(client, "notices", key="k-2")["Location"])[2:] == []


def test_a_long_list_goes_to_the_worker_once_and_its_file_is_the_requesters_only(
    client, world, records, supervisor, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from xinfang.analytics.tasks import list_export_run

    settings.XINFANG_EXPORT_BACKGROUND_ROWS = 1  # two notices: the background
    client.force_login(world.head)
    with django_capture_on_commit_callbacks(execute=True):
        r = _ask(client, "notices")
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, "notices")["Location"] == r["Location"]  # a double POST: one export
    job = ListExport.objects.get()
    assert r["Location"] == f"/analytics/exports/{job.pk}/"
    assert DBTaskResult.objects.filter(task_path=list_export_run.module_path).count() == 1
    waiting = client.get(r["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "export-download" not in waiting
    assert 'href="/resolution/supervision/"' in waiting  # the way back to the list
    list_export_run.func(export_id=job.pk)  # what `xinfang worker` runs
    job.refresh_from_db()
    assert job.state == "done" and job.rows_done == job.rows_total == 2
    assert "export-download" in client.get(r["Location"]).content.decode()
    assert len(_sheet(client, f"/analytics/exports/{job.pk}/file")[2:]) == 2
    for other in (supervisor, world.handler, world.analyst):  # anyone else: as if none
        client.force_login(other)
        assert client.get(f"/analytics/exports/{job.pk}/").status_code in (403, 404)
        assert client.get(f"/analytics/exports/{job.pk}/file").status_code in (403, 404)


def test_a_right_lost_between_request_and_run_fails_the_export(world, records):
    from xinfang.analytics.exports import list_export_request, list_export_write
    from xinfang.core.errors import Forbidden
    from xinfang.directory.models import Membership

    job = list_export_request(actor=world.handler, kind="relief", params={}, title="台账")
    Membership.objects.filter(user=world.handler).delete()  # no longer a handler
    with pytest.raises(Forbidden):
        list_export_write(export_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and not job.file


def test_an_export_is_audited_with_the_identities_it_showed(world, records):
    from xinfang.analytics.exports import list_export_request, list_export_write
    from xinfang.audit.models import AuditRecord

    job = list_export_write(
        export_id=list_export_request(actor=world.head, kind="relief", params={}, title="台账").pk
    )
    rec = AuditRecord.objects.filter(kind="export", object_type="list_export").get()
    assert rec.data["kind"] == "relief" and rec.data["rows"] == job.rows_done == 1
    assert rec.data["identities_shown"] == [records[0].pk]


def test_the_reception_calendar_exports_the_sessions_of_its_window_in_its_order(
    client, world, today
):
    from datetime import date, time

    from xinfang.reception.services import SessionInput, session_publish

    leader = staff_create(
        username="leaderwang", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    for d, h in ((3, 9), (2, 14), (2, 9), (9, 9)):  # the last: next week, outside the window
        session_publish(
            actor=world.clerk,
            data=SessionInput(
                organ=world.county_po,
                leader_id=leader.pk,
                on=date(2025, 12, d),
                starts=time(h, 0),
                ends=time(h + 2, 0),
                place="青山县信访局接待大厅",
                fields="住房",
                capacity=2,
            ),
        )
    client.force_login(world.clerk)
    assert 'id="export-sessions"' in client.get("/reception/").content.decode()
    rows = _sheet(client, _ask(client, "sessions")["Location"])[2:]
    assert [(r[0].date(), r[1]) for r in rows] == [
        (date(2025, 12, 2), "09:00–11:00"),
        (date(2025, 12, 2), "14:00–16:00"),
        (date(2025, 12, 3), "09:00–11:00"),
    ]
    # walker #8: a leader without a name is "（未填姓名）", never the login name, on the page too
    assert {r[3] for r in rows} == {"（未填姓名）"}
    page = client.get("/reception/?from=2025-12-01").content.decode()
    assert "leaderwang" not in page and "（未填姓名）" in page
    leader.display_name = "王县长"
    leader.save(update_fields=["display_name"])
    assert "王县长" in client.get("/reception/?from=2025-12-01").content.decode()
    assert {r[3] for r in _sheet(client, _ask(client, "sessions", key="k-name")["Location"])[2:]} == {"王县长"}
    assert _ask(client, "sessions", query="from=2025-13-01", key="k-2").status_code == 400
    client.force_login(leader)  # reads the calendar, may not export
    assert "export-sessions" not in client.get("/reception/").content.decode()


def test_the_down_visit_plans_export_as_their_page_lists_them(client, world, register, today):
    from datetime import date

    from xinfang.reception.services import VisitInput, visit_plan

    leader = staff_create(
        username="leaderwang", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    p = register(received_at=local(2025, 11, 3), at=local(2025, 11, 3)).petition
    for d, place in ((5, "幸福小区"), (3, "青山镇")):
        visit_plan(
            actor=world.clerk,
            data=VisitInput(
                organ=world.county_po,
                leader_id=leader.pk,
                on=date(2025, 12, d),
                place=place,
                petition_ids=[p.pk],
            ),
        )
    client.force_login(world.clerk)
    page = client.get("/reception/visits/").content.decode()
    assert 'id="export-visits"' in page
    rows = _sheet(client, _ask(client, "visits")["Location"])[2:]
    assert [(r[0].date(), r[2], r[5]) for r in rows] == [
        (date(2025, 12, 5), "幸福小区", 1),
        (date(2025, 12, 3), "青山镇", 1),
    ]  # latest first
    assert {r[4] for r in rows} == {"（未填姓名）"} and "leaderwang" not in page  # walker #8
