"""The report opened and checked: every number in the DOCX and the XLSX equals the figure the
dashboard shows for the same months; the form keeps what was typed when it is refused."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from conftest import local
from xinfang.analytics.rate_selectors import Filters, rate_lines, stage_days
from xinfang.analytics.rates import RATES
from xinfang.analytics.services import rates_rebuild
from xinfang.analytics.trends import trends_for_user
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def history(world, register):  # type: ignore[no-untyped-def]
    for i, when in enumerate((local(2025, 3, 3), local(2025, 3, 20), local(2025, 4, 3))):
        p = register(received_at=when, at=when, channel=("letter", "visit", "online")[i]).petition
        petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, at=when,
                     data={"to_organ_id": world.housing.pk})
        if i < 2:
            petition_act(petition_id=p.pk, action="acknowledge", actor=world.handler,
                         at=local(2025, 3 + i, 28 if i else 10))
    rates_rebuild(as_of=date(2025, 9, 1))


def _docx_tables(body: bytes) -> dict[str, list[list[str]]]:
    from docx import Document

    doc = Document(io.BytesIO(body))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    heads = [h for h in heads if h != "分析与建议"]
    return {h: [[c.text for c in r.cells] for r in t.rows] for h, t in zip(heads, doc.tables, strict=True)}


def test_every_number_in_the_annual_report_equals_the_dashboards(client, world, history):
    client.force_login(world.analyst)
    r = client.post("/analytics/report/", {"kind": "annual", "year": "2025", "month": "",
                                           "commentary": "油烟噪声投诉集中在三月。\n建议加强夜间巡查。",
                                           "format": "docx"})
    assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")
    got = _docx_tables(r.content)
    f = Filters(month_from=date(2025, 1, 1), month_to=date(2025, 12, 1))
    t = trends_for_user(user=world.analyst, month_from=f.month_from, month_to=f.month_to)
    assert got["按月份和类别"][1:] == [
        [m.strftime("%Y-%m"), *[str(t.by_month_category[m].get(c, 0)) for c, _ in t.categories],
         str(sum(t.by_month_category[m].values()))] for m in t.months]
    assert [row[1] for row in got["渠道构成"][1:]] == [str(n) for _, _, n in t.channels]
    assert sum(int(row[1]) for row in got["渠道构成"][1:]) == 3
    page = client.get("/analytics/rates/?month_from=2025-01&month_to=2025-12").content.decode()
    labels = {"accept": "及时受理率", "complete": "按期办结率", "satisfy": "满意率", "evaluate": "参评率"}
    for m in RATES:
        lines = rate_lines(user=world.analyst, metric=m, by="organ", filters=f)
        assert got[labels[m.value]][1:] == [
            [ln.label, str(ln.rate.n), str(ln.rate.d), ln.rate.percent()] for ln in lines]
        # and the page shows the same n / d = rate
        for ln in lines:
            assert re.search(rf">{ln.rate.n}</a> / <a [^>]+>{ln.rate.d}</a> = {re.escape(ln.rate.percent())}", page)
    accept = got["及时受理率"]
    assert accept[1] == ["合计", "1", "3", "33.3%"]  # on time; late (04-28 > 04-19); never accepted
    stages = stage_days(user=world.analyst, by="organ", filters=f)
    assert got["各环节用时（天）"][1][0] == stages[0].label
    doc_text = r.content  # the commentary is in the report
    from docx import Document

    paras = [p.text for p in Document(io.BytesIO(doc_text)).paragraphs]
    assert "建议加强夜间巡查。" in paras


def test_the_xlsx_holds_the_same_figures(client, world, history):
    from openpyxl import load_workbook

    client.force_login(world.analyst)
    r = client.post("/analytics/report/", {"kind": "monthly", "year": "2025", "month": "3",
                                           "commentary": "", "format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    sheets = {ws.title.split(" ", 1)[1]: [list(row) for row in ws.iter_rows(values_only=True)]
              for ws in wb.worksheets[1:]}
    f = Filters(month_from=date(2025, 3, 1), month_to=date(2025, 3, 1))
    lines = rate_lines(user=world.analyst, metric="accept", by="organ", filters=f)
    assert sheets["及时受理率"][1:] == [[ln.label, ln.rate.n, ln.rate.d, ln.rate.percent()] for ln in lines]
    assert sheets["按月份和类别"][1][0] == "2025-03" and sheets["按月份和类别"][1][-1] == 2


def test_the_xlsx_opens_when_the_transfers_table_carries_its_counting_time(client, world, history):
    """The walker's 500: the transfers table's title says when it was counted ("计数于 HH:MM"),
    and Excel refuses ':' in a sheet title."""
    from openpyxl import load_workbook

    from xinfang.analytics.dispatch import dispatch_rebuild

    dispatch_rebuild(now=local(2025, 9, 1, 10))
    client.force_login(world.analyst)
    r = client.post("/analytics/report/", {"kind": "annual", "year": "2025",
                                           "commentary": "", "format": "xlsx"})
    assert r.status_code == 200
    titles = [ws.title for ws in load_workbook(io.BytesIO(r.content)).worksheets]
    assert any("计数于" in t for t in titles)


@pytest.mark.parametrize("caption", ["a:b", "x/y\\z", "[是?]*", "转送、交办情况（计数于 2026-12-08 01:35）" * 3])
def test_a_sheet_title_is_one_excel_accepts(caption):
    from openpyxl import Workbook

    from xinfang.analytics.reports import sheet_title

    t = sheet_title(7, caption)
    assert t.startswith("07 ") and len(t) <= 31
    Workbook().create_sheet(t)  # raises on a forbidden character


def test_a_refused_form_keeps_the_commentary_and_says_why(client, world):
    client.force_login(world.analyst)
    text = "这段分析很长，不能丢。"
    r = client.post("/analytics/report/", {"kind": "monthly", "year": "1999", "month": "13",
                                           "commentary": text, "format": "docx"})
    assert r.status_code == 400
    body = r.content.decode()
    assert text in body and "2000" in body and 'value="1999"' in body
    assert client.post("/analytics/report/", {"kind": "x", "year": "2025",
                                              "commentary": "a\x00b"}).status_code == 400


def test_only_roles_that_may_count_get_the_report(client, world):
    client.force_login(world.handler)
    assert client.get("/analytics/report/").status_code == 403
    assert client.post("/analytics/report/", {"kind": "annual", "year": "2025"}).status_code == 403
    client.force_login(world.analyst)
    assert client.get("/analytics/report/").status_code == 200
    assert "/analytics/report/" in client.get("/analytics/").content.decode()
