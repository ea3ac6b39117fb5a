"""The 台账 of the remaining lists (issue 16): the search page's results, a relief fund's ledger,
joint handling, history imports, the risk assessments, joint conferences and policy matters;
each file in the language of the request that asked for it, even when the worker writes it;
the reception calendar's file read through the calendar's own filter parser."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import translation
from openpyxl import load_workbook

from conftest import local
from xinfang.analytics.models import ListExport
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PHONE, MASKED = "13800000000", "138****0000"


def _ask(client, kind, query="", key="k-1", **headers):  # type: ignore[no-untyped-def]
    return client.post(
        "/analytics/exports/new/", {"once": key, "kind": kind, "query": query}, **headers
    )


def _press(client, html: str, kind: str):  # type: ignore[no-untyped-def]
    """Press the page's "导出台账" button of ``kind``: post the fields its form holds."""
    from html import unescape

    form = next(
        f for f in re.findall(r'<form class="inline list-export".*?</form>', html, re.S)
        if f'id="export-{kind}"' in f
    )  # fmt: skip
    data = [
        (unescape(k), unescape(v)) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form)
    ]
    out: dict[str, list[str]] = {}
    for k, v in data:
        out.setdefault(k, []).append(v)
    return client.post("/analytics/exports/new/", out)


def _sheet(client, location) -> list[tuple]:  # type: ignore[no-untyped-def]
    f = client.get(location)
    assert f.status_code == 200, location
    ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True).active
    return list(ws.iter_rows(values_only=True))


def _text(rows: list[tuple]) -> str:
    return " ".join(str(c) for row in rows for c in row if c is not None)


def _codes(html: str) -> list[str]:
    return re.findall(r"<code>([0-9A-Z ]{10,})</code>", html)


# -- the language of the request, kept by the job ----------------------------------------------
@pytest.mark.parametrize(("asked", "worker"), [("en", "zh-hans"), ("zh-hans", "en")])
def test_a_background_file_is_written_in_the_language_of_the_request_that_asked(
    client, world, register, settings, asked, worker
):
    """The worker has no reader: it writes in the language stored with the export, whatever
    its own. Planted fault: drop ``language_in`` from ``exports.list_export_write``."""
    from xinfang.analytics.tasks import list_export_run
    from xinfang.petitions.workflow import STATE_LABELS, State

    p = register(received_at=local(2025, 3, 3)).petition
    settings.XINFANG_EXPORT_BACKGROUND_ROWS = 0  # every file: the worker's
    client.force_login(world.clerk)
    r = _ask(client, "petitions", HTTP_ACCEPT_LANGUAGE=asked)
    job = ListExport.objects.get()
    assert r["Location"] == f"/analytics/exports/{job.pk}/" and job.language == asked
    with translation.override(worker):  # the worker's own language (its settings, its host)
        list_export_run.func(export_id=job.pk)
    rows = _sheet(client, f"/analytics/exports/{job.pk}/file")
    with translation.override(asked):
        want_header = translation.gettext("查询码")
        want_state = translation.gettext(STATE_LABELS[State(p.state)])
        want_title = translation.gettext("待办信访事项台账")
    assert rows[0][0] == want_title and rows[1][0] == want_header
    assert rows[2][3] == want_state
    assert (rows[1][0] == "查询码") is (asked == "zh-hans")


def test_a_file_written_at_once_reads_in_english_for_an_english_reader(client, world, register):
    register(received_at=local(2025, 3, 3))
    client.force_login(world.clerk)
    rows = _sheet(client, _ask(client, "petitions", HTTP_ACCEPT_LANGUAGE="en")["Location"])
    with translation.override("en"):
        assert rows[1][:4] == tuple(
            translation.gettext(h) for h in ("查询码", "标题", "类别", "状态")
        )
        assert rows[2][4] == translation.gettext("来信")  # the channel's label
    assert rows[1][0] != "查询码"


def test_the_dispute_ledger_export_keeps_its_language_too(world):
    from xinfang.prevention.services.ledger import ledger_export_request, ledger_export_write

    with translation.override("en"):
        job = ledger_export_request(actor=world.po_head, filters={}, title="ledger")
    assert job.language == "en"
    with translation.override("zh-hans"):
        job = ledger_export_write(export_id=job.pk)
    with job.file.open("rb") as f:
        ws = load_workbook(io.BytesIO(f.read()), read_only=True).active
    header = list(ws.iter_rows(values_only=True))[1]
    with translation.override("en"):
        assert header[1] == translation.gettext("排查单位") != "排查单位"


# -- search ------------------------------------------------------------------------------------
@pytest.fixture
def found(world, register):  # type: ignore[no-untyped-def]
    """Three petitions about cooking fumes, one about something else; one has another phone."""
    from xinfang.petitions.services import PartyInput

    out = [register(received_at=local(2025, 3, d)).petition for d in (3, 4, 5)]
    register(
        title="道路破损",
        content="村道破损严重，雨天无法通行。",
        received_at=local(2025, 3, 6),
        parties=[PartyInput(role="petitioner", name="王五", phone="13700000000")],
    )
    return out


def test_the_search_results_export_as_the_page_finds_them(client, world, found):
    client.force_login(world.clerk)
    page = client.post("/search/", {"q": "油烟", "by": "text"}).content.decode()
    assert 'id="export-search"' in page
    shown = _codes(page)
    assert len(shown) == 3
    r = _press(client, page, "search")  # the button holds the form's filters as fields
    rows = _sheet(client, r["Location"])
    assert [str(x[0]) for x in rows[2:]] == shown  # the same petitions, newest first
    assert PHONE in _text(rows[2:])  # the clerk may see identities
    job = ListExport.objects.get()
    back = client.get(f"/analytics/exports/{job.pk}/").content.decode()
    assert 'href="/search/?q=%E6%B2%B9%E7%83%9F&amp;by=text"' in back  # words may be in a URL
    # the page's filters narrow the file as they narrow the page
    page = client.post("/search/", {"q": "油烟", "to": "2025-03-04"}).content.decode()
    r = _press(client, page, "search")
    assert [str(x[0]) for x in _sheet(client, r["Location"])[2:]] == _codes(page)
    assert len(_codes(page)) == 2


def test_a_search_by_phone_exports_but_keeps_the_number_nowhere(client, world, found, settings):
    """The number searched for is sealed while the export waits and gone once it is written;
    neither the audit record nor the way back to the page carries it (issue 11)."""
    from xinfang.analytics.tasks import list_export_run

    client.force_login(world.clerk)
    settings.XINFANG_EXPORT_BACKGROUND_ROWS = 0
    query = urlencode({"q": PHONE, "by": "phone"})
    page = client.post("/search/", {"q": PHONE, "by": "phone"}).content.decode()
    assert f"{PHONE}&" not in page and "?q=" not in page  # the button: fields, no query string
    r = _press(client, page, "search")
    job = ListExport.objects.get()
    assert PHONE not in str(job.params) and PHONE not in str(job.__dict__)
    waiting = client.get(r["Location"]).content.decode()
    assert 'href="/search/">返回列表' in waiting and PHONE not in waiting  # the way back
    list_export_run.func(export_id=job.pk)
    rows = _sheet(client, f"/analytics/exports/{job.pk}/file")
    assert len(rows[2:]) == 3 and "道路破损" not in _text(rows)
    job.refresh_from_db()
    assert "sealed" not in job.params and PHONE not in str(job.params)
    rec = AuditRecord.objects.get(kind="export", object_type="list_export")
    assert rec.data["rows"] == 3 and rec.data["filters"]["by"] == "phone"
    assert PHONE not in str(rec.data) and "sealed" not in rec.data["filters"]
    # a role that may not search by identity gets no file of such a search
    sup = staff_create(
        username="sup", password="test-pass-123", organ=world.county_po, roles=[Role.SUPERVISOR]
    )
    client.force_login(sup)
    assert _ask(client, "search", query, key="k-2").status_code == 403


def test_bad_search_filters_are_a_400_on_the_page_and_for_its_file(client, world, found):
    client.force_login(world.clerk)
    for bad in ({"state": "nope"}, {"category": "x"}, {"by": "guess"}, {"from": "2025-13-01"}):
        q = {"q": "油烟", **bad}
        assert client.post("/search/", q).status_code == 400, bad
        assert _ask(client, "search", urlencode(q), key=str(bad)).status_code == 400, bad
    assert ListExport.objects.count() == 0


# -- a relief fund's ledger --------------------------------------------------------------------
def test_a_relief_funds_ledger_exports_its_entries_with_its_title(client, world):
    from xinfang.resolution.services import relief_fund_allocate

    fund = relief_fund_allocate(
        actor=world.po_head, year=2025, amount=Decimal("8000"), note="县财政拨入"
    ).fund
    relief_fund_allocate(actor=world.po_head, year=2025, amount=Decimal("500"), note="追加")
    client.force_login(world.po_head)
    page = client.get(f"/resolution/relief/funds/{fund.pk}/").content.decode()
    assert 'id="export-relief_fund"' in page and "ledger.xlsx" not in page
    r = _press(client, page, "relief_fund")  # the fund named in the path: the button's field
    rows = _sheet(client, r["Location"])
    assert rows[0][0] == "青山县信访局 2025 年信访救助资金台账"
    assert [(x[1], x[2], x[3], x[4]) for x in rows[2:]] == [
        ("拨入", 8000, 8000, "县财政拨入"),
        ("拨入", 500, 8500, "追加"),
    ]
    job = ListExport.objects.get()
    back = client.get(f"/analytics/exports/{job.pk}/").content.decode()
    assert f'href="/resolution/relief/funds/{fund.pk}/"' in back
    assert _ask(client, "relief_fund", "fund=abc", key="k-2").status_code == 400
    assert _ask(client, "relief_fund", "", key="k-3").status_code == 400
    assert _ask(client, "relief_fund", "fund=999999", key="k-4").status_code == 404
    client.force_login(world.city_clerk)  # the county's fund: outside the city clerk's scope?
    other = _ask(client, "relief_fund", f"fund={fund.pk}", key="k-5").status_code
    seen = client.get(f"/resolution/relief/funds/{fund.pk}/").status_code
    assert (other, seen) in ((302, 200), (404, 404))  # the file goes with the page


# -- joint handling ----------------------------------------------------------------------------
def test_joint_handling_exports_its_cases_and_the_assisting_organs_tasks(client, world, register):
    from xinfang.reception.services import TaskInput, joint_start, statutory_limit

    p = register(received_at=local(2025, 9, 1)).petition
    joint_start(
        actor=world.clerk,
        petition_id=p.pk,
        tasks=[TaskInput(world.housing.pk, "核查油烟", statutory_limit(p.pk))],
    )
    client.force_login(world.clerk)  # the lead side: its cases
    page = client.get("/reception/joint/").content.decode()
    assert 'id="export-joint"' in page and 'id="export-joint_tasks"' not in page
    rows = _sheet(client, _ask(client, "joint")["Location"])
    assert [(x[0], x[2]) for x in rows[2:]] == [(p.title, "青山县信访局")]
    assert PHONE in _text(rows[2:])
    client.force_login(world.head)  # the assisting housing bureau: its tasks
    page = client.get("/reception/joint/").content.decode()
    assert 'id="export-joint_tasks"' in page
    rows = _sheet(client, _ask(client, "joint_tasks", key="k-2")["Location"])
    assert [(x[0], x[2]) for x in rows[2:]] == [(p.title, "核查油烟")]
    assert PHONE not in _text(rows) and MASKED not in _text(rows)  # no petitioner at all


# -- history imports ---------------------------------------------------------------------------
def test_the_history_imports_export_the_uploaders_own_runs(client, world):
    from xinfang.imports.runs import import_run_start

    content = "编号,标题\n1,旧台账一\n2,旧台账二\n".encode()
    import_run_start(actor=world.clerk, source_name="旧系统", file_name="a.csv", content=content)
    client.force_login(world.clerk)
    assert 'id="export-imports"' in client.get("/imports/").content.decode()
    rows = _sheet(client, _ask(client, "imports")["Location"])
    assert [(x[1], x[2], x[3], x[4]) for x in rows[2:]] == [("旧系统", "a.csv", 2, "待核对列")]
    client.force_login(world.po_head)  # another registrar: none of the clerk's runs
    assert _sheet(client, _ask(client, "imports", key="k-2")["Location"])[2:] == []
    client.force_login(world.analyst)
    assert _ask(client, "imports", key="k-3").status_code == 403


# -- source prevention's other lists -----------------------------------------------------------
def test_the_risk_assessments_conferences_and_policy_matters_export_as_listed(client, world):
    from xinfang.prevention.services.decisions import decision_register
    from xinfang.prevention.services.meetings import conference_record
    from xinfang.prevention.services.policy import policy_matter_create

    for title in ("老旧小区改造", "县城供水价格调整"):
        decision_register(
            actor=world.po_head, organ=world.county_po, kind="decision", title=title,
            scope="全县", people_affected=1200, summary="拟实施",
        )  # fmt: skip
    conference_record(
        actor=world.po_head, organ=world.county_po, title="第一次联席会议",
        held_on=date(2025, 3, 1), member_ids=[world.housing.pk],
    )  # fmt: skip
    policy_matter_create(
        actor=world.po_head, organ=world.county_po, title="物业费标准", description="多件反映"
    )
    client.force_login(world.po_head)
    for kind, url, table in (
        ("decisions", "/prevention/decisions/", "decisions"),
        ("conferences", "/prevention/conferences/", "conferences"),
        ("policies", "/prevention/policy/", "policies"),
    ):
        html = client.get(url).content.decode()
        assert f'id="export-{kind}"' in html, kind
        body = html.split(f'id="{table}"')[1].split("</table>")[0]
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", body)
            for c in c
        ]
        rows = _sheet(client, _ask(client, kind, key=kind)["Location"])[2:]
        got = [str(c) if not hasattr(c, "date") else f"{c:%Y-%m-%d}" for r in rows for c in r[:2]]
        assert got == cells, kind
    assert _ask(client, "decisions", "status=nope", key="bad").status_code == 400


# -- the reception calendar: the page's own filter parser --------------------------------------
def test_the_calendar_file_reads_the_filters_as_the_page_does(client, world):
    """``days=0`` is the page's week (the file's parser once made it one day); bad values are a
    400 on both, never a 500 (a window past the calendar's end once was)."""
    from datetime import time

    from xinfang.reception.services import SessionInput, session_publish

    leader = staff_create(
        username="leaderwang", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    for d in (1, 3, 5, 8):
        session_publish(
            actor=world.clerk,
            data=SessionInput(
                organ=world.county_po, leader_id=leader.pk, on=date(2025, 12, d),
                starts=time(9, 0), ends=time(11, 0), place="接待大厅", fields="住房", capacity=2,
            ),
        )  # fmt: skip
    client.force_login(world.clerk)
    query = "from=2025-12-01&days=0"
    page = client.get(f"/reception/?{query}").content.decode()
    shown = re.findall(r'href="/reception/sessions/(\d+)/"', page)
    rows = _sheet(client, _ask(client, "sessions", query)["Location"])[2:]
    assert len(rows) == len(set(shown)) == 3  # 1, 3 and 5 December: the page's week
    for bad in ("days=-1", "days=1e3", "organ=0", "from=9999-12-31", "from=2025-1-1x"):
        assert client.get(f"/reception/?{bad}").status_code == 400, bad
        assert _ask(client, "sessions", bad, key=bad).status_code == 400, bad


# -- one audit record a file -------------------------------------------------------------------
def test_each_new_list_writes_one_audit_record_a_file(client, world, found):
    client.force_login(world.po_head)
    kinds = ("search", "joint", "imports", "decisions", "conferences", "policies")
    for kind in kinds:
        query = "q=%E6%B2%B9%E7%83%9F" if kind == "search" else ""
        assert _ask(client, kind, query, key=kind).status_code == 302, kind
    recs = AuditRecord.objects.filter(kind="export", object_type="list_export")
    assert sorted(r.data["kind"] for r in recs) == sorted(kinds)


def test_an_accusation_raised_about_a_decision_is_not_counted_for_the_accused(
    client, world, register
):
    """A decision of the county petition office; later an accusation against that office is
    linked to it (by the city office, which handles it): the accused office's page, file and
    assessment neither count nor name it; the city office counts it (Art. 30 para 3).
    Planted fault: count every link in ``decisions_for_user`` (Count("links")) -> fails."""
    from django.utils import timezone

    from xinfang.prevention.models import DecisionLink
    from xinfang.prevention.selectors.decisions import decision_assessment, decisions_for_user
    from xinfang.prevention.services.decisions import decision_register

    d = decision_register(
        actor=world.po_head, organ=world.county_po, kind="decision", title="信访接待场所搬迁",
        scope="全县", people_affected=300, summary="拟实施",
    )  # fmt: skip
    acc = register(
        title="检举县信访局", category="accusation", route=None,
        accused_organ_id=world.county_po.pk, organ=world.city_po, actor=world.city_clerk,
        received_at=local(2025, 8, 20), at=local(2025, 8, 20),
    ).petition  # fmt: skip
    DecisionLink.objects.create(
        decision=d, petition=acc, linked_by=world.city_clerk, linked_at=timezone.now()
    )
    city = staff_create(
        username="cityhead2", password="test-pass-123", organ=world.city_po,
        roles=[Role.ORGAN_HEAD],
    )  # fmt: skip
    assert decisions_for_user(user=city).get(pk=d.pk).link_count == 1
    assert decisions_for_user(user=world.po_head).get(pk=d.pk).link_count == 0
    assert decision_assessment(decision=d, user=world.po_head).later_count == 0
    client.force_login(world.po_head)
    rows = _sheet(client, _ask(client, "decisions")["Location"])[2:]
    assert [(r[0], r[6]) for r in rows] == [("信访接待场所搬迁", 0)]
