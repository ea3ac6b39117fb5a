"""The ledger's pages: happy path, refusals, bad input as a clear 4xx, a pinned query count, the
menu only for roles that may open the pages, the XLSX export and the monthly report."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.prevention.models import Dispute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _new(client, town, **over):
    data = {
        "submission": "0b5c1f0e-1d7e-4b8e-9a51-5f9b6a7c8d9e",
        "organ": str(town.organ.pk),
        "kind": "wages",
        "place": "青山镇工业园",
        "found_on": "2025-08-28",
        "summary": "某厂拖欠二十名工人两个月工资。",
        "responsible": "孙主任",
        "party-0-side": "applicant",
        "party-0-name": "工人代表周五",
        "party-0-asks": "支付拖欠工资",
        "party-1-side": "respondent",
        "party-1-name": "青山镇某制衣厂",
        "party-1-asks": "",
    }
    data.update(over)
    return client.post("/prevention/disputes/new/", data)


def test_a_clerk_records_a_dispute_and_a_refresh_records_nothing_more(client, town):
    client.force_login(town.clerk)
    r = _new(client, town)
    assert r.status_code == 302
    d = Dispute.objects.get()
    assert r["Location"] == f"/prevention/disputes/{d.pk}/"
    assert _new(client, town).status_code == 302 and Dispute.objects.count() == 1
    html = client.get(r["Location"]).content.decode()
    assert "青山镇工业园" in html and "工人代表周五" in html and "支付拖欠工资" in html


def test_a_refused_form_keeps_what_was_typed(client, town):
    client.force_login(town.clerk)
    r = _new(client, town, responsible="", summary="保留这段文字")
    html = r.content.decode()
    assert r.status_code == 400 and "请填写化解责任人" in html and "保留这段文字" in html
    assert "工人代表周五" in html and Dispute.objects.count() == 0


@pytest.mark.parametrize(
    "over",
    [
        {"found_on": "2025-02-30"},
        {"found_on": "\x00"},
        {"organ": "abc"},
        {"organ": "999999"},
        {"place": "x\x00y"},
        {"summary": "长" * 6000},
        {"kind": "x" * 1000},
    ],
)
def test_bad_input_at_the_desk_is_a_400(client, town, over):
    client.force_login(town.clerk)
    assert _new(client, town, **over).status_code == 400
    assert Dispute.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    ["cycle=2025-13", "cycle=%00", "kind=x", "status=x", "organ=1x", "cursor=-1", "organ=9" * 30],
)
def test_bad_ledger_filters_are_a_400(client, town, query):
    client.force_login(town.clerk)
    assert client.get(f"/prevention/disputes/?{query}").status_code == 400


def test_mediation_then_outcome_on_the_page(client, town, record):
    d = record()
    client.force_login(town.clerk)
    r = client.post(
        f"/prevention/disputes/{d.pk}/steps/",
        {"kind": "mediation", "on": "2025-08-25", "note": "村委会组织调解"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/prevention/disputes/{d.pk}/outcome/",
        {"outcome": "court", "on": "2025-08-30", "note": "保留此说明"},
    )
    assert r.status_code == 400 and "保留此说明" in r.content.decode()
    r = client.post(
        f"/prevention/disputes/{d.pk}/outcome/",
        {"outcome": "court", "on": "2025-08-30", "referred_to": "青山县人民法院"},
    )
    assert r.status_code == 302
    html = client.get(f"/prevention/disputes/{d.pk}/").content.decode()
    assert "村委会组织调解" in html and "青山县人民法院" in html and "记录调解步骤" not in html
    r = client.post(
        f"/prevention/disputes/{d.pk}/steps/", {"kind": "visit", "on": "2025-08-31", "note": "回访"}
    )
    assert r.status_code == 409


def test_outside_the_scope_an_entry_is_not_found_and_readers_cannot_write(
    client, town, record, world
):
    d = record()
    client.force_login(world.handler)  # the county housing bureau
    assert client.get(f"/prevention/disputes/{d.pk}/").status_code == 404
    assert (
        client.post(
            f"/prevention/disputes/{d.pk}/steps/",
            {"kind": "visit", "on": "2025-08-25", "note": "x"},
        ).status_code
        == 404
    )
    client.force_login(town.leader)  # reads the county's ledger, names masked; writes nothing
    html = client.get(f"/prevention/disputes/{d.pk}/").content.decode()
    assert "赵大" not in html and "赵*" in html and "记录调解步骤" not in html
    assert (
        client.post(
            f"/prevention/disputes/{d.pk}/steps/",
            {"kind": "visit", "on": "2025-08-25", "note": "x"},
        ).status_code
        == 403
    )
    assert client.get("/prevention/disputes/new/").status_code == 403
    client.force_login(town.analyst)
    assert client.get("/prevention/disputes/").status_code == 403


def test_the_menu_links_the_ledger_only_for_roles_that_may_open_it(client, town):
    for user, shown in ((town.clerk, True), (town.leader, True), (town.analyst, False)):
        client.force_login(user)
        menu = client.get("/search/").content.decode()
        assert ('href="/prevention/disputes/"' in menu) == shown
        assert client.get("/prevention/disputes/").status_code == (200 if shown else 403)


def test_the_ledger_query_count_is_pinned(client, town, record):
    for _ in range(3):
        record()
    client.force_login(town.county_head)
    client.get("/prevention/disputes/")  # warm the session and the user's roles
    with CaptureQueriesContext(connection) as q:
        r = client.get("/prevention/disputes/")
    html = r.content.decode()
    assert r.status_code == 200 and re.search(r'id="ledger-total">3<', html)
    n = len(q)
    for _ in range(10):
        record()
    with CaptureQueriesContext(connection) as q:
        client.get("/prevention/disputes/")
    assert len(q) == n <= 12


def test_the_xlsx_export_is_the_ledger_in_its_usual_layout(client, town, record, world):
    from openpyxl import load_workbook

    record()
    record(found_on=date(2025, 7, 3))
    client.force_login(town.clerk)
    r = client.get("/prevention/disputes/ledger.xlsx?cycle=2025-08")
    assert r.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True)
    )
    assert "青山镇人民政府矛盾纠纷排查化解台账（2025年8月）" == rows[0][0]
    assert rows[1][:5] == ("序号", "排查单位", "发现日期", "纠纷类型", "发生地点")
    assert len(rows) == 3 and "申请方：赵大" in rows[2][5] and "拆除越界围墙" in rows[2][6]
    client.force_login(town.leader)  # no export capability
    assert client.get("/prevention/disputes/ledger.xlsx").status_code == 403


def test_the_monthly_report_page(client, town, record):
    record()
    client.force_login(town.clerk)
    r = client.get("/prevention/disputes/report/?cycle=2025-08")
    html = r.content.decode()
    assert r.status_code == 200 and re.search(r'id="report-found">1<', html) and "土地承包" in html


def test_the_petition_page_shows_the_dispute_it_came_from(client, town, record, register, world):
    from conftest import local
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action
    from xinfang.prevention.services import dispute_close

    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 28)).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": town.organ.pk},
    )
    d = record()
    dispute_close(
        actor=town.clerk,
        dispute_id=d.pk,
        outcome="petition",
        on=date(2025, 8, 30),
        tracking_code=p.tracking_code,
    )
    client.force_login(town.clerk)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "源自矛盾纠纷台账" in html and f"/prevention/disputes/{d.pk}/" in html


def test_the_prevention_pages_are_in_english_with_the_language_cookie(
    client, town, record, settings
):
    d = record()
    client.force_login(town.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "/prevention/disputes/": [
            "Dispute screening ledger",
            "Export the ledger (XLSX)",
            "Land contracts",
        ],
        f"/prevention/disputes/{d.pk}/": [
            "Record a mediation step",
            "Applicant side",
            "Being screened",
        ],
        "/prevention/disputes/new/": ["Record a dispute", "Person responsible for settling it"],
        "/prevention/disputes/report/?cycle=2025-08": [
            "monthly dispute screening report",
            "By kind of dispute",
        ],
        "/prevention/decisions/": [
            "Risk assessment of major decisions",
            "Register a major decision",
        ],
        "/prevention/conferences/": ["Joint conference", "Conference tasks of my organ"],
        "/prevention/policy/": ["Policy matters", "Open a policy matter"],
    }
    for url, words in pages.items():
        html = client.get(url).content.decode()
        for w in words:
            assert w in html, (url, w)
        for zh in ("矛盾纠纷排查化解台账", "登记矛盾纠纷", "源头预防", "返回"):
            assert zh not in html, (url, zh)
